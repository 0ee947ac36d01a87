"""Business case before launch and proof after it, on the customers an initiative reaches.

* :func:`case` — the business case of an initiative before launch, on the customers it
  reaches (active customers who answered at its touchpoints, their revenue and churn);
* :func:`measure` — after launch: the difference-in-differences effect on NPS and on the
  detractor share (:mod:`cxo.initiatives.effect`), turned into churn and money with the
  touchpoint's detractor churn linkage, and the business case re-run on the measured effect
  (ROI with the probability that it pays);
* :func:`measure_all` — :func:`measure` for every launched initiative of a portfolio.

The customers reached and the churn linkage come from the assessment's prepared data
(:mod:`cxo.assess.prepared`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.core.jsonable import jsonable_dict
from cxo.core.messages import Message, msg
from cxo.engine.runner import connect
from cxo.errors import CxoError, InsufficientDataError, MissingDataError, UsageError
from cxo.initiatives.business_case import BusinessCase, CaseInputs, business_case, npv
from cxo.initiatives.effect import EffectMeasurement, measure_effect, months_before
from cxo.initiatives.portfolio import Initiative, initiatives
from cxo.stats import Estimate

if TYPE_CHECKING:
    from cxo.assess.linkage import Linkage
    from cxo.assess.prepared import PreparedData
    from cxo.engine.sql import Runner
    from cxo.workspace import Workspace

DRAWS = 4000
MAX_CHURN = 0.99
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Reach:
    """Customers an initiative reaches: active customers who answered at its touchpoints."""

    customers: int
    mrr: float
    """Average monthly revenue of the active ones."""
    baseline_churn: float
    """Annual churn probability of all who answered there (events over years at risk)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"customers": self.customers, "mrr": self.mrr, "baseline_churn": self.baseline_churn}


def _reach(data: PreparedData, touchpoints: list[str]) -> Reach:
    found = data.reach(touchpoints)
    if not found.active_customers:
        raise InsufficientDataError(
            f"no active customers answered at {', '.join(touchpoints)}: nobody to reach"
        )
    active, years = found.active_customers, found.years_at_risk
    rate = found.churn_events / years if years > 0 else 0.0
    return Reach(active, found.active_mrr / active, 1.0 - math.exp(-rate))


def _prepare(con: Runner) -> PreparedData:
    """The assessment's prepared data on ``con`` (reach and churn linkage come from it)."""
    from cxo.assess.prepared import prepared

    data = prepared(con)
    if not data.has_revenue:
        raise MissingDataError(
            "an initiative's money needs table `contracts` (monthly revenue per customer)",
            hint="import it with `cxo import contracts FILE`",
        )
    return data


def _linkage(ws: Workspace, data: PreparedData) -> Linkage:
    """Detractor churn per touchpoint, once per run (on the prepared data)."""
    return data.linkage(ws.charter(), currency=ws.settings.currency, has_revenue=False)


def case(
    ws: Workspace,
    initiative: Initiative,
    *,
    horizon_months: int = 36,
    discount_rate: float = 0.08,
    margin: float = 1.0,
    churn_effect: float | None = None,
    engine: str | None = None,
) -> tuple[BusinessCase, Reach]:
    """Business case of ``initiative`` on the customers it reaches in ``ws``. ``engine``
    (default: the workspace's ``[analytics] engine``): ``spark`` runs the same SQL on Spark
    over the published lake; only aggregates reach Python."""
    from cxo.engine.spark import check_engine

    chosen = check_engine(engine, ws, "the business case", on_spark=True)
    if not initiative.touchpoints:
        raise UsageError(f"initiative {initiative.key} names no touchpoint")
    effect = churn_effect if churn_effect is not None else initiative.expected_churn_effect
    if effect is None and initiative.expected_nps_effect is None:
        raise UsageError(
            f"initiative {initiative.key} has neither an expected churn effect nor an expected "
            "NPS effect",
            hint="set one: `cxo initiative add KEY --churn-effect -0.01` (or --nps-effect 5)",
        )
    notes: list[Message] = []
    with connect(ws, chosen) as con:
        data = _prepare(con)
        reach = _reach(data, initiative.touchpoints)
        if effect is None:
            # An NPS effect alone: assume half of the points come from fewer detractors and
            # value them with the touchpoints' detractor excess churn.
            nps_effect = float(initiative.expected_nps_effect or 0.0)
            excess, _ = _detractor_excess(_linkage(ws, data), initiative.touchpoints)
            effect = -nps_effect / 200.0 * excess
            notes.append(
                msg(
                    "initiatives.case.churn_from_nps",
                    nps_effect=nps_effect,
                    excess=excess,
                    excess_points=100 * excess,
                )
            )
    inputs = CaseInputs(
        one_off_cost=initiative.one_off_cost,
        running_cost_month=initiative.running_cost_month,
        customers=reach.customers,
        mrr=reach.mrr,
        baseline_churn=reach.baseline_churn,
        churn_effect=effect,
        margin=margin,
        horizon_months=horizon_months,
        discount_rate=discount_rate,
    )
    result = business_case(inputs)
    result.notes.extend(notes)
    return result, reach


