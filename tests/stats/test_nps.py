"""NPS and its adjusted-Wald interval (Rocks 2016, "Interval estimation for the Net Promoter
Score", The American Statistician 70(4); MeasuringU's description: "add 3 to n, ¾ to the
promoters and ¾ to the detractors").

No published table of numeric adjusted-Wald NPS intervals was available to the search tool, so
the worked examples below are computed by hand from the formula in PRODUCT.md, in exact
fractions, and cross-checked by a second, independent computation (the weighted variance of
−1/0/+1 pseudo-observations).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import cxo
from cxo.stats import NpsEstimate, nps, nps_counts, nps_difference, nps_from_counts

Z95 = 1.959963984540054  # qnorm(0.975) in R


def test_plain_nps_value_from_scores() -> None:
    scores = [10, 9, 9, 8, 7, 6, 0, 10, 5, 8]  # 4 promoters, 3 passives (8, 7, 8), 3 detractors
    est = nps(scores)
    assert nps_counts(scores) == (4, 3, 3)
    assert est.value == pytest.approx(10.0)
    assert est.n == 10


def test_adjusted_wald_worked_example_by_hand() -> None:
    # 36 answers: 15 promoters, 14 passives, 7 detractors.
    #   plain NPS = (15 − 7) / 36 = 0.2222… → 22.22 points
    #   n′ = 36 + 3 = 39
    #   p′ = (15 + 0.75) / 39 = 15.75 / 39 = 21/52  = 0.403846…
    #   d′ = ( 7 + 0.75) / 39 =  7.75 / 39 = 31/156 = 0.198718…
    #   centre = p′ − d′ = 8/39 = 0.205128…
    #   variance of one answer = p′ + d′ − (p′ − d′)² = 23.5/39 − (8/39)² = 1705/3042 = 0.560487…
    #   se = √(0.560487 / 39) = √0.0143714 = 0.119881
    #   half-width = 1.959964 × 0.119881 = 0.234962
    #   interval = 0.205128 ∓ 0.234962 = [−0.029834, 0.440091] → [−2.98, 44.01] points
    est = cxo.stats.nps([10] * 15 + [8] * 14 + [3] * 7)
    assert isinstance(est, NpsEstimate)
    assert est.value == pytest.approx(22.2222222, abs=1e-6)
    assert est.se == pytest.approx(11.988098, abs=1e-5)
    assert est.ci_low == pytest.approx(-2.9834197, abs=1e-5)
    assert est.ci_high == pytest.approx(44.0090608, abs=1e-5)
    assert est.n == 36
    # The interval is not centred on the plain NPS but on the adjusted one.
    assert (est.ci_low + est.ci_high) / 2 == pytest.approx(100 * 8 / 39)


def test_adjusted_wald_cross_check_with_pseudo_observations() -> None:
    # Independent route: the adjusted-Wald interval is a Wald interval on a sample with
    # 0.75 pseudo-promoters, 0.75 pseudo-detractors and 1.5 pseudo-passives added.
    rng = np.random.default_rng(11)
    for _ in range(25):
        p, q, d = (int(x) for x in rng.integers(0, 60, size=3))
        if p + q + d == 0:
            continue
        values = np.array([1.0, 0.0, -1.0])
        weights = np.array([p + 0.75, q + 1.5, d + 0.75])
        mean = np.average(values, weights=weights)
        var = np.average((values - mean) ** 2, weights=weights) / weights.sum()
        est = nps_from_counts(p, q, d)
        assert est.se == pytest.approx(100 * math.sqrt(var), rel=1e-12)
        assert est.ci_low == pytest.approx(100 * max(-1, mean - Z95 * math.sqrt(var)), abs=1e-9)
        assert est.ci_high == pytest.approx(100 * min(1, mean + Z95 * math.sqrt(var)), abs=1e-9)


def test_interval_is_clipped_and_level_widens_it() -> None:
    all_promoters = nps_from_counts(5, 0, 0)
    assert all_promoters.value == 100.0
    assert all_promoters.ci_high == 100.0
    assert all_promoters.ci_low < 100.0
    assert nps_from_counts(20, 10, 5, level=0.99).ci_low < nps_from_counts(20, 10, 5).ci_low
    with pytest.raises(ValueError, match="between 0 and 10"):
        nps([11])
    with pytest.raises(ValueError, match="level"):
        nps([9], level=95)


def test_empty_sample_has_no_value_but_a_prior_interval() -> None:
    est = nps([])
    assert math.isnan(est.value)
    assert est.to_dict()["value"] is None


def test_adjusted_wald_covers_true_nps_95_percent_of_the_time() -> None:
    # Seeded coverage simulation: trinomial samples, 20 000 per scenario; the library function is
    # evaluated once per distinct (promoters, passives, detractors) outcome and weighted.
    rng = np.random.default_rng(2016)
    reps = 20_000
    scenarios = [
        (50, (0.30, 0.40, 0.30)),
        (100, (0.50, 0.30, 0.20)),
        (200, (0.60, 0.25, 0.15)),
        (400, (0.20, 0.30, 0.50)),
    ]
    covered = 0
    for n, probs in scenarios:
        truth = 100 * (probs[0] - probs[2])
        draws = rng.multinomial(n, probs, size=reps)
        outcomes, counts = np.unique(draws, axis=0, return_counts=True)
        hit = 0
        for (p, q, d), k in zip(outcomes, counts, strict=True):
            est = nps_from_counts(int(p), int(q), int(d))
            hit += int(k) * (est.ci_low <= truth <= est.ci_high)
        coverage = hit / reps
        assert 0.935 <= coverage <= 0.965, (n, probs, coverage)
        covered += hit
    assert 0.935 <= covered / (reps * len(scenarios)) <= 0.965


def test_difference_worked_example_by_hand() -> None:
    # a: 15 promoters, 14 passives, 7 detractors (n = 36) → centre 8/39, v = 1705/3042
    # b: 10 promoters, 12 passives, 18 detractors (n = 40), n′ = 43
    #    p′ = 10.75/43 = 0.25, d′ = 18.75/43 = 0.436047, centre = −8/43 = −0.186047
    #    v = 29.5/43 − (8/43)² = 2409/3698 = 0.651433
    # var(diff) = 0.560487/39 + 0.651433/43 = 0.0143714 + 0.0151496 = 0.0295211
    # se = 0.171817; adjusted difference = 8/39 + 8/43 = 656/1677 = 0.391175
    # z = 0.391175 / 0.171817 = 2.27669 → p = 2·(1 − Φ(2.27669)) = 0.022804
    # interval = 0.391175 ∓ 1.959964 × 0.171817 = [0.054420, 0.727930]
    # plain difference = 22.222 − (−20.0) = 42.222 points
    a = [10] * 15 + [7] * 14 + [0] * 7
    b = [9] * 10 + [8] * 12 + [6] * 18
    diff = nps_difference(a, b)
    assert diff.difference == pytest.approx(42.2222222, abs=1e-6)
    assert diff.se == pytest.approx(17.181693, abs=1e-5)
    assert diff.z == pytest.approx(2.2766948, abs=1e-6)
    assert diff.p_value == pytest.approx(0.0228045, abs=1e-6)
    assert diff.ci_low == pytest.approx(5.441971, abs=1e-5)
    assert diff.ci_high == pytest.approx(72.792972, abs=1e-5)
    # Accepts estimates too, and is antisymmetric.
    rev = nps_difference(nps(b), nps(a))
    assert rev.difference == pytest.approx(-diff.difference)
    assert rev.p_value == pytest.approx(diff.p_value)
    assert rev.ci_low == pytest.approx(-diff.ci_high)


def test_difference_p_value_agrees_with_interval() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        a = rng.multinomial(int(rng.integers(5, 300)), (0.4, 0.3, 0.3))
        b = rng.multinomial(int(rng.integers(5, 300)), (0.35, 0.3, 0.35))
        res = nps_difference(nps_from_counts(*map(int, a)), nps_from_counts(*map(int, b)))
        excludes_zero = res.ci_low > 0 or res.ci_high < 0
        assert excludes_zero == (res.p_value < 0.05)


def test_difference_test_holds_its_size_under_the_null() -> None:
    # Same distribution in both samples: the 5 % test rejects about 5 % of the time.
    rng = np.random.default_rng(7)
    reps, n = 4000, 150
    a = rng.multinomial(n, (0.45, 0.3, 0.25), size=reps)
    b = rng.multinomial(n, (0.45, 0.3, 0.25), size=reps)
    rejections = sum(
        nps_difference(nps_from_counts(*map(int, x)), nps_from_counts(*map(int, y))).p_value < 0.05
        for x, y in zip(a, b, strict=True)
    )
    assert 0.035 <= rejections / reps <= 0.065


def test_accepts_pandas_with_missing_values() -> None:
    import pandas as pd

    est = nps(pd.Series([10, None, 3, 8], dtype="Int64"))
    assert (est.promoters, est.passives, est.detractors) == (1, 1, 1)
    assert nps(np.array([10.0, np.nan, 9.0])).n == 2
