from __future__ import annotations

import numpy as np
import pytest

import cxo.text as text
from cxo.text.impact import nps_coded, two_proportion_z


def _nps(scores: np.ndarray) -> float:
    return 100.0 * (np.mean(scores >= 9) - np.mean(scores <= 6))


def _planted(n: int = 800, seed: int = 1) -> tuple[np.ndarray, list[set[str]]]:
    rng = np.random.default_rng(seed)
    sets: list[set[str]] = []
    scores = np.empty(n)
    for i in range(n):
        s: set[str] = set()
        if rng.random() < 0.25:
            s.add("reachability_waiting")
        if rng.random() < 0.15:
            s.add("staff_friendliness")
        sets.append(s)
        base = rng.integers(6, 11)
        if "reachability_waiting" in s:
            base = rng.integers(0, 8)  # a planted pain
        scores[i] = base
    return scores, sets


def test_theme_impact_matches_direct_computation() -> None:
    scores, sets = _planted()
    res = {r.theme: r for r in text.theme_impact(scores, sets, n_boot=300, seed=7)}
    wait = res["reachability_waiting"]
    mask = np.array(["reachability_waiting" in s for s in sets])
    assert wait.impact == pytest.approx(_nps(scores) - _nps(scores[~mask]))
    assert wait.nps_with == pytest.approx(_nps(scores[mask]))
    assert wait.mentions == mask.sum()
    # the interval by a direct, loop-based percentile bootstrap with the same draws
    rng = np.random.default_rng(7)
    direct = []
    for _ in range(300):
        idx = rng.integers(0, len(scores), len(scores))
        s, m = scores[idx], mask[idx]
        direct.append(_nps(s) - _nps(s[~m]))
    lo, hi = np.quantile(direct, [0.025, 0.975])
    assert wait.ci_low == pytest.approx(lo)
    assert wait.ci_high == pytest.approx(hi)
    assert wait.ci_high < 0  # a real pain
    friendly = res["staff_friendliness"]
    assert friendly.ci_low < 0 < friendly.ci_high  # planted null


def test_adjusted_impact_is_share_times_ols_coefficient() -> None:
    import statsmodels.api as sm

    scores, sets = _planted()
    res = {r.theme: r for r in text.theme_impact(scores, sets, n_boot=50)}
    keys = sorted({k for s in sets for k in s})
    x = np.array([[k in s for k in keys] for s in sets], dtype=float)
    fit = sm.OLS(nps_coded(scores), sm.add_constant(x)).fit()
    for j, k in enumerate(keys):
        assert res[k].adjusted_impact == pytest.approx(x[:, j].mean() * fit.params[j + 1])


def test_benjamini_hochberg_against_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests

    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.5, 0.9]
    rej, adj = text.benjamini_hochberg(p, alpha=0.05)
    ref_rej, ref_adj, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    assert rej == list(ref_rej)
    assert adj == pytest.approx(list(ref_adj))
    # order does not matter
    rej2, _ = text.benjamini_hochberg(p[::-1], alpha=0.05)
    assert rej2 == list(ref_rej)[::-1]


def test_two_proportion_z_against_statsmodels() -> None:
    from statsmodels.stats.proportion import proportions_ztest

    z, p = two_proportion_z(30, 200, 40, 500)
    zr, pr = proportions_ztest([30, 40], [200, 500])
    assert z == pytest.approx(zr)
    assert p == pytest.approx(pr)


def test_emerging_theme_is_found_and_null_is_not() -> None:
    rng = np.random.default_rng(5)
    dates, sets = [], []
    for month in range(1, 8):
        for _ in range(400):
            s = set()
            if rng.random() < (0.25 if month == 7 else 0.08):
                s.add("outage")
            if rng.random() < 0.10:
                s.add("delivery")
            sets.append(s)
            dates.append(f"2026-{month:02d}-15")
    res = {r.theme: r for r in text.emerging_themes(dates, sets, freq="M")}
    assert res["outage"].emerging
    assert res["outage"].period == "2026-07"
    assert not res["delivery"].emerging


def test_verbatims_representative_and_extreme() -> None:
    texts = [
        "Warteschleife ewig, Hotline nie erreichbar",
        "Hotline nie erreichbar, Warteschleife",
        "Warteschleife war kurz, super",
        "Lieferung pünktlich",
    ]
    sets = [{"reachability_waiting"}] * 3 + [{"delivery"}]
    v = text.verbatims(texts, sets, [-0.9, -0.5, 0.8, 0.1], k=1)
    assert v["reachability_waiting"]["most_negative"] == [texts[0]]
    assert v["reachability_waiting"]["most_positive"] == [texts[2]]
    assert v["reachability_waiting"]["representative"][0] in texts[:2]
    assert v["delivery"]["most_negative"] == []
