"""Marketing fatigue planted by the simulator is recovered by ``cxo.diagnostics.marketing``.

The estimands are defined in ``docs/simulator.md`` (Marketing → fatigue estimands) and published
in ``truth.json``:

* ``fatigue_slope``: change in the per-send unsubscribe probability per additional send that
  customer gets in the same calendar month (message kind held fixed);
* ``churn_effect_per_send``: 12 × change in the probability of churning in the next month per
  additional send this month, among customers still active then (lifecycle stage and segment
  held fixed).

Coverage: a correct 95 % interval misses its planted value with probability 5 %. Among the
6 intervals of the default-strength companies one miss is tolerated (two or more: ≈ 3 %). The
five strongly planted companies are checked for coverage and bias: the old same-month churn
comparison, cut short by the churn itself, lands many standard errors away from the planted
value there (a bias of ±20 % of the unsubscribe slope already fails the mean z-score).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cxo import diagnostics
from cxo.report import diagnostics as render
from cxo.workspace import Workspace

pytestmark = pytest.mark.slow

N = 12_000


def _load(tmp: Path, kind: str, seed: int, **overrides: Any) -> tuple[Workspace, dict[str, Any]]:
    """Simulate a company and import the two tables the marketing diagnostic reads."""
    import cxo

    sim = cxo.simulate(kind, N, seed=seed, **overrides)
    ws = Workspace.create(tmp / f"{kind}{seed}", kind)
    with ws.connect() as con:
        for name in ("customers", "sends"):
            tbl = sim.tables[name]
            con.register("_sim", tbl)
            cols = ", ".join(f'"{c}"' for c in tbl.column_names)
            con.execute(f'insert into "{name}" ({cols}) select {cols} from _sim')
            con.unregister("_sim")
    return ws, sim.truth["marketing"]


def _slopes(ws: Workspace) -> tuple[dict[str, Any], dict[str, Any], Any]:
    res = diagnostics.marketing(ws, language="en")
    return res.figures["fatigue_unsubscribe_slope"], res.figures["fatigue_churn_slope"], res


def _covers(est: dict[str, Any], truth: float) -> bool:
    return bool(est["ci_low"] <= truth <= est["ci_high"])


def test_default_fatigue_recovered(tmp_path: Path) -> None:
    """Default planting (0.1 pp per send; 0.2 pp of annual churn per send), three companies."""
    misses = []
    for kind, seed in (("retail", 2), ("service", 5), ("software", 9)):
        ws, t = _load(tmp_path, kind, seed)
        assert t["fatigue_slope"] == 0.001
        assert t["churn_effect_per_send"] == 0.002
        assert t["churn_effect_per_send_monthly"] == pytest.approx(0.002 / 12)
        unsub, churn, res = _slopes(ws)
        if not _covers(unsub, t["fatigue_slope"]):
            misses.append((kind, seed, "unsubscribe", unsub))
        if not _covers(churn, t["churn_effect_per_send"]):
            misses.append((kind, seed, "churn", churn))
        # the table's churn rate is next-month churn among customers still active
        assert res.table("fatigue").columns[-1] == "churn_rate_next_month"
        assert "following month" in render.say(res.finding("fatigue_churn").message, "en")
    assert len(misses) <= 1, misses


STRONG_SEEDS = (11, 12, 13, 14, 15)
"""The five strongly planted companies of the finding (wave 5): not chosen after the fact."""


def test_strong_fatigue_recovered_without_bias(tmp_path: Path) -> None:
    """Strong planting (0.4 pp unsubscribe per send, 0.12 annual churn per send), five
    companies: 10 intervals, at most two misses (three or more under nominal coverage: ≈ 1 %),
    and no bias — the mean z-score of each slope within ±1.5 (its standard error over five
    seeds is ≈ 0.45). A biased estimator (e.g. same-month churn, cut short by the churn itself)
    lands many standard errors away in every company and fails the mean.

    Seeds 11 and 13 miss the unsubscribe slope by −4.0 and +3.3 SE: a property of those draws,
    not of the estimator. The diagnostic's slope equals, to every digit, the regression of the
    drawn outcomes on the simulator's own monthly send counts (a month's sends are drawn before
    their outcomes; unsubscribes take effect next month), and measured in exact conditional SDs
    (from the planted per-send probabilities) that oracle is off by −3.6 and +3.6 there (a
    customer-clustered SE is no wider: 0.00036 against HC1's 0.00035 at seed 11). Over seeds
    11–50 the exact SD, HC1 and a binomial-model SE each miss 4 of 40 and a binomial-weighted
    fit 3 (nominal: 2; P(≥ 4 | 40) ≈ 14 %).
    """
    misses: list[tuple[int, str, float]] = []
    z: dict[str, list[float]] = {"unsubscribe": [], "churn": []}
    for seed in STRONG_SEEDS:
        ws, t = _load(tmp_path, "service", seed, fatigue_slope=0.004, churn_effect_per_send=0.12)
        assert (t["fatigue_slope"], t["churn_effect_per_send"]) == (0.004, 0.12)
        unsub, churn, res = _slopes(ws)
        for key, est, truth in (
            ("unsubscribe", unsub, t["fatigue_slope"]),
            ("churn", churn, t["churn_effect_per_send"]),
        ):
            z[key].append((est["value"] - truth) / est["se"])
            if not _covers(est, truth):
                misses.append((seed, key, est["value"]))
        assert res.finding("fatigue_unsubscribe").evidence
        assert res.finding("fatigue_churn").evidence
        assert render.say(res.finding("fatigue_churn").message, "en").startswith(
            "Fatigue: the churn probability rises"
        )
    assert len(misses) <= 2, misses
    for key, scores in z.items():
        assert abs(sum(scores) / len(scores)) < 1.5, (key, scores)


def test_no_fatigue_planted_says_no_evidence(tmp_path: Path) -> None:
    """Fatigue planted as 0. A "fatigue" verdict needs a positive slope whose interval excludes
    0 (probability 2.5 % each under no effect); among 6 verdicts one false alarm is tolerated
    (two or more: < 1 %). Intervals must cover 0 with the same budget."""
    alarms, misses = [], []
    for kind, seed in (("retail", 21), ("service", 22), ("software", 23)):
        ws, t = _load(tmp_path, kind, seed, fatigue_slope=0.0, churn_effect_per_send=0.0)
        assert t["fatigue_slope"] == 0.0
        assert t["churn_effect_per_send"] == 0.0
        unsub, churn, res = _slopes(ws)
        for key, est in (("fatigue_unsubscribe", unsub), ("fatigue_churn", churn)):
            f = res.finding(key)
            if f.evidence:
                alarms.append((kind, seed, key, est))
            else:
                assert render.say(f.message, "en").startswith("No evidence of fatigue"), render.say(
                    f.message, "en"
                )
            if not _covers(est, 0.0):
                misses.append((kind, seed, key, est))
    assert len(alarms) <= 1, alarms
    assert len(misses) <= 1, misses
