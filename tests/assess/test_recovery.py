"""Recovery of planted truth on simulated companies (``cxo.simulate`` → text tagging → assess).

The issue asks for 100k customers and several seeds. Simulating and tagging 100k customers
takes minutes per company, so the suite runs two seeds per company type at 20k customers (about
200k responses each; the noise is √5 larger than at 100k, so the ranking criterion is harder
here, not easier) and ``bench/assess_recovery.py`` (``run("full")``) runs 100k × 3 types × 3
seeds and records the same criteria per seed.

Each (type, seed) is simulated and assessed once per session, by whichever ``pytest -n 2``
worker asks first (a file lock per case; the score is cached as JSON beside the other
workers' temp dirs), so the per-case tests spread over the workers and the pooled tests reuse
their scores.

Per case: every planted pain in the top (planted + 2), flagged, with an owner; the driver
order; the trend decomposition. Most do not depend on chance at this size; where a case fails
by chance (a small segment's pain whose interval reaches zero, one of the twelve 95 % trend
intervals) it is a strict xfail in ``KNOWN_GAPS``/``TREND_GAPS`` with the measurement that
shows it is chance. Pooled over the 6 cases, the two criteria that are rates:

* revenue-at-risk intervals (95 %) cover the planted value — planted churn effect × the monthly
  revenue of the identified customers the simulator truly affected (see
  ``bench.recovery``): 18 intervals, at most 3 misses. With exact 95 % coverage, ≥ 4
  misses has probability ``scipy.stats.binom.sf(3, 18, 0.05)`` = 0.011;
* planted-null cells flagged at FDR 10 % "in at most 10 % of seeds": 12 (cell, seed) pairs,
  at most 2 flagged (with a true rate of 10 %, ≥ 3 has probability
  ``scipy.stats.binom.sf(2, 12, 0.10)`` = 0.111, so this only catches a rate well above 10 %).

Measured gaps are strict xfails with the reason in ``KNOWN_GAPS``; when one starts passing it
turns into XPASS and the marker must go.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from bench.recovery import evaluate, load_simulation

import cxo
from cxo.initiatives.effect import measure_effect
from cxo.workspace import Workspace

CUSTOMERS = 20_000
TYPES = ("service", "software", "retail")
SEEDS = (1, 2)

KNOWN_GAPS = {
    # checkout × checkout_payment × occasional (excess 0.043 [0.008, 0.080] vs planted 0.04,
    # covered) ranks 7th of the top 5 behind random-comment cells (webshop × login_access,
    # checkout × communication_clarity, service × repeat_contact). At 100k it ranks 3rd–4th.
    # With half the customers using each initiative's touchpoint (the simulator's default
    # since issue 19) it ranks 24th: excess −0.002 [−0.030, 0.032].
    ("retail", 2): "third planted pain ranks below the top 5 (chance at 20k)",
    # product_use × performance_speed × enterprise (a 10 % segment, planted excess 0.05):
    # excess 0.028 [−0.006, 0.065] covers the planted value, but the lower end of its revenue
    # interval is below zero, so it ranks 11th. Chance, not the users: the excess interval is
    # as wide as with everyone using the touchpoint (0.071 vs 0.072 wide, seed 1; 0.070 vs
    # 0.072, seed 3), and with SE ≈ 0.018 the lower end falls below ≈ 0 in about 3 of 10 seeds
    # (measured ranks over seeds 1–3 and both settings: 3, 4, 4, 11, 2, 22).
    ("software", 1): "performance_speed × enterprise ranks 11th (top 5 required; chance)",
}

TREND_GAPS = {
    # The within-segment change 2.32 [0.59, 4.05] misses the planted 4.27 (−2.2 SE).
    # Each case has two 95 % intervals (mix, within): 12 in all, so at exact coverage at least
    # one misses with probability 1 − 0.95¹² = 46 %. Measured over 12 simulated cases (seeds
    # 1–3, users_share 0.5 and 1.0) (estimate − planted)/SE has RMS 1.17 (mix) and 0.84
    # (within): the intervals are calibrated, the miss is chance.
    ("software", 2): "within-segment interval misses the planted change by 2.2 SE (chance)",
}


def _case(company_type: str, seed: int) -> Any:
    gap = KNOWN_GAPS.get((company_type, seed))
    marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
    return pytest.param(company_type, seed, marks=marks, id=f"{company_type}-{seed}")


CASES = [_case(t, s) for t in TYPES for s in SEEDS]


def _trend_case(company_type: str, seed: int) -> Any:
    gap = TREND_GAPS.get((company_type, seed))
    marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
    return pytest.param(company_type, seed, marks=marks, id=f"{company_type}-{seed}")


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A directory all xdist workers of this session see."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent
    path = root / "recovery-scores"
    path.mkdir(exist_ok=True)
    return path


def score(shared: Path, company_type: str, seed: int) -> dict[str, Any]:
    """Simulate, tag, assess and score one case, once per session (cached as JSON)."""
    name = f"{company_type}-{seed}"
    cached = shared / f"{name}.json"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cached.exists():
            got: dict[str, Any] = json.loads(cached.read_text("utf-8"))
            return got
        root = shared / f"ws-{name}"
        ws, truth = load_simulation(root, company_type, CUSTOMERS, seed=seed)
        result = cxo.assess(ws, n_boot=200)
        got = evaluate(result, truth, ws)
        got["initiatives"] = _initiatives(ws, truth)
        assert result.trend is not None
        dec = result.trend.decompositions[0]
        got["trend"] = {
            "mix": dec.mix,
            "within": dec.within,
            "total": dec.total,
            "mix_ci": list(dec.mix_ci),
            "within_ci": list(dec.within_ci),
            "planted": truth["trend"]["decomposition"],
        }
        shutil.rmtree(root, ignore_errors=True)
        cached.write_text(json.dumps(got, default=float), "utf-8")
        return got


def _initiatives(ws: Workspace, truth: dict[str, Any]) -> list[dict[str, Any]]:
    """Difference-in-differences of every planted initiative against its realised effect."""
    out = []
    with ws.connect(read_only=True) as con:
        for ini in truth["initiatives"]:
            others = [o["touchpoint"] for o in truth["initiatives"] if o is not ini]
            m = measure_effect(
                con, [ini["touchpoint"]], dt.date.fromisoformat(ini["start"]), exclude=others
            )
            out.append(
                {
                    "name": ini["name"],
                    "planted": ini["nps_effect"],
                    "estimate": m.nps.estimate,
                    "ci": [m.nps.ci_low, m.nps.ci_high],
                    "placebo_p": m.placebo.p_value if m.placebo else None,
                }
            )
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("company_type", "seed"), CASES)
def test_planted_pains_ranked_flagged_and_owned(shared: Path, company_type: str, seed: int) -> None:
    got = score(shared, company_type, seed)
    for cell in got["pains"]:
        assert cell["in_top"], (cell, got["top"])
        assert cell["flagged"], cell
        assert cell["has_owner"], cell


@pytest.mark.slow
@pytest.mark.parametrize(
    ("company_type", "seed"),
    [pytest.param(t, s, id=f"{t}-{s}") for t in TYPES for s in SEEDS],
)
def test_driver_order(shared: Path, company_type: str, seed: int) -> None:
    got = score(shared, company_type, seed)
    assert got["drivers"]["spearman"] >= 0.9, got["drivers"]
    assert got["drivers"]["top_driver_ok"], got["drivers"]
    assert got["drivers"]["zero_weight_not_significant"], got["drivers"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("company_type", "seed"), [_trend_case(t, s) for t in TYPES for s in SEEDS]
)
def test_trend_decomposition(shared: Path, company_type: str, seed: int) -> None:
    got = score(shared, company_type, seed)
    # "flat for two years": the decomposition by segment covers the planted expected values
    trend = got["trend"]
    assert trend["mix_ci"][0] <= trend["planted"]["mix"] <= trend["mix_ci"][1]
    assert trend["within_ci"][0] <= trend["planted"]["within"] <= trend["within_ci"][1]
    assert trend["mix"] + trend["within"] == pytest.approx(trend["total"])


@pytest.mark.slow
def test_revenue_intervals_cover_planted_values(shared: Path) -> None:
    cells = [c for t in TYPES for s in SEEDS for c in score(shared, t, s)["pains"]]
    assert len(cells) == 18
    missed = [c for c in cells if not c.get("revenue_covered")]
    assert len(missed) <= 3, missed


@pytest.mark.slow
def test_null_cells_rarely_flagged(shared: Path) -> None:
    # measured: 2 of 12 — field_service × appointment × business (service-2, q 0.009) and
    # onboarding × onboarding_setup × enterprise (software-2, q 0.060). The third of session 3,
    # webshop × availability_stock (retail-1), now sits at q 0.1009, just above the 10 % line
    # (after the fix that a negator reaches only its own object). The q-values come from
    # integer counts, so this is deterministic, but a change in tagging can tip it.
    cells = [c for t in TYPES for s in SEEDS for c in score(shared, t, s)["null_cells"]]
    assert len(cells) == 12
    flagged = [c for c in cells if c["flagged"]]
    assert len(flagged) <= 2, flagged


@pytest.mark.slow
def test_initiative_effects_recovered(shared: Path) -> None:
    """Each company type plants one initiative with an NPS effect (6–8 points) and one null.

    Pooled over 6 cases: the 12 intervals cover the realised effect with at most 2 misses
    (exact 95 % coverage gives ≥ 3 misses with probability
    ``scipy.stats.binom.sf(2, 12, 0.05)`` = 0.020), and every planted non-zero effect is
    found (interval above zero).
    """
    got = [i for t in TYPES for s in SEEDS for i in score(shared, t, s)["initiatives"]]
    assert len(got) == 12
    missed = [i for i in got if not i["ci"][0] <= i["planted"] <= i["ci"][1]]
    assert len(missed) <= 2, missed
    planted = [i for i in got if i["planted"] > 1]
    assert len(planted) == 6
    assert all(i["ci"][0] > 0 for i in planted), planted
