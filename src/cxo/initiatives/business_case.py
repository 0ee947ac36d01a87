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

Power before launch (:func:`power_check`, :func:`with_power`): the minimum detectable effect
of the difference-in-differences that will measure the initiative (:mod:`cxo.stats.power`:
``MDE = (z_0.975 + z_0.8) · √(σ_T²(1/n_T,pre + 1/n_T,post) + σ_C²(1/n_C,pre + 1/n_C,post))``)
for the planned reach (treated responses a month; default: the pre-period's) over the
window (default six months), with the variances of the touchpoints' pre-period; it stands
beside the expected NPS effect as a note, and a warning note says when the expected effect
is below it (with the window that would be needed, where one would do).

Churn (:class:`ChurnPower`): the smallest change of annual churn that comparing the customers
reached with the other active customers over the window can detect (two proportions, Cohen's
arcsine effect size, as ``statsmodels``' ``NormalIndPower`` and ``proportion_effectsize``);
it stands beside the case's churn effect, with the same plain warning when the expected churn
effect is below it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.core.jsonable import jsonable_dict
from cxo.core.messages import Message, msg
from cxo.errors import InsufficientDataError, MissingDataError, UsageError
from cxo.stats.power import Cell, Mde, did_se, mde, multiplier, nps_variance

if TYPE_CHECKING:
    from cxo.engine.sql import Runner
    from cxo.initiatives.portfolio import Initiative
    from cxo.workspace import Workspace

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
    power: PowerCheck | None = None
    """Before launch: what the measurement after it can detect (:func:`attach_power`)."""

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
                "power": None if self.power is None else self.power.to_dict(),
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


# ------------------------------------------------------------------------------------------
# power before launch
# ------------------------------------------------------------------------------------------

WINDOW_MONTHS = 6
"""Months after launch the effect is measured over, unless the plan says otherwise."""
PRE_MONTHS = 12
"""Months before launch whose responses give the variances and the monthly reach."""
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class PowerCheck:
    """What the difference-in-differences after launch can detect (:mod:`cxo.stats.power`):
    the minimum detectable effect on NPS (points) and on the detractor share, for the planned
    reach (treated responses a month) and window, with the pre-period's variances."""

    window_months: float
    pre_months: float
    responses_per_month: float
    control_per_month: float
    responses_pre: int
    control_pre: int
    nps: Mde
    detractors: Mde
    expected_nps_effect: float | None
    months_needed: float | None
    """Window at which the expected NPS effect becomes detectable (``None``: no expected NPS
    effect, or not within any window because the pre-period alone is too noisy)."""
    churn: ChurnPower | None = None
    """The smallest churn effect the measurement can show (``None``: not computed)."""

    @property
    def detectable(self) -> bool | None:
        """The expected NPS effect is at least the MDE (``None`` when none is expected)."""
        if self.expected_nps_effect is None:
            return None
        return abs(self.expected_nps_effect) >= self.nps.mde

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "window_months": self.window_months,
                "pre_months": self.pre_months,
                "responses_per_month": self.responses_per_month,
                "control_per_month": self.control_per_month,
                "responses_pre": self.responses_pre,
                "control_pre": self.control_pre,
                "nps": self.nps.to_dict(),
                "detractor_share": self.detractors.to_dict(),
                "expected_nps_effect": self.expected_nps_effect,
                "detectable": self.detectable,
                "months_needed": self.months_needed,
                "churn": None if self.churn is None else self.churn.to_dict(),
            }
        )


