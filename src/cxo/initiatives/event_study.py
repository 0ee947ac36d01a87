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
    import duckdb

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


@dataclass(frozen=True)
class _Rows:
    """Per customer × stratum × group × month sums (group 1 = treated)."""

    cluster: Array
    stratum: Array
    group: Array
    month: Array
    n: Array
    sy: Array


def _rows(con: duckdb.DuckDBPyConnection, table: str, metric: str) -> _Rows:
    col = "sy" if metric == "nps" else "sd"
    got = con.execute(
        f"""select dense_rank() over (order by i) - 1 as c, dense_rank() over (order by s) - 1,
                   treated, k, n, {col}
            from {table}"""
    ).fetchnumpy()
    keys = list(got)
    return _Rows(
        cluster=np.asarray(got[keys[0]], dtype=np.int64),
        stratum=np.asarray(got[keys[1]], dtype=np.int64),
        group=np.asarray(got[keys[2]], dtype=np.int64),
        month=np.asarray(got[keys[3]], dtype=np.int64),
        n=np.asarray(got[keys[4]], dtype=float),
        sy=np.asarray(got[keys[5]], dtype=float),
    )


def event_study(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    pre_months: int,
    metric: str = "nps",
    level: float = 0.95,
) -> EventStudy:
    """The event study from ``table`` (columns ``s`` stratum, ``i`` cluster, ``treated`` 0/1,
    ``k`` month from launch, ``n``, ``sy`` NPS sum, ``sd`` detractor sum), as
    :func:`cxo.initiatives.effect.measure_effect` prepares it."""
    from scipy import stats as st

    r = _rows(con, table, metric)
    if not len(r.n):
        raise InsufficientDataError("no answers for the event study")
    n_clusters = int(r.cluster.max()) + 1
    n_strata = int(r.stratum.max()) + 1
    k_min, k_max = int(r.month.min()), int(r.month.max())
    months = list(range(k_min, k_max + 1))
    # cell totals: stratum × group × month
    shape = (n_strata, 2, len(months))
    cell = (r.stratum * 2 + r.group) * len(months) + (r.month - k_min)
    cn = np.bincount(cell, weights=r.n, minlength=math.prod(shape)).reshape(shape)
    cy = np.bincount(cell, weights=r.sy, minlength=math.prod(shape)).reshape(shape)
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
    for col, j in enumerate(keep):
        ok = usable & (cn[:, :, j] > 0).all(axis=1)
        ws = np.where(ok, w, 0.0)
        ws = ws / ws.sum() if ws.sum() > 0 else ws
        for g, sign in ((1, 1.0), (0, -1.0)):
            coefs[col, ok, g, j] = sign * ws[ok] / cn[ok, g, j]
            coef_pre[col, ok, g] = -sign * ws[ok] / pn[ok, g]
    mean = np.divide(cy, cn, out=np.zeros(shape), where=cn > 0)
    est = (coefs * cy[None]).sum(axis=(1, 2, 3)) + (coef_pre * py[None]).sum(axis=(1, 2))
    # influence of each customer on each coefficient: Σ_cells a (Σ y − n · ȳ_cell)
    rows_month = r.month - k_min
    # (residuals of the month cells: the pooled pre mean is the count-weighted mean of the
    # pre months, so this is the saturated model stratum × group × month of the regression)
    resid = r.sy - r.n * mean[r.stratum, r.group, rows_month]
    is_pre = pre[rows_month]
    infl = np.zeros((n_clusters, len(keep)))
    for col in range(len(keep)):
        a = coefs[col][r.stratum, r.group, rows_month] * resid
        a = a + np.where(is_pre, coef_pre[col][r.stratum, r.group] * resid, 0.0)
        infl[:, col] = np.bincount(r.cluster, weights=a, minlength=n_clusters)
    n_total = float(r.n.sum())
    k_par = 2 * n_strata * len(months)
    factor = n_clusters / max(n_clusters - 1, 1) * (n_total - 1) / max(n_total - k_par, 1)
    cov = infl.T @ infl * factor
    z = float(st.norm.ppf(0.5 + level / 2))
    out = []
    for col, j in enumerate(keep):
        se = math.sqrt(max(float(cov[col, col]), 0.0))
        out.append(
            EventMonth(
                months[j],
                float(est[col]),
                se,
                float(est[col]) - z * se,
                float(est[col]) + z * se,
                int(per_month[1, j]),
                int(per_month[0, j]),
            )
        )
    pre_cols = [c for c, j in enumerate(keep) if months[j] < 0]
    test = _pre_trend(est, cov, pre_cols, [months[keep[c]] for c in pre_cols])
    return EventStudy(metric, level, out, test, thin)


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
    "floor(datediff('second', $launch::timestamp, r.responded_at::timestamp) / 86400.0 / "
    f"{MONTH_DAYS})::integer"
)
"""SQL for the month from the launch (``$launch``) of ``r.responded_at``."""


__all__ = ["MONTH_SQL", "EventMonth", "EventStudy", "PreTrendTest", "event_study"]
