"""Read-only analyses: scorecard and the latest saved assessment (every signed-in role)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from cxo.web.deps import CurrentWorkspace, reader
from cxo.workspace import latest_assessment

router = APIRouter(tags=["analyses"], dependencies=[Depends(reader)])


@router.get("/scorecard")
def scorecard(
    workspace: CurrentWorkspace,
    by: list[str] = Query(default=["touchpoint"]),  # noqa: B008
) -> dict[str, Any]:
    """The scorecard grouped by the given dimensions (touchpoint, segment, channel, …)."""
    from cxo.engine import scorecard as compute
    from cxo.report.scorecard import to_json

    dims = [d for item in by for d in item.split(",") if d]
    return to_json(compute(workspace, by=dims))


@router.get("/assessment")
def assessment(workspace: CurrentWorkspace) -> Any:
    """The latest saved assessment (``cxo assess`` writes it)."""
    return latest_assessment(workspace)[1]
