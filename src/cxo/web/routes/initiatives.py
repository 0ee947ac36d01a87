"""Initiatives and proof: portfolio, ranking, business case, measured effect.

Owners see only the initiatives of their touchpoints (:class:`cxo.web.access.Scope`); the
ranking keeps every pain (an aggregate) but lists only their initiatives.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from cxo.web import access
from cxo.web.access import Scope
from cxo.web.deps import CurrentWorkspace, Reader, reader

Control = Literal["touchpoints", "matched", "prepost"]
"""Comparison groups of the measured effect (:data:`cxo.initiatives.effect.COMPARISONS`)."""

router = APIRouter(prefix="/initiatives", tags=["initiatives"], dependencies=[Depends(reader)])


@router.get("")
def initiative_list(workspace: CurrentWorkspace, user: Reader) -> list[dict[str, Any]]:
    """The portfolio of initiatives (an owner's own only)."""
    from cxo.initiatives import initiatives

    scope = Scope.of(workspace, user)
    found = initiatives(workspace.app_database_url)
    return [i.to_dict() for i in found if scope.sees_initiative(i)]


@router.get("/ranking")
def initiative_ranking(
    workspace: CurrentWorkspace, user: Reader, measured: bool = True
) -> dict[str, Any]:
    """Initiatives against the ranked pains of the latest assessment; gaps; what to stop."""
    from cxo.initiatives import initiatives, rank
    from cxo.report.initiatives import to_json

    lang, cur = workspace.settings.language, workspace.settings.currency
    result = to_json(rank(workspace, measured=measured), lang, cur)
    scope = Scope.of(workspace, user)
    if scope.everything:
        return result
    visible = {i.key for i in initiatives(workspace.app_database_url) if scope.sees_initiative(i)}
    return access.scoped_ranking(result, visible)


@router.get("/{key}")
def initiative_one(workspace: CurrentWorkspace, user: Reader, key: str) -> dict[str, Any]:
    """One initiative."""
    return access.initiative(workspace, Scope.of(workspace, user), key).to_dict()


@router.get("/{key}/case")
def initiative_case(
    workspace: CurrentWorkspace,
    user: Reader,
    key: str,
    horizon: int = 36,
    discount_rate: float = 0.08,
    margin: float = 1.0,
    window: float = 6,
    reach_per_month: float | None = None,
) -> dict[str, Any]:
    """Business case before launch: NPV, ROI, payback, break-even, sensitivity, and the
    minimum detectable effect for the planned reach and window (``power``)."""
    from cxo.initiatives import case
    from cxo.initiatives.business_case import with_power
    from cxo.report.initiatives import case_json

    ini = access.initiative(workspace, Scope.of(workspace, user), key)
    result, reach = case(
        workspace, ini, horizon_months=horizon, discount_rate=discount_rate, margin=margin
    )
    with_power(workspace, ini, result, window_months=window, responses_per_month=reach_per_month)
    lang, cur = workspace.settings.language, workspace.settings.currency
    return case_json(ini, reach, result, lang, cur)


@router.get("/{key}/effect")
def initiative_effect(
    workspace: CurrentWorkspace,
    user: Reader,
    key: str,
    pre_months: int = 12,
    post_months: int | None = None,
    control: Control = "touchpoints",
) -> dict[str, Any]:
    """Measured effect after launch (difference-in-differences), churn, money and ROI.

    ``control`` picks the comparison group as ``cxo initiative measure --control`` does:
    ``touchpoints`` (the other touchpoints), ``matched`` (customers like the targeted ones:
    needs a list of the targeted customers, which initiatives do not store yet, so the answer
    is a 422 naming it and the CLI command that takes the list) or ``prepost`` (no comparison
    group: before/after only, with its warning)."""
    from cxo.errors import InsufficientDataError
    from cxo.initiatives import measure
    from cxo.report.initiatives import to_json

    ini = access.initiative(workspace, Scope.of(workspace, user), key)
    if control == "matched":
        # initiatives keep no list of the customers they target (the CLI reads it from a file)
        raise InsufficientDataError(
            f"control=matched needs the customers initiative {ini.key} targets, and it has "
            "no stored target list",
            hint=f"POST the list to /api/v1/initiatives/{ini.key}/effect "
            '({"control": "matched", "customers": [...]}), or measure it with '
            f"`cxo initiative measure {ini.key} --control matched --customers FILE` "
            "(one customer_id a line), or use control=touchpoints",
        )
    proof = measure(
        workspace, ini, pre_months=pre_months, post_months=post_months, comparison=control
    )
    return to_json(proof, workspace.settings.language, workspace.settings.currency)


MAX_TARGETED = 5_000_000
"""Customer ids one measurement request may name."""


class EffectIn(BaseModel):
    """A measurement against a comparison group that needs the targeted customers."""

    model_config = ConfigDict(extra="forbid")
    control: Control = "matched"
    customers: list[str] = Field(default_factory=list, max_length=MAX_TARGETED)
    pre_months: int = Field(default=12, ge=1, le=120)
    post_months: int | None = Field(default=None, ge=1, le=120)


@router.post("/{key}/effect")
def initiative_effect_for(
    workspace: CurrentWorkspace, user: Reader, key: str, body: EffectIn
) -> dict[str, Any]:
    """Measured effect with the targeted customers in the request (what ``cxo initiative
    measure KEY --control matched --customers FILE`` reads from its file): ``matched`` pairs
    each of them with a customer of the same segment, tenure band and pre-launch NPS."""
    from cxo.errors import UsageError
    from cxo.initiatives import measure
    from cxo.report.initiatives import to_json

    ini = access.initiative(workspace, Scope.of(workspace, user), key)
    ids = [c.strip() for c in body.customers]
    if body.control == "matched" and not [c for c in ids if c]:
        raise UsageError(
            "control=matched needs `customers`: the ids of the customers the initiative targets"
        )
    if any(not c for c in ids):
        blank = ids.index("")
        raise UsageError(f"customers[{blank}]: an empty customer id")
    proof = measure(
        workspace,
        ini,
        pre_months=body.pre_months,
        post_months=body.post_months,
        comparison=body.control,
        customers=ids or None,
    )
    return to_json(proof, workspace.settings.language, workspace.settings.currency)
