"""``cxo init``: create a workspace from a company-type template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxo.cli.common import console, handle_errors
from cxo.core.charter import COMPANY_TYPES
from cxo.errors import UsageError
from cxo.workspace import Workspace


def register(app: typer.Typer) -> None:
    """Add ``init`` to ``app``."""
    app.command("init")(init)


@handle_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Directory of the new workspace.")] = Path("."),
    company_type: Annotated[
        str, typer.Option("--type", "-t", help="Company type: software, service or retail.")
    ] = "service",
    language: Annotated[
        str, typer.Option("--language", help="UI and report language (de/en).")
    ] = "de",
    force: Annotated[
        bool, typer.Option("--force", help="Re-initialise an existing workspace.")
    ] = False,
) -> None:
    """Create a workspace: charter from the template, DuckDB and SQLite stores, settings."""
    if company_type not in COMPANY_TYPES:
        raise UsageError(f"--type must be one of {', '.join(COMPANY_TYPES)}, not {company_type!r}")
    if language not in ("de", "en"):
        raise UsageError(f"--language must be de or en, not {language!r}")
    ws = Workspace.create(directory, company_type, language=language, force=force)
    console.print(f"[green]✓[/] workspace created at [bold]{ws.root}[/] ({company_type})")
    console.print(f"  charter   {ws.charter_path}")
    console.print(f"  analytics {ws.duckdb_path}")
    console.print(f"  app store {ws.app_database_url}")
    console.print("next: [bold]cxo import responses FILE[/] or [bold]cxo simulate[/]")
