"""Calibration of the measured initiative effects on simulated companies — the small version
of ``bench/initiatives_calibration.py`` (issue 19, item 1).

Eight service companies (3,000 customers, seeds 1–8, each initiative used by half of the
customers), each with a working and a null initiative planted; the reference is the
simulator's realised effect. With intervals that
hold their 95 %, the count of null intervals excluding 0 is Binomial(8, 0.05): P(≥ 3) =
0.6 %; the count of working intervals missing the realised effect likewise, so "≥ 6 of 8
covered" fails by chance 0.6 % of the time — and both fail far more often when the
intervals are too narrow (at a true 80 % coverage, P(≤ 5 of 8 covered) = 20 %). A planted
pre-trend violation on the null (a drift of 0.6 latent points over the year before its
launch) must be flagged by the pre-trend test in at least 6 of the 8.
"""

from __future__ import annotations

import pytest
from bench.initiatives_calibration import one

SEEDS = range(1, 9)


@pytest.mark.slow
def test_intervals_cover_the_realised_effect_and_nulls_stay_quiet() -> None:
    rows = [r for seed in SEEDS for r in one("service", 3000, seed, users_share=0.5)]
    working = [r for r in rows if not r["null"]]
    null = [r for r in rows if r["null"]]
    assert len(working) == len(null) == len(SEEDS)
    assert sum(r["covered"] for r in working) >= 6
    assert sum(not r["ci_low"] <= 0.0 <= r["ci_high"] for r in null) <= 2
    assert sum(r["covered"] for r in null) >= 6
    # sound designs are seldom flagged by the pre-trend test
    assert sum(r["pre_trend_doubtful"] for r in rows) <= 3


@pytest.mark.slow
def test_planted_pre_trend_violation_is_caught() -> None:
    rows = [r for seed in SEEDS for r in one("service", 3000, seed, violation=0.6, users_share=0.5)]
    bad = [r for r in rows if r["violation"]]
    assert len(bad) == len(SEEDS)
    assert sum(r["pre_trend_doubtful"] for r in bad) >= 6
