"""Key drivers on a workspace, aggregate first: the engine returns sums, never rows.

* The point estimates equal the row-level computation (every rated response pivoted into
  pandas, :func:`cxo.stats.drivers.drivers_from_array`) to 1e-9: listwise and pairwise, the
  overall drivers, performance and every importance–performance cell.
* Only about ``BUCKETS`` + cells rows reach Python, whatever the number of responses.
* The bucket (cluster) bootstrap is as good as the row bootstrap (see
  ``test_intervals_as_wide_as_the_row_bootstrap_and_cover_the_truth`` for the recipe).
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxo.assess.drivers import (
    MIN_ROWS_PER_DRIVER,
    analyse_drivers,
    driver_sums,
    drivers_from_sums,
    ratings_wide,
)
from cxo.stats.driver_sums import BUCKETS
from cxo.stats.drivers import Method, drivers_from_array, lmg_from_corr, relative_weights_from_corr
from cxo.workspace import Workspace
from tests.parity import assert_same

from .test_assess import build


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return build(tmp_path_factory.mktemp("drivers_sums") / "ws")


def _close(a: float, b: float) -> bool:
    return bool(np.isclose(a, b, rtol=1e-9, atol=1e-12) or (np.isnan(a) and np.isnan(b)))


def _performance(
    frame: pd.DataFrame, attrs: list[str], scales: dict[str, tuple[float, float]]
) -> dict[str, float]:
    return {
        a: 100.0 * (frame[a].mean() - scales[a][0]) / (scales[a][1] - scales[a][0]) for a in attrs
    }


@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
def test_point_estimates_equal_the_row_path(ws: Workspace, missing: Any) -> None:
    with ws.connect(read_only=True) as con:
        wide, attrs = ratings_wide(con)
        result = analyse_drivers(con, n_boot=0, missing=missing)
        rows = con.execute(
            "select attribute, min(scale_min), max(scale_max) from ratings group by 1"
        )
        scales = {str(r[0]): (float(r[1]), float(r[2])) for r in rows.fetchall()}
    data = wide[[*attrs, "target"]].to_numpy(dtype=float, na_value=np.nan)
    for got in (result.relative_weights, result.lmg):
        assert got is not None
        want = drivers_from_array(data, attrs, target="nps", method=got.method, missing=missing)
        assert got.n_ == want.n_
        assert got.notes == want.notes
        assert _close(got.r2_, want.r2_)
        np.testing.assert_allclose(got.weights_, want.weights_, rtol=1e-9, atol=1e-15)
    perf = _performance(wide, attrs, scales)
    assert all(_close(result.performance[a], perf[a]) for a in attrs)
    cells = {(c.touchpoint, c.segment, c.attribute): c for c in result.ipa}
    seen = 0
    for (tp, seg), grp in wide.groupby(["touchpoint", "segment"], sort=True):
        if len(grp) < MIN_ROWS_PER_DRIVER * len(attrs):
            continue
        sub = grp[[*attrs, "target"]].to_numpy(dtype=float, na_value=np.nan)
        want = drivers_from_array(sub, attrs, target="nps", missing=missing)
        p = _performance(grp, attrs, scales)
        for a in attrs:
            cell = cells[(str(tp), str(seg), a)]
            assert cell.n == len(grp)
            assert _close(cell.importance, float(want.rescaled_[a]))
            assert _close(cell.performance, p[a])
            seen += 1
    assert seen == len(result.ipa) > 0


def test_na_codes_and_a_subset_of_drivers(ws: Workspace) -> None:
    with ws.connect(read_only=True) as con:
        wide, attrs = ratings_wide(con)
        chosen = attrs[:3]
        sums = driver_sums(con, "nps", chosen, missing="pairwise", na_values=[1.0])
    got = drivers_from_sums(sums, target="nps")
    data = wide[[*chosen, "target"]].to_numpy(dtype=float, na_value=np.nan).copy()
    data[:, :-1][data[:, :-1] == 1.0] = np.nan
    want = drivers_from_array(data, chosen, target="nps", missing="pairwise")
    assert got.n_ == want.n_
    np.testing.assert_allclose(got.weights_, want.weights_, rtol=1e-9)


class _Counting:
    """A DuckDB connection that records how many rows each statement returned."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.most = 0

    def execute(self, query: str, parameters: object = None) -> Any:
        cur = self.con.execute(query, parameters)
        rows, description = cur.fetchall(), cur.description
        self.most = max(self.most, len(rows))
        return _Fetched(rows, description)


class _Fetched:
    def __init__(self, rows: list[Any], description: Any) -> None:
        self.rows, self.description = rows, description

    def fetchall(self) -> list[Any]:
        return self.rows

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None


def test_only_sums_reach_python(ws: Workspace) -> None:
    with ws.connect(read_only=True) as con:
        (rated,) = con.execute("select count(distinct response_id) from ratings").fetchone() or (0,)
        spy = _Counting(con)
        result = analyse_drivers(spy, n_boot=20)
    assert rated > BUCKETS  # more rated responses than rows fetched
    cells = len({(c.touchpoint, c.segment) for c in result.ipa})
    assert spy.most <= BUCKETS + cells + 10
    assert result.relative_weights.n_boot == 20


def test_same_result_run_after_run(ws: Workspace) -> None:
    with ws.connect(read_only=True) as con:
        first = analyse_drivers(con, n_boot=30, seed=4).to_dict()
        again = analyse_drivers(con, n_boot=30, seed=4).to_dict()
    assert_same(first, again, 1e-9)  # parallel sums may differ in the last bits


