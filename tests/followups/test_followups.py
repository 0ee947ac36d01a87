"""Closed loop: tasks from detractors and negative comments, routing, SLA, report, CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.errors import MissingDataError, UsageError
from cxo.followups import generate, report, tasks, update
from cxo.report.followups import notes as note_lines
from cxo.stats.proportions import proportion
from cxo.text import tag_workspace
from cxo.workspace import Workspace

T0 = dt.datetime(2026, 3, 1, 9, 0)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace.create(tmp_path / "ws", "service", language="en")
    rows = [
        # (id, customer, touchpoint, hours after T0, nps, comment)
        (
            "r1",
            "c1",
            "hotline",
            0,
            2,
            "Waited 40 minutes, nobody called back. Mail me: a.b@example.com",
        ),
        ("r2", "c2", "billing", 1, 8, "The invoice is wrong again and nobody helps."),
        ("r3", "c3", "hotline", 2, 10, "Great service, very friendly agent."),
        ("r4", "c4", "kiosk", 3, 5, None),  # a touchpoint without an owner in the charter
        ("r5", "c5", "billing", 4, 6, None),
        ("r6", "c6", "hotline", -24 * 60, 0, "old answer, outside the window"),
    ]
    with w.connect() as con:
        for rid, cid, tp, hours, nps, comment in rows:
            con.execute(
                "insert into responses (response_id, customer_id, survey, touchpoint, "
                "responded_at, nps, comment, language) values (?, ?, 's', ?, ?, ?, ?, 'en')",
                [rid, cid, tp, T0 + dt.timedelta(hours=hours), nps, comment],
            )
    tag_workspace(w)
    return w


def test_generate_routes_detractors_and_complaints(ws: Workspace) -> None:
    got = generate(ws)
    assert got.since == (T0 + dt.timedelta(hours=4)).date() - dt.timedelta(days=30)
    # r1, r4, r5 are detractors, r2 a negative comment; r3 is a promoter, r6 is too old
    assert got.created == 4
    assert got.unrouted == 1
    assert [n.key for n in got.notes] == ["followups.generate.unrouted"]
    assert any("accountable person" in n for n in note_lines(got, "en"))
    by_id = {t.response_id: t for t in tasks(ws)}
    assert set(by_id) == {"r1", "r2", "r4", "r5"}
    assert by_id["r2"].reason == "complaint"
    assert "detractor" in by_id["r1"].reason
    assert by_id["r4"].owner == ""
    charter = ws.charter()
    assert by_id["r1"].owner == charter.owner_of("hotline")["accountable"]
    assert by_id["r1"].due_at == T0 + dt.timedelta(hours=48)
    # the raw comment never reaches the task: e-mail addresses are redacted
    assert by_id["r1"].comment is not None
    assert "a.b@example.com" not in by_id["r1"].comment
    # idempotent: a second run adds nothing
    assert generate(ws).created == 0


def test_report_measures_the_loop(ws: Workspace) -> None:
    generate(ws, sla_hours=24)
    ids = {t.response_id: t.id for t in tasks(ws)}
    update(ws, ids["r1"], "contacted", note="called back", by="jana", at=T0 + dt.timedelta(hours=5))
    update(ws, ids["r1"], "closed", by="jana", at=T0 + dt.timedelta(hours=30))
    update(ws, ids["r2"], "closed", by="max", at=T0 + dt.timedelta(hours=49))  # late
    now = T0 + dt.timedelta(days=3)
    rep = report(ws, now=now)
    overall = rep.overall
    assert overall.tasks == 4
    assert overall.due == 4
    expected = proportion(1, 4)  # only r1 was contacted within 24 h
    assert overall.within_sla.value == pytest.approx(expected.value)
    assert (overall.within_sla.ci_low, overall.within_sla.ci_high) == pytest.approx(
        (expected.ci_low, expected.ci_high)
    )
    assert overall.contacted == pytest.approx(0.5)
    assert overall.median_hours_to_contact == pytest.approx((5 + 48) / 2)
    assert overall.overdue_open == 2  # r4 and r5
    assert rep.unrouted == 1
    assert {s.group for s in rep.by_owner} >= {"(no owner)"}
    closed = tasks(ws, status="closed")
    assert [t.response_id for t in closed] == ["r1", "r2"]
    assert closed[0].contacted_at == T0 + dt.timedelta(hours=5)
    assert closed[0].note == "called back"


def test_errors(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(MissingDataError, match="no follow-up tasks yet"):
        report(ws)
    with pytest.raises(UsageError, match="no follow-up task 99"):
        update(ws, 99, "closed")
    generate(ws)
    with pytest.raises(UsageError, match="status must be one of"):
        update(ws, 1, "done")
    with pytest.raises(UsageError, match="SLA must be a positive"):
        generate(ws, sla_hours=0)
    empty = Workspace.create(tmp_path / "empty", "service")
    with pytest.raises(MissingDataError, match="`responses` is empty"):
        generate(empty)


def test_cli(ws: Workspace) -> None:
    runner = CliRunner()
    w = str(ws.root)
    out = runner.invoke(app, ["followup", "generate", "-w", w, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["created"] == 4
    listed = json.loads(runner.invoke(app, ["followup", "list", "-w", w, "--json"]).stdout)
    first = listed[0]["id"]
    done = runner.invoke(app, ["followup", "close", str(first), "--note", "ok", "-w", w, "--json"])
    assert json.loads(done.stdout)["status"] == "closed"
    rep = json.loads(runner.invoke(app, ["followup", "report", "-w", w, "--json"]).stdout)
    assert rep["overall"]["tasks"] == 4
    assert rep["overall"]["contacted"] == pytest.approx(0.25)
    bad = runner.invoke(app, ["followup", "generate", "--since", "yesterday", "-w", w])
    assert bad.exit_code != 0
    assert "not a date" in bad.output
    text = runner.invoke(app, ["followup", "list", "-w", w]).stdout
    assert "follow-ups (4)" in text
