"""The minimum detectable effect of a difference-in-differences against statsmodels' power
functions and a seeded simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower

from cxo.errors import InsufficientDataError, UsageError
from cxo.stats.power import Cell, did_se, mde, multiplier, nps_variance, power_at


def test_the_multiplier_is_z_975_plus_z_80() -> None:
    assert multiplier() == pytest.approx(1.959964 + 0.841621, abs=1e-6)


@pytest.mark.parametrize(("n1", "ratio"), [(50, 1.0), (400, 0.5), (3000, 4.0)])
def test_a_two_group_mde_matches_statsmodels_normal_ind_power(n1: float, ratio: float) -> None:
    """Two cells of variance σ² are the two-sample z-test NormalIndPower solves for."""
    sigma = 73.0
    se = sigma * math.sqrt(1 / n1 + 1 / (n1 * ratio))
    d = NormalIndPower().solve_power(
        effect_size=None, nobs1=n1, alpha=0.05, power=0.8, ratio=ratio, alternative="two-sided"
    )
    # statsmodels counts the (tiny) chance of rejecting in the wrong tail too
    assert mde(se) == pytest.approx(d * sigma, rel=1e-4)
    assert power_at(d * sigma, se) == pytest.approx(0.8, abs=1e-5)
    for effect in (5.0, 20.0):
        want = NormalIndPower().power(effect / sigma, nobs1=n1, alpha=0.05, ratio=ratio)
        assert power_at(effect, se) == pytest.approx(want, rel=1e-9)


def test_the_did_mde_matches_statsmodels_when_the_four_cells_collapse_to_two() -> None:
    """Four cells of n with one variance: SE² = 4σ²/n, the z-test of two groups of n/2."""
    sigma, n = 80.0, 600
    cell = Cell(n, sigma**2)
    se = did_se(cell, cell, cell, cell)
    assert se == pytest.approx(math.sqrt(4 * sigma**2 / n))
    d = NormalIndPower().solve_power(effect_size=None, nobs1=n / 2, alpha=0.05, power=0.8)
    assert mde(se) == pytest.approx(d * sigma, rel=1e-4)


def test_a_did_at_the_mde_is_detected_80_percent_of_the_time() -> None:
    """Seeded simulation of NPS answers in four cells with the true effect = MDE."""
    rng = np.random.default_rng(20261203)
    shares = {"tp": (0.30, 0.35), "cp": (0.40, 0.25)}  # (promoters, detractors) before
    n = {"tp": 2000, "tq": 1200, "cp": 4000, "cq": 3000}
    var_t, var_c = nps_variance(*shares["tp"]), nps_variance(*shares["cp"])
    se = did_se(Cell(n["tp"], var_t), Cell(n["tq"], var_t), Cell(n["cp"], var_c),
                Cell(n["cq"], var_c))  # fmt: skip
    effect = mde(se)
    # after launch the effect turns detractors of the treated group into promoters (+200
    # points each), which keeps the variance of the scores almost as it was
    p_t, d_t = shares["tp"]
    moved = effect / 200.0

    def draw(size: int, p: float, d: float) -> np.ndarray:
        return rng.choice([100.0, 0.0, -100.0], size=size, p=[p, 1 - p - d, d])

    runs, hits = 4000, 0
    for _ in range(runs):
        tp = draw(n["tp"], p_t, d_t)
        tq = draw(n["tq"], p_t + moved, d_t - moved)
        cp = draw(n["cp"], *shares["cp"])
        cq = draw(n["cq"], *shares["cp"])
        est = (tq.mean() - tp.mean()) - (cq.mean() - cp.mean())
        se_hat = math.sqrt(sum(x.var(ddof=1) / len(x) for x in (tp, tq, cp, cq)))
        hits += abs(est / se_hat) > 1.959964
    # 4000 runs: the binomial standard error around 0.8 is 0.0063
    assert 0.78 <= hits / runs <= 0.825


def test_nps_variance_is_that_of_the_scores() -> None:
    scores = np.array([100.0] * 30 + [0.0] * 35 + [-100.0] * 35)
    assert nps_variance(0.30, 0.35) == pytest.approx(scores.var(ddof=0))


def test_bad_inputs_are_typed_errors() -> None:
    with pytest.raises(InsufficientDataError):
        did_se(Cell(0, 1.0), Cell(1, 1.0), Cell(1, 1.0), Cell(1, 1.0))
    with pytest.raises(UsageError):
        did_se(Cell(1, math.nan), Cell(1, 1.0), Cell(1, 1.0), Cell(1, 1.0))
    with pytest.raises(UsageError):
        multiplier(alpha=1.5)
