"""``cxo backup`` and ``cxo restore``: the whole workspace in one checked archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxo.cli.common import JsonOption, WorkspaceOption, echo, handle_errors, print_json, workspace


def register(app: typer.Typer) -> None:
    """Add ``backup`` and ``restore`` to ``app``."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


@handle_errors
def backup_command(
    file: Annotated[Path, typer.Argument(help="The archive to write (e.g. cxo-backup.tar.gz).")],
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Back up the workspace (databases, charter, settings, files) into one archive with a
    manifest and checksums; consistent while the server and an import run."""
    from cxo.backup import backup
    from cxo.report.format import number
    from cxo.report.messages import message

    ws = workspace(path)
    result = backup(ws, file)
    if as_json:
        print_json(result.to_dict())
        return
    lang = ws.settings.language
    echo(
        message(
            "backup.cli.done",
            lang,
            path=str(result.path),
            tables=len(result.tables),
            files=result.files,
            megabytes=number(result.bytes / 1e6, 1, lang),
            seconds=result.seconds,
        )
    )


@handle_errors
def restore_command(
    file: Annotated[Path, typer.Argument(help="The backup archive.")],
    path: WorkspaceOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the data of an existing workspace.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup into the workspace folder (new, or existing with --force); every
    table is checked against the backup's manifest."""
    import os

    from cxo.backup import restore
    from cxo.report.messages import message
    from cxo.workspace import ENV_VAR

    root = path or Path(os.environ.get(ENV_VAR) or Path.cwd())
    result = restore(root, file, force=force)
    if as_json:
        print_json(result.to_dict())
        return
    echo(
        message(
            "backup.cli.restored",
            workspace(root).settings.language,
            path=str(file),
            root=str(root.resolve()),
            tables=len(result.tables),
            files=result.files,
        )
    )
