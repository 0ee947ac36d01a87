"""The effect of being contacted: statsmodels' unequal-variance interval for one score, and a
planted truth where owners contact the milder detractors more often (a naive comparison is
biased; matching on the score is not)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.errors import MissingDataError, UsageError
from cxo.followups import generate
from cxo.followups.effect import contact_effect, stratified_difference
from cxo.report.followups import effect_lines
from cxo.store.db import session_scope
from cxo.store.models import FollowUpRow
from cxo.workspace import Workspace

T0 = dt.datetime(2026, 1, 5, 9, 0)
MOVED = 0.15
NPS_EFFECT = 200 * MOVED
"""Planted: a contacted detractor's later NPS score is 30 points higher (of ±100)."""
CHURN_EFFECT = -0.15
"""Planted: a contacted detractor churns within 180 days 15 points less often."""


def test_one_score_matches_statsmodels_compare_means() -> None:
    rng = np.random.default_rng(1)
    c = rng.choice([100.0, 0.0, -100.0], 60, p=[0.3, 0.3, 0.4])
    n = rng.choice([100.0, 0.0, -100.0], 90, p=[0.15, 0.3, 0.55])
    got = stratified_difference("later_nps", {3: (list(c), list(n))})
    want = CompareMeans(DescrStatsW(c), DescrStatsW(n)).zconfint_diff(usevar="unequal")
    assert got.effect.value == pytest.approx(c.mean() - n.mean())
    assert (got.effect.ci_low, got.effect.ci_high) == pytest.approx(want, rel=1e-12)
    assert got.scores == [3]


def test_too_few_units_are_not_estimated() -> None:
    got = stratified_difference("later_nps", {0: ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])})
    assert not got.estimated
    assert (got.contacted, got.not_contacted) == (3, 4)


def _plant(root: Path, seed: int = 11, customers: int = 1500) -> Workspace:
    """Detractors scoring 0–6; milder ones are contacted more often and are better later
    anyway (the confounder); contact adds NPS_EFFECT and CHURN_EFFECT on top."""
    rng = np.random.default_rng(seed)
    ws = Workspace.create(root, "service", language="en")
    score = rng.integers(0, 7, customers)
    contacted = rng.random(customers) < 0.2 + 0.1 * score  # 20 % at 0 … 80 % at 6
    at = [T0 + dt.timedelta(hours=int(h)) for h in rng.integers(0, 24 * 20, customers)]
    # later NPS: milder detractors are better later; contact turns MOVED of them from
    # detractors into promoters (+200 points each: NPS_EFFECT on the mean score)
    p_det = 0.6 - 0.05 * score - MOVED * contacted
    p_prom = 0.1 + 0.03 * score + MOVED * contacted
    u = rng.random(customers)
    later_score = np.where(u < p_prom, 10, np.where(u < p_prom + p_det, 3, 8))
    answers_again = rng.random(customers) < 0.7
    churn_p = np.clip(0.45 - 0.05 * score + CHURN_EFFECT * contacted, 0, 1)
    churned = rng.random(customers) < churn_p
    churn_day = rng.integers(15, 180, customers)
    ids = [f"c{i}" for i in range(customers)]
    responses = [(f"r{i}", ids[i], at[i], int(score[i])) for i in range(customers)]
    responses += [
        (
            f"s{i}",
            ids[i],
            at[i] + dt.timedelta(days=int(rng.integers(20, 200))),
            int(later_score[i]),
        )
        for i in range(customers)
        if answers_again[i]
    ]
    frame = pd.DataFrame(responses, columns=["rid", "cid", "ts", "nps"])
    people = pd.DataFrame(
        {
            "cid": ids,
            "signup": [dt.date(2024, 1, 1)] * customers,
            "churn": [
                (at[i] + dt.timedelta(days=int(churn_day[i]))).date() if churned[i] else None
                for i in range(customers)
            ],
        }
    )
    with ws.connect() as con:
        con.register("planted_r", frame)
        con.register("planted_c", people)
        con.execute(
            "insert into customers (customer_id, signup_date, churn_date) "
            "select cid, signup, churn from planted_c"
        )
        con.execute(
            "insert into responses (response_id, customer_id, survey, touchpoint, responded_at, "
            "nps, language) select rid, cid, 's', 'hotline', ts, nps, 'en' from planted_r"
        )
        # the data run long enough for every churn period to be complete
        con.execute(
            "insert into responses (response_id, customer_id, survey, touchpoint, responded_at, "
            "nps, language) values ('end', null, 's', 'hotline', timestamp '2027-06-30', 9, 'en')"
        )
    generate(ws, since=T0.date())
    chosen = {ids[i] for i in range(customers) if contacted[i]}
    with session_scope(ws.app_database_url) as session:
        for row in session.scalars(select(FollowUpRow)).all():
            if row.customer_id in chosen and row.response_id.startswith("r"):
                row.contacted_at = row.responded_at + dt.timedelta(days=2)
                row.status = "contacted"
        session.commit()
    return ws


