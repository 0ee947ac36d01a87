"""`cxo import survey FILE`: a survey-platform export into responses and ratings."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "platforms"
runner = CliRunner()


def test_survey_export_needs_a_touchpoint_then_imports_both_tables(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "service", language="en")
    export = str(FIXTURES / "google_forms_onboarding.csv")
    missing = runner.invoke(app, ["import", "survey", export, "-w", str(ws.root)])
    assert missing.exit_code == 2
    assert "--touchpoint" in missing.output
    done = runner.invoke(
        app,
        ["import", "survey", export, "--touchpoint", "onboarding", "-w", str(ws.root), "--json"],
    )
    assert done.exit_code == 0, done.output
    batches = json.loads(done.stdout[done.stdout.index("[") :])
    assert [(b["table"], b["read"], b["imported"], b["quarantined"]) for b in batches] == [
        ("responses", 4, 4, 0),
        ("ratings", 11, 11, 0),
    ]
    with ws.connect(read_only=True) as con:
        row = con.execute("select count(*), min(touchpoint) from responses").fetchone()
    assert row == (4, "onboarding")
