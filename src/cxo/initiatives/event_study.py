"""Event study: the initiative's effect month by month before and after its launch.

For every month ``k`` relative to the launch (``k = −pre_months … −1`` before it, ``0, 1, …``
after it; a month is 30.4375 days counted from the launch day) the coefficient is

    β_k = Σ_s w_s [(NPS treated, k − NPS control, k) − (NPS treated, pre − NPS control, pre)]_s

— the gap between treated and control touchpoints in month ``k`` minus their gap over the
whole pre window, within each segment ``s``, averaged with the treated post-launch responses
as weights ``w_s`` (as the difference-in-differences of :mod:`cxo.initiatives.effect`, which
pools the post months into one cell). All coefficients are linear
in the cell means of the saturated model stratum × group × month, so their joint covariance
is cluster-robust by customer from each customer's influence on every coefficient, with the
small-sample factor of Stata and statsmodels (equal to ``y ~ 0 + C(cell)`` fitted with
``cov_type="cluster"`` and the contrasts taken with ``t_test``: tested).

Before the launch the coefficients should scatter around zero. Two tests of that, each at
``PRE_TREND_P / 2`` (Bonferroni, so a sound design is flagged at most ``PRE_TREND_P`` of the
time):

* ``slope``: the least-squares slope of the pre coefficients over the months (a drift of the
  treated touchpoint against the controls before the launch — the usual violation);
* ``joint``: Wald χ² that all pre coefficients are zero (on the rank of their covariance: they
  average to about zero by construction).

The months with fewer than ``MIN_PER_MONTH`` answers in a treated or control cell are pooled
into no coefficient (left out, listed in ``thin_months``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.core.jsonable import jsonable_dict
from cxo.errors import InsufficientDataError

if TYPE_CHECKING:
    from cxo.engine.sql import Runner

MONTH_DAYS = 30.4375
MIN_PER_MONTH = 10
PRE_TREND_P = 0.05
MIN_PRE_MONTHS = 3

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class EventMonth:
    """One month's coefficient (NPS points, or share for the detractor metric)."""

    month: int
    """Months from the launch (−1 = the month before it, 0 = the first month after it)."""
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    treated: int
    control: int
    """Answers in the month at the treated and at the control touchpoints."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "month": self.month,
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "responses_treated": self.treated,
            "responses_control": self.control,
        }


@dataclass(frozen=True)
class PreTrendTest:
    """Tests of the pre-launch coefficients against zero."""

    slope: float
    """Drift per month of the treated − control gap before the launch (NPS points)."""
    slope_se: float
    slope_p: float
    chi2: float
    df: int
    joint_p: float
    months: int

    @property
    def doubtful(self) -> bool:
        """Either test rejects at ``PRE_TREND_P / 2``."""
        return min(self.slope_p, self.joint_p) < PRE_TREND_P / 2

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "slope_per_month": self.slope,
            "slope_se": self.slope_se,
            "slope_p_value": self.slope_p,
            "joint_chi2": self.chi2,
            "joint_df": self.df,
            "joint_p_value": self.joint_p,
            "pre_months": self.months,
            "level": PRE_TREND_P,
            "doubtful": self.doubtful,
        }


@dataclass
class EventStudy:
    """Coefficients per month around the launch, and the pre-trend test."""

    metric: str
    level: float
    months: list[EventMonth]
    pre_trend: PreTrendTest | None
    thin_months: list[int] = field(default_factory=list)

    @property
    def doubtful(self) -> bool:
        """The pre-trend test flags the design."""
        return self.pre_trend is not None and self.pre_trend.doubtful

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "metric": self.metric,
                "level": self.level,
                "reference": "pre-launch window (treated − control gap)",
                "months": [m.to_dict() for m in self.months],
                "pre_trend": self.pre_trend.to_dict() if self.pre_trend else None,
                "thin_months": self.thin_months,
                "doubtful": self.doubtful,
            }
        )


_SENTINEL = -1_000_000
"""Month key of a customer's pre-window term in ``_i_u`` (below every real month)."""


@dataclass(frozen=True)
class _Cells:
    """Totals per stratum × group × month (group 1 = treated), fetched from the engine."""

    strata: list[str]
    months: list[int]
    n: Array
    y: Array
    clusters: int


def _cells(con: Runner, table: str, col: str) -> _Cells:
    got = con.execute(
        f"""select s, treated, k, sum(n), sum({col}) from {table}
            group by s, treated, k order by s, treated, k"""
    ).fetchall()
    if not got:
        raise InsufficientDataError("no answers for the event study")
    strata = sorted({str(r[0]) for r in got})
    k_min, k_max = min(int(r[2]) for r in got), max(int(r[2]) for r in got)
    months = list(range(k_min, k_max + 1))
    shape = (len(strata), 2, len(months))
    cn, cy = np.zeros(shape), np.zeros(shape)
    index = {s: j for j, s in enumerate(strata)}
    for s, g, k, n, y in got:
        cn[index[str(s)], int(g), int(k) - k_min] = float(n)
        cy[index[str(s)], int(g), int(k) - k_min] = float(y)
    clusters = int(con.execute(f"select count(distinct i) from {table}").fetchall()[0][0])
    return _Cells(strata, months, cn, cy, clusters)


