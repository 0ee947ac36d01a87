"""The follow-ups page: an owner's queue (oldest due first, SLA status), and contact, close
and note without reloading the page (htmx swaps the task's row).

Owners see and work only the tasks of their touchpoints; the CX lead and admins see all;
viewers read. Touchpoints show as the charter's label in the reader's language; times in the
workspace's time zone (``[workspace] timezone``), else in UTC, each labelled with its zone.
Every change is audited under the signed-in user's name (:func:`cxo.followups.update`,
:func:`cxo.followups.add_note`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

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
    view = _View.of(ws, language(request, ws))
    rows = [view.row(t, now) for t in found[:SHOW]]
    m = words(request, ws)
    touchpoints = sorted(
        (
            (key, view.label(key))
            for key in {t.touchpoint for t in tasks(ws) if scope.sees_followup(t)}
        ),
        key=lambda item: item[1].casefold(),
    )
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
        row=_View.of(ws, language(request, ws)).row(task, now),
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


@dataclass(frozen=True)
class _View:
    """How the reader sees a task: touchpoint labels in their language, times in the zone."""

    language: str
    labels: dict[str, str]
    zone: ZoneInfo

    @classmethod
    def of(cls, ws: Workspace, language: str) -> _View:
        labels = {tp.key: tp.label(language) for tp in ws.charter().touchpoints}
        return cls(language, labels, ZoneInfo(ws.settings.timezone or "UTC"))

    def label(self, touchpoint: str) -> str:
        """The charter's label of ``touchpoint`` (the key when the charter no longer has it)."""
        return self.labels.get(touchpoint, touchpoint)

    def when(self, at: dt.datetime | None) -> str:
        """A time of the store (naive UTC) for the reader: ``31.12.2026 10:00 CET`` (de)."""
        from cxo.report.format import date

        if at is None:
            return ""
        local = at.replace(tzinfo=dt.UTC).astimezone(self.zone)
        return f"{date(local.date(), self.language)} {local:%H:%M} {local.tzname()}"

    def row(self, task: FollowUp, now: dt.datetime) -> dict[str, object]:
        return {
            "task": task,
            "touchpoint": self.label(task.touchpoint),
            "sla": sla_status(task, now),
            "due": self.when(task.due_at),
            "contacted": self.when(task.contacted_at),
            "notes": [line for line in task.note.split("\n") if line],
        }


__all__ = ["router"]
