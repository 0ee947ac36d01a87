"""Grouped OLS with HC1 errors against row-level statsmodels (the outside reference).

Python recipe for the reference (same numbers):
    statsmodels.api.OLS(y, X).fit(cov_type="HC1").params / .bse
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from cxo.stats.ols import design, grouped_ols


def _grouped(extra: np.ndarray, seg: np.ndarray, y: np.ndarray) -> tuple:
    keys = sorted({(int(e), str(s)) for e, s in zip(extra, seg, strict=True)})
    rows = [{"extra": e, "seg": s} for e, s in keys]
    mask = [(extra == e) & (seg == s) for e, s in keys]
    cnt = np.array([m.sum() for m in mask], dtype=float)
    sy = np.array([y[m].sum() for m in mask])
    syy = np.array([(y[m] ** 2).sum() for m in mask])
    return rows, cnt, sy, syy


@pytest.mark.parametrize("binary", [True, False])
def test_grouped_ols_equals_row_level_statsmodels_hc1(binary: bool) -> None:
    rng = np.random.default_rng(7)
    n = 3000
    extra = rng.integers(0, 5, n)
    seg = rng.choice(["a", "b", "c"], n)
    if binary:
        y = (rng.random(n) < 0.1 + 0.03 * extra + 0.05 * (seg == "b")).astype(float)
    else:
        y = rng.normal(10 - 2.0 * extra + 3.0 * (seg == "c"), 5.0)
    x_rows, names = design(
        {"seg": ["a", "b", "c"]},
        [{"extra": e, "seg": s} for e, s in zip(extra, seg, strict=True)],
        ["extra"],
    )
    ref = sm.OLS(y, x_rows).fit(cov_type="HC1")
    rows, cnt, sy, syy = _grouped(extra, seg, y)
    xg, names_g = design({"seg": ["a", "b", "c"]}, rows, ["extra"])
    fit = grouped_ols(xg, cnt, sy, syy, names_g)
    assert names_g == names == ["Intercept", "extra", "seg[b]", "seg[c]"]
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-9)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=1e-9)
    assert fit.n == n
    est = fit.estimate("extra")
    lo, hi = ref.conf_int(alpha=0.05)[1]
    assert est.value == pytest.approx(ref.params[1], rel=1e-9)
    assert est.se == pytest.approx(ref.bse[1], rel=1e-9)
    assert (est.ci_low, est.ci_high) == pytest.approx((lo, hi), rel=1e-9)
    assert est.n == n


def test_design_reference_level_and_unknown_levels() -> None:
    x, names = design(
        {"seg": ["a", "b"], "band": ["0-12", "13-24", "25+"]},
        [{"k": 2, "seg": "b", "band": "25+"}, {"k": 0, "seg": "z", "band": "0-12"}],
        ["k"],
    )
    assert names == ["Intercept", "k", "seg[b]", "band[13-24]", "band[25+]"]
    # the first level is the reference; a level not listed gets no dummy at all
    assert x.tolist() == [[1.0, 2.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0, 0.0]]
