"""Initiatives and proof: portfolio, ranking, business case, measured effect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cxo.web.deps import CurrentWorkspace

router = APIRouter(prefix="/api/initiatives", tags=["initiatives"])


@router.get("")
def initiative_list(workspace: CurrentWorkspace) -> list[dict[str, Any]]:
    """The portfolio of initiatives."""
    from cxo.initiatives import initiatives

    return [i.to_dict() for i in initiatives(workspace.app_database_url)]


@router.get("/ranking")
def initiative_ranking(workspace: CurrentWorkspace, measured: bool = True) -> dict[str, Any]:
    """Initiatives against the ranked pains of the latest assessment; gaps; what to stop."""
    from cxo.initiatives import rank

    return rank(workspace, measured=measured).to_dict()


@router.get("/{key}")
def initiative_one(workspace: CurrentWorkspace, key: str) -> dict[str, Any]:
    """One initiative."""
    from cxo.initiatives import get_initiative

    return get_initiative(workspace.app_database_url, key).to_dict()


@router.get("/{key}/case")
def initiative_case(
    workspace: CurrentWorkspace,
    key: str,
    horizon: int = 36,
    discount_rate: float = 0.08,
    margin: float = 1.0,
) -> dict[str, Any]:
    """Business case before launch: NPV, ROI, payback, break-even, sensitivity."""
    from cxo.initiatives import case, get_initiative

    ini = get_initiative(workspace.app_database_url, key)
    result, reach = case(
        workspace, ini, horizon_months=horizon, discount_rate=discount_rate, margin=margin
    )
    return {"initiative": ini.to_dict(), "reach": reach.to_dict(), **result.to_dict()}


@router.get("/{key}/effect")
def initiative_effect(
    workspace: CurrentWorkspace, key: str, pre_months: int = 12, post_months: int | None = None
) -> dict[str, Any]:
    """Measured effect after launch (difference-in-differences), churn, money and ROI."""
    from cxo.initiatives import get_initiative, measure

    ini = get_initiative(workspace.app_database_url, key)
    return measure(workspace, ini, pre_months=pre_months, post_months=post_months).to_dict()
