"""``cxo publish``: the validated tables as hive-partitioned Parquet (the lake)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxo.cli.common import JsonOption, WorkspaceOption, echo, handle_errors, print_json, workspace


def register(app: typer.Typer) -> None:
    """Add ``publish`` to ``app``."""
    app.command("publish")(publish_command)


@handle_errors
def publish_command(
    path: WorkspaceOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Lake folder (default: [lake] path in cxo.toml, else WORKSPACE/lake).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Publish the validated tables as Parquet partitioned by month, for Spark or any engine;
    `[lake] analytics = true` makes cxo's analyses read it."""
    from cxo.lake import check_out, publish
    from cxo.report.messages import message

    ws = workspace(path)
    result = publish(ws, check_out(out, ws))
    if as_json:
        print_json(result.to_dict())
        return
    lang = ws.settings.language
    for table in result.tables:
        echo(
            message(
                "lake.cli.table",
                lang,
                table=table.name,
                rows=table.rows,
                partitions=table.partitions,
            )
        )
    echo(message("lake.cli.published", lang, path=str(result.lake)), err=True)
