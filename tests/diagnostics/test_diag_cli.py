"""``cxo diagnose …`` in process."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cxo.cli.main import app

from . import diag_synth as synth

runner = CliRunner()


def test_diagnose_json_and_text(make_ws) -> None:
    ws, _ = make_ws("service", synth.make_sessions, n=1000, seed=1)
    out = runner.invoke(app, ["diagnose", "selfservice", "--json", "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["diagnostic"] == "selfservice"
    assert data["owner"]["accountable"] == "Thomas Becker"
    text = runner.invoke(app, ["diagnose", "selfservice", "-w", str(ws.root), "-l", "en"])
    assert text.exit_code == 0
    assert "Owner: IT (Thomas Becker)" in text.stdout


def test_missing_table_exit_code_and_message(make_ws) -> None:
    ws, _ = make_ws("service", synth.make_sessions, n=200, seed=1)
    out = runner.invoke(app, ["diagnose", "marketing", "-w", str(ws.root)])
    assert out.exit_code == 1
    assert "needs table `sends`" in out.output
    assert "cxo import sends" in out.output


def test_diagnose_all_reports_each(make_ws) -> None:
    ws, _ = make_ws("service", synth.make_sessions, n=500, seed=2)
    out = runner.invoke(app, ["diagnose", "all", "--json", "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["selfservice"]["diagnostic"] == "selfservice"
    assert data["loyalty"]["error"] == "missing_data"
    assert data["complaints"]["error"] == "missing_data"
    from cxo import diagnostics

    seen: list[str] = []
    diagnostics.diagnose_all(ws, on_step=seen.append)
    assert tuple(seen) == diagnostics.NAMES


def test_bad_as_of_is_a_usage_error(make_ws) -> None:
    ws, _ = make_ws("service", synth.make_loyalty, n=300, seed=3)
    out = runner.invoke(app, ["diagnose", "loyalty", "--as-of", "30.09.2026", "-w", str(ws.root)])
    assert out.exit_code == 2
    assert "--as-of" in out.output
    ok = runner.invoke(
        app, ["diagnose", "loyalty", "--as-of", "2026-09-30", "--json", "-w", str(ws.root)]
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["figures"]["as_of"] == "2026-09-30"