def _detractor_excess(link: Linkage, touchpoints: list[str]) -> tuple[float, np.ndarray[Any, Any]]:
    """Detractors' excess annual churn at ``touchpoints`` (weighted by detractors) and its
    simulation draws (the same draws that give the linkage's interval)."""
    found = [t for t in link.touchpoints if t.touchpoint in touchpoints and t.churn is not None]
    if not found:
        raise InsufficientDataError(
            f"no churn linkage at {', '.join(touchpoints)}: the effect cannot be put in money"
        )
    w = np.array([t.detractors for t in found], dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(len(found), 1.0 / len(found))
    ex = np.array([t.churn.excess for t in found if t.churn is not None])
    draws = [t.churn.draws for t in found if t.churn is not None]
    if any(d is None or not np.isfinite(d).all() for d in draws):
        raise InsufficientDataError(
            f"the detractors' excess churn at {', '.join(touchpoints)} has no interval"
        )
    size = min(len(d) for d in draws if d is not None)
    stacked = np.stack([d[:size] for d in draws if d is not None])
    return float(w @ ex), w @ stacked


def _clip(effect: float, reach: Reach) -> float:
    """A churn effect within what is possible: churn stays in [0, MAX_CHURN]."""
    return float(np.clip(effect, -reach.baseline_churn, MAX_CHURN - reach.baseline_churn))


@dataclass
class Proof:
    """What the initiative did: measured effect, churn avoided, money and ROI."""

    initiative: Initiative
    effect: EffectMeasurement
    reach: Reach
    detractor_excess_churn: float
    churn_effect: Estimate
    """Change of the annual churn probability of the customers reached (negative = fewer
    leave), with the interval of its simulation."""
    revenue_kept: Estimate
    """Monthly revenue kept (``−churn_effect ×`` the reached customers' monthly revenue)."""
    case: BusinessCase
    probability_pays: float
    currency: str
    notes: list[Message] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (words as message keys with their parameters)."""
        return jsonable_dict(
            {
                "initiative": self.initiative.to_dict(),
                "effect": self.effect.to_dict(),
                "reach": self.reach.to_dict(),
                "detractor_excess_churn": self.detractor_excess_churn,
                "churn_effect": {
                    "value": self.churn_effect.value,
                    "ci_low": self.churn_effect.ci_low,
                    "ci_high": self.churn_effect.ci_high,
                },
                "revenue_kept_per_month": {
                    "value": self.revenue_kept.value,
                    "ci_low": self.revenue_kept.ci_low,
                    "ci_high": self.revenue_kept.ci_high,
                    "currency": self.currency,
                },
                "business_case": self.case.to_dict(),
                "probability_npv_positive": self.probability_pays,
                "note_messages": [n.to_dict() for n in self.notes],
            }
        )


def _check_launched(initiative: Initiative) -> dt.date:
    """The launch date of a measurable initiative (``UsageError`` naming what is missing)."""
    if initiative.launch is None:
        raise UsageError(
            f"initiative {initiative.key} has no launch date: nothing to measure yet",
            hint=f"set it: `cxo initiative add {initiative.key} --launch YYYY-MM-DD`",
        )
    if not initiative.touchpoints:
        raise UsageError(f"initiative {initiative.key} names no touchpoint")
    return initiative.launch


@dataclass(frozen=True)
class _Settings:
    pre_months: int = 12
    post_months: int | None = None
    horizon_months: int = 36
    discount_rate: float = 0.08
    margin: float = 1.0
    seed: int = 0
    comparison: str = "touchpoints"
    customers: tuple[str, ...] | None = None


def measure(
    ws: Workspace,
    initiative: Initiative,
    *,
    pre_months: int = 12,
    post_months: int | None = None,
    horizon_months: int = 36,
    discount_rate: float = 0.08,
    margin: float = 1.0,
    seed: int = 0,
    comparison: str = "touchpoints",
    customers: list[str] | None = None,
    engine: str | None = None,
) -> Proof:
    """Measured effect of a launched initiative, in NPS, churn and money (see module docs).

    ``comparison`` picks the comparison group (:data:`cxo.initiatives.effect.COMPARISONS`);
    ``matched`` needs the targeted ``customers`` (their answers at the initiative's
    touchpoints are the treated ones). ``engine`` (default: the workspace's ``[analytics]
    engine``): ``spark`` runs the same SQL on Spark over the published lake
    (:class:`~cxo.engine.sql.SparkRunner`); only aggregates reach Python."""
    from cxo.engine.spark import check_engine

    chosen = check_engine(engine, ws, "the initiative measurement", on_spark=True)
    _check_launched(initiative)
    portfolio = initiatives(ws.app_database_url)
    settings = _Settings(
        pre_months,
        post_months,
        horizon_months,
        discount_rate,
        margin,
        seed,
        comparison,
        tuple(customers) if customers is not None else None,
    )
    with connect(ws, chosen) as con:
        data = _prepare(con)
        link = _linkage(ws, data)
        return _measure(ws, con, data, link, initiative, portfolio, settings)


def _controls_excluded(
    initiative: Initiative, portfolio: list[Initiative], launch: dt.date, settings: _Settings
) -> list[str]:
    """Touchpoints of other initiatives launched inside the window: they are no controls."""
    start = months_before(launch, settings.pre_months)
    post = settings.post_months
    end = months_before(launch, -post) if post is not None else None
    return [
        tp
        for other in portfolio
        if other.key != initiative.key
        and other.launch is not None
        and other.launch >= start
        and (end is None or other.launch < end)
        for tp in other.touchpoints
    ]


def _measure(
    ws: Workspace,
    con: Runner,
    data: PreparedData,
    link: Linkage,
    initiative: Initiative,
    portfolio: list[Initiative],
    settings: _Settings,
) -> Proof:
    """:func:`measure` on a connection already prepared, with the run's churn linkage."""
    launch = _check_launched(initiative)
    effect = measure_effect(
        con,
        initiative.touchpoints,
        launch,
        exclude=_controls_excluded(initiative, portfolio, launch, settings),
        pre_months=settings.pre_months,
        post_months=settings.post_months,
        comparison=settings.comparison,
        customers=list(settings.customers) if settings.customers is not None else None,
        seed=settings.seed,
    )
    reach = _reach(data, initiative.touchpoints)
    excess, excess_draws = _detractor_excess(link, initiative.touchpoints)
    det = effect.detractors
    churn_effect = det.estimate * excess
    rng = np.random.default_rng(settings.seed)
    d_draw = rng.normal(det.estimate, det.se, DRAWS)
    e_draw = rng.choice(excess_draws, DRAWS, replace=True)
    c_draw = d_draw * e_draw
    lo, hi = (float(x) for x in np.quantile(c_draw, [0.025, 0.975]))
    monthly = reach.customers * reach.mrr
    kept = -churn_effect * monthly
    k_lo, k_hi = (float(x) for x in np.quantile(-c_draw * monthly, [0.025, 0.975]))
    inputs = CaseInputs(
        one_off_cost=initiative.one_off_cost,
        running_cost_month=initiative.running_cost_month,
        customers=reach.customers,
        mrr=reach.mrr,
        baseline_churn=reach.baseline_churn,
        churn_effect=_clip(churn_effect, reach),
        margin=settings.margin,
        horizon_months=settings.horizon_months,
        discount_rate=settings.discount_rate,
    )
    result = business_case(inputs, measured=True)
    # probability the initiative pays: the case over draws of the measured churn effect
    sub = c_draw[:: max(1, DRAWS // 1000)]
    npvs = np.array([npv(replace(inputs, churn_effect=_clip(float(c), reach))) for c in sub])
    pays = float((npvs > 0).mean())
    notes: list[Message] = []
    if not det.p_value < SIGNIFICANCE:
        notes.append(msg("initiatives.proof.not_significant", p=det.p_value))
    notes.extend(effect.notes)
    return Proof(
        initiative,
        effect,
        reach,
        excess,
        Estimate(value=churn_effect, ci_low=lo, ci_high=hi, n=reach.customers),
        Estimate(value=kept, ci_low=k_lo, ci_high=k_hi, n=reach.customers),
        result,
        pays,
        ws.settings.currency,
        notes,
    )


def measure_all(
    ws: Workspace, portfolio: list[Initiative], *, engine: str | None = None
) -> tuple[list[Proof], dict[str, str]]:
    """:func:`measure` for every launched initiative, on one connection prepared once (the
    working tables and the churn linkage serve all of them); the ones that cannot be measured
    yet (no answers after launch, too few in a cell, …) come back with the reason. ``engine``
    as for :func:`measure` (default: the workspace's ``[analytics] engine``)."""
    from cxo.engine.spark import check_engine

    chosen = check_engine(engine, ws, "the initiative measurement", on_spark=True)
    launched = [i for i in portfolio if i.launch is not None and i.status != "stopped"]
    proofs: list[Proof] = []
    skipped: dict[str, str] = {}
    if not launched:
        return proofs, skipped
    with connect(ws, chosen) as con:
        try:
            data = _prepare(con)
            link = _linkage(ws, data)
        except CxoError as exc:
            return proofs, {item.key: exc.message for item in launched}
        for item in launched:
            try:
                proofs.append(_measure(ws, con, data, link, item, portfolio, _Settings()))
            except CxoError as exc:
                skipped[item.key] = exc.message
    return proofs, skipped


__all__ = ["Proof", "Reach", "case", "measure", "measure_all"]