@dataclass(frozen=True)
class ChurnPower:
    """The smallest change of the annual churn probability that comparing the churn of the
    customers reached with the other active customers over the window can detect (two-sided
    test of two proportions at ``ALPHA`` with power ``POWER``, on Cohen's arcsine scale ``h``:
    :func:`statsmodels.stats.proportion.proportion_effectsize`, ``NormalIndPower``)."""

    reached: int
    others: int
    baseline_churn: float
    """Annual churn probability of the customers reached."""
    window_months: float
    h: float
    """Cohen's h the comparison detects: ``(z_0.975 + z_0.8)·√(1/reached + 1/others)``."""
    mde: float
    """Annual churn probability (0.01 = 1 point), positive; infinite when no reduction
    within the window is large enough."""
    expected: float | None
    """The case's churn effect (annual probability change; negative = fewer leave)."""

    @property
    def detectable(self) -> bool | None:
        """The expected churn effect is at least the MDE (``None`` when none is expected)."""
        if self.expected is None:
            return None
        return abs(self.expected) >= self.mde

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "metric": "annual_churn",
                "comparison": "customers reached vs the other active customers",
                "reached": self.reached,
                "others": self.others,
                "baseline_churn": self.baseline_churn,
                "window_months": self.window_months,
                "cohens_h": self.h,
                "mde": self.mde if math.isfinite(self.mde) else None,
                "expected_churn_effect": self.expected,
                "detectable": self.detectable,
            }
        )


def churn_power(
    reached: int,
    others: int,
    baseline_churn: float,
    window_months: float,
    expected: float | None = None,
) -> ChurnPower:
    """The churn MDE for ``reached`` customers against ``others`` over ``window_months``.

    The window's churn probability ``p_w = 1 − (1 − baseline)^(w/12)``; a test of two
    proportions detects ``h = (z_0.975 + z_0.8)·√(1/reached + 1/others)``; the churn it can
    tell apart from ``p_w`` is ``sin²(asin √p_w − h/2)`` (a reduction), turned back into an
    annual probability; the MDE is the annual difference."""
    if reached < 1 or others < 1:
        raise InsufficientDataError(
            f"a churn comparison needs customers on both sides ({reached} reached, {others} not)"
        )
    if not 0.0 < baseline_churn < 1.0:
        raise InsufficientDataError(
            f"no churn to reduce: the customers reached churn {baseline_churn:.1%} a year"
        )
    h = multiplier() * math.sqrt(1.0 / reached + 1.0 / others)
    p_w = 1.0 - (1.0 - baseline_churn) ** (window_months / 12.0)
    angle = math.asin(math.sqrt(p_w)) - h / 2.0
    if angle <= 0:  # even no churn at all in the window would not be detected
        return ChurnPower(reached, others, baseline_churn, window_months, h, math.inf, expected)
    p1_w = math.sin(angle) ** 2
    p1 = 1.0 - (1.0 - p1_w) ** (12.0 / window_months)
    return ChurnPower(
        reached, others, baseline_churn, window_months, h, baseline_churn - p1, expected
    )


