"""``cxo followup``: the closed loop — detractors and complaints as tasks for their owners."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.markup import escape as esc

from cxo.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    err_console,
    handle_errors,
    option_date,
    print_json,
    workspace,
)
from cxo.cli.initiative import rich_table

followup_app = typer.Typer(
    name="followup",
    help="Closed loop: detractors and complaints routed to the touchpoint owner, with SLA.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``followup`` to ``app``."""
    app.add_typer(followup_app, name="followup")


@followup_app.command("generate")
@handle_errors
def generate_command(
    since: Annotated[
        str | None,
        typer.Option("--since", help="First response date YYYY-MM-DD (default: last 30 days)."),
    ] = None,
    sla_hours: Annotated[
        float, typer.Option("--sla-hours", help="Hours from the answer to first contact.")
    ] = 48,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a task for every new detractor and negative comment, routed to its owner."""
    from cxo.followups import generate
    from cxo.report import followups as words

    ws = workspace(path)
    result = generate(
        ws, since=option_date(since, "--since"), sla_hours=sla_hours, author=getpass.getuser()
    )
    if as_json:
        print_json(words.to_json(result))
        return
    lang = ws.settings.language
    console.print(esc(words.summary(result, lang)), highlight=False)
    for note in words.notes(result, lang):
        err_console.print(esc(note), highlight=False)


@followup_app.command("list")
@handle_errors
def list_command(
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="open, contacted or closed.")
    ] = None,
    touchpoint: Annotated[str | None, typer.Option("--touchpoint", "-t")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows to print (JSON prints all).")] = 50,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Tasks, oldest due first."""
    from cxo.followups import tasks
    from cxo.report import followups as words

    ws = workspace(path)
    items = tasks(ws, owner=owner, status=status, touchpoint=touchpoint)
    if as_json:
        print_json([t.to_dict() for t in items])
        return
    console.print(rich_table(words.task_table(items, ws.settings.language, limit)))


def _update(task_id: int, status: str, note: str, path: WorkspaceOption, as_json: bool) -> None:
    from cxo.followups import update
    from cxo.report import followups as words

    ws = workspace(path)
    task = update(ws, task_id, status, note=note, by=getpass.getuser())
    if as_json:
        print_json(task.to_dict())
        return
    console.print(esc(words.status_line(task, ws.settings.language)), highlight=False)


@followup_app.command("contact")
@handle_errors
def contact_command(
    task_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option("--note")] = "",
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record that the customer was contacted."""
    _update(task_id, "contacted", note, path, as_json)


@followup_app.command("close")
@handle_errors
def close_command(
    task_id: Annotated[int, typer.Argument()],
    note: Annotated[str, typer.Option("--note")] = "",
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close a task (counts as contacted if it was not yet)."""
    _update(task_id, "closed", note, path, as_json)


@followup_app.command("report")
@handle_errors
def report_command(path: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Follow-up rate within the SLA, time to contact and overdue tasks, per owner."""
    from cxo.followups import report
    from cxo.report import followups as words

    ws = workspace(path)
    result = report(ws)
    if as_json:
        print_json(words.to_json(result))
        return
    lang = ws.settings.language
    console.print(rich_table(words.report_table(result, lang)))
    unrouted = words.unrouted_line(result, lang)
    if unrouted:
        err_console.print(esc(unrouted), highlight=False)
