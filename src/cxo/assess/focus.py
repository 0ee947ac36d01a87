"""Focus: where to start, weighted by company type, and what to stop doing.

Each touchpoint's evidence is the revenue at risk of its flagged pains (reach × experience gap
when no revenue is known) plus the revenue at risk of its detractors when no pain is flagged.
The company type weights the journey where the seed article says the leverage is: software →
product use and customer success (onboarding, renewal); service organisations → customer
service (hotline, chat, support); retail → the buying experience (discovery, web shop,
checkout, store). The weight multiplies the evidence; it never creates evidence where none is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxo.core.messages import Message, msg
from cxo.core.verdicts import Interval

if TYPE_CHECKING:
    from cxo.assess.drivers import DriverAnalysis
    from cxo.assess.linkage import Linkage
    from cxo.assess.pains import Pain
    from cxo.core.charter import Charter

TYPE_WEIGHT = 1.5
MAX_REASONS = 3
EMPHASIS: dict[str, tuple[str, ...]] = {
    "software": ("product_use", "onboarding", "renewal"),
    "service": ("hotline", "chat", "support", "service"),
    "retail": ("discovery", "webshop", "checkout", "store"),
}
"""The touchpoints each company type weights (the reason is ``assess.focus.weighted.<type>``)."""
MIN_STOP_MENTIONS = 50


@dataclass
class Recommendation:
    """Start here: a touchpoint, its owner, the pains behind it and the reasoning."""

    touchpoint: str
    owner: dict[str, str | None]
    score: float
    weight: float
    pains: list[str]
    reasoning: list[Message]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the renderer adds the reasoning's words)."""
        return {
            "touchpoint": self.touchpoint,
            "owner": self.owner,
            "score": self.score,
            "type_weight": self.weight,
            "pains": self.pains,
            "reasoning_messages": [m.to_dict() for m in self.reasoning],
        }


@dataclass
class Focus:
    """Ranked recommendations and the list of things to stop."""

    company_type: str
    recommendations: list[Recommendation]
    stop_doing: list[Message] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the renderer adds the words)."""
        return {
            "company_type": self.company_type,
            "recommendations": [r.to_dict() for r in self.recommendations],
            "stop_doing_messages": [m.to_dict() for m in self.stop_doing],
        }


def focus(
    company_type: str,
    charter: Charter,
    pains: list[Pain],
    linkage: Linkage | None,
    drivers: DriverAnalysis | None,
    *,
    currency: str = "EUR",
    language: str = "en",
) -> Focus:
    """Recommendations by touchpoint (see the module docs).

    ``language`` picks the charter's labels of attributes in the reasons; ``currency`` is the
    unit of the revenue at risk quoted there.
    """
    scores: dict[str, float] = {}
    reasons: dict[str, list[Message]] = {}
    pain_names: dict[str, list[str]] = {}
    _pain_reasons(pains, scores, reasons, pain_names, currency)
    if linkage is not None:
        _detractor_reasons(linkage, scores, reasons)
    emphasis = EMPHASIS.get(company_type, ())
    recs: list[Recommendation] = []
    for tp, score in scores.items():
        weight = TYPE_WEIGHT if tp in emphasis else 1.0
        why = list(reasons.get(tp, []))
        if weight > 1.0:
            why.append(msg(f"assess.focus.weighted.{company_type}", weight=weight))
        owner = charter.owner_of(tp)
        if not owner.get("accountable"):
            why.append(msg("assess.focus.no_owner"))
        recs.append(Recommendation(tp, owner, score * weight, weight, pain_names.get(tp, []), why))
    recs.sort(key=lambda r: -r.score)
    return Focus(company_type, recs, _stop_doing(charter, pains, drivers, language))


def _pain_reasons(
    pains: list[Pain],
    scores: dict[str, float],
    reasons: dict[str, list[Message]],
    pain_names: dict[str, list[str]],
    currency: str,
) -> None:
    """Score each touchpoint by the impact of its flagged pains; name up to three of them."""
    for p in pains:  # ranked by impact already
        if not p.flagged or p.impact <= 0:
            continue
        scores[p.touchpoint] = scores.get(p.touchpoint, 0.0) + p.impact
        pain_names.setdefault(p.touchpoint, []).append(p.label)
        if len(pain_names[p.touchpoint]) > MAX_REASONS:
            continue
        if p.revenue is not None:
            reason = msg(
                money_key("assess.focus.pain_money", p.revenue),
                label=p.label,
                reach=p.reach,
                gap=p.gap,
                value=p.revenue.value,
                low=p.revenue.ci_low,
                high=p.revenue.ci_high,
                cur=currency,
            )
        else:
            reason = msg("assess.focus.pain", label=p.label, reach=p.reach, gap=p.gap)
        reasons.setdefault(p.touchpoint, []).append(reason)


def money_key(base: str, revenue: Interval) -> str:
    """``base`` for revenue at risk (an amount ≥ 0, said as "… at risk"); ``base_none`` when
    the estimate is negative (churn is lower there), which is said without a negative amount."""
    return base if revenue.value >= 0 else f"{base}_none"


def _detractor_reasons(
    linkage: Linkage, scores: dict[str, float], reasons: dict[str, list[Message]]
) -> None:
    """Touchpoints without a flagged pain whose detractors churn clearly more."""
    for t in linkage.touchpoints:
        if t.touchpoint in scores or t.churn is None or t.churn.ci_low <= 0:
            continue
        value = t.revenue.value if t.revenue is not None else t.churn.excess * t.detractors
        scores[t.touchpoint] = max(0.0, value)
        reasons.setdefault(t.touchpoint, []).append(
            msg("assess.focus.detractors", points=100 * t.churn.excess)
        )


def _stop_doing(
    charter: Charter, pains: list[Pain], drivers: DriverAnalysis | None, language: str
) -> list[Message]:
    """Attributes that do not drive NPS or are possible overkill; loud but harmless themes."""
    stop: list[Message] = []
    if drivers is not None:
        quads = drivers.overall_quadrants()
        sig = drivers.relative_weights.significant_
        for attr, quad in quads.items():
            label = charter.label("attribute", attr, language)
            if sig is not None and not bool(sig[attr]):
                stop.append(msg("assess.focus.stop.not_a_driver", label=label, attribute=attr))
            elif quad == "possible_overkill":
                stop.append(msg("assess.focus.stop.overkill", label=label, attribute=attr))
    unflagged = [p for p in pains if not p.flagged and p.mentions >= MIN_STOP_MENTIONS]
    for p in unflagged[:3]:
        stop.append(msg("assess.focus.stop.unflagged", label=p.label, mentions=p.mentions))
    return stop
