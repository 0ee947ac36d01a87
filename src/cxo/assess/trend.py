""" "Flat for two years": the NPS trend over the last 8 quarters and its mix/within decomposition.

* **Trend test**: weighted least squares of the quarterly NPS on the quarter index (weights
  1/se², adjusted-Wald standard errors); the slope in NPS points per quarter with its interval
  and p-value, plus the first-vs-last-quarter difference (``nps_difference``).
* **Decomposition** of each change between two quarters into *mix* and *within* with groups
  ``g`` (segments; also segment × touchpoint), shares ``w`` and group NPS ``n``:
  ``total = Σ w₁n₁ − Σ w₀n₀``, ``mix = Σ (w₁ − w₀)·n₀``, ``within = Σ w₁·(n₁ − n₀)``, so
  ``mix + within = total``. Intervals treat the shares as fixed and add the groups' NPS
  variances (``var within = Σ w₁²(v₁ + v₀)``, ``var mix = Σ (w₁ − w₀)² v₀``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from cxo.assess.data import fetch
from cxo.core.verdicts import direction as _side_words
from cxo.stats import Estimate
from cxo.stats.nps import nps_difference, nps_from_counts

if TYPE_CHECKING:
    from cxo.engine.sql import Runner

QUARTERS = 8
MIN_PER_QUARTER = 30
Direction = Literal["flat", "rising", "falling"]


@dataclass
class Decomposition:
    """One change split into mix and within-group change (NPS points)."""

    start: str
    end: str
    groups: str
    total: float
    mix: float
    within: float
    mix_ci: tuple[float, float]
    within_ci: tuple[float, float]
    total_ci: tuple[float, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "from": self.start,
            "to": self.end,
            "groups": self.groups,
            "total": self.total,
            "mix": self.mix,
            "within": self.within,
            "total_ci": list(self.total_ci),
            "mix_ci": list(self.mix_ci),
            "within_ci": list(self.within_ci),
        }


@dataclass
class Trend:
    """The quarterly NPS series, its trend test and decompositions."""

    quarters: list[dict[str, Any]]
    slope: float
    slope_ci: tuple[float, float]
    slope_p: float
    first_last: dict[str, Any]
    direction: Direction
    """``flat`` (no significant trend at the 5 % level), ``rising`` or ``falling``."""
    decompositions: list[Decomposition] = field(default_factory=list)
    steps: list[Decomposition] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "quarters": self.quarters,
            "slope_per_quarter": self.slope,
            "slope_ci": list(self.slope_ci),
            "slope_p_value": self.slope_p,
            "first_vs_last": self.first_last,
            "direction": self.direction,
            "verdict_message": f"assess.trend.verdict.{self.direction}",
            "decomposition": [d.to_dict() for d in self.decompositions],
            "quarter_on_quarter": [d.to_dict() for d in self.steps],
        }


def trend_direction(slope: float, ci: tuple[float, float]) -> Direction:
    """``rising``/``falling`` when the slope's 95 % interval excludes zero, else ``flat`` (the
    verdict follows the interval the line prints)."""
    words = _side_words(Estimate(value=slope, ci_low=ci[0], ci_high=ci[1]))
    return "rising" if words == "higher" else "falling" if words == "lower" else "flat"


def _var(p: float, d: float, n: float) -> float:
    """Adjusted-Wald variance of one NPS in points²."""
    est = nps_from_counts(int(p), int(n - p - d), int(d))
    return est.se**2


def decompose(
    frame: pd.DataFrame, q0: str, q1: str, groups: str, z: float = 1.959964
) -> Decomposition:
    """Mix/within split between quarters ``q0`` and ``q1`` (frame: quarter, group, n, p, d)."""
    counts = ["n", "p", "d"]
    a = frame[frame["quarter"] == q0].set_index("group")[counts]
    b = frame[frame["quarter"] == q1].set_index("group")[counts]
    keys = sorted(set(a.index) | set(b.index))
    # only the counts: filling the text column "quarter" with 0.0 warns in pandas 3
    a = a.reindex(keys).fillna(0.0)
    b = b.reindex(keys).fillna(0.0)
    w0 = a["n"] / a["n"].sum()
    w1 = b["n"] / b["n"].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        n0 = 100.0 * (a["p"] - a["d"]) / a["n"]
        n1 = 100.0 * (b["p"] - b["d"]) / b["n"]
    # a group absent in one quarter contributes only through the shares
    n0 = n0.where(a["n"] > 0, n1)
    n1 = n1.where(b["n"] > 0, n0)
    n0 = n0.fillna(0.0)
    n1 = n1.fillna(0.0)
    v0 = pd.Series([_var(r.p, r.d, r.n) if r.n > 0 else 0.0 for r in a.itertuples()], index=keys)
    v1 = pd.Series([_var(r.p, r.d, r.n) if r.n > 0 else 0.0 for r in b.itertuples()], index=keys)
    total = float((w1 * n1).sum() - (w0 * n0).sum())
    mix = float(((w1 - w0) * n0).sum())
    within = float((w1 * (n1 - n0)).sum())
    se_mix = math.sqrt(float(((w1 - w0) ** 2 * v0).sum()))
    se_within = math.sqrt(float((w1**2 * (v1 + v0)).sum()))
    se_total = math.sqrt(float((w1**2 * v1).sum() + (w0**2 * v0).sum()))
    return Decomposition(
        q0,
        q1,
        groups,
        total,
        mix,
        within,
        (mix - z * se_mix, mix + z * se_mix),
        (within - z * se_within, within + z * se_within),
        (total - z * se_total, total + z * se_total),
    )


def trend(con: Runner) -> Trend | None:
    """The last 8 quarters with answers (``None`` with fewer than 3 usable quarters)."""
    frame = fetch(
        con,
        """select strftime(date_trunc('quarter', responded_at), '%Y-%m-%d') as qstart,
                  segment, touchpoint, count(*) as n, sum(prom) as p, sum(det) as d
           from _a_r group by 1, segment, touchpoint order by 1, segment, touchpoint""",
    )
    if frame.empty:
        return None
    frame["quarter"] = [
        f"{s[:4]}-Q{(int(s[5:7]) - 1) // 3 + 1}" for s in frame["qstart"].astype(str)
    ]
    per_q = frame.groupby("quarter")[["n", "p", "d"]].sum().sort_index()
    per_q = per_q[per_q["n"] >= MIN_PER_QUARTER]
    qs = list(per_q.index)[-QUARTERS:]
    if len(qs) < 3:
        return None
    per_q = per_q.loc[qs]
    rows = []
    values, ses = [], []
    for q, r in per_q.iterrows():
        est = nps_from_counts(int(r.p), int(r.n - r.p - r.d), int(r.d))
        rows.append(
            {
                "quarter": str(q),
                "nps": est.value,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "n": int(r.n),
            }
        )
        values.append(est.value)
        ses.append(est.se)
    import statsmodels.api as sm

    x = sm.add_constant(np.arange(len(qs), dtype=float))
    w = 1.0 / np.maximum(np.array(ses), 1e-9) ** 2
    fit = sm.WLS(np.array(values), x, weights=w).fit()
    # sampling variance is known (adjusted Wald): use it, not the residual scale
    cov = np.linalg.inv(x.T @ (x * w[:, None]))
    slope = float(fit.params[1])
    se = math.sqrt(cov[1, 1])
    from scipy import stats as st

    p_slope = float(2 * st.norm.sf(abs(slope / se)))
    first, last = per_q.iloc[0], per_q.iloc[-1]
    fl = nps_difference(
        nps_from_counts(int(last.p), int(last.n - last.p - last.d), int(last.d)),
        nps_from_counts(int(first.p), int(first.n - first.p - first.d), int(first.d)),
    )
    slope_ci = (slope - 1.959964 * se, slope + 1.959964 * se)
    out = Trend(
        quarters=rows,
        slope=slope,
        slope_ci=slope_ci,
        slope_p=p_slope,
        first_last={
            "from": qs[0],
            "to": qs[-1],
            "difference": fl.difference,
            "ci_low": fl.ci_low,
            "ci_high": fl.ci_high,
            "p_value": fl.p_value,
        },
        direction=trend_direction(slope, slope_ci),
    )
    sub = frame[frame["quarter"].isin(qs)]
    by_seg = sub.groupby(["quarter", "segment"], as_index=False)[["n", "p", "d"]].sum()
    by_seg["group"] = by_seg["segment"]
    by_st = sub.groupby(["quarter", "segment", "touchpoint"], as_index=False)[["n", "p", "d"]].sum()
    by_st["group"] = by_st["segment"] + "/" + by_st["touchpoint"]
    out.decompositions = [
        decompose(by_seg, qs[0], qs[-1], "segment"),
        decompose(by_st, qs[0], qs[-1], "segment×touchpoint"),
    ]
    out.steps = [decompose(by_seg, a, b, "segment") for a, b in itertools.pairwise(qs)]
    return out
