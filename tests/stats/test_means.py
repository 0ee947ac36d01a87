"""CES means with t intervals and Welch's t test against scipy.

R recipes (same numbers): t.test(x)$conf.int; t.test(a, b, var.equal = FALSE)
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from cxo.stats import mean_t, mean_t_from_sums, welch_t, welch_t_from_sums


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_mean_t_interval_against_scipy(level: float) -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(1, 8, size=57).astype(float)
    est = mean_t(x, level)
    ci = stats.ttest_1samp(x, 0).confidence_interval(confidence_level=level)
    assert est.value == pytest.approx(x.mean())
    assert est.ci_low == pytest.approx(ci.low, rel=1e-10)
    assert est.ci_high == pytest.approx(ci.high, rel=1e-10)
    assert est.se == pytest.approx(stats.sem(x), rel=1e-10)


def test_mean_from_sums_equals_raw() -> None:
    x = np.array([1.0, 2, 2, 3, 7, 5, 4, 4, 4, 6])
    a = mean_t(x)
    b = mean_t_from_sums(x.size, x.sum(), (x**2).sum())
    assert a == b


def test_bounded_scale_clips_the_interval_only_where_it_leaves_the_scale() -> None:
    # t.test(c(1, 1, 2))$conf.int = -0.1009 … 2.7676: below the CES scale's 1.
    x = [1.0, 1.0, 2.0]
    ci = stats.ttest_1samp(x, 0).confidence_interval()
    assert ci.low < 1
    est = mean_t(x, bounds=(1, 7))
    assert (est.ci_low, est.ci_high) == (1.0, pytest.approx(ci.high))
    wide = mean_t([6.0, 7.0, 7.0], bounds=(1, 7))
    assert wide.ci_high == 7.0
    assert wide.ci_low == pytest.approx(
        stats.ttest_1samp([6.0, 7.0, 7.0], 0).confidence_interval().low
    )


def test_mean_of_one_value_has_no_interval() -> None:
    est = mean_t([3.0])
    assert est.value == 3.0
    assert est.to_dict()["ci_low"] is None


def test_welch_against_scipy() -> None:
    rng = np.random.default_rng(9)
    for _ in range(20):
        a = rng.integers(1, 8, size=int(rng.integers(3, 300))).astype(float)
        b = rng.integers(1, 8, size=int(rng.integers(3, 300))).astype(float)
        ref = stats.ttest_ind(a, b, equal_var=False)
        ci = ref.confidence_interval(0.95)
        res = welch_t(a, b)
        assert res.t == pytest.approx(ref.statistic, rel=1e-9)
        assert res.df == pytest.approx(ref.df, rel=1e-9)
        assert res.p_value == pytest.approx(ref.pvalue, rel=1e-8)
        assert res.ci_low == pytest.approx(ci.low, rel=1e-9)
        assert res.ci_high == pytest.approx(ci.high, rel=1e-9)
        from_sums = welch_t_from_sums(a.size, a.sum(), (a**2).sum(), b.size, b.sum(), (b**2).sum())
        assert from_sums.p_value == pytest.approx(res.p_value, rel=1e-9)
