"""The closed loop: follow-up tasks, their SLA report, and contact / close / note.

Owners see and change only the tasks of their touchpoints; viewers change nothing; the report
is an aggregate every role reads. Changes are audited under the signed-in user's name.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from cxo.followups.work import MAX_NOTE
from cxo.store.users import User
from cxo.web import access
from cxo.web.access import Scope
from cxo.web.deps import CurrentWorkspace, Reader, Writer, reader
from cxo.workspace import Workspace

router = APIRouter(prefix="/followups", tags=["followups"], dependencies=[Depends(reader)])


class NoteIn(BaseModel):
    """An optional note to record with a status change."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=MAX_NOTE)


class RequiredNoteIn(BaseModel):
    """A note to add to a task."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=MAX_NOTE)


@router.get("")
def followup_list(
    workspace: CurrentWorkspace,
    user: Reader,
    owner: str | None = None,
    status: str | None = None,
    touchpoint: str | None = None,
) -> list[dict[str, Any]]:
    """Follow-up tasks (closed loop), oldest due first; an owner's own only."""
    from cxo.followups import tasks

    scope = Scope.of(workspace, user)
    found = tasks(workspace, owner=owner, status=status, touchpoint=touchpoint)
    return [t.to_dict() for t in found if scope.sees_followup(t)]


@router.get("/report")
def followup_report(workspace: CurrentWorkspace) -> dict[str, Any]:
    """Follow-up rate within the SLA, time to contact, overdue tasks, per owner."""
    from cxo.followups import report
    from cxo.report.followups import to_json

    return to_json(report(workspace))


@router.get("/effect")
def followup_effect(
    workspace: CurrentWorkspace, window: int = 14, horizon: int = 365, churn_days: int = 180
) -> dict[str, Any]:
    """Later NPS and churn of contacted against not-contacted detractors, matched on their
    score, with 95 % intervals (observational: the design and its limits are in the notes)."""
    from cxo.followups import contact_effect
    from cxo.report.followups import to_json

    return to_json(
        contact_effect(workspace, window_days=window, horizon_days=horizon, churn_days=churn_days)
    )


@router.get("/{task_id}")
def followup_one(workspace: CurrentWorkspace, user: Reader, task_id: int) -> dict[str, Any]:
    """One follow-up task."""
    return access.followup(workspace, Scope.of(workspace, user), task_id).to_dict()


def _move(ws: Workspace, user: User, task_id: int, status: str, note: str) -> dict[str, Any]:
    from cxo.followups import update

    access.followup(ws, Scope.of(ws, user), task_id)
    return update(ws, task_id, status, note=note, by=user.name).to_dict()


@router.post("/{task_id}/contact")
def followup_contact(
    workspace: CurrentWorkspace, user: Writer, task_id: int, body: NoteIn | None = None
) -> dict[str, Any]:
    """Record that the customer was contacted (with an optional note)."""
    return _move(workspace, user, task_id, "contacted", (body or NoteIn()).note)


@router.post("/{task_id}/close")
def followup_close(
    workspace: CurrentWorkspace, user: Writer, task_id: int, body: NoteIn | None = None
) -> dict[str, Any]:
    """Close the task (counts as contacted if it was not yet)."""
    return _move(workspace, user, task_id, "closed", (body or NoteIn()).note)


@router.post("/{task_id}/note")
def followup_note(
    workspace: CurrentWorkspace, user: Writer, task_id: int, body: RequiredNoteIn
) -> dict[str, Any]:
    """Add a note without changing the status."""
    from cxo.followups import add_note

    access.followup(workspace, Scope.of(workspace, user), task_id)
    return add_note(workspace, task_id, body.note, by=user.name).to_dict()
