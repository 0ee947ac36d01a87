"""``cxo import TABLE FILE...``: import files or a database query into the workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID

from cxo.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    echo,
    err_console,
    handle_errors,
    print_json,
    progress,
    workspace,
)
from cxo.errors import UsageError

if TYPE_CHECKING:
    from cxo.ingest.batch import BatchResult
    from cxo.ingest.mapping import Mapping
    from cxo.workspace import Workspace


def register(app: typer.Typer) -> None:
    """Add ``import`` to ``app``."""
    app.command("import")(import_cmd)


def parse_share(text: str | None) -> float | None:
    """``0.05`` or ``5%`` → 0.05."""
    if text is None:
        return None
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(
            f"--max-rejected must be a share such as 0.05 or 5%, not {text!r}"
        ) from None
    if not 0 <= value <= 1:
        raise UsageError(f"--max-rejected must be between 0 and 1 (or 0% and 100%), not {text!r}")
    return value


class _Advance:
    """Progress callback for one file (clamped: byte estimates can overshoot)."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self.bar, self.task, self.done = bar, task, 0

    def __call__(self, n: int, total: int | None) -> None:
        self.done = min(self.done + n, total) if total else self.done + n
        self.bar.update(self.task, completed=self.done, total=total)


@handle_errors
def import_cmd(
    table: Annotated[
        str,
        typer.Argument(
            help="Contract table: customers, contracts, responses, … (with --map: `all` or "
            "left out for every table the mapping fills; `survey`: a survey-platform export "
            "into responses and ratings)."
        ),
    ],
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="CSV/TSV, XLSX, Parquet or JSON-lines files, or a database URL with --query.",
            show_default=False,
        ),
    ] = None,
    mapping_name: Annotated[
        str | None,
        typer.Option(
            "--map",
            "-m",
            help="Mapping file: NAME (mappings/NAME.yaml in the workspace) or a path.",
        ),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help="SQL query for a database URL or file."),
    ] = None,
    max_rejected: Annotated[
        str | None,
        typer.Option(
            "--max-rejected",
            help="Fail (exit 1, import nothing) when more than this share is rejected: 0.05 or "
            "5% (default 50%; 100% imports whatever passes).",
        ),
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet name.")] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Force an encoding (default: detect).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="Force a CSV separator (default: detect).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Re-apply a file even if file, charter and mapping are as in the last import.",
        ),
    ] = False,
    touchpoint: Annotated[
        str | None,
        typer.Option("--touchpoint", help="Touchpoint of a survey export without that column."),
    ] = None,
    survey: Annotated[
        str | None, typer.Option("--survey", help="Survey name (default: the file name).")
    ] = None,
    workspace_dir: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import rows into a contract table; rejected rows go to quarantine with their reason.

    Prints the reconciliation read = imported + quarantined for every file.

    Exit 1 when more than --max-rejected (default 50%) is rejected, or every row is.
    """
    from cxo.core.contract import get_table
    from cxo.ingest.api import DEFAULT_MAX_REJECTED

    if mapping_name is not None and not files:
        table, files = "all", [table]
    if not files:
        raise UsageError("missing FILE: cxo import TABLE FILE... (or cxo import --map NAME FILE)")
    if table != "survey" and (table != "all" or mapping_name is None):
        get_table(table)
    share = parse_share(max_rejected)
    share = DEFAULT_MAX_REJECTED if share is None else share
    delimiter = _delimiter(delimiter)
    ws = workspace(workspace_dir)
    lang = ws.settings.language
    options = {"sheet": sheet, "encoding": encoding, "delimiter": delimiter, "force": force}
    if table == "survey":
        survey_opts = {"touchpoint": touchpoint, "survey": survey, **options}
        results = _import_surveys(ws, files, share, survey_opts, lang, as_json)
    elif mapping_name is not None:
        if query is not None:
            raise UsageError("--map reads files; --query cannot be combined with it")
        from cxo.ingest.mapping import load_mapping

        mapping = load_mapping(ws.root, mapping_name)
        results = _import_mapped(ws, table, files, mapping, share, options, lang, as_json)
    else:
        results = _import_plain(ws, table, files, share, query, options, lang, as_json)
    if as_json:
        from cxo.report.ingest import to_json

        print_json([to_json(b) for b in results] if len(results) > 1 else to_json(results[0]))
    if any(b.read > 0 and b.imported == 0 for b in results):
        raise typer.Exit(1)


def _delimiter(value: str | None) -> str | None:
    """The ``--delimiter`` option as one character (``tab`` or ``\\t`` for a tab)."""
    if value is not None and value.lower() in ("tab", "\\t"):
        value = "\t"
    if value is not None and len(value) != 1:
        raise UsageError(f"--delimiter must be one character (or 'tab'), not {value!r}")
    return value


def _import_plain(
    ws: Workspace,
    table: str,
    files: list[str],
    share: float,
    query: str | None,
    options: dict[str, Any],
    lang: str,
    as_json: bool,
) -> list[BatchResult]:
    from cxo.ingest.api import import_file
    from cxo.report.messages import message

    results = []
    for location in files:
        with progress() as bar:
            task = bar.add_task(message("ingest.progress", lang, location=location), total=None)
            batch = import_file(
                ws, table, location, share, query=query, progress=_Advance(bar, task), **options
            )
            bar.update(task, total=batch.read, completed=batch.read)
        results.append(batch)
        if not as_json:
            _print_batch(batch, lang)
    return results


def _import_surveys(
    ws: Workspace,
    files: list[str],
    share: float,
    options: dict[str, Any],
    lang: str,
    as_json: bool,
) -> list[BatchResult]:
    from cxo.ingest.platforms.survey import import_survey
    from cxo.report.messages import message

    options.pop("sheet", None)
    results: list[BatchResult] = []
    for location in files:
        with progress() as bar:
            task = bar.add_task(message("ingest.progress", lang, location=location), total=None)
            batches = import_survey(
                ws, location, max_rejected=share, progress=_Advance(bar, task), **options
            )
        for batch in batches:
            results.append(batch)
            if not as_json:
                _print_batch(batch, lang)
    return results


def _import_mapped(
    ws: Workspace,
    table: str,
    files: list[str],
    mapping: Mapping,
    share: float,
    options: dict[str, Any],
    lang: str,
    as_json: bool,
) -> list[BatchResult]:
    from cxo.ingest.api import import_mapped
    from cxo.report.messages import message

    tables = None if table == "all" else [table]
    results: list[BatchResult] = []

    def done(batch: BatchResult) -> None:
        results.append(batch)
        if not as_json:
            _print_batch(batch, lang)

    for location in files:
        with progress() as bar:
            task = bar.add_task(message("ingest.progress", lang, location=location), total=None)
            import_mapped(
                ws,
                location,
                mapping,
                tables,
                share,
                progress=_Advance(bar, task),
                on_batch=done,
                **options,
            )
    return results


def _print_batch(batch: BatchResult, lang: str) -> None:
    """The reconciliation line, notes, details and example reasons of one file."""
    from cxo.report import ingest as render
    from cxo.report.messages import message

    mark = "[green]✓[/]" if batch.quarantined == 0 else "[yellow]![/]"
    console.print(f"{mark} {escape(render.summary(batch, lang))}", highlight=False, soft_wrap=True)
    notes = render.notes(batch, lang)
    if notes:
        console.print(f"  [dim]{escape('; '.join(notes))}[/]", highlight=False, soft_wrap=True)
    for line in render.details(batch, lang):
        console.print(f"  [dim]{escape(line)}[/]", highlight=False, soft_wrap=True)
    for ex in batch.examples:
        err_console.print(
            "  " + render.example_line(batch.source, ex, lang),
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    hint = render.rejected_hint(batch, lang)
    if hint is not None:
        console.print(f"  [dim]{escape(hint)}[/]", highlight=False, soft_wrap=True)
    if batch.status == "unchanged":
        echo("  " + message("mapping.import.unchanged", lang))
    elif batch.read > 0 and batch.imported == 0 and batch.status == "ok":
        echo("  " + message("mapping.import.all_rejected", lang, table=batch.table), err=True)