def event_study(
    con: Runner,
    table: str,
    *,
    pre_months: int,
    metric: str = "nps",
    level: float = 0.95,
) -> EventStudy:
    """The event study from ``table`` (columns ``s`` stratum, ``i`` cluster, ``treated`` 0/1,
    ``k`` month from launch, ``n``, ``sy`` NPS sum, ``sd`` detractor sum), as
    :func:`cxo.initiatives.effect.measure_effect` prepares it.

    Only aggregates leave the engine: the cell totals and, for the clustered covariance, the
    sums over customers of products of their per-month influence terms (:func:`_covariance`).
    """
    from scipy import stats as st

    col = "sy" if metric == "nps" else "sd"
    cells = _cells(con, table, col)
    cn, cy, months = cells.n, cells.y, cells.months
    n_strata = len(cells.strata)
    pre = np.array([k < 0 for k in months])
    pn, py = cn[:, :, pre].sum(axis=2), cy[:, :, pre].sum(axis=2)
    post_t = cn[:, 1, ~pre].sum(axis=1)
    usable = (pn > 0).all(axis=1) & (post_t > 0)
    if not usable.any():
        raise InsufficientDataError("no segment with answers before and after the launch")
    w = np.where(usable, post_t, 0.0) / post_t[usable].sum()
    per_month = cn[usable].sum(axis=0)
    keep = [j for j in range(len(months)) if per_month[:, j].min() >= MIN_PER_MONTH]
    thin = [months[j] for j in range(len(months)) if j not in keep]
    # coefficient matrix: β_k = Σ_s w_s [(ȳ_s1k − ȳ_s0k) − (ȳ_s1pre − ȳ_s0pre)]; a month
    # cell absent in a usable stratum leaves that stratum out of that month (weights renormed)
    coefs = np.zeros((len(keep), n_strata, 2, len(months)))
    coef_pre = np.zeros((len(keep), n_strata, 2))
    weights = np.zeros((len(keep), n_strata))
    for col_, j in enumerate(keep):
        ok = usable & (cn[:, :, j] > 0).all(axis=1)
        ws = np.where(ok, w, 0.0)
        ws = ws / ws.sum() if ws.sum() > 0 else ws
        weights[col_] = ws
        for g, sign in ((1, 1.0), (0, -1.0)):
            coefs[col_, ok, g, j] = sign * ws[ok] / cn[ok, g, j]
            coef_pre[col_, ok, g] = -sign * ws[ok] / pn[ok, g]
    est = (coefs * cy[None]).sum(axis=(1, 2, 3)) + (coef_pre * py[None]).sum(axis=(1, 2))
    n_total = float(cn.sum())
    k_par = 2 * n_strata * len(months)
    n_clusters = cells.clusters
    factor = n_clusters / max(n_clusters - 1, 1) * (n_total - 1) / max(n_total - k_par, 1)
    cov = _covariance(con, table, col, cells, usable, weights, [months[j] for j in keep]) * factor
    z = float(st.norm.ppf(0.5 + level / 2))
    out = []
    for col_, j in enumerate(keep):
        se = math.sqrt(max(float(cov[col_, col_]), 0.0))
        out.append(
            EventMonth(
                months[j],
                float(est[col_]),
                se,
                float(est[col_]) - z * se,
                float(est[col_]) + z * se,
                int(per_month[1, j]),
                int(per_month[0, j]),
            )
        )
    pre_cols = [c for c, j in enumerate(keep) if months[j] < 0]
    test = _pre_trend(est, cov, pre_cols, [months[keep[c]] for c in pre_cols])
    return EventStudy(metric, level, out, test, thin)


