"""Working a follow-up task: notes and the SLA status an owner sees in their queue.

:func:`add_note` appends a note to a task without changing its status (audited under the
author's name); :func:`sla_status` says where a task stands against its due time:
``overdue`` (not contacted, past due), ``due`` (not contacted, due within
:data:`DUE_SOON` or half the task's SLA, whichever is shorter), ``ok`` (not contacted yet,
or contacted in time), ``late`` (contacted after its due time).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from cxo.errors import NotFoundError, UsageError
from cxo.followups.tasks import FollowUp, change, utc_now
from cxo.store.models import AuditEntry, FollowUpRow

if TYPE_CHECKING:
    from cxo.workspace import Workspace

MAX_NOTE = 5000
"""Longest note, in characters."""
DUE_SOON = dt.timedelta(hours=24)
"""A task not yet contacted is ``due`` when its due time is closer than this."""
SlaStatus = Literal["overdue", "due", "ok", "late"]
SLA_STATUSES: tuple[SlaStatus, ...] = ("overdue", "due", "ok", "late")


def add_note(
    ws: Workspace, task_id: int, note: str, *, by: str = "cxo", at: dt.datetime | None = None
) -> FollowUp:
    """Append ``note`` to task ``task_id`` (status unchanged) and audit it; return the task."""
    text = note.strip()
    if not text:
        raise UsageError("the note is empty")
    if len(text) > MAX_NOTE:
        raise UsageError(f"the note is longer than {MAX_NOTE} characters")
    when = at or utc_now()

    def apply(row: FollowUpRow) -> None:
        row.note = (row.note + "\n" if row.note else "") + text

    audit = AuditEntry(at=when, actor=by, action="followup.note", detail=str(task_id))
    return change(ws, task_id, apply, audit=audit, missing=NotFoundError)


def sla_status(task: FollowUp, now: dt.datetime | None = None) -> SlaStatus:
    """Where ``task`` stands against its due time at ``now`` (UTC, naive)."""
    at = now or utc_now()
    if task.contacted_at is not None:
        return "late" if task.contacted_at > task.due_at else "ok"
    if task.status == "closed":
        return "ok"
    if at > task.due_at:
        return "overdue"
    soon = min(DUE_SOON, (task.due_at - task.responded_at) / 2)
    return "due" if task.due_at - at <= soon else "ok"


__all__ = ["DUE_SOON", "MAX_NOTE", "SLA_STATUSES", "SlaStatus", "add_note", "sla_status"]
