"""Initiatives and proof: the portfolio, business cases, measured effects, ROI, priorities.

On a workspace:

* :func:`case` — the business case of an initiative before launch, on the customers it
  reaches (active customers who answered at its touchpoints, their revenue and churn);
* :func:`measure` — after launch: the difference-in-differences effect on NPS and on the
  detractor share (:mod:`cxo.initiatives.effect`), turned into churn and money with the
  touchpoint's detractor churn linkage, and the business case re-run on the measured effect
  (ROI with the probability that it pays);
* :func:`prioritise` — initiatives against the ranked pains of the assessment: which pains
  each addresses and how much revenue at risk that is per unit of cost; top pains no
  initiative addresses; initiatives that address no ranked pain (what to stop doing).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.core.jsonable import jsonable_dict
from cxo.errors import InsufficientDataError, MissingDataError, UsageError
from cxo.initiatives.business_case import BusinessCase, CaseInputs, business_case, npv
from cxo.initiatives.effect import EffectMeasurement, measure_effect, months_before
from cxo.initiatives.portfolio import (
    STATUSES,
    Initiative,
    get_initiative,
    initiatives,
    load_portfolio,
    remove_initiative,
    save_initiative,
)

if TYPE_CHECKING:
    import duckdb

    from cxo.assess.linkage import Linkage
    from cxo.workspace import Workspace

DRAWS = 4000
MAX_CHURN = 0.99
TOP_PAINS = 10


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


def _reach(con: duckdb.DuckDBPyConnection, touchpoints: list[str]) -> Reach:
    row = con.execute(
        """with c as (
             select customer_id, any_value(active) as active, any_value(mrr) as mrr,
                    max(x0 + x1 + x2) as years, max(ev0 + ev1 + ev2) as ev
             from _a_x where touchpoint in (select unnest($tps)) group by customer_id)
           select sum(active::int), sum(case when active then mrr else 0 end),
                  sum(years), sum(ev) from c""",
        {"tps": touchpoints},
    ).fetchone()
    if row is None or not row[0]:
        raise InsufficientDataError(
            f"no active customers answered at {', '.join(touchpoints)}: nobody to reach"
        )
    active, mrr, years, events = int(row[0]), float(row[1] or 0.0), float(row[2]), float(row[3])
    rate = events / years if years > 0 else 0.0
    return Reach(active, mrr / active, 1.0 - math.exp(-rate))


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    """The assessment's working tables on ``con`` (reach and churn linkage read them)."""
    from cxo.assess.data import prepare

    if not prepare(con, None).has_revenue:
        raise MissingDataError(
            "an initiative's money needs table `contracts` (monthly revenue per customer)",
            hint="import it with `cxo import contracts FILE`",
        )


def _linkage(ws: Workspace, con: duckdb.DuckDBPyConnection) -> Linkage:
    """Detractor churn per touchpoint, once per run (after :func:`_prepare`)."""
    from cxo.assess.linkage import linkage

    return linkage(con, ws.charter(), currency=ws.settings.currency, has_revenue=False)


