"""Key drivers: LMG against R's relaimpo, relative weights against an independent computation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

import cxo.stats
from cxo.errors import InsufficientDataError, UsageError
from cxo.stats.drivers import PAIRWISE, relative_weights_from_corr, subset_r2

# mtcars (R datasets): mpg, cyl, vs, am of the 32 cars, in R's row order.
MTCARS = [
    (21.0, 6, 0, 1), (21.0, 6, 0, 1), (22.8, 4, 1, 1), (21.4, 6, 1, 0),
    (18.7, 8, 0, 0), (18.1, 6, 1, 0), (14.3, 8, 0, 0), (24.4, 4, 1, 0),
    (22.8, 4, 1, 0), (19.2, 6, 1, 0), (17.8, 6, 1, 0), (16.4, 8, 0, 0),
    (17.3, 8, 0, 0), (15.2, 8, 0, 0), (10.4, 8, 0, 0), (10.4, 8, 0, 0),
    (14.7, 8, 0, 0), (32.4, 4, 1, 1), (30.4, 4, 1, 1), (33.9, 4, 1, 1),
    (21.5, 4, 1, 0), (15.5, 8, 0, 0), (15.2, 8, 0, 0), (13.3, 8, 0, 0),
    (19.2, 8, 0, 0), (27.3, 4, 1, 1), (26.0, 4, 0, 1), (30.4, 4, 1, 1),
    (15.8, 8, 0, 1), (19.7, 6, 0, 1), (15.0, 8, 0, 1), (21.4, 4, 1, 1),
]  # fmt: skip


@pytest.fixture
def mtcars() -> pd.DataFrame:
    return pd.DataFrame(MTCARS, columns=["mpg", "cyl", "vs", "am"])


def test_lmg_matches_relaimpo(mtcars: pd.DataFrame) -> None:
    # R 4.x, relaimpo 2.2-7:
    #   library(relaimpo)
    #   calc.relimp(mpg ~ cyl + vs + am, mtcars, type = "lmg")
    #   -> Proportion of variance explained by model: 76.2%   (R^2 = 0.7619773)
    #      lmg:  cyl 0.3817849   vs 0.2027032   am 0.1774892
    res = cxo.stats.shapley_r2(mtcars[["cyl", "vs", "am"]], mtcars["mpg"])
    assert res.r2_ == pytest.approx(0.7619773, abs=1e-6)
    assert res.weights_["cyl"] == pytest.approx(0.3817849, abs=1e-6)
    assert res.weights_["vs"] == pytest.approx(0.2027032, abs=1e-6)
    assert res.weights_["am"] == pytest.approx(0.1774892, abs=1e-6)
    assert res.rescaled_.sum() == pytest.approx(100.0)
    assert res.ranking() == ["cyl", "vs", "am"]


def test_r2_matches_ols(mtcars: pd.DataFrame) -> None:
    import statsmodels.api as sm

    ols = sm.OLS(mtcars["mpg"], sm.add_constant(mtcars[["cyl", "vs", "am"]])).fit()
    res = cxo.stats.relative_weights(mtcars[["cyl", "vs", "am"]], mtcars["mpg"])
    assert res.r2_ == pytest.approx(ols.rsquared, abs=1e-10)
    assert res.weights_.sum() == pytest.approx(ols.rsquared, abs=1e-10)
    assert res.rescaled_.sum() == pytest.approx(100.0)


def _rw_by_svd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson (2000) from the data (not the correlation matrix): X = P Δ Qᵀ, Z = P Qᵀ."""
    xs = (x - x.mean(0)) / x.std(0)
    ys = (y - y.mean()) / y.std()
    p_, _, qt = np.linalg.svd(xs, full_matrices=False)
    z = np.sqrt(len(x)) * p_ @ qt  # the closest orthogonal (standardised) approximation of X
    beta = np.linalg.lstsq(z, ys, rcond=None)[0]  # y on Z
    lam = np.linalg.lstsq(z, xs, rcond=None)[0]  # X on Z: Λ*
    return (lam**2).T @ (beta**2)


def test_relative_weights_against_svd_reimplementation() -> None:
    rng = np.random.default_rng(7)
    n, p = 500, 6
    cov = 0.5 * np.eye(p) + 0.5  # strongly correlated drivers
    x = rng.multivariate_normal(np.zeros(p), cov, size=n)
    y = x @ np.array([0.6, 0.3, 0.0, 0.2, 0.0, 0.1]) + rng.standard_normal(n)
    names = [f"d{i}" for i in range(p)]
    res = cxo.stats.relative_weights(pd.DataFrame(x, columns=names), pd.Series(y))
    np.testing.assert_allclose(res.weights_.to_numpy(), _rw_by_svd(x, y), atol=1e-10)
    assert res.weights_.sum() == pytest.approx(res.r2_, abs=1e-12)


