"""The bootstrap helpers: percentile intervals, moment SQL, the Poisson bootstrap from moments.

The vectorised Poisson bootstrap draws each group's resampled sums from the normal with the
exact bootstrap mean Σv and covariance Σvv'; checked here against an explicit Poisson(1)
resampling of the units (the outside reference is the definition itself).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from cxo.stats.bootstrap import (
    moment_sql,
    percentile_estimate,
    percentile_interval,
    poisson_boot_normal,
)


def test_percentile_interval_matches_numpy_and_ignores_nan() -> None:
    rng = np.random.default_rng(1)
    draws = rng.normal(size=1000)
    lo, hi = percentile_interval(np.concatenate([draws, [np.nan, np.inf]]))
    assert (lo, hi) == pytest.approx(tuple(np.quantile(draws, [0.025, 0.975])), rel=1e-12)
    assert np.isnan(percentile_interval(np.array([np.nan]))).all()
    est = percentile_estimate(0.1, draws, n=1000)
    assert (est.value, est.ci_low, est.ci_high, est.n) == (0.1, lo, hi, 1000)


def test_moment_sql_runs_in_duckdb() -> None:
    con = duckdb.connect()
    con.execute("create table t as select * from (values (1, 1.0, 2.0), (1, 3.0, 4.0)) v(g, a, b)")
    row = con.execute(f"select {moment_sql(['a', 'b'])} from t group by g").fetchone()
    assert row == (4.0, 6.0, 10.0, 14.0, 20.0)  # s0, s1, c0_0, c0_1, c1_1


def test_poisson_boot_normal_matches_explicit_poisson_resampling() -> None:
    rng = np.random.default_rng(3)
    units = [rng.gamma(2.0, 3.0, size=(4000, 2)), rng.gamma(1.0, 1.0, size=(2500, 2))]
    rows = []
    for v in units:
        r = {"s0": v[:, 0].sum(), "s1": v[:, 1].sum()}
        r |= {"c0_0": (v[:, 0] ** 2).sum(), "c0_1": (v[:, 0] * v[:, 1]).sum()}
        r["c1_1"] = (v[:, 1] ** 2).sum()
        rows.append(r)
    draws = poisson_boot_normal(rows, 2, 4000, np.random.default_rng(4))
    assert draws.shape == (4000, 2, 2)
    ref_rng = np.random.default_rng(5)
    for g, v in enumerate(units):
        explicit = np.array([ref_rng.poisson(1.0, len(v)) @ v for _ in range(1500)])
        np.testing.assert_allclose(draws[:, g].mean(axis=0), v.sum(axis=0), rtol=2e-3)
        np.testing.assert_allclose(draws[:, g].std(axis=0), explicit.std(axis=0), rtol=0.08)
        corr = np.corrcoef(draws[:, g].T)[0, 1]
        assert corr == pytest.approx(np.corrcoef(explicit.T)[0, 1], abs=0.06)


def test_poisson_boot_normal_tolerates_constant_statistics() -> None:
    # a statistic that is the same as another (singular covariance) and one that is zero
    rows = [
        {"s0": 10.0, "s1": 10.0, "s2": 0.0}
        | {"c0_0": 10.0, "c0_1": 10.0, "c0_2": 0.0, "c1_1": 10.0, "c1_2": 0.0, "c2_2": 0.0}
    ]
    draws = poisson_boot_normal(rows, 3, 500, np.random.default_rng(0))
    np.testing.assert_allclose(draws[:, 0, 0], draws[:, 0, 1], atol=1e-9)
    assert np.all(draws[:, 0, 2] == 0.0)
