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
strongly planted company is checked for bias: the old same-month churn comparison, cut short by
the churn itself, lands many standard errors away from the planted value there.
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


@pytest.mark.xfail(
    strict=True,
    reason="strong planting (0.4 pp per send, churn 0.12 per send): since the simulator's "
    "default users_share became 0.5 (issue 19) the random draws moved and the unsubscribe "
    "slope interval misses here (seed 11: 0.0026 [0.0019; 0.0033] vs 0.004 planted); over "
    "seeds 11-15 two of five miss by 3-4 SE, so the interval undercovers under strong "
    "fatigue with churn - an open finding for the marketing diagnostic, not chance",
)
def test_strong_fatigue_recovered_without_bias(tmp_path: Path) -> None:
    """Strong planting: a biased estimator (e.g. same-month churn, cut short by the churn
    itself) would miss by many standard errors; a correct one covers and finds the effect."""
    ws, t = _load(tmp_path, "service", 11, fatigue_slope=0.004, churn_effect_per_send=0.12)
    assert (t["fatigue_slope"], t["churn_effect_per_send"]) == (0.004, 0.12)
    unsub, churn, res = _slopes(ws)
    assert _covers(unsub, t["fatigue_slope"]), unsub
    assert _covers(churn, t["churn_effect_per_send"]), churn
    assert res.finding("fatigue_unsubscribe").evidence
    assert res.finding("fatigue_churn").evidence
    assert render.say(res.finding("fatigue_churn").message, "en").startswith(
        "Fatigue: the churn probability rises"
    )


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