@pytest.mark.slow
def test_the_planted_effects_are_recovered_and_the_naive_gap_is_not_them(tmp_path: Path) -> None:
    ws = _plant(tmp_path / "ws")
    got = contact_effect(ws)
    assert got.units == 1500
    nps = got.later_nps
    assert nps.scores == [0, 1, 2, 3, 4, 5, 6]
    assert nps.effect.ci_low <= NPS_EFFECT <= nps.effect.ci_high
    assert nps.effect.ci_high - nps.effect.ci_low < 30
    # the naive difference of means also carries the milder scores of the contacted
    naive = nps.contacted_mean - nps.not_contacted_mean
    assert naive - NPS_EFFECT > 8
    churn = got.later_churn
    assert churn is not None
    assert churn.effect.ci_low <= CHURN_EFFECT <= churn.effect.ci_high
    assert churn.effect.ci_high < 0
    lines = effect_lines(got, "en")
    assert "difference at equal scores" in lines[1]
    assert any(line.startswith("observational, not an experiment") for line in lines)
    assert "Unterschied bei gleicher Bewertung" in effect_lines(got, "de")[1]
    # the CLI says the same, and its JSON carries the design and both intervals
    out = CliRunner().invoke(app, ["followup", "effect", "--json", "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["later_nps"]["effect"] == pytest.approx(nps.effect.value)
    assert data["later_churn"]["ci_high"] == pytest.approx(churn.effect.ci_high)
    assert data["design"].startswith("observational")
    report = CliRunner().invoke(app, ["followup", "report", "-w", str(ws.root)])
    assert report.exit_code == 0, report.output
    assert "Effect of being contacted" in report.stdout
    report_json = CliRunner().invoke(app, ["followup", "report", "--json", "-w", str(ws.root)])
    assert json.loads(report_json.stdout)["contact_effect"]["units"] == 1500
    # the board report's follow-up section shows it, in both languages
    from cxo.followups import report as loop_report
    from cxo.report.followups import section

    loop = loop_report(ws)
    html = section(loop, "en", effect=got)
    assert "<h3>Effect of being contacted (detractors, observational)</h3>" in html
    assert "difference at equal scores" in html
    assert "Not estimated" not in html
    assert "Unterschied bei gleicher Bewertung" in section(loop, "de", effect=got)


def test_errors(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "service", language="en")
    with pytest.raises(MissingDataError) as missing:
        contact_effect(ws)
    # the board report says why instead of an estimate
    from cxo.report.followups import effect_block

    block = effect_block(missing.value, "en")
    assert block["headline"].startswith(
        "Not estimated: no detractor follow-up task is linked to a customer"
    )
    assert block["lines"] == []
    assert effect_block(missing.value, "de")["headline"].startswith("Nicht geschätzt: no detr")
    with pytest.raises(UsageError):
        contact_effect(ws, window_days=0)
    with pytest.raises(UsageError):
        contact_effect(ws, window_days=400)
