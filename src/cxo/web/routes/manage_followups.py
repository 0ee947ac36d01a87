"""The follow-ups page: an owner's queue (oldest due first, SLA status), and contact, close
and note without reloading the page (htmx swaps the task's row).

Owners see and work only the tasks of their touchpoints; the CX lead and admins see all;
viewers read. Every change is audited under the signed-in user's name
(:func:`cxo.followups.update`, :func:`cxo.followups.add_note`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from cxo.followups import SLA_STATUSES, STATUSES, FollowUp, add_note, sla_status, tasks, update
from cxo.followups.tasks import utc_now
from cxo.followups.work import MAX_NOTE
from cxo.store.users import User
from cxo.web import access
from cxo.web.access import Scope
from cxo.web.deps import CurrentIdentity, CurrentWorkspace, Writer
from cxo.web.routes.manage_common import (
    fragment,
    is_htmx,
    language,
    page,
    see_other,
    sign_in,
    words,
)
from cxo.workspace import Workspace

router = APIRouter(prefix="/followups", include_in_schema=False)

SHOW = 200
"""Tasks shown at once (the oldest due; filter by touchpoint for the rest)."""
SHOWN = ("open", "contacted", "closed", "all")
"""The status filter of the queue (``open`` and ``contacted`` are the work still to do)."""


@router.get("")
def queue(
    request: Request,
    ws: CurrentWorkspace,
    who: CurrentIdentity,
    status: str = "todo",
    touchpoint: str = "",
) -> Response:
    """The queue: the tasks in the reader's scope, oldest due first."""
    if who.user is None:
        return sign_in(request)
    scope = Scope.of(ws, who.user)
    wanted = status if status in STATUSES else None
    found = [
        t
        for t in tasks(ws, status=wanted, touchpoint=touchpoint or None)
        if scope.sees_followup(t) and (status != "todo" or t.status != "closed")
    ]
    now = utc_now()
    counts = dict.fromkeys(("overdue", "due", "ok", "late"), 0)
    rows = [_row(t, now, language(request, ws)) for t in found[:SHOW]]
    for row in rows:
        counts[str(row["sla"])] += 1
    m = words(request, ws)
    touchpoints = sorted({t.touchpoint for t in tasks(ws) if scope.sees_followup(t)})
    return page(
        request,
        ws,
        who,
        "followups.html",
        title=m("followups.title"),
        rows=rows,
        total=len(found),
        counts=_counts(ws, scope, now),
        shown=status if status in (*SHOWN, "todo") else "todo",
        statuses=("todo", *SHOWN),
        touchpoint=touchpoint,
        touchpoints=touchpoints,
        may_edit=who.user.role != "viewer",
        everything=scope.everything,
    )


@router.post("/{task_id}/contact")
def contact(
    request: Request,
    ws: CurrentWorkspace,
    user: Writer,
    task_id: int,
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """Record that the customer was contacted."""
    return _changed(request, ws, user, task_id, "contacted", note)


@router.post("/{task_id}/close")
def close(
    request: Request,
    ws: CurrentWorkspace,
    user: Writer,
    task_id: int,
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """Close the task (counts as contacted if it was not yet)."""
    return _changed(request, ws, user, task_id, "closed", note)


@router.post("/{task_id}/reopen")
def reopen(request: Request, ws: CurrentWorkspace, user: Writer, task_id: int) -> Response:
    """Open a closed task again (closed by mistake)."""
    return _changed(request, ws, user, task_id, "open", "")


@router.post("/{task_id}/note")
def note(
    request: Request,
    ws: CurrentWorkspace,
    user: Writer,
    task_id: int,
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """Add a note (the status stays)."""
    access.followup(ws, Scope.of(ws, user), task_id)
    task = add_note(ws, task_id, note, by=user.name)
    return _answer(request, ws, user, task)


def _changed(
    request: Request, ws: Workspace, user: User, task_id: int, status: str, note: str
) -> Response:
    access.followup(ws, Scope.of(ws, user), task_id)
    task = update(ws, task_id, status, note=note.strip(), by=user.name)
    return _answer(request, ws, user, task)


def _answer(request: Request, ws: Workspace, user: User, task: FollowUp) -> Response:
    """The task's new row for htmx, or back to the queue for a plain form."""
    if not is_htmx(request):
        return see_other("/followups")
    now = utc_now()
    return fragment(
        request,
        ws,
        "followups_row.html",
        row=_row(task, now, language(request, ws)),
        may_edit=True,
        user=user,
        oob_counts=_counts(ws, Scope.of(ws, user), now),
    )


def _counts(ws: Workspace, scope: Scope, now: dt.datetime) -> dict[str, int]:
    """How many of the reader's tasks are overdue, due soon, on time, contacted late."""
    counts: dict[str, int] = dict.fromkeys(SLA_STATUSES, 0)
    for task in tasks(ws):
        if scope.sees_followup(task):
            counts[sla_status(task, now)] += 1
    return counts


def _when(at: dt.datetime | None, lang: str) -> str:
    """A time of the store (UTC) for the reader: ``31.12.2026 09:00`` (de)."""
    from cxo.report.format import date

    return "" if at is None else f"{date(at.date(), lang)} {at:%H:%M}"


def _row(task: FollowUp, now: dt.datetime, lang: str) -> dict[str, object]:
    return {
        "task": task,
        "sla": sla_status(task, now),
        "due": _when(task.due_at, lang),
        "contacted": _when(task.contacted_at, lang),
        "notes": [line for line in task.note.split("\n") if line],
    }


__all__ = ["router"]
