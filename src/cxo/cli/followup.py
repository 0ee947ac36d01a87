"""``cxo followup``: the closed loop — detractors and complaints as tasks for their owners."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

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
from cxo.workspace import Workspace

if TYPE_CHECKING:
    from cxo.followups.effect import ContactEffect

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
        float | None,
        typer.Option(
            "--sla-hours",
            help="Hours from the answer to first contact, for every touchpoint "
            "(default: each touchpoint's sla_hours in the charter, else 48).",
        ),
    ] = None,
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
    effect = _effect_or_none(ws)
    if as_json:
        out = words.to_json(result)
        out["contact_effect"] = None if effect is None else words.to_json(effect)
        print_json(out)
        return
    lang = ws.settings.language
    console.print(rich_table(words.report_table(result, lang)))
    unrouted = words.unrouted_line(result, lang)
    if unrouted:
        err_console.print(esc(unrouted), highlight=False)
    if effect is not None:
        _print_effect(effect, lang)


def _effect_or_none(ws: Workspace) -> ContactEffect | None:
    """The contact effect where tasks are linked to customers, else ``None``."""
    from cxo.errors import MissingDataError
    from cxo.followups.effect import contact_effect

    try:
        return contact_effect(ws)
    except MissingDataError:
        return None


def _print_effect(effect: ContactEffect, lang: str) -> None:
    from cxo.report import followups as words
    from cxo.report.messages import message

    console.print(f"[bold]{esc(message('followups.effect.title', lang))}[/]", highlight=False)
    for line in words.effect_lines(effect, lang):
        console.print(esc(line), highlight=False, soft_wrap=True)


@followup_app.command("effect")
@handle_errors
def effect_command(
    window: Annotated[
        int, typer.Option("--window", help="Days after the answer a contact counts.")
    ] = 14,
    horizon: Annotated[
        int, typer.Option("--horizon", help="Days after the answer the later NPS is looked for.")
    ] = 365,
    churn_days: Annotated[
        int, typer.Option("--churn-days", help="Days after the answer churn is counted.")
    ] = 180,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Later NPS and churn of contacted against not-contacted detractors (observational)."""
    from cxo.followups.effect import contact_effect
    from cxo.report import followups as words

    ws = workspace(path)
    effect = contact_effect(ws, window_days=window, horizon_days=horizon, churn_days=churn_days)
    if as_json:
        print_json(words.to_json(effect))
        return
    _print_effect(effect, ws.settings.language)
