"""Wilson intervals, CSAT top-2-box and the two-proportion test against statsmodels.

R recipe for the Wilson interval (same numbers):
    prop.test(x, n, correct = FALSE)$conf.int
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from cxo.stats import csat_top2box, proportion, two_proportion_test, wilson_interval


@pytest.mark.parametrize(
    ("x", "n"), [(0, 10), (1, 10), (8, 10), (10, 10), (37, 120), (5000, 9999), (3, 1_000_000)]
)
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_against_statsmodels(x: int, n: int, level: float) -> None:
    low, high = proportion_confint(x, n, alpha=1 - level, method="wilson")
    est = proportion(x, n, level)
    assert est.ci_low == pytest.approx(low, abs=1e-12)
    assert est.ci_high == pytest.approx(high, abs=1e-12)
    assert est.value == pytest.approx(x / n)


def test_wilson_published_value_against_R() -> None:
    # R: prop.test(8, 10, correct = FALSE)$conf.int → 0.4901625 0.9433178
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4901625, abs=1e-7)
    assert high == pytest.approx(0.9433178, abs=1e-7)


def test_csat_top2box_counts_four_and_five() -> None:
    est = csat_top2box([5, 4, 3, 2, 1, 4, np.nan, 5])
    assert (est.successes, est.n) == (4, 7)
    assert est.value == pytest.approx(4 / 7)
    with pytest.raises(ValueError, match="between 1 and 5"):
        csat_top2box([0, 3])


def test_two_proportion_test_against_statsmodels() -> None:
    rng = np.random.default_rng(5)
    for _ in range(30):
        na, nb = (int(v) for v in rng.integers(20, 2000, size=2))
        xa, xb = int(rng.integers(1, na)), int(rng.integers(1, nb))
        res = two_proportion_test(xa, na, xb, nb)
        z, p = proportions_ztest([xa, xb], [na, nb])
        assert res.z == pytest.approx(z, rel=1e-9)
        assert res.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)
        low, high = confint_proportions_2indep(xa, na, xb, nb, method="newcomb", compare="diff")
        assert res.ci_low == pytest.approx(low, abs=1e-10)
        assert res.ci_high == pytest.approx(high, abs=1e-10)


def test_two_proportion_test_equal_extremes() -> None:
    res = two_proportion_test(0, 10, 0, 20)
    assert res.difference == 0
    assert res.p_value == pytest.approx(1.0)