def test_mtcars_relative_weights(mtcars: pd.DataFrame) -> None:
    x = mtcars[["cyl", "vs", "am"]].to_numpy(float)
    res = cxo.stats.relative_weights(mtcars[["cyl", "vs", "am"]], mtcars["mpg"])
    np.testing.assert_allclose(res.weights_.to_numpy(), _rw_by_svd(x, mtcars["mpg"].to_numpy()))
    assert res.r2_ == pytest.approx(0.7619773, abs=1e-6)


def _lmg_by_permutations(corr: np.ndarray) -> np.ndarray:
    """LMG by brute force: average R² gain over all p! orders (independent of the recursion)."""
    p = corr.shape[0] - 1

    def r2(s: tuple[int, ...]) -> float:
        if not s:
            return 0.0
        idx = list(s)
        rxx = corr[np.ix_(idx, idx)]
        rxy = corr[idx, -1]
        return float(rxy @ np.linalg.solve(rxx, rxy))

    out = np.zeros(p)
    perms = list(itertools.permutations(range(p)))
    for perm in perms:
        for i, j in enumerate(perm):
            out[j] += r2(tuple(sorted(perm[: i + 1]))) - r2(tuple(sorted(perm[:i])))
    return out / len(perms)


def test_lmg_against_permutations_and_subset_r2() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((300, 5)) @ rng.standard_normal((5, 5))
    y = x @ rng.standard_normal(5) + 2 * rng.standard_normal(300)
    res = cxo.stats.shapley_r2(pd.DataFrame(x, columns=list("abcde")), pd.Series(y))
    corr = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    np.testing.assert_allclose(res.weights_.to_numpy(), _lmg_by_permutations(corr), atol=1e-10)
    r2 = subset_r2(corr)
    for mask in (0b1, 0b101, 0b11010, 0b11111):
        idx = [j for j in range(5) if mask >> j & 1]
        rxy = corr[idx, -1]
        assert r2[mask] == pytest.approx(rxy @ np.linalg.solve(corr[np.ix_(idx, idx)], rxy))


def test_independent_drivers_rw_equals_lmg_equals_squared_correlation() -> None:
    rng = np.random.default_rng(11)
    n = 4000
    q, _ = np.linalg.qr(rng.standard_normal((n, 4)))
    x = q - q.mean(0)  # exactly uncorrelated columns
    x = np.linalg.qr(x)[0]
    y = x @ np.array([3.0, 2.0, 1.0, 0.0]) * 40 + rng.standard_normal(n)
    frame = pd.DataFrame(x, columns=list("abcd"))
    rw = cxo.stats.relative_weights(frame, pd.Series(y))
    lmg = cxo.stats.shapley_r2(frame, pd.Series(y))
    r = np.array([np.corrcoef(x[:, j], y)[0, 1] for j in range(4)])
    np.testing.assert_allclose(rw.weights_.to_numpy(), r**2, atol=1e-3)
    np.testing.assert_allclose(lmg.weights_.to_numpy(), r**2, atol=1e-3)
    np.testing.assert_allclose(rw.weights_.to_numpy(), lmg.weights_.to_numpy(), atol=2e-3)


def test_fifteen_drivers_exact_and_sixteen_rejected() -> None:
    rng = np.random.default_rng(5)
    n, p = 400, 15
    x = rng.standard_normal((n, p)) + 0.5 * rng.standard_normal((n, 1))
    y = x @ np.linspace(1, 0, p) + rng.standard_normal(n)
    frame = pd.DataFrame(x, columns=[f"v{i}" for i in range(p)])
    res = cxo.stats.shapley_r2(frame, pd.Series(y))
    assert res.weights_.sum() == pytest.approx(res.r2_, abs=1e-10)
    import statsmodels.api as sm

    assert res.r2_ == pytest.approx(sm.OLS(y, sm.add_constant(x)).fit().rsquared, abs=1e-10)
    frame["v15"] = rng.standard_normal(n)
    with pytest.raises(UsageError, match="15 drivers"):
        cxo.stats.shapley_r2(frame, pd.Series(y))


def test_bootstrap_intervals_and_random_variable_test() -> None:
    rng = np.random.default_rng(1)
    n = 3000
    x = rng.standard_normal((n, 4))
    x[:, 1] += 0.5 * x[:, 0]
    y = 0.5 * x[:, 0] + 0.3 * x[:, 1] + 0.2 * x[:, 2] + rng.standard_normal(n)  # d is noise
    frame = pd.DataFrame(x, columns=list("abcd"))
    for fn in (cxo.stats.relative_weights, cxo.stats.shapley_r2):
        res = fn(frame, pd.Series(y), n_boot=300, seed=2)
        assert res.ci_low_ is not None
        assert res.ci_high_ is not None
        assert res.significant_ is not None
        assert bool((res.ci_low_ <= res.weights_).all())
        assert bool((res.weights_ <= res.ci_high_).all())
        assert res.significant_.to_dict() == {"a": True, "b": True, "c": True, "d": False}
        # bootstrap spread ~ the analytic-free jackknife-ish check: the SE of a's weight from
        # the bootstrap is close to the SD over independent replications of the experiment
        # (checked below once for relative weights only)
    reps = []
    for s in range(40):
        r = np.random.default_rng(100 + s)
        xx = r.standard_normal((n, 4))
        xx[:, 1] += 0.5 * xx[:, 0]
        yy = 0.5 * xx[:, 0] + 0.3 * xx[:, 1] + 0.2 * xx[:, 2] + r.standard_normal(n)
        reps.append(
            cxo.stats.relative_weights(
                pd.DataFrame(xx, columns=list("abcd")), pd.Series(yy)
            ).weights_["a"]
        )
    res = cxo.stats.relative_weights(frame, pd.Series(y), n_boot=400, seed=3)
    boot_sd = float(np.std(res.extra["boot_weights"][:, 0]))
    assert boot_sd == pytest.approx(float(np.std(reps)), rel=0.4)


