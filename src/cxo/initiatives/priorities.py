"""Priorities: the portfolio against the ranked pains of the assessment.

:func:`prioritise` sets initiatives against the ranked pains: which pains each addresses and
how much revenue at risk that is per unit of cost; top pains no initiative addresses;
initiatives that address no ranked pain or did not deliver (what to stop doing).
:func:`rank` does it on a workspace, with the launched initiatives measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxo.core.jsonable import jsonable_dict
from cxo.core.messages import Message, msg
from cxo.core.verdicts import Interval, side
from cxo.errors import MissingDataError
from cxo.initiatives.portfolio import Initiative, initiatives
from cxo.initiatives.proof import Proof, measure_all

if TYPE_CHECKING:
    from cxo.workspace import Workspace

TOP_PAINS = 10
ACTIVE = ("idea", "planned", "running")


@dataclass
class Priority:
    """One initiative against the ranked pains."""

    initiative: Initiative
    pains: list[dict[str, Any]]
    revenue_at_risk: float
    revenue_at_risk_low: float
    annual_cost: float
    value_per_cost: float | None
    stop_reason: Message | None = None
    """Why it is a candidate to stop (``initiatives.stop.*``); ``None`` when it is not."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the stop reason as a message key with its parameters)."""
        return {
            "key": self.initiative.key,
            "name": self.initiative.name,
            "owner": self.initiative.owner,
            "status": self.initiative.status,
            "pains": self.pains,
            "revenue_at_risk_per_month": self.revenue_at_risk,
            "revenue_at_risk_per_month_low": self.revenue_at_risk_low,
            "first_year_cost": self.annual_cost,
            "revenue_at_risk_per_cost": self.value_per_cost,
            "stop_reason_message": self.stop_reason.to_dict() if self.stop_reason else None,
        }


