"""Churn linkage: piecewise-exponential model against statsmodels PHReg and planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxo.errors import InsufficientDataError
from cxo.stats.churn import (
    churn_by_group,
    cox_churn,
    excess_churn,
    poisson_fit,
    revenue_at_risk,
)

BASE = {"a": 0.10, "b": 0.15, "c": 0.05}


def _simulate(n: int, effect: float, seed: int, years: float = 3.0) -> pd.DataFrame:
    """Customers followed up to ``years``; constant annual churn probability base + effect."""
    rng = np.random.default_rng(seed)
    seg = rng.choice(list(BASE), size=n)
    exposed = rng.random(n) < 0.3
    p = np.array([BASE[s] for s in seg]) + effect * exposed
    lam = -np.log1p(-p)  # yearly hazard giving annual probability p
    t = rng.exponential(1 / lam)
    follow = rng.uniform(0.5, years, size=n)
    return pd.DataFrame(
        {
            "segment": seg,
            "exposed": exposed.astype(int),
            "time": np.minimum(t, follow),
            "event": (t <= follow).astype(int),
        }
    )


def _aggregate(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return (
        df.groupby(by, as_index=False)
        .agg(events=("event", "sum"), exposure=("time", "sum"))
        .reset_index(drop=True)
    )


def test_excess_churn_recovers_planted_additive_effect() -> None:
    df = _simulate(60_000, 0.08, seed=1)
    res = excess_churn(_aggregate(df, ["exposed", "segment"]), "exposed", ["segment"])
    assert res.ci_low < 0.08 < res.ci_high
    assert res.excess == pytest.approx(0.08, abs=0.01)
    assert res.p_value < 1e-10
    assert res.churn_exposed - res.churn_unexposed == pytest.approx(res.excess)


def test_interval_coverage_and_null_p_values() -> None:
    covered, small_p = 0, 0
    reps = 60
    for s in range(reps):
        df = _simulate(4000, 0.05, seed=100 + s)
        res = excess_churn(_aggregate(df, ["exposed", "segment"]), "exposed", ["segment"], seed=s)
        covered += res.ci_low <= 0.05 <= res.ci_high
        null = excess_churn(
            _aggregate(_simulate(4000, 0.0, seed=500 + s), ["exposed", "segment"]),
            "exposed",
            ["segment"],
        )
        small_p += null.p_value < 0.05
    assert covered / reps >= 0.88
    assert small_p / reps <= 0.12


def test_hazard_ratio_agrees_with_statsmodels_phreg() -> None:
    # Cox model stratified by segment (PHReg) vs the piecewise-exponential GLM with segment
    # strata: with constant hazards both estimate the same hazard ratio.
    df = _simulate(8000, 0.06, seed=3)
    cox = cox_churn(df["time"], df["event"], df[["exposed"]], strata=df["segment"])
    pe = excess_churn(_aggregate(df, ["exposed", "segment"]), "exposed", ["segment"])
    assert pe.hazard_ratio == pytest.approx(cox.loc["exposed", "hazard_ratio"], rel=0.02)
    assert pe.hr_low == pytest.approx(cox.loc["exposed", "ci_low"], rel=0.03)
    assert pe.hr_high == pytest.approx(cox.loc["exposed", "ci_high"], rel=0.03)


def test_adjustment_removes_confounding_by_segment() -> None:
    rng = np.random.default_rng(4)
    n = 40_000
    seg = rng.choice(["a", "b", "c"], size=n)
    exposed = rng.random(n) < np.where(seg == "b", 0.6, 0.1)  # exposure concentrated in b
    lam = -np.log1p(-np.array([BASE[s] for s in seg]))  # no effect of exposure at all
    t = rng.exponential(1 / lam)
    follow = np.full(n, 2.0)
    df = pd.DataFrame(
        {
            "segment": seg,
            "exposed": exposed.astype(int),
            "time": np.minimum(t, follow),
            "event": (t <= follow).astype(int),
        }
    )
    crude = excess_churn(_aggregate(df, ["exposed"]), "exposed")
    adjusted = excess_churn(_aggregate(df, ["exposed", "segment"]), "exposed", ["segment"])
    assert crude.ci_low > 0.01  # confounded
    assert adjusted.ci_low < 0 < adjusted.ci_high


def test_revenue_at_risk_interval_scales_with_revenue() -> None:
    df = _simulate(30_000, 0.1, seed=5)
    ex = excess_churn(_aggregate(df, ["exposed", "segment"]), "exposed", ["segment"])
    rar = revenue_at_risk(ex, 200_000.0, 9000, currency="EUR")
    assert rar.value == pytest.approx(ex.excess * 200_000)
    assert rar.ci_low == pytest.approx(ex.ci_low * 200_000, rel=0.05)
    assert rar.ci_low < 0.1 * 200_000 < rar.ci_high


def test_churn_by_group_standardised_rates() -> None:
    rng = np.random.default_rng(6)
    n = 50_000
    group = rng.choice(["promoter", "passive", "detractor"], size=n, p=[0.4, 0.3, 0.3])
    p = np.select([group == "promoter", group == "passive"], [0.05, 0.08], 0.15)
    lam = -np.log1p(-p)
    t = rng.exponential(1 / lam)
    df = pd.DataFrame(
        {"nps_group": group, "segment": "a", "time": np.minimum(t, 2.0), "event": t <= 2.0}
    )
    res = churn_by_group(
        _aggregate(df, ["nps_group"]), "nps_group", levels=["promoter", "passive", "detractor"]
    )
    for lv, truth in zip(res.levels, [0.05, 0.08, 0.15], strict=True):
        i = res.levels.index(lv)
        assert res.ci_low[i] < truth < res.ci_high[i]
    assert res.hazard_ratio[0] == 1.0
    assert res.to_dict()["rows"][2]["p_value"] < 1e-10


def test_poisson_fit_equals_statsmodels_glm() -> None:
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(40), rng.integers(0, 2, 40), rng.integers(0, 2, 40)]).astype(float)
    off = np.log(rng.uniform(10, 100, 40))
    y = rng.poisson(np.exp(-2 + 0.3 * x[:, 1] - 0.2 * x[:, 2] + off)).astype(float)
    beta, cov = poisson_fit(y, x, off)
    ref = sm.GLM(y, x, family=sm.families.Poisson(), offset=off).fit()
    np.testing.assert_allclose(beta, ref.params, atol=1e-9)
    np.testing.assert_allclose(cov, ref.cov_params(), rtol=1e-6)


def test_too_few_events() -> None:
    cells = pd.DataFrame({"exposed": [0, 1], "events": [1, 1], "exposure": [10.0, 10.0]})
    with pytest.raises(InsufficientDataError, match="churn events"):
        excess_churn(cells)
