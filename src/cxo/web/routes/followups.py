"""The closed loop: follow-up tasks and their SLA report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cxo.web.deps import CurrentWorkspace

router = APIRouter(prefix="/api/followups", tags=["followups"])


@router.get("")
def followup_list(
    workspace: CurrentWorkspace,
    owner: str | None = None,
    status: str | None = None,
    touchpoint: str | None = None,
) -> list[dict[str, Any]]:
    """Follow-up tasks (closed loop), oldest due first."""
    from cxo.initiatives.followups import tasks

    found = tasks(workspace, owner=owner, status=status, touchpoint=touchpoint)
    return [t.to_dict() for t in found]


@router.get("/report")
def followup_report(workspace: CurrentWorkspace) -> dict[str, Any]:
    """Follow-up rate within the SLA, time to contact, overdue tasks, per owner."""
    from cxo.initiatives.followups import report

    return report(workspace).to_dict()
