"""Newcombe's difference of proportions and the normal mean from sums (used by the
diagnostics), against statsmodels and a published example.

Newcombe (1998), Statistics in Medicine 17, 873–890, example 1: 56/70 vs 48/80 →
difference 0.2000, 95 % CI 0.0524 to 0.3339 (method 10).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from cxo.stats import proportion
from cxo.stats.means import mean_normal_from_sums
from cxo.stats.proportions import proportion_difference


@pytest.mark.parametrize(("x", "n"), [(0, 10), (3, 10), (47, 300), (999, 1000)])
def test_wilson_matches_statsmodels(x: int, n: int) -> None:
    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    est = proportion(x, n)
    assert est.ci_low == pytest.approx(lo, abs=1e-12)
    assert est.ci_high == pytest.approx(hi, abs=1e-12)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"), [(56, 70, 48, 80), (9, 10, 3, 10), (5, 2000, 25, 2100)]
)
def test_newcombe_matches_statsmodels(x1: int, n1: int, x2: int, n2: int) -> None:
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    est = proportion_difference(x1, n1, x2, n2)
    assert est.value == pytest.approx(x1 / n1 - x2 / n2)
    assert est.ci_low == pytest.approx(lo, abs=1e-10)
    assert est.ci_high == pytest.approx(hi, abs=1e-10)
    assert est.n == n1 + n2
    if (x1, n1, x2, n2) == (56, 70, 48, 80):
        assert (round(est.ci_low, 4), round(est.ci_high, 4)) == (0.0524, 0.3339)


def test_newcombe_empty_group_is_missing() -> None:
    est = proportion_difference(0, 0, 3, 10)
    assert math.isnan(est.value)
    assert math.isnan(est.ci_low)
    assert est.n == 10


def test_mean_normal_from_sums_matches_numpy() -> None:
    x = np.random.default_rng(2).gamma(2.0, 1.5, 500)
    est = mean_normal_from_sums(len(x), x.sum(), (x * x).sum())
    se = x.std(ddof=1) / math.sqrt(len(x))
    assert est.value == pytest.approx(x.mean())
    assert est.se == pytest.approx(se, rel=1e-9)
    assert (est.ci_low, est.ci_high) == pytest.approx(
        (x.mean() - 1.959963984540054 * se, x.mean() + 1.959963984540054 * se), rel=1e-9
    )
    assert est.n == 500
    assert math.isnan(mean_normal_from_sums(0, 0.0, 0.0).value)
