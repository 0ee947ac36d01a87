"""``cxo import TABLE FILE...``: import files or a database query into the workspace."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, TaskID

from cxo.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    err_console,
    handle_errors,
    print_json,
    progress,
    workspace,
)
from cxo.errors import UsageError


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
        str, typer.Argument(help="Contract table: customers, contracts, responses, ….")
    ],
    files: Annotated[
        list[str],
        typer.Argument(
            help="CSV/TSV, XLSX, Parquet or JSON-lines files, or a database URL with --query.",
            show_default=False,
        ),
    ],
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help="SQL query for a database URL or file."),
    ] = None,
    max_rejected: Annotated[
        str | None,
        typer.Option(
            "--max-rejected",
            help="Fail (exit 1, import nothing) when more than this share is rejected: 0.05 or 5%.",
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
        bool, typer.Option("--force", help="Re-apply a file even if it is identical.")
    ] = False,
    workspace_dir: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import rows into a contract table; rejected rows go to quarantine with their reason.

    Prints the reconciliation read = imported + quarantined for every file.
    """
    from cxo.core.contract import get_table
    from cxo.ingest.api import import_file
    from cxo.ingest.messages import translate

    get_table(table)
    share = parse_share(max_rejected)
    if delimiter is not None and delimiter.lower() in ("tab", "\\t"):
        delimiter = "\t"
    if delimiter is not None and len(delimiter) != 1:
        raise UsageError(f"--delimiter must be one character (or 'tab'), not {delimiter!r}")
    ws = workspace(workspace_dir)
    results = []
    for location in files:
        with progress() as bar:
            task = bar.add_task(f"importing {location}", total=None)

            advance = _Advance(bar, task)

            batch = import_file(
                ws,
                table,
                location,
                share,
                query=query,
                sheet=sheet,
                encoding=encoding,
                delimiter=delimiter,
                force=force,
                progress=advance,
            )
            bar.update(task, total=batch.read, completed=batch.read)
        results.append(batch)
        if as_json:
            continue
        mark = "[green]✓[/]" if batch.quarantined == 0 else "[yellow]![/]"
        lang = ws.settings.language
        console.print(f"{mark} {batch.summary(lang)}", highlight=False, soft_wrap=True)
        if batch.notes:
            console.print(f"  [dim]{'; '.join(batch.notes)}[/]", highlight=False, soft_wrap=True)
        if batch.ignored_columns:
            console.print(
                f"  [dim]ignored columns: {', '.join(batch.ignored_columns)}[/]", highlight=False
            )
        if batch.empty_rows:
            console.print(
                f"  [dim]skipped {batch.empty_rows:,} empty rows[/]",
                highlight=False,
                soft_wrap=True,
            )
        for ex in batch.examples:
            err_console.print(
                f"  {batch.source}:{ex['line'] if ex['line'] is not None else '?'} "
                f"[{ex['field'] or 'row'}] {translate(ex['reason'], lang)}",
                highlight=False,
                soft_wrap=True,
                markup=False,
            )
        if batch.quarantined > len(batch.examples):
            console.print(
                f"  [dim]all {batch.quarantined:,} rejected rows: select * from quarantine "
                f"where batch_id = '{batch.batch_id}'[/]",
                highlight=False,
                soft_wrap=True,
            )
    if as_json:
        print_json([b.to_dict() for b in results] if len(results) > 1 else results[0].to_dict())
