"""``cxo scorecard`` in-process: JSON output, CSV, German number format, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.workspace import Workspace

runner = CliRunner()


def _ws(tmp_path: Path, language: str) -> Workspace:
    ws = Workspace.create(tmp_path / language, "service", language=language)
    with ws.connect() as con:
        con.execute(
            "insert into customers (customer_id, segment, signup_date, churn_date) values "
            "('c1', 'private', '2025-01-01', null), ('c2', 'business', '2025-01-01', '2026-02-10')"
        )
        con.execute(
            "insert into responses (response_id, customer_id, survey, touchpoint, channel, "
            "responded_at, nps, csat, ces) values "
            "('r1', 'c1', 's', 'hotline', 'phone', '2026-01-05 10:00', 10, 5, 2), "
            "('r2', 'c2', 's', 'hotline', 'phone', '2026-02-20 11:00', 9, 4, 3), "
            "('r3', 'c1', 's', 'billing', 'email', '2026-02-03 09:30', 0, 1, 7), "
            "('r4', 'c2', 's', 'billing', 'email', '2026-02-15 16:00', 8, 5, 6)"
        )
    return ws


def test_json_output(tmp_path: Path) -> None:
    ws = _ws(tmp_path, "en")
    result = runner.invoke(
        app,
        ["scorecard", "-w", str(ws.root), "--by", "touchpoint", "--json", "--compare", "previous"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {r["group"]["touchpoint"]: r for r in data["rows"]}
    # billing: NPS 0 and 8 → 0 promoters, 1 detractor of 2 → −50; CSAT 1, 5 → 1/2
    assert rows["billing"]["nps"]["value"] == -50.0
    assert rows["billing"]["csat"]["successes"] == 1
    # hotline: 10, 9 → 100; CES 2, 3 → 2.5
    assert rows["hotline"]["nps"]["value"] == 100.0
    assert rows["hotline"]["ces"]["value"] == 2.5
    assert data["total"]["n"] == 4
    # churn over the 12 months up to 2026-02-20: c1 and c2 at risk, c2 churned → 1/2
    assert data["total"]["churn"]["value"] == 0.5
    assert data["compare"] == ["previous"]
    kpi = {(k["touchpoint"], k["metric"]): k["status"] for k in data["kpis"]}
    assert kpi[("hotline", "nps")] == "met"
    assert kpi[("billing", "nps")] == "missed"


def test_by_is_repeatable_and_comma_separated(tmp_path: Path) -> None:
    ws = _ws(tmp_path, "en")
    a = runner.invoke(app, ["scorecard", "-w", str(ws.root), "--by", "segment,month", "--json"])
    b = runner.invoke(
        app, ["scorecard", "-w", str(ws.root), "--by", "segment", "--by", "month", "--json"]
    )
    assert a.exit_code == b.exit_code == 0, a.output
    assert json.loads(a.stdout)["rows"] == json.loads(b.stdout)["rows"]
    assert json.loads(a.stdout)["by"] == ["segment", "month"]


def test_csv_to_stdout_and_file(tmp_path: Path) -> None:
    ws = _ws(tmp_path, "en")
    result = runner.invoke(app, ["scorecard", "-w", str(ws.root), "--by", "channel", "--csv", "-"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["channel"] for r in rows] == ["email", "phone"]
    assert float(rows[1]["nps"]) == 100.0
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["scorecard", "-w", str(ws.root), "--csv", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text("utf-8").startswith("touchpoint,responses,nps,")


def test_table_uses_german_number_format(tmp_path: Path) -> None:
    ws = _ws(tmp_path, "de")
    result = runner.invoke(app, ["scorecard", "-w", str(ws.root)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Gesamt" in result.stdout
    assert "Kontaktpunkt" in result.stdout
    # CSAT total: 5 4 1 5 → 3/4 = 75,0 %; CES mean (2+3+7+6)/4 = 4,50
    assert "75,0 %" in result.stdout
    assert "4,50" in result.stdout
    assert "erreicht" in result.stdout


def test_exit_codes(tmp_path: Path) -> None:
    ws = _ws(tmp_path, "en")
    bad = runner.invoke(app, ["scorecard", "-w", str(ws.root), "--by", "colour"])
    assert bad.exit_code == 2
    assert "unknown grouping" in bad.output
    bad_date = runner.invoke(app, ["scorecard", "-w", str(ws.root), "--from", "01.02.2026"])
    assert bad_date.exit_code == 2
    empty = Workspace.create(tmp_path / "empty", "retail", language="en")
    missing = runner.invoke(app, ["scorecard", "-w", str(empty.root)])
    assert missing.exit_code == 1
    assert "cxo import responses" in missing.output
    no_ws = runner.invoke(app, ["scorecard", "-w", str(tmp_path / "nowhere")])
    assert no_ws.exit_code == 2
