"""Read-only analyses: scorecard and the latest saved assessment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from cxo.web.deps import CurrentWorkspace
from cxo.workspace import latest_assessment

router = APIRouter(prefix="/api", tags=["analyses"])


@router.get("/scorecard")
def scorecard(
    workspace: CurrentWorkspace,
    by: list[str] = Query(default=["touchpoint"]),  # noqa: B008
) -> dict[str, Any]:
    """The scorecard grouped by the given dimensions (touchpoint, segment, channel, …)."""
    from cxo.engine import scorecard as compute

    dims = [d for item in by for d in item.split(",") if d]
    result: dict[str, Any] = compute(workspace, by=dims).to_dict()
    return result


@router.get("/assessment")
def assessment(workspace: CurrentWorkspace) -> Any:
    """The latest saved assessment (``cxo assess`` writes it)."""
    return latest_assessment(workspace)[1]