def power_check(
    con: Runner,
    touchpoints: list[str],
    *,
    launch: dt.date | None = None,
    expected_nps_effect: float | None = None,
    window_months: float = WINDOW_MONTHS,
    responses_per_month: float | None = None,
    pre_months: int = PRE_MONTHS,
) -> PowerCheck:
    """The MDE of the effect measurement for ``touchpoints`` (treated; every other touchpoint
    is the control, as in :mod:`cxo.initiatives.effect`) over ``window_months`` after launch.

    The pre-period is the ``pre_months`` before ``launch`` (or before the newest response
    when the launch is not set or still ahead); the treated reach is ``responses_per_month``
    (default: the pre-period's monthly rate at ``touchpoints``), the control's its
    pre-period rate.
    """
    if not 0.5 <= window_months <= MAX_HORIZON_MONTHS:
        raise UsageError(
            f"the measurement window must be between 0.5 and {MAX_HORIZON_MONTHS} months, "
            f"not {window_months}"
        )
    if responses_per_month is not None and not (1 <= responses_per_month <= 1e9):
        raise UsageError(
            "the planned reach must be a positive number of responses a month, "
            f"not {responses_per_month}"
        )
    if not touchpoints:
        raise UsageError("a power check needs the initiative's touchpoints")
    cells, months = _pre_cells(con, touchpoints, launch, pre_months)
    (nt, pt, dtt), (nc, pc, dc) = cells[True], cells[False]
    rate_t = responses_per_month if responses_per_month is not None else nt / months
    rate_c = nc / months
    by_metric = {}
    for metric, var_t, var_c in (
        ("nps", nps_variance(pt, dtt), nps_variance(pc, dc)),
        ("detractor_share", dtt * (1 - dtt), dc * (1 - dc)),
    ):
        se = did_se(
            Cell(nt, var_t),
            Cell(rate_t * window_months, var_t),
            Cell(nc, var_c),
            Cell(rate_c * window_months, var_c),
        )
        by_metric[metric] = (Mde(metric, mde(se), se), var_t, var_c)
    nps_mde, var_t, var_c = by_metric["nps"]
    needed = None
    if expected_nps_effect:
        fixed = var_t / nt + var_c / nc
        per_month = var_t / rate_t + var_c / rate_c
        target = (abs(expected_nps_effect) / multiplier()) ** 2
        needed = per_month / (target - fixed) if target > fixed else None
    return PowerCheck(
        window_months=window_months,
        pre_months=months,
        responses_per_month=rate_t,
        control_per_month=rate_c,
        responses_pre=int(nt),
        control_pre=int(nc),
        nps=nps_mde,
        detractors=by_metric["detractor_share"][0],
        expected_nps_effect=expected_nps_effect,
        months_needed=needed,
    )


def _pre_cells(
    con: Runner, touchpoints: list[str], launch: dt.date | None, pre_months: int
) -> tuple[dict[bool, tuple[float, float, float]], float]:
    """Responses, promoter and detractor share of treated and control in the pre-period, and
    the months it spans (from its first response); the same SQL on DuckDB and Spark."""
    from cxo.initiatives._sql import run

    last = con.execute("select max(responded_at) from responses where nps is not null").fetchone()
    if last is None or last[0] is None:
        raise InsufficientDataError("no NPS answers yet: nothing to base a power check on")
    end = last[0] + dt.timedelta(microseconds=1)  # the newest answer counts
    if launch is not None and dt.datetime.combine(launch, dt.time()) < end:
        end = dt.datetime.combine(launch, dt.time())
    start = end - dt.timedelta(days=pre_months * DAYS_PER_MONTH)
    rows = run(
        con,
        """select treated, count(*), avg((nps >= 9)::int), avg((nps <= 6)::int),
                  min(responded_at)
           from (select touchpoint in ($tps) as treated, nps, responded_at from responses
                 where nps is not null and responded_at >= $start and responded_at < $end) p
           group by treated""",
        {"tps": list(touchpoints), "start": start, "end": end},
    ).fetchall()
    cells = {bool(r[0]): (float(r[1]), float(r[2]), float(r[3])) for r in rows}
    for treated, who in ((True, ", ".join(touchpoints)), (False, "the other touchpoints")):
        if cells.get(treated, (0.0,))[0] < 2:
            raise InsufficientDataError(
                f"no NPS answers at {who} in the {pre_months} months before launch: "
                "the effect could not be measured, so its power cannot be computed"
            )
    first = min(r[4] for r in rows)
    months = max((end - first).total_seconds() / 86400 / DAYS_PER_MONTH, 1.0)
    return cells, min(months, float(pre_months))


def attach_power(case: BusinessCase, check: PowerCheck) -> BusinessCase:
    """``case`` with ``check`` and its notes: the MDE beside the expected effect, and a plain
    warning when the expected effect is below it (returns ``case``, changed in place)."""
    case.power = check
    expected = check.expected_nps_effect
    params = {
        "mde": check.nps.mde,
        "window": check.window_months,
        "per_month": check.responses_per_month,
        "share_points": 100 * check.detractors.mde,
    }
    if expected is None:
        case.notes.append(msg("initiatives.power.mde_only", **params))
        return _churn_notes(case, check)
    case.notes.append(msg("initiatives.power.mde", expected=expected, **params))
    if not check.detectable:
        if check.months_needed is None:
            case.notes.append(msg("initiatives.power.below_never", expected=expected, **params))
        else:
            case.notes.append(
                msg(
                    "initiatives.power.below",
                    expected=expected,
                    months=math.ceil(check.months_needed),
                    **params,
                )
            )
    return _churn_notes(case, check)


