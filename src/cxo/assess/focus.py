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

from cxo.engine.format import format_number

if TYPE_CHECKING:
    from cxo.assess.drivers import DriverAnalysis
    from cxo.assess.linkage import Linkage
    from cxo.assess.pains import Pain
    from cxo.core.charter import Charter

TYPE_WEIGHT = 1.5
MAX_REASONS = 3
EMPHASIS: dict[str, dict[str, Any]] = {
    "software": {
        "touchpoints": ("product_use", "onboarding", "renewal"),
        "en": "software companies win or lose customers in product use and customer success",
        "de": "Softwareunternehmen gewinnen oder verlieren Kunden in Produktnutzung und "
        "Customer Success",
    },
    "service": {
        "touchpoints": ("hotline", "chat", "support", "service"),
        "en": "large service organisations win or lose customers in customer service",
        "de": "große Dienstleister gewinnen oder verlieren Kunden im Kundenservice",
    },
    "retail": {
        "touchpoints": ("discovery", "webshop", "checkout", "store"),
        "en": "retailers win or lose customers in the buying experience",
        "de": "Händler gewinnen oder verlieren Kunden im Einkaufserlebnis",
    },
}


@dataclass
class Recommendation:
    """Start here: a touchpoint, its owner, the pains behind it and the reasoning."""

    touchpoint: str
    owner: dict[str, str | None]
    score: float
    weight: float
    pains: list[str]
    reasoning: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "touchpoint": self.touchpoint,
            "owner": self.owner,
            "score": self.score,
            "type_weight": self.weight,
            "pains": self.pains,
            "reasoning": self.reasoning,
        }


@dataclass
class Focus:
    """Ranked recommendations and the list of things to stop."""

    company_type: str
    recommendations: list[Recommendation]
    stop_doing: list[str] = field(default_factory=list)
    language: str = "en"
    """Language of the reasoning texts (``de`` or ``en``)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "company_type": self.company_type,
            "recommendations": [r.to_dict() for r in self.recommendations],
            "stop_doing": self.stop_doing,
        }

    def summary(self) -> str:
        """The top recommendation with its reasoning, and what to stop."""
        de = self.language == "de"
        if not self.recommendations:
            return (
                "Fokus: kein Kontaktpunkt mit signifikantem Schmerzpunkt oder Mehr-Abwanderung "
                "der Kritiker gefunden."
                if de
                else "Focus: no touchpoint with significant pain or detractor churn was found."
            )
        top = self.recommendations[0]
        who = top.owner.get("accountable") or (
            "niemand (keine verantwortliche Person in der Charta)"
            if de
            else "nobody (no accountable person in the charter)"
        )
        dept = top.owner.get("department")
        lines = [
            f"Beginnen Sie bei {top.touchpoint} — verantwortlich: {who} ({dept})"
            if de
            else f"Start with {top.touchpoint} — owner: {who} ({dept})"
        ]
        lines.extend(f"  · {r}" for r in top.reasoning)
        if self.stop_doing:
            lines.append("Nicht mehr tun:" if de else "Stop doing:")
            lines.extend(f"  · {s}" for s in self.stop_doing)
        return "\n".join(lines)


def _money(value: float, currency: str, language: str = "en") -> str:
    amount = format_number(value, 0, language)
    return f"{amount} {currency}/Monat" if language == "de" else f"{amount} {currency}/month"


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
    """Recommendations by touchpoint (see the module docs)."""
    de = language == "de"
    emphasis = EMPHASIS.get(company_type, {"touchpoints": (), "en": "", "de": ""})
    scores: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}
    pain_names: dict[str, list[str]] = {}
    for p in pains:  # ranked by impact already
        if not p.flagged or p.impact <= 0:
            continue
        scores[p.touchpoint] = scores.get(p.touchpoint, 0.0) + p.impact
        pain_names.setdefault(p.touchpoint, []).append(p.label)
        if len(pain_names[p.touchpoint]) > MAX_REASONS:
            continue
        reach = format_number(p.reach, 0, language)
        text = (
            f"Schmerzpunkt '{p.label}': {reach} Kunden betroffen, NPS-Abstand {p.gap:+.0f} Punkte"
            if de
            else f"pain '{p.label}': {reach} customers affected, NPS gap {p.gap:+.0f} points"
        )
        if p.revenue is not None:
            low = format_number(p.revenue.ci_low, 0, language)
            high = format_number(p.revenue.ci_high, 0, language)
            money = _money(p.revenue.value, currency, language)
            text += (
                f", {money} im Risiko [{low}–{high}]" if de else f", {money} at risk [{low}–{high}]"
            )
        reasons.setdefault(p.touchpoint, []).append(text)
    if linkage is not None:
        for t in linkage.touchpoints:
            if t.touchpoint in scores or t.churn is None or t.churn.ci_low <= 0:
                continue
            value = t.revenue.value if t.revenue is not None else t.churn.excess * t.detractors
            scores[t.touchpoint] = max(0.0, value)
            pp = format_number(100 * t.churn.excess, 1, language)
            pp = pp if pp.startswith("-") else "+" + pp
            reasons.setdefault(t.touchpoint, []).append(
                f"Kritiker wandern hier {pp} Prozentpunkte/Jahr mehr ab "
                "(kein einzelnes Thema erklärt es)"
                if de
                else f"detractors here churn {pp} pp/yr more (no single theme explains it)"
            )
    recs: list[Recommendation] = []
    for tp, score in scores.items():
        weight = TYPE_WEIGHT if tp in emphasis["touchpoints"] else 1.0
        why = list(reasons.get(tp, []))
        if weight > 1.0:
            why.append(
                f"{'gewichtet' if de else 'weighted'} ×{weight:g}: {emphasis['de' if de else 'en']}"
            )
        owner = charter.owner_of(tp)
        if not owner.get("accountable"):
            why.append(
                "keine verantwortliche Person in der Charta: vor dem Start eine benennen"
                if de
                else "no accountable person in the charter: name one before starting"
            )
        recs.append(Recommendation(tp, owner, score * weight, weight, pain_names.get(tp, []), why))
    recs.sort(key=lambda r: -r.score)
    stop: list[str] = []
    if drivers is not None:
        quads = drivers.overall_quadrants()
        sig = drivers.relative_weights.significant_
        for attr, quad in quads.items():
            label = charter.label("attribute", attr, language)
            if sig is not None and not bool(sig[attr]):
                stop.append(
                    f"in '{label}' investieren, um den NPS zu heben: es treibt den NPS nicht "
                    "messbar (nicht von einer Zufallsvariable verschieden)"
                    if de
                    else f"investing in '{label}' to lift NPS: it does not drive NPS measurably "
                    "(not different from a random variable)"
                )
            elif quad == "possible_overkill":
                stop.append(
                    f"'{label}' weiter ausbauen: es ist schon gut und zählt wenig "
                    "(Wichtigkeit–Leistung: möglicher Overkill)"
                    if de
                    else f"pushing '{label}' further: it already performs well and matters little "
                    "(importance–performance: possible overkill)"
                )
    unflagged = [p for p in pains if not p.flagged and p.mentions >= 50]
    for p in unflagged[:3]:
        stop.append(
            f"'{p.label}' als Priorität behandeln: oft genannt ({p.mentions}×), aber ohne "
            "signifikanten Erlebnis-Abstand"
            if de
            else f"treating '{p.label}' as a priority: it is mentioned ({p.mentions}×) but shows "
            "no significant experience gap"
        )
    return Focus(company_type, recs, stop, language="de" if de else "en")