def case(
    ws: Workspace,
    initiative: Initiative,
    *,
    horizon_months: int = 36,
    discount_rate: float = 0.08,
    margin: float = 1.0,
    churn_effect: float | None = None,
) -> tuple[BusinessCase, Reach]:
    """Business case of ``initiative`` on the customers it reaches in ``ws``."""
    if not initiative.touchpoints:
        raise UsageError(f"initiative {initiative.key} names no touchpoint")
    effect = churn_effect if churn_effect is not None else initiative.expected_churn_effect
    if effect is None and initiative.expected_nps_effect is None:
        raise UsageError(
            f"initiative {initiative.key} has neither an expected churn effect nor an expected "
            "NPS effect",
            hint="set one: `cxo initiative add KEY --churn-effect -0.01` (or --nps-effect 5)",
        )
    notes: list[str] = []
    with ws.connect(read_only=True) as con:
        _prepare(con)
        reach = _reach(con, initiative.touchpoints)
        if effect is None:
            # An NPS effect alone: assume half of the points come from fewer detractors and
            # value them with the touchpoints' detractor excess churn.
            nps_effect = float(initiative.expected_nps_effect or 0.0)
            excess, _ = _detractor_excess(_linkage(ws, con), initiative.touchpoints)
            effect = -nps_effect / 200.0 * excess
            notes.append(
                f"churn effect derived from the expected NPS effect "
                f"({nps_effect:+.1f} points, assumed half fewer detractors) "
                f"× the detractors' excess churn at the touchpoints ({100 * excess:.2f} points)"
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
    result = business_case(inputs, language=ws.settings.language, currency=ws.settings.currency)
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
    churn_effect: float
    churn_effect_ci: tuple[float, float]
    revenue_kept_month: float
    revenue_kept_ci: tuple[float, float]
    case: BusinessCase
    probability_pays: float
    currency: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "initiative": self.initiative.to_dict(),
                "effect": self.effect.to_dict(),
                "reach": self.reach.to_dict(),
                "detractor_excess_churn": self.detractor_excess_churn,
                "churn_effect": {
                    "value": self.churn_effect,
                    "ci_low": self.churn_effect_ci[0],
                    "ci_high": self.churn_effect_ci[1],
                },
                "revenue_kept_per_month": {
                    "value": self.revenue_kept_month,
                    "ci_low": self.revenue_kept_ci[0],
                    "ci_high": self.revenue_kept_ci[1],
                    "currency": self.currency,
                },
                "business_case": self.case.to_dict(),
                "probability_npv_positive": self.probability_pays,
                "notes": self.notes,
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
) -> Proof:
    """Measured effect of a launched initiative, in NPS, churn and money (see module docs)."""
    _check_launched(initiative)
    portfolio = initiatives(ws.app_database_url)
    with ws.connect(read_only=True) as con:
        _prepare(con)
        link = _linkage(ws, con)
        return _measure(
            ws,
            con,
            link,
            initiative,
            portfolio,
            pre_months=pre_months,
            post_months=post_months,
            horizon_months=horizon_months,
            discount_rate=discount_rate,
            margin=margin,
            seed=seed,
        )


