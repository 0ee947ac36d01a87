"""``cxo followup``: the closed loop — detractors and complaints as tasks for their owners."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.markup import escape as esc
from rich.table import Table

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
from cxo.engine.format import format_number, format_percent

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
    from cxo.initiatives.followups import generate

    result = generate(
        workspace(path),
        since=option_date(since, "--since"),
        sla_hours=sla_hours,
        author=getpass.getuser(),
    )
    if as_json:
        print_json(result.to_dict())
        return
    console.print(
        f"{result.created} new follow-up tasks from {result.candidates} detractors and "
        f"complaints since {result.since}",
        highlight=False,
    )
    for note in result.notes:
        err_console.print(f"note: {note}", highlight=False)


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
    from cxo.initiatives.followups import tasks

    items = tasks(workspace(path), owner=owner, status=status, touchpoint=touchpoint)
    if as_json:
        print_json([t.to_dict() for t in items])
        return
    table = Table(title=f"follow-ups ({len(items)})")
    for col in ("id", "due", "owner", "touchpoint", "reason", "NPS", "status", "comment"):
        table.add_column(col)
    for t in items[:limit]:
        table.add_row(
            str(t.id),
            t.due_at.strftime("%Y-%m-%d %H:%M"),
            esc(t.owner or "(no owner)"),
            esc(t.touchpoint),
            t.reason,
            "" if t.nps is None else str(t.nps),
            t.status,
            esc((t.comment or "")[:80]),
        )
    console.print(table)


def _update(task_id: int, status: str, note: str, path: WorkspaceOption, as_json: bool) -> None:
    from cxo.initiatives.followups import update

    task = update(workspace(path), task_id, status, note=note, by=getpass.getuser())
    if as_json:
        print_json(task.to_dict())
        return
    console.print(f"task {task.id}: {task.status}")


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
    from cxo.initiatives.followups import report

    ws = workspace(path)
    result = report(ws)
    if as_json:
        print_json(result.to_dict())
        return
    lang = ws.settings.language
    table = Table(title="closed loop")
    for col in ("owner", "tasks", "due", "within SLA [95% CI]", "contacted", "median h", "overdue"):
        table.add_column(col)
    for s in [result.overall, *result.by_owner]:
        table.add_row(
            esc(s.group),
            str(s.tasks),
            str(s.due),
            f"{format_percent(s.within_sla, 0, lang)} "
            f"[{format_percent(s.within_sla_ci[0], 0, lang)}; "
            f"{format_percent(s.within_sla_ci[1], 0, lang)}]",
            format_percent(s.contacted, 0, lang),
            format_number(s.median_hours_to_contact, 1, lang),
            str(s.overdue_open),
        )
    console.print(table)
    if result.unrouted:
        err_console.print(
            f"{result.unrouted} tasks have no owner (touchpoints without an accountable person)"
        )
