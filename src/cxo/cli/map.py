"""``cxo map suggest TABLE FILE`` and ``cxo map check NAME FILE``: mapping files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxo.cli.common import (
    JsonOption,
    WorkspaceOption,
    echo,
    handle_errors,
    print_json,
    workspace,
)
from cxo.errors import UsageError

map_app = typer.Typer(
    help="Mapping files: turn someone else's export into contract tables, as data.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``map`` to ``app``."""
    app.add_typer(map_app, name="map")


def _language(workspace_dir: Path | None) -> tuple[str, Path | None]:
    """The workspace's language and root, or English and None outside a workspace."""
    from cxo.errors import WorkspaceError

    try:
        ws = workspace(workspace_dir)
    except WorkspaceError:
        if workspace_dir is not None:
            raise
        return "en", None
    return ws.settings.language, ws.root


@map_app.command("suggest")
@handle_errors
def suggest_cmd(
    table: Annotated[str, typer.Argument(help="Contract table the file should fill.")],
    file: Annotated[str, typer.Argument(help="The export: CSV/TSV, XLSX, Parquet, JSON lines.")],
    out: Annotated[
        str | None,
        typer.Option("--out", "-o", help="Write it to mappings/NAME.yaml in the workspace."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing mapping.")] = False,
    workspace_dir: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Propose a mapping from the file's headers and sample values, as YAML to edit."""
    from cxo.ingest.mapping import MAPPINGS_DIR, parse_mapping
    from cxo.ingest.mapping_suggest import suggest
    from cxo.report.mapping import suggestion_yaml
    from cxo.report.messages import message

    lang, root = _language(workspace_dir)
    proposal = suggest(table, file)
    if as_json:
        print_json(proposal.to_dict())
        return
    text = suggestion_yaml(proposal, lang)
    parse_mapping(text, name="suggestion", source="<suggestion>")  # it must parse as it is
    if out is None:
        echo(text.rstrip("\n"))
        return
    if root is None:
        raise UsageError("--out writes into a workspace; pass --workspace or set CXO_WORKSPACE")
    name = Path(out).stem if out.endswith((".yaml", ".yml")) else out
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise UsageError(f"--out takes a mapping name such as telco, not {out!r}")
    path = root / MAPPINGS_DIR / f"{name}.yaml"
    if path.exists() and not force:
        raise UsageError(f"{path} exists", hint="pass --force to overwrite it")
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, "utf-8")
    echo(message("mapping.written", lang, path=str(path), name=name, file=file))


@map_app.command("check")
@handle_errors
def check_cmd(
    name: Annotated[str, typer.Argument(help="Mapping name (mappings/NAME.yaml) or path.")],
    file: Annotated[str, typer.Argument(help="The export to try it on.")],
    table: Annotated[
        list[str] | None,
        typer.Option("--table", "-t", help="Only this table (repeatable; default: all)."),
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet name.")] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Force an encoding (default: detect).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="Force a CSV separator (default: detect).")
    ] = None,
    workspace_dir: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Dry run: what would be imported and quarantined per table, and why. Changes nothing.

    Exit 1 when every row would be rejected.
    """
    from cxo.ingest.api import check_mapped
    from cxo.ingest.mapping import load_mapping
    from cxo.report import ingest as render
    from cxo.report.mapping import check_line
    from cxo.report.messages import message

    ws = workspace(workspace_dir)
    lang = ws.settings.language
    mapping = load_mapping(ws.root, name)
    results = check_mapped(
        ws, file, mapping, table, sheet=sheet, encoding=encoding, delimiter=delimiter
    )
    everything_rejected = sum(b.read for b in results) > 0 and not any(b.imported for b in results)
    if as_json:
        print_json(
            {
                "dry_run": True,
                "tables": [render.to_json(b) for b in results],
                "all_rejected": everything_rejected,
            }
        )
    else:
        for batch in results:
            echo(check_line(batch, lang))
            notes = render.notes(batch, lang)
            if notes:
                echo("  " + "; ".join(notes))
            for ex in batch.examples:
                echo("  " + render.example_line(batch.source, ex, lang))
        echo(message("mapping.check.dry", lang))
        if everything_rejected:
            echo(message("mapping.check.all_rejected", lang), err=True)
    if everything_rejected:
        raise typer.Exit(1)
