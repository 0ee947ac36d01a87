"""Business case of a CX initiative: churn avoided, in discounted money, with sensitivity.

The customers the initiative reaches (``customers``, each paying ``mrr`` a month) churn at
``baseline_churn`` a year; the initiative changes that by ``churn_effect`` (probability points
a year, negative = fewer leave). Month by month over ``horizon_months`` the expected paying
customers of both worlds are ``customers · (1 − h)^t`` with the monthly hazard
``h = 1 − (1 − annual)^(1/12)``; the difference times ``mrr`` and the contribution ``margin``,
discounted at ``discount_rate`` a year, is the value kept. Against it: the one-off cost and the
running cost per month, discounted the same way. A closed cohort — customers won later are
not counted, so the case is conservative.

Reported: net present value, ROI (NPV / discounted cost), payback month, the break-even churn
effect, a one-at-a-time sensitivity (tornado) over every input, and a verdict in plain words:
``weak`` (NPV ≤ 0 at the expected effect), ``fragile`` (positive, but negative in a plausible
sensitivity case or with less than ``SAFETY`` margin on the effect) or ``robust``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from cxo.core.jsonable import jsonable_dict
from cxo.errors import UsageError

SAFETY = 0.25
"""A case is fragile when the effect may fall short by less than this share before the NPV
turns negative."""

MAX_HORIZON_MONTHS = 600

SENSITIVITY: dict[str, tuple[float, float]] = {
    "churn_effect": (0.5, 1.5),
    "one_off_cost": (1.25, 0.75),
    "running_cost_month": (1.25, 0.75),
    "customers": (0.8, 1.2),
    "mrr": (0.8, 1.2),
    "baseline_churn": (0.75, 1.25),
    "margin": (0.8, 1.2),
    "discount_rate": (1.5, 0.5),
}
"""Input → (pessimistic, optimistic) multipliers of the one-at-a-time sensitivity."""

_TEXT = {
    "en": {
        "weak": "The case does not carry: at the {which} effect the initiative loses "
        "{loss} over {h} months. It needs a churn effect of {be} points a year to break even.",
        "weak_never": "The case does not carry: even with no churn at all among the reached "
        "customers the initiative would not earn back its cost over {h} months.",
        "fragile": "The case is fragile: NPV {npv} at the {which} effect, but {why}.",
        "robust": "The case is robust: NPV {npv} over {h} months, positive in every "
        "sensitivity case; the effect may fall {safety} short before it breaks even.",
        "why_safety": "the effect may fall only {safety} short before the NPV turns negative",
        "why_case": "it turns negative when {inp} is {dir}",
        "no_effect": "No expected churn effect: the initiative keeps no revenue, its case "
        "rests on other benefits (state them, or measure the effect after launch).",
        "no_effect_measured": "The measured effect does not lower churn: the initiative keeps "
        "no revenue; its cost of {cost} is not earned back.",
        "raises_churn": "The {which} effect raises churn: the initiative loses customers and "
        "{loss} over {h} months.",
    },
    "de": {
        "weak": "Der Business Case trägt nicht: beim {which} Effekt verliert die Initiative "
        "{loss} über {h} Monate. Für den Break-even braucht sie einen Churn-Effekt von {be} "
        "Prozentpunkten pro Jahr.",
        "weak_never": "Der Business Case trägt nicht: selbst ohne jede Kündigung der erreichten "
        "Kund:innen verdient die Initiative ihre Kosten in {h} Monaten nicht zurück.",
        "fragile": "Der Business Case ist knapp: Kapitalwert {npv} beim {which} Effekt, "
        "aber {why}.",
        "robust": "Der Business Case ist robust: Kapitalwert {npv} über {h} Monate, positiv in "
        "jedem Sensitivitätsfall; der Effekt darf {safety} geringer ausfallen, bevor er kippt.",
        "why_safety": "schon {safety} weniger Effekt machen den Kapitalwert negativ",
        "why_case": "er wird negativ, wenn {inp} {dir} ausfällt",
        "no_effect": "Kein erwarteter Churn-Effekt: die Initiative hält keinen Umsatz, ihr "
        "Business Case beruht auf anderem Nutzen (benennen oder nach dem Start messen).",
        "no_effect_measured": "Der gemessene Effekt senkt die Abwanderung nicht: die Initiative "
        "hält keinen Umsatz, ihre Kosten von {cost} verdient sie nicht zurück.",
        "raises_churn": "Der {which} Effekt erhöht die Abwanderung: die Initiative verliert "
        "Kund:innen und {loss} über {h} Monate.",
    },
}


@dataclass(frozen=True)
class CaseInputs:
    """Inputs of a business case (money in the workspace currency, rates per year)."""

    one_off_cost: float
    customers: float
    mrr: float
    baseline_churn: float
    churn_effect: float
    running_cost_month: float = 0.0
    margin: float = 1.0
    horizon_months: int = 36
    discount_rate: float = 0.08

    def check(self) -> None:
        """Raise :class:`UsageError` on impossible inputs."""
        for name, value in asdict(self).items():
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise UsageError(f"{name} must be a finite number, not {value!r}")
        if self.one_off_cost < 0 or self.running_cost_month < 0:
            raise UsageError("costs cannot be negative")
        if self.customers < 0 or self.mrr < 0:
            raise UsageError("customers and monthly revenue cannot be negative")
        if not 0.0 <= self.baseline_churn < 1.0:
            raise UsageError(
                f"baseline churn must be an annual probability in [0, 1), not {self.baseline_churn}"
            )
        if not -1.0 < self.churn_effect < 1.0:
            raise UsageError(
                "churn effect is a change of the annual churn probability (e.g. -0.01 = one "
                f"point fewer), not {self.churn_effect}"
            )
        if not 0.0 < self.margin <= 1.0:
            raise UsageError(f"margin must be in (0, 1], not {self.margin}")
        if not 1 <= self.horizon_months <= MAX_HORIZON_MONTHS:
            raise UsageError(
                f"horizon must be between 1 and {MAX_HORIZON_MONTHS} months, "
                f"not {self.horizon_months}"
            )
        if self.discount_rate <= -1.0:
            raise UsageError("discount rate must be above -100 %")


@dataclass(frozen=True)
class Sensitivity:
    """NPV when one input moves to its pessimistic and optimistic value."""

    input: str
    low_value: float
    high_value: float
    npv_low: float
    npv_high: float

    @property
    def swing(self) -> float:
        """Spread of the NPV between the two cases."""
        return abs(self.npv_high - self.npv_low)


@dataclass
class BusinessCase:
    """The computed case."""

    inputs: CaseInputs
    value_kept: float
    cost: float
    npv: float
    roi: float
    payback_month: int | None
    customers_kept: float
    break_even_effect: float | None
    """Churn effect (annual points, negative) at which NPV = 0; ``None`` when no effect pays."""
    sensitivity: list[Sensitivity]
    verdict: str
    reason: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "inputs": asdict(self.inputs),
                "value_kept": self.value_kept,
                "cost": self.cost,
                "npv": self.npv,
                "roi": self.roi if math.isfinite(self.roi) else None,
                "payback_month": self.payback_month,
                "customers_kept": self.customers_kept,
                "break_even_churn_effect": self.break_even_effect,
                "sensitivity": [{**asdict(s), "swing": s.swing} for s in self.sensitivity],
                "verdict": self.verdict,
                "reason": self.reason,
                "notes": self.notes,
            }
        )


def _hazard(annual: float) -> float:
    return float(1.0 - (1.0 - min(max(annual, 0.0), 0.999999)) ** (1.0 / 12.0))


def _flows(inp: CaseInputs) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], float]:
    """Discounted value kept and cost per month (t = 1..H), and customers kept at H."""
    t = np.arange(1, inp.horizon_months + 1, dtype=float)
    disc = (1.0 + inp.discount_rate) ** (-t / 12.0)
    s0 = (1.0 - _hazard(inp.baseline_churn)) ** t
    s1 = (1.0 - _hazard(inp.baseline_churn + inp.churn_effect)) ** t
    kept = inp.customers * (s1 - s0)
    value = kept * inp.mrr * inp.margin * disc
    cost = inp.running_cost_month * disc
    cost[0] += inp.one_off_cost
    return value, cost, float(kept[-1])


def _with(inp: CaseInputs, name: str, value: float) -> CaseInputs:
    changes: dict[str, Any] = {name: value}
    return replace(inp, **changes)


def npv(inp: CaseInputs) -> float:
    """Net present value of the case."""
    value, cost, _ = _flows(inp)
    return float(value.sum() - cost.sum())


def business_case(
    inp: CaseInputs, *, language: str = "en", currency: str = "EUR", measured: bool = False
) -> BusinessCase:
    """The case for ``inp`` with break-even, sensitivity and a verdict (``measured``: the
    churn effect was measured after launch, not expected; the wording says so)."""
    from scipy.optimize import brentq

    from cxo.engine.format import format_money, format_number, format_percent

    inp.check()
    text = _TEXT["de" if language == "de" else "en"]
    value, cost, kept = _flows(inp)
    total_value, total_cost = float(value.sum()), float(cost.sum())
    net = total_value - total_cost
    cum = np.cumsum(value - cost)
    paid = np.flatnonzero(cum >= 0)
    payback = int(paid[0]) + 1 if len(paid) and net >= 0 else None
    roi = net / total_cost if total_cost > 0 else math.inf

    def at(effect: float) -> float:
        return npv(replace(inp, churn_effect=effect))

    floor = -inp.baseline_churn  # nobody churns any more
    break_even: float | None
    if at(floor) < 0:
        break_even = None
    elif at(0.0) >= 0:
        break_even = 0.0
    else:
        break_even = float(brentq(at, floor, 0.0, xtol=1e-10))
    cases = []
    for name, (lo_m, hi_m) in SENSITIVITY.items():
        base = float(getattr(inp, name))
        lo, hi = base * lo_m, base * hi_m
        if name == "baseline_churn":
            lo, hi = min(lo, 0.999), min(hi, 0.999)
        cases.append(
            Sensitivity(name, lo, hi, npv(_with(inp, name, lo)), npv(_with(inp, name, hi)))
        )
    # largest swing first; equal swings (customers and mrr act alike) by name, compared at
    # nine significant digits so that float noise does not swap them from run to run
    cases.sort(key=lambda s: (-float(f"{s.swing:.9g}"), s.input))
    de = language == "de"
    fmt = {
        "npv": format_money(net, currency, language),
        "loss": format_money(-net, currency, language),
        "cost": format_money(total_cost, currency, language),
        "h": inp.horizon_months,
        "which": ("gemessenen" if measured else "erwarteten")
        if de
        else ("measured" if measured else "expected"),
    }
    notes: list[str] = []
    if inp.churn_effect > 0:
        verdict, reason = "weak", text["raises_churn"].format(**fmt)
    elif inp.churn_effect == 0:
        verdict = "weak"
        reason = text["no_effect_measured" if measured else "no_effect"].format(**fmt)
    elif net <= 0:
        verdict = "weak"
        reason = (
            text["weak_never"].format(**fmt)
            if break_even is None
            else text["weak"].format(be=format_number(100 * break_even, 2, language), **fmt)
        )
    else:
        safety = 1.0 - (break_even or 0.0) / inp.churn_effect
        # the effect's own pessimistic case is what ``safety`` measures; the other inputs may
        # hurt in either direction (a higher baseline churn can lower the value kept)
        negative = [
            s for s in cases if s.input != "churn_effect" and min(s.npv_low, s.npv_high) < 0
        ]
        if safety < SAFETY or negative:
            if safety < SAFETY:
                why = text["why_safety"].format(safety=format_percent(safety, 0, language))
            else:
                s = negative[0]
                bad_value = s.low_value if s.npv_low < s.npv_high else s.high_value
                worse = "higher" if bad_value > getattr(inp, s.input) else "lower"
                if de:
                    worse = "höher" if worse == "higher" else "niedriger"
                why = text["why_case"].format(inp=s.input, dir=worse)
            verdict, reason = "fragile", text["fragile"].format(why=why, **fmt)
        else:
            verdict = "robust"
            reason = text["robust"].format(safety=format_percent(safety, 0, language), **fmt)
    return BusinessCase(
        inputs=inp,
        value_kept=total_value,
        cost=total_cost,
        npv=net,
        roi=roi,
        payback_month=payback,
        customers_kept=kept,
        break_even_effect=break_even,
        sensitivity=cases,
        verdict=verdict,
        reason=reason,
        notes=notes,
    )


__all__ = ["SENSITIVITY", "BusinessCase", "CaseInputs", "Sensitivity", "business_case", "npv"]
