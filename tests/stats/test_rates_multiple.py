"""Churn rates and Benjamini–Hochberg against statsmodels.

R recipes: prop.test(churned, at_risk, correct = FALSE)$conf.int (Wilson);
poisson.test(k, T)$conf.int (exact Garwood); p.adjust(p, method = "BH").
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from cxo.stats import churn_rate, churn_rate_per_year, fdr_bh


def test_churn_rate_is_wilson_on_customers() -> None:
    est = churn_rate(123, 1000)
    low, high = proportion_confint(123, 1000, method="wilson")
    assert est.value == pytest.approx(0.123)
    assert (est.ci_low, est.ci_high) == pytest.approx((low, high), abs=1e-12)


@pytest.mark.parametrize(("k", "exposure"), [(0, 10.0), (3, 12.5), (120, 987.0)])
def test_churn_per_customer_year_exact_poisson(k: int, exposure: float) -> None:
    est = churn_rate_per_year(k, exposure)
    low, high = confint_poisson(k, exposure, method="exact-c")
    assert est.value == pytest.approx(k / exposure)
    assert est.ci_low == pytest.approx(low, abs=1e-12)
    assert est.ci_high == pytest.approx(high, rel=1e-10)


def test_fdr_bh_against_statsmodels() -> None:
    rng = np.random.default_rng(42)
    for m in (1, 2, 7, 50, 500):
        p = np.concatenate([rng.uniform(size=m // 2 + 1), rng.uniform(0, 0.01, size=m // 2)])
        for alpha in (0.05, 0.1):
            reject, adjusted = fdr_bh(p, alpha)
            ref_reject, ref_adj, _, _ = multipletests(p, alpha=alpha, method="fdr_bh")
            np.testing.assert_array_equal(reject, ref_reject)
            np.testing.assert_allclose(adjusted, ref_adj, rtol=1e-12)


def test_fdr_bh_against_R_and_nan_handling() -> None:
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.20), "BH") → 0.04 0.0533… 0.0533… 0.20
    reject, adjusted = fdr_bh([0.01, 0.04, np.nan, 0.03, 0.20])
    np.testing.assert_allclose(adjusted[[0, 1, 3, 4]], [0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert np.isnan(adjusted[2])
    assert reject.tolist() == [True, False, False, False, False]