def _churn_notes(case: BusinessCase, check: PowerCheck) -> BusinessCase:
    """The churn MDE beside the case's churn effect, and the warning when it is below."""
    churn = check.churn
    if churn is None:
        return case
    params = {
        "reached": churn.reached,
        "others": churn.others,
        "window": churn.window_months,
        "expected_points": 100 * (churn.expected or 0.0),
    }
    if not math.isfinite(churn.mde):
        case.notes.append(msg("initiatives.power.churn_never", **params))
        return case
    params["mde_points"] = 100 * churn.mde
    if churn.expected is None:
        case.notes.append(msg("initiatives.power.churn_mde_only", **params))
        return case
    case.notes.append(msg("initiatives.power.churn_mde", **params))
    if not churn.detectable:
        case.notes.append(msg("initiatives.power.churn_below", **params))
    return case


def with_power(
    ws: Workspace,
    initiative: Initiative,
    case: BusinessCase,
    *,
    window_months: float = WINDOW_MONTHS,
    responses_per_month: float | None = None,
    engine: str | None = None,
) -> BusinessCase:
    """``case`` of ``initiative`` with its power check on the workspace's responses
    (:func:`power_check`, :func:`attach_power`); where the data cannot carry one, a note says
    why instead. ``engine`` as for :func:`cxo.initiatives.case` (default: the workspace's
    ``[analytics] engine``; ``spark`` reads the published lake)."""
    from cxo.engine.runner import open_runner

    with open_runner(ws, engine, "the business case") as con:
        return _with_power(con, initiative, case, window_months, responses_per_month)


def _with_power(
    con: Runner,
    initiative: Initiative,
    case: BusinessCase,
    window_months: float,
    responses_per_month: float | None,
) -> BusinessCase:
    """:func:`with_power` on an open runner."""
    try:
        check = power_check(
            con,
            initiative.touchpoints,
            launch=initiative.launch,
            expected_nps_effect=initiative.expected_nps_effect,
            window_months=window_months,
            responses_per_month=responses_per_month,
        )
    except InsufficientDataError as exc:
        case.notes.append(msg("initiatives.power.unavailable", reason=exc.message))
        return case
    try:
        reached = round(case.inputs.customers)
        others = _other_active_customers(con, reached)
        churn = churn_power(
            reached,
            others,
            case.inputs.baseline_churn,
            check.window_months,
            case.inputs.churn_effect,
        )
    except (InsufficientDataError, MissingDataError) as exc:
        case.notes.append(msg("initiatives.power.churn_unavailable", reason=exc.message))
    else:
        check = replace(check, churn=churn)
    return attach_power(case, check)


def _other_active_customers(con: Runner, reached: int) -> int:
    """Active customers (no churn date) other than the ``reached`` ones."""
    from cxo.engine.sql import scalar, table_columns

    if not table_columns(con, "customers"):
        raise MissingDataError(
            "a churn comparison needs table `customers`",
            hint="import it with `cxo import customers FILE`",
        )
    count = scalar(con, "select count(*) from customers where churn_date is null")
    return max(int(count or 0), 0) - reached


__all__ = [
    "SENSITIVITY",
    "WINDOW_MONTHS",
    "BusinessCase",
    "CaseInputs",
    "ChurnPower",
    "PowerCheck",
    "Sensitivity",
    "attach_power",
    "business_case",
    "churn_power",
    "npv",
    "power_check",
    "with_power",
]
