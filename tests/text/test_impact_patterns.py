"""Theme impact from response patterns counted in the engine equals theme impact on the rows.

Point estimates (impact, NPS with/without, adjusted impact, mentions, shares) must be equal to
rounding; the bootstrap on patterns draws pattern frequencies from a multinomial, which is the
law of the row bootstrap's pattern frequencies — checked draw for draw against a hand-written
loop, and in distribution against the row bootstrap.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cxo.text as text
from cxo.errors import MissingDataError, UsageError
from cxo.text.impact_data import impact_inputs, impact_patterns
from cxo.workspace import Workspace

from .conftest import simulate_comments
from .test_impact import _nps, _planted


@pytest.fixture
def tagged(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "ws", "service")
    texts, labels, _, langs = simulate_comments(300, seed=5)
    score = {"negative": [2, 5, 6], "neutral": [7, 8, 9], "positive": [9, 10, 8]}
    rows = [
        (
            f"r{i:04d}",
            "survey",
            ("hotline", "portal", "shop")[i % 3],
            f"2026-0{1 + i % 6}-10",
            None if i % 17 == 0 else score[lab][i % 3],
            t or None,
            lang,
        )
        for i, (t, lab, lang) in enumerate(zip(texts, labels, langs, strict=True))
    ]
    with ws.connect() as con:
        con.executemany(
            "INSERT INTO responses (response_id, survey, touchpoint, responded_at, nps, comment, "
            "language) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    text.tag_workspace(ws, workers=1)
    return ws


def _rows(ws: Workspace) -> tuple[list[float], list[list[str]], list[object]]:
    with ws.connect(read_only=True) as con:
        df = con.execute(
            """SELECT r.response_id, r.nps, r.touchpoint,
                      coalesce(list(th.theme) FILTER (WHERE th.theme IS NOT NULL), []) AS themes
               FROM responses r JOIN response_text t USING (response_id)
               LEFT JOIN response_themes th USING (response_id)
               WHERE r.nps IS NOT NULL GROUP BY ALL ORDER BY r.response_id"""
        ).df()
    return list(df["nps"]), list(df["themes"]), list(df["touchpoint"])


def test_patterns_give_the_row_level_point_estimates(tagged: Workspace) -> None:
    scores, sets, tps = _rows(tagged)
    patterns = impact_patterns(tagged)
    assert patterns.responses == len(scores)
    assert len(patterns.counts) < len(scores)  # it aggregates
    rows = {r.theme: r for r in text.theme_impact(scores, sets, covariates=tps, n_boot=20)}
    agg = {r.theme: r for r in text.theme_impact(**impact_inputs(patterns), n_boot=20)}
    assert rows.keys() == agg.keys()
    assert rows
    for key, r in rows.items():
        a = agg[key]
        assert a.mentions == r.mentions
        for field in ("share", "nps_all", "nps_without", "nps_with", "impact", "adjusted_impact"):
            assert getattr(a, field) == pytest.approx(getattr(r, field), rel=1e-12, abs=1e-12)


def test_pattern_bootstrap_is_a_multinomial_over_patterns() -> None:
    scores, sets = _planted(n=600, seed=3)
    mask = np.array(["reachability_waiting" in s for s in sets])
    # the patterns by hand: (score, mentions the theme) with their counts
    keys = sorted({(float(s), bool(m)) for s, m in zip(scores, mask, strict=True)})
    counts = [int(np.sum((scores == s) & (mask == m))) for s, m in keys]
    res = text.theme_impact(
        [s for s, _ in keys],
        [{"reachability_waiting"} if m else set() for _, m in keys],
        counts=counts,
        n_boot=400,
        seed=11,
    )
    wait = res[0]
    assert wait.impact == pytest.approx(_nps(scores) - _nps(scores[~mask]))
    # the same interval by a hand-written loop: replicate b weights the patterns by
    # rng.multinomial(n, counts / n) from numpy.random.default_rng(11), in sequence
    rng = np.random.default_rng(11)
    pat_s = np.array([s for s, _ in keys])
    pat_m = np.array([m for _, m in keys])
    n, p = len(scores), np.asarray(counts) / len(scores)
    direct = []
    for _ in range(400):
        w = rng.multinomial(n, p)
        s_all = np.repeat(pat_s, w)
        s_without = np.repeat(pat_s[~pat_m], w[~pat_m])
        direct.append(_nps(s_all) - _nps(s_without))
    lo, hi = np.quantile(direct, [0.025, 0.975])
    assert wait.ci_low == pytest.approx(lo)
    assert wait.ci_high == pytest.approx(hi)
    # in distribution the row bootstrap agrees: 2,000 replicates each, interval ends within
    # 10 % of the interval's width (Monte Carlo error of a 2.5 % quantile at B = 2,000 is
    # about 3 % of the width)
    row = text.theme_impact(scores, sets, n_boot=2000, seed=1)[0]
    pat = text.theme_impact(
        [s for s, _ in keys],
        [{"reachability_waiting"} if m else set() for _, m in keys],
        counts=counts,
        n_boot=2000,
        seed=2,
    )[0]
    width = row.ci_high - row.ci_low
    assert abs(pat.ci_low - row.ci_low) < 0.1 * width
    assert abs(pat.ci_high - row.ci_high) < 0.1 * width


def test_counts_must_fit_the_patterns() -> None:
    with pytest.raises(UsageError, match="counts"):
        text.theme_impact([10.0, 0.0], [{"a"}, set()], counts=[5])
    with pytest.raises(UsageError, match="counts"):
        text.theme_impact([10.0, 0.0], [{"a"}, set()], counts=[5, 0])


def test_untagged_workspace_says_what_to_run(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "service")
    with pytest.raises(MissingDataError, match="not analysed"):
        impact_patterns(ws)