def test_grouped_bootstrap_for_large_n_matches_row_bootstrap_spread() -> None:
    rng = np.random.default_rng(9)
    n = 20_000
    x = rng.standard_normal((n, 3))
    y = x @ np.array([0.3, 0.2, 0.1]) + rng.standard_normal(n)
    frame = pd.DataFrame(x, columns=list("abc"))
    rows = cxo.stats.relative_weights(frame, pd.Series(y), n_boot=300, groups=n, seed=1)
    grouped = cxo.stats.relative_weights(frame, pd.Series(y), n_boot=300, groups=500, seed=1)
    sd_rows = rows.extra["boot_weights"].std(0)
    sd_groups = grouped.extra["boot_weights"].std(0)
    np.testing.assert_allclose(sd_groups, sd_rows, rtol=0.25)


def test_missing_values_listwise_pairwise_and_na_codes() -> None:
    rng = np.random.default_rng(4)
    n = 2000
    x = rng.integers(1, 6, size=(n, 3)).astype(float)
    y = x @ np.array([1.0, 0.5, 0.0]) + rng.standard_normal(n)
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    frame.loc[rng.random(n) < 0.2, "b"] = 0  # "not applicable" coded 0 on a 1–5 scale
    with_code = cxo.stats.relative_weights(frame, pd.Series(y), na_values=[0])
    as_nan = cxo.stats.relative_weights(frame.replace({0: np.nan}), pd.Series(y))
    assert with_code.n_ == as_nan.n_ == int((frame["b"] != 0).sum())
    np.testing.assert_allclose(with_code.weights_, as_nan.weights_)
    per_col = cxo.stats.relative_weights(frame, pd.Series(y), na_values={"b": [0]})
    np.testing.assert_allclose(per_col.weights_, as_nan.weights_)
    # pairwise: each correlation from the rows where both are present (checked against pandas)
    frame2 = frame.replace({0: np.nan})
    frame2.loc[rng.random(n) < 0.1, "a"] = np.nan
    pw = cxo.stats.relative_weights(frame2, pd.Series(y), missing="pairwise")
    corr = pd.concat([frame2, pd.Series(y, name="y")], axis=1).corr()  # pandas = pairwise
    w, r2, _ = relative_weights_from_corr(corr.to_numpy())
    np.testing.assert_allclose(pw.weights_.to_numpy(), w, atol=1e-12)
    assert pw.r2_ == pytest.approx(float(r2))
    assert PAIRWISE in pw.notes
    assert pw.to_dict()["note_messages"] == [
        {"message": "drivers.note.pairwise_deletion", "params": {"pairs": pw.n_}}
    ]
    lw = cxo.stats.relative_weights(frame2, pd.Series(y), missing="listwise")
    assert lw.n_ == int(frame2.notna().all(axis=1).sum())


def test_errors_on_bad_input() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 2.0]})
    with pytest.raises(InsufficientDataError):
        cxo.stats.relative_weights(frame, pd.Series([1.0, 2.0, 3.0]))
    rng = np.random.default_rng(0)
    big = pd.DataFrame({"a": rng.standard_normal(50), "b": np.ones(50)})
    with pytest.raises(InsufficientDataError, match="without variance: b"):
        cxo.stats.relative_weights(big, pd.Series(rng.standard_normal(50)))
    with pytest.raises(UsageError):
        cxo.stats.relative_weights(big, pd.Series(np.ones(10)))
    with pytest.raises(UsageError):
        cxo.stats.relative_weights(big, pd.Series(np.ones(50)), missing="bogus")  # type: ignore[arg-type]


def test_to_dict_is_data() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.standard_normal((100, 2)), columns=["<b>x</b>", "y2"])
    res = cxo.stats.relative_weights(frame, pd.Series(frame.sum(axis=1) + rng.standard_normal(100)))
    d = res.to_dict()
    assert math.isclose(sum(r["percent"] for r in d["drivers"]), 100.0)
    assert {r["driver"] for r in d["drivers"]} == {"<b>x</b>", "y2"}
    assert d["note_messages"] == []
    assert not hasattr(res, "summary")
    assert not hasattr(res, "to_html")