def _covariance(
    con: Runner,
    table: str,
    col: str,
    cells: _Cells,
    usable: Array,
    weights: Array,
    kept: list[int],
) -> Array:
    """Σ over customers of the products of their influence on the coefficients (before the
    small-sample factor): the diagonal and the block of the pre-launch months (what the
    standard errors and the pre-trend test read; other entries are NaN).

    A customer ``c`` of stratum ``s`` has residuals ``R_c(g, k) = Σ y − n · ȳ_sgk`` per
    group and month; with ``u_c(k) = Σ_g ±R_c(g, k) / n_sgk`` and ``v_c = Σ_g ±Σ_{k<0}
    R_c(g, k) / n_sg,pre`` (+ treated, − control) the influence on the coefficient of month
    ``k`` is ``w_s(k) · (u_c(k) − v_c)``. So the covariance needs per stratum only
    ``Σ_c u_c(k) u_c(k')``, ``Σ_c u_c(k) v_c`` and ``Σ_c v_c²`` — sums of products of
    per-customer sums, computed in the engine (a self-join of each customer's few months).
    """
    import pandas as pd

    from cxo.engine.sql import temp_table
    from cxo.initiatives._sql import one_thread

    cn, cy, months = cells.n, cells.y, cells.months
    rows: list[tuple[str, int, int, float, float, float]] = []
    for si, s in enumerate(cells.strata):
        if not usable[si]:
            continue
        pn = cn[si, :, :].T[[k < 0 for k in months]].sum(axis=0)
        for g, sign in ((1, 1.0), (0, -1.0)):
            for j, k in enumerate(months):
                if cn[si, g, j] > 0:
                    b = sign / pn[g] if k < 0 else 0.0
                    m = cy[si, g, j] / cn[si, g, j]
                    rows.append((s, g, k, m, sign / cn[si, g, j], b))
    frame = pd.DataFrame.from_records(rows, columns=["s", "treated", "k", "m", "a", "b"])
    temp_table(con, "_i_cell", frame.astype({"s": object, "treated": "int64", "k": "int64"}))
    try:
        with one_thread(con):
            con.execute(
                f"""create or replace temp table _i_u as
                    with r as (
                      select t.s, t.i, t.k, t.{col} - t.n * c.m as res, c.a, c.b
                      from (select * from {table} order by s, i, treated, k) t join _i_cell c
                        on c.s = t.s and c.treated = t.treated and c.k = t.k)
                    select s, i, k, sum(a * res) as u from r group by s, i, k
                    union all
                    select s, i, {_SENTINEL} as k, sum(b * res) as u from r where k < 0
                    group by s, i"""
            )
            got = con.execute(
                f"""select x.s, x.k, y.k, sum(x.u * y.u)
                    from _i_u x join _i_u y on x.s = y.s and x.i = y.i
                    where x.k = y.k or (x.k < y.k and (y.k < 0 or x.k = {_SENTINEL}))
                    group by x.s, x.k, y.k order by x.s, x.k, y.k"""
            ).fetchall()
    finally:
        con.execute("drop table if exists _i_u")
        con.execute("drop table if exists _i_cell")
    sums: dict[tuple[str, int, int], float] = {
        (str(s), int(a), int(b)): float(v) for s, a, b, v in got
    }
    index = {s: j for j, s in enumerate(cells.strata)}
    cov = np.full((len(kept), len(kept)), np.nan)
    for a, ka in enumerate(kept):
        for b, kb in enumerate(kept):
            if a != b and not (ka < 0 and kb < 0):
                continue
            lo, hi = min(ka, kb), max(ka, kb)
            total = 0.0
            for s in cells.strata:
                wa, wb = weights[a, index[s]], weights[b, index[s]]
                if wa == 0.0 or wb == 0.0:
                    continue
                gram = (
                    sums.get((s, lo, hi), 0.0)
                    - sums.get((s, _SENTINEL, ka), 0.0)
                    - sums.get((s, _SENTINEL, kb), 0.0)
                    + sums.get((s, _SENTINEL, _SENTINEL), 0.0)
                )
                total += wa * wb * gram
            cov[a, b] = total
    return cov


def _pre_trend(est: Array, cov: Array, cols: list[int], months: list[int]) -> PreTrendTest | None:
    """Slope and joint Wald test of the pre-launch coefficients (``None`` with fewer than
    ``MIN_PRE_MONTHS`` of them)."""
    from scipy import stats as st

    if len(cols) < MIN_PRE_MONTHS:
        return None
    b = est[cols]
    v = cov[np.ix_(cols, cols)]
    x = np.asarray(months, dtype=float)
    c = (x - x.mean()) / ((x - x.mean()) ** 2).sum()
    slope = float(c @ b)
    slope_se = math.sqrt(max(float(c @ v @ c), 0.0))
    slope_p = float(2 * st.norm.sf(abs(slope) / slope_se)) if slope_se > 0 else math.nan
    # Wald on the rank of V (the pre coefficients average to about zero by construction)
    vals, vecs = np.linalg.eigh(v)
    keep = vals > vals.max() * 1e-8
    proj = vecs[:, keep].T @ b
    chi2 = float((proj**2 / vals[keep]).sum())
    df = int(keep.sum())
    joint_p = float(st.chi2.sf(chi2, df))
    return PreTrendTest(slope, slope_se, slope_p, chi2, df, joint_p, len(cols))


MONTH_SQL = (
    "floor(datediff('second', cast($launch as timestamp), cast(r.responded_at as timestamp))"
    f" / 86400.0 / {MONTH_DAYS})::integer"
)
"""SQL for the month from the launch (``$launch``) of ``r.responded_at``."""


__all__ = ["MONTH_SQL", "EventMonth", "EventStudy", "PreTrendTest", "event_study"]
