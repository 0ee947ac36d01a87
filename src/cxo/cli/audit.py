"""``cxo audit``: the append-only audit log — who changed what, when, before and after."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cxo.cli.common import (
    JsonOption,
    WorkspaceOption,
    echo,
    handle_errors,
    option_date,
    print_json,
    workspace,
)


def register(app: typer.Typer) -> None:
    """Add ``audit`` to ``app``."""
    app.command("audit")(audit_command)


def _state(value: object) -> str:
    return "-" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@handle_errors
def audit_command(
    action: Annotated[
        str | None,
        typer.Option(
            "--action", help="Only actions starting with this (e.g. followup).", show_default=False
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Only this actor.", show_default=False)
    ] = None,
    entity: Annotated[
        str | None,
        typer.Option(
            "--entity",
            help="Only entities starting with this (e.g. initiative:).",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this date (YYYY-MM-DD).", show_default=False)
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="At most this many, newest first.", min=1)
    ] = 200,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the audit log, newest first: charter, initiatives, follow-ups, users, imports,
    erasures, backups."""
    import datetime as dt

    from cxo.report.messages import message
    from cxo.store.audit import entries

    ws = workspace(path)
    day = option_date(since, "--since")
    found = entries(
        ws.app_database_url,
        action=action,
        actor_name=actor,
        entity=entity,
        since=dt.datetime.combine(day, dt.time()) if day else None,
        limit=limit,
    )
    if as_json:
        print_json([e.to_dict() for e in found])
        return
    if not found:
        echo(message("audit.cli.empty", ws.settings.language))
        return
    for e in found:
        head = f"{e.at.isoformat(timespec='seconds')}Z  {e.actor}  {e.action}"
        echo(head + (f"  {e.entity}" if e.entity else "") + (f"  {e.detail}" if e.detail else ""))
        if e.before is not None or e.after is not None:
            echo(f"    {_state(e.before)} → {_state(e.after)}")
