"""``cxo import`` in-process: exit codes 0/1/2, reconciliation line, --json."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.workspace import Workspace

runner = CliRunner()
GOOD = "response_id;survey;touchpoint;responded_at;nps\nr1;rel;support;01.03.2024;9\n"
MIXED = GOOD + "r2;rel;support;01.03.2024;11\nr3;rel;support;01.03.2024;8\n"


def write(path: Path, text: str) -> str:
    path.write_text(text, "utf-8")
    return str(path)


def test_import_prints_reconciliation_and_reasons(ws: Workspace, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["import", "responses", write(tmp_path / "a.csv", MIXED), "-w", str(ws.root)]
    )
    assert result.exit_code == 0, result.output
    # the workspace speaks German (the default): reconciliation and reasons in German
    assert "gelesen 3 = importiert 2 + in Quarantäne 1" in result.output
    assert "a.csv:3 [nps] nps: '11' liegt außerhalb des Bereichs 0–10" in result.output


def test_import_several_files_as_json(ws: Workspace, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", GOOD)
    b = write(tmp_path / "b.csv", MIXED)
    result = runner.invoke(
        app, ["import", "responses", a, b, "--workspace", str(ws.root), "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [(o["read"], o["imported"], o["quarantined"]) for o in out] == [(1, 1, 0), (3, 2, 1)]
    assert out[1]["updated"] == 1
    assert out[1]["inserted"] == 1


def test_max_rejected_exceeded_exits_1(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", MIXED)
    result = runner.invoke(
        app, ["import", "responses", path, "-w", str(ws.root), "--max-rejected", "5%"]
    )
    assert result.exit_code == 1
    assert "1 of 3 rows rejected" in result.output
    assert "nothing was imported" in result.output
    with ws.connect(read_only=True) as con:
        assert con.execute("select count(*) from responses").fetchall() == [(0,)]


def test_usage_and_input_errors_exit_2(ws: Workspace, tmp_path: Path) -> None:
    good = write(tmp_path / "a.csv", GOOD)
    cases = [
        ["import", "nonsense", good],
        ["import", "responses", str(tmp_path / "missing.csv")],
        ["import", "responses", good, "--max-rejected", "lots"],
        ["import", "customers", good],  # required columns missing
    ]
    for args in cases:
        result = runner.invoke(app, [*args, "-w", str(ws.root)])
        assert result.exit_code == 2, (args, result.output)
    result = runner.invoke(app, ["import", "customers", good, "-w", str(ws.root)])
    assert "a.csv: line 1: required column `customer_id`" in result.output
