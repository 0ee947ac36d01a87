"""The interval helpers against statsmodels (the outside reference)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from cxo.diagnostics._common import design, grouped_ols, newcombe_diff, wilson


@pytest.mark.parametrize(("x", "n"), [(0, 10), (3, 10), (47, 300), (999, 1000)])
def test_wilson_matches_statsmodels(x: int, n: int) -> None:
    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    est = wilson(x, n)
    assert est.low == pytest.approx(lo, abs=1e-12)
    assert est.high == pytest.approx(hi, abs=1e-12)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"), [(56, 70, 48, 80), (9, 10, 3, 10), (5, 2000, 25, 2100)]
)
def test_newcombe_matches_statsmodels(x1: int, n1: int, x2: int, n2: int) -> None:
    # Newcombe (1998) example 1: 56/70 vs 48/80 → 0.2000, CI 0.0524 to 0.3339.
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    est = newcombe_diff(x1, n1, x2, n2)
    assert est.low == pytest.approx(lo, abs=1e-10)
    assert est.high == pytest.approx(hi, abs=1e-10)
    if (x1, n1, x2, n2) == (56, 70, 48, 80):
        assert (round(est.low, 4), round(est.high, 4)) == (0.0524, 0.3339)


def test_grouped_ols_equals_row_level_statsmodels_hc1() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    extra = rng.integers(0, 5, n)
    seg = rng.choice(["a", "b", "c"], n)
    y = (rng.random(n) < 0.1 + 0.03 * extra + 0.05 * (seg == "b")).astype(float)
    # row level with statsmodels
    x_rows, names = design(
        {"seg": ["a", "b", "c"]},
        [{"extra": e, "seg": s} for e, s in zip(extra, seg, strict=True)],
        ["extra"],
    )
    ref = sm.OLS(y, x_rows).fit(cov_type="HC1")
    # grouped
    keys = sorted({(int(e), str(s)) for e, s in zip(extra, seg, strict=True)})
    rows = [{"extra": e, "seg": s} for e, s in keys]
    mask = [(extra == e) & (seg == s) for e, s in keys]
    cnt = np.array([m.sum() for m in mask], dtype=float)
    sy = np.array([y[m].sum() for m in mask])
    syy = np.array([(y[m] ** 2).sum() for m in mask])
    xg, names_g = design({"seg": ["a", "b", "c"]}, rows, ["extra"])
    fit = grouped_ols(xg, cnt, sy, syy, names_g)
    assert names_g == names
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-9)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=1e-9)