def _measure(
    ws: Workspace,
    con: duckdb.DuckDBPyConnection,
    link: Linkage,
    initiative: Initiative,
    portfolio: list[Initiative],
    *,
    pre_months: int = 12,
    post_months: int | None = None,
    horizon_months: int = 36,
    discount_rate: float = 0.08,
    margin: float = 1.0,
    seed: int = 0,
) -> Proof:
    """:func:`measure` on a connection already prepared, with the run's churn linkage."""
    launch = _check_launched(initiative)
    # touchpoints of other initiatives launched inside the window are no controls
    start = months_before(launch, pre_months)
    end = months_before(launch, -post_months) if post_months is not None else None
    others = [
        tp
        for other in portfolio
        if other.key != initiative.key
        and other.launch is not None
        and other.launch >= start
        and (end is None or other.launch < end)
        for tp in other.touchpoints
    ]
    notes: list[str] = []
    effect = measure_effect(
        con,
        initiative.touchpoints,
        launch,
        exclude=others,
        pre_months=pre_months,
        post_months=post_months,
    )
    reach = _reach(con, initiative.touchpoints)
    excess, excess_draws = _detractor_excess(link, initiative.touchpoints)
    det = effect.detractors
    churn_effect = det.estimate * excess
    rng = np.random.default_rng(seed)
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
        margin=margin,
        horizon_months=horizon_months,
        discount_rate=discount_rate,
    )
    result = business_case(
        inputs, language=ws.settings.language, currency=ws.settings.currency, measured=True
    )
    # probability the initiative pays: the case over draws of the measured churn effect
    sub = c_draw[:: max(1, DRAWS // 1000)]
    npvs = np.array(
        [
            npv(
                replace(
                    inputs,
                    churn_effect=_clip(float(c), reach),
                )
            )
            for c in sub
        ]
    )
    pays = float((npvs > 0).mean())
    if not det.p_value < 0.05:
        notes.append(
            f"the change in the detractor share is not significant (p = {det.p_value:.2f}): "
            "the money rests on an effect that may be zero"
        )
    notes.extend(effect.notes)
    return Proof(
        initiative,
        effect,
        reach,
        excess,
        churn_effect,
        (lo, hi),
        kept,
        (k_lo, k_hi),
        result,
        pays,
        ws.settings.currency,
        notes,
    )


@dataclass
class Priority:
    """One initiative against the ranked pains."""

    initiative: Initiative
    pains: list[dict[str, Any]]
    revenue_at_risk: float
    revenue_at_risk_low: float
    annual_cost: float
    value_per_cost: float | None
    stop_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
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
            "stop_reason": self.stop_reason,
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
    ranked: list[Priority] = []
    for ini in portfolio:
        if ini.status == "stopped":
            continue
        hit = [p for p in flagged if _matches(p, ini)]
        rev = sum(float((p.get("revenue_at_risk") or {}).get("value") or 0.0) for p in hit)
        low = sum(float((p.get("revenue_at_risk") or {}).get("ci_low") or 0.0) for p in hit)
        cost = ini.one_off_cost + 12.0 * ini.running_cost_month
        ranked.append(
            Priority(
                ini,
                [
                    {
                        "rank": p.get("rank"),
                        "touchpoint": p.get("touchpoint"),
                        "theme": p.get("theme"),
                        "segment": p.get("segment"),
                        "label": p.get("label"),
                        "revenue_at_risk": (p.get("revenue_at_risk") or {}).get("value"),
                    }
                    for p in hit
                ],
                rev,
                low,
                cost,
                12.0 * rev / cost if cost > 0 else None,
            )
        )

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
            "revenue_at_risk": (p.get("revenue_at_risk") or {}).get("value"),
        }
        for p in flagged[:TOP_PAINS]
        if id(p) not in covered
    ]
    stop = []
    for p in ranked:
        if p.initiative.status not in ("idea", "planned", "running"):
            continue
        proof = measured.get(p.initiative.key)
        expected = p.initiative.expected_nps_effect
        if proof is not None and expected is not None:
            n = proof.effect.nps
            if n.ci_low <= 0 <= n.ci_high and n.ci_high < expected:
                p.stop_reason = (
                    f"measured NPS effect {n.estimate:+.1f} [{n.ci_low:+.1f}, {n.ci_high:+.1f}] "
                    f"is not different from zero and below the expected {expected:+.1f}"
                )
        if p.stop_reason is None and not p.pains:
            p.stop_reason = "addresses no significant pain of the assessment"
        if p.stop_reason is not None:
            stop.append(p)
    return Prioritisation(ranked, unaddressed, stop)


def measure_all(ws: Workspace, portfolio: list[Initiative]) -> tuple[list[Proof], dict[str, str]]:
    """:func:`measure` for every launched initiative, on one connection prepared once (the
    working tables and the churn linkage serve all of them); the ones that cannot be measured
    yet (no answers after launch, too few in a cell, …) come back with the reason."""
    from cxo.errors import CxoError

    launched = [i for i in portfolio if i.launch is not None and i.status != "stopped"]
    proofs: list[Proof] = []
    skipped: dict[str, str] = {}
    if not launched:
        return proofs, skipped
    with ws.connect(read_only=True) as con:
        try:
            _prepare(con)
            link = _linkage(ws, con)
        except CxoError as exc:
            return proofs, {item.key: exc.message for item in launched}
        for item in launched:
            try:
                proofs.append(_measure(ws, con, link, item, portfolio))
            except CxoError as exc:
                skipped[item.key] = exc.message
    return proofs, skipped


def rank(ws: Workspace, *, measured: bool = True) -> Prioritisation:
    """The portfolio against the latest assessment's pains, with launched initiatives measured
    (``measured``) so that the ones that did not deliver become stop candidates."""
    portfolio = initiatives(ws.app_database_url)
    proofs, skipped = measure_all(ws, portfolio) if measured else ([], {})
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


__all__ = [
    "STATUSES",
    "BusinessCase",
    "CaseInputs",
    "Initiative",
    "Prioritisation",
    "Priority",
    "Proof",
    "Reach",
    "business_case",
    "case",
    "get_initiative",
    "initiatives",
    "latest_pains",
    "load_portfolio",
    "measure",
    "measure_all",
    "measure_effect",
    "prioritise",
    "rank",
    "remove_initiative",
    "save_initiative",
]
