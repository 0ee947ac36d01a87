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
effect, a one-at-a-time sensitivity (tornado) over every input, and a verdict: ``weak`` (NPV ≤ 0
at the expected effect), ``fragile`` (positive, but negative in a plausible sensitivity case or
with less than ``SAFETY`` margin on the effect) or ``robust``, with its reason as a message
(``initiatives.case.*``) that :mod:`cxo.report.initiatives` says plainly, weak cases included.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from cxo.core.jsonable import jsonable_dict
from cxo.core.messages import Message, msg
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
    """The computed case; ``reason`` says in words (a catalogue message) why it is ``weak``,
    ``fragile`` or ``robust``."""

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
    reason: Message
    notes: list[Message] = field(default_factory=list)
    measured: bool = False
    """The churn effect was measured after launch, not expected before it."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (words as message keys with their parameters)."""
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
                "reason_message": self.reason.to_dict(),
                "measured": self.measured,
                "note_messages": [n.to_dict() for n in self.notes],
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


def business_case(inp: CaseInputs, *, measured: bool = False) -> BusinessCase:
    """The case for ``inp`` with break-even, sensitivity and a verdict (``measured``: the
    churn effect was measured after launch, not expected; the wording says so)."""
    inp.check()
    value, cost, kept = _flows(inp)
    total_value, total_cost = float(value.sum()), float(cost.sum())
    net = total_value - total_cost
    cum = np.cumsum(value - cost)
    paid = np.flatnonzero(cum >= 0)
    payback = int(paid[0]) + 1 if len(paid) and net >= 0 else None
    roi = net / total_cost if total_cost > 0 else math.inf
    break_even = _break_even(inp)
    cases = _sensitivity(inp)
    verdict, reason = _verdict(inp, net, total_cost, break_even, cases, measured)
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
        measured=measured,
    )


def _break_even(inp: CaseInputs) -> float | None:
    """The churn effect at which the NPV is zero (0 when any effect pays, ``None`` when even
    no churn at all does not)."""
    from scipy.optimize import brentq

    def at(effect: float) -> float:
        return npv(replace(inp, churn_effect=effect))

    floor = -inp.baseline_churn  # nobody churns any more
    if at(floor) < 0:
        return None
    if at(0.0) >= 0:
        return 0.0
    return float(brentq(at, floor, 0.0, xtol=1e-10))


def _sensitivity(inp: CaseInputs) -> list[Sensitivity]:
    """The NPV with one input at a time at its pessimistic and optimistic value, largest
    swing first."""
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
    return cases


def _verdict(
    inp: CaseInputs,
    net: float,
    total_cost: float,
    break_even: float | None,
    cases: list[Sensitivity],
    measured: bool,
) -> tuple[str, Message]:
    """``weak``, ``fragile`` or ``robust``, and why (messages ``initiatives.case.*``; the
    ``.measured`` / ``.expected`` variants name which effect the case rests on)."""
    which = "measured" if measured else "expected"
    h = inp.horizon_months
    if inp.churn_effect > 0:
        return "weak", msg(f"initiatives.case.raises_churn.{which}", loss=-net, horizon=h)
    if inp.churn_effect == 0:
        if measured:
            return "weak", msg("initiatives.case.no_effect_measured", cost=total_cost)
        return "weak", msg("initiatives.case.no_effect")
    if net <= 0:
        if break_even is None:
            return "weak", msg("initiatives.case.weak_never", horizon=h)
        return "weak", msg(
            f"initiatives.case.weak.{which}",
            loss=-net,
            horizon=h,
            break_even=break_even,
            break_even_points=100 * break_even,
        )
    safety = 1.0 - (break_even or 0.0) / inp.churn_effect
    # the effect's own pessimistic case is what ``safety`` measures; the other inputs may
    # hurt in either direction (a higher baseline churn can lower the value kept)
    negative = [s for s in cases if s.input != "churn_effect" and min(s.npv_low, s.npv_high) < 0]
    if safety < SAFETY:
        return "fragile", msg(f"initiatives.case.fragile_safety.{which}", npv=net, safety=safety)
    if negative:
        s = negative[0]
        bad_value = s.low_value if s.npv_low < s.npv_high else s.high_value
        worse = "higher" if bad_value > getattr(inp, s.input) else "lower"
        return "fragile", msg(
            f"initiatives.case.fragile_case.{which}.{worse}", npv=net, input=s.input
        )
    return "robust", msg("initiatives.case.robust", npv=net, horizon=h, safety=safety)


__all__ = ["SENSITIVITY", "BusinessCase", "CaseInputs", "Sensitivity", "business_case", "npv"]