@dataclass
class Prioritisation:
    """The portfolio ranked by the revenue at risk it addresses per unit of cost."""

    ranked: list[Priority]
    unaddressed: list[dict[str, Any]]
    """Flagged top pains that no initiative addresses."""
    stop: list[Priority]
    """Candidates to stop: initiatives that address no flagged pain, or whose measured effect
    falls clearly short of the expected one (``stop_reason`` says which)."""
    proofs: list[Proof] = field(default_factory=list)
    not_measured: dict[str, str] = field(default_factory=dict)
    """Launched initiatives whose effect could not be measured, with the reason."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "ranked": [p.to_dict() for p in self.ranked],
                "unaddressed_pains": self.unaddressed,
                "stop_candidates": [p.to_dict() for p in self.stop],
                "not_measured": self.not_measured,
            }
        )


def _matches(pain: dict[str, Any], initiative: Initiative) -> bool:
    tp, th = str(pain.get("touchpoint")), str(pain.get("theme"))
    if f"{tp}:{th}" in initiative.pains:
        return True
    return not initiative.pains and tp in initiative.touchpoints


def _at_risk(pain: dict[str, Any], key: str = "value") -> Any:
    return (pain.get("revenue_at_risk") or {}).get(key)


def _priority(initiative: Initiative, flagged: list[dict[str, Any]]) -> Priority:
    hit = [p for p in flagged if _matches(p, initiative)]
    # A flagged pain (NPS significantly below the rest) whose revenue-at-risk point estimate
    # came out below zero puts no measurable money at risk; it never offsets another pain.
    rev = sum(max(0.0, float(_at_risk(p) or 0.0)) for p in hit)
    low = sum(max(0.0, float(_at_risk(p, "ci_low") or 0.0)) for p in hit)
    cost = initiative.one_off_cost + 12.0 * initiative.running_cost_month
    pains = [
        {
            "rank": p.get("rank"),
            "touchpoint": p.get("touchpoint"),
            "theme": p.get("theme"),
            "segment": p.get("segment"),
            "label": p.get("label"),
            "revenue_at_risk": _at_risk(p),
        }
        for p in hit
    ]
    return Priority(initiative, pains, rev, low, cost, 12.0 * rev / cost if cost > 0 else None)


def stop_key(nps: Interval, expected: float) -> str | None:
    """Catalogue key of a stop reason from the measured NPS effect: ``did_not_deliver`` when
    its interval covers zero and lies below the expected effect, ``harmed`` when it lies below
    zero though a gain was expected, else None."""
    s = side(nps)
    if s == "covers" and nps.ci_high < expected:
        return "initiatives.stop.did_not_deliver"
    if s == "below" and expected > 0:
        return "initiatives.stop.harmed"
    return None


def _stop_reason(p: Priority, proof: Proof | None) -> Message | None:
    """Why ``p`` should stop: its measured NPS effect is not different from zero and below
    the expected one, or it addresses no flagged pain."""
    expected = p.initiative.expected_nps_effect
    if proof is not None and expected is not None:
        n = proof.effect.nps
        key = stop_key(n, expected)
        if key is not None:
            return msg(
                key,
                estimate=n.estimate,
                low=n.ci_low,
                high=n.ci_high,
                expected=expected,
            )
    if not p.pains:
        return msg("initiatives.stop.no_pain")
    return None


def prioritise(
    pains: list[dict[str, Any]],
    portfolio: list[Initiative],
    proofs: list[Proof] | None = None,
) -> Prioritisation:
    """Rank ``portfolio`` against assessment ``pains`` (dicts as in the assessment JSON).

    An initiative addresses the pains it lists (``touchpoint:theme``, any segment); one that
    lists none addresses every pain at its touchpoints. Value = monthly revenue at risk of the
    flagged pains it addresses; cost = one-off plus twelve months of running cost.

    Stop candidates: active initiatives that address no flagged pain, and launched ones whose
    measured NPS effect (``proofs``) is not different from zero while its interval lies below
    the expected effect — it did not deliver what its case assumed.
    """
    measured = {p.initiative.key: p for p in proofs or []}
    flagged = [p for p in pains if p.get("flagged")]
    ranked = [_priority(ini, flagged) for ini in portfolio if ini.status != "stopped"]

    def ratio(p: Priority) -> float:
        if p.value_per_cost is not None:
            return p.value_per_cost
        return math.inf if p.revenue_at_risk > 0 else 0.0  # free, and addresses something

    ranked.sort(key=lambda p: (-ratio(p), -p.revenue_at_risk, p.initiative.key))
    covered = {id(p) for ini in ranked for p in flagged if _matches(p, ini.initiative)}
    unaddressed = [
        {
            "rank": p.get("rank"),
            "touchpoint": p.get("touchpoint"),
            "theme": p.get("theme"),
            "segment": p.get("segment"),
            "label": p.get("label"),
            "owner": p.get("owner"),
            "revenue_at_risk": _at_risk(p),
        }
        for p in flagged[:TOP_PAINS]
        if id(p) not in covered
    ]
    stop = []
    for p in ranked:
        if p.initiative.status not in ACTIVE:
            continue
        p.stop_reason = _stop_reason(p, measured.get(p.initiative.key))
        if p.stop_reason is not None:
            stop.append(p)
    return Prioritisation(ranked, unaddressed, stop)


def rank(ws: Workspace, *, measured: bool = True, engine: str | None = None) -> Prioritisation:
    """The portfolio against the latest assessment's pains, with launched initiatives measured
    (``measured``) so that the ones that did not deliver become stop candidates; ``engine``
    measures them on DuckDB or Spark (default: the workspace's ``[analytics] engine``)."""
    portfolio = initiatives(ws.app_database_url)
    proofs, skipped = measure_all(ws, portfolio, engine=engine) if measured else ([], {})
    result = prioritise(latest_pains(ws), portfolio, proofs)
    result.proofs = proofs
    result.not_measured = skipped
    return result


def latest_pains(ws: Workspace) -> list[dict[str, Any]]:
    """Pains of the newest saved assessment (``cxo assess`` writes them)."""
    from cxo.workspace import latest_assessment

    path, doc = latest_assessment(ws, needed_for="priorities are set against the ranked pains")
    pains = doc.get("pains")
    if not isinstance(pains, list):
        raise MissingDataError(f"{path}: no pains in this assessment")
    return pains


__all__ = ["Prioritisation", "Priority", "latest_pains", "prioritise", "rank"]