# --------------------------------------------------------------------------------------------
# validity of the bucket bootstrap: a planted truth, replicated
# --------------------------------------------------------------------------------------------

BETA = np.array([0.45, 0.30, 0.20, 0.0])
SIGMA_X = np.array(
    [
        [1.0, 0.4, 0.2, 0.0],
        [0.4, 1.0, 0.3, 0.0],
        [0.2, 0.3, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ]
)


def _population_corr() -> np.ndarray[Any, Any]:
    """The correlation matrix of (x₁…x₄, y) for y = xβ + e, e ~ N(0, 1)."""
    cov = np.zeros((5, 5))
    cov[:4, :4] = SIGMA_X
    cov[:4, 4] = cov[4, :4] = SIGMA_X @ BETA
    cov[4, 4] = BETA @ SIGMA_X @ BETA + 1.0
    sd = np.sqrt(np.diag(cov))
    corr: np.ndarray[Any, Any] = cov / np.outer(sd, sd)
    return corr


def _company(rng: np.random.Generator, n: int) -> tuple[duckdb.DuckDBPyConnection, np.ndarray]:
    """An in-memory workspace-shaped database (responses, ratings) drawn from the population."""
    x = rng.multivariate_normal(np.zeros(4), SIGMA_X, size=n)
    y = x @ BETA + rng.standard_normal(n)
    ids = np.char.add("R", np.arange(n).astype(str))
    con = duckdb.connect()
    responses = pd.DataFrame({"response_id": ids, "touchpoint": "web", "nps": y})
    ratings = pd.DataFrame(
        {
            "response_id": np.repeat(ids, 4),
            "attribute": np.tile(["a", "b", "c", "d"], n),
            "score": x.ravel(),
            "scale_min": -1e9,
            "scale_max": 1e9,
        }
    )
    for name, table in (("responses", responses), ("ratings", ratings)):
        con.register(f"{name}_src", table)
        con.execute(f"create table {name} as select * from {name}_src")
        con.unregister(f"{name}_src")
    return con, np.column_stack([x, y])


@pytest.mark.slow
def test_intervals_as_wide_as_the_row_bootstrap_and_cover_the_truth() -> None:
    """Recipe: a population with planted weights (3 correlated drivers and an independent
    one with β = 0; the true relative weights and LMG shares from its correlation matrix); 40
    companies of 4,000 responses drawn from it; for each, the 95 % intervals from the sums
    (2,000 buckets, 200 resamples) and from the row bootstrap of the same rows (each row its
    own group). The sums' intervals must be as wide as the rows' (mean SD ratio 1 ± 0.08:
    Monte-Carlo error of 200 resamples ≈ 5 % per company), their SD match the spread of the
    estimates over the companies (the true sampling SD, ± 30 %), and cover the truth in
    ≥ 88 % of the 120 (company, driver) cases of the 3 real drivers (95 % nominal; binomial
    SD 2 points); the null driver beats the random variable in at most a quarter of the
    companies."""
    corr = _population_corr()
    truth: dict[Method, np.ndarray[Any, Any]] = {
        "relative_weights": relative_weights_from_corr(corr)[0],
        "lmg": lmg_from_corr(corr)[0],
    }
    reps, n = 40, 4000
    covered = dict.fromkeys(truth, 0)
    ratios: dict[Method, list[np.ndarray[Any, Any]]] = {m: [] for m in truth}
    estimates: dict[Method, list[np.ndarray[Any, Any]]] = {m: [] for m in truth}
    boot_sd: dict[Method, list[np.ndarray[Any, Any]]] = {m: [] for m in truth}
    significant_d = 0
    for r in range(reps):
        con, data = _company(np.random.default_rng(1000 + r), n)
        sums = driver_sums(con, "nps")
        con.close()
        for method in truth:
            got = drivers_from_sums(sums, method=method, n_boot=200, seed=r)
            rows = drivers_from_array(data, ["a", "b", "c", "d"], method=method, n_boot=200,
                                      seed=r, groups=n + 1)  # fmt: skip
            assert got.ci_low_ is not None
            assert got.ci_high_ is not None
            lo, hi = got.ci_low_.to_numpy(), got.ci_high_.to_numpy()
            covered[method] += int(((lo <= truth[method]) & (truth[method] <= hi))[:3].sum())
            sd = got.extra["boot_weights"].std(axis=0)
            ratios[method].append(sd / rows.extra["boot_weights"].std(axis=0))
            estimates[method].append(got.weights_.to_numpy())
            boot_sd[method].append(sd)
            np.testing.assert_allclose(got.weights_, rows.weights_, rtol=1e-9)
            if method == "relative_weights":
                assert got.significant_ is not None
                significant_d += int(got.significant_["d"])
    for method in truth:
        ratio = np.mean(ratios[method], axis=0)
        assert np.all(np.abs(ratio - 1.0) < 0.08), (method, ratio)
        spread = np.std(estimates[method], axis=0)[:3]
        assert np.all(np.abs(np.mean(boot_sd[method], axis=0)[:3] / spread - 1) < 0.3), method
        # the null driver's true weight is 0, on the boundary: a percentile interval of a
        # non-negative weight cannot cover it (hence the random-variable test)
        assert covered[method] >= 0.88 * 3 * reps, (method, covered[method])
    assert significant_d <= 0.25 * reps  # β = 0: rarely "beats a random variable"
