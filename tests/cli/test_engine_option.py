"""``--engine`` on the analytic commands that gained it (drivers, initiative case and rank):
the usual clear errors without Spark work (no lake published, a raw file, an unknown engine).
The parity on Spark: ``tests/spark/test_assessment.py`` (drivers) and
``tests/spark/test_initiatives.py`` (initiative case)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """An empty service workspace with one initiative (nothing published to a lake)."""
    ws = Workspace.create(tmp_path / "ws", "service")
    touchpoint = sorted(ws.charter().keys("touchpoint"))[0]
    added = CliRunner().invoke(
        app,
        ["initiative", "add", "portal", "-t", touchpoint, "--nps-effect", "5", "-w", str(ws.root)],
    )
    assert added.exit_code == 0, added.output
    return ws


@pytest.mark.parametrize(
    "command",
    [["drivers"], ["initiative", "case", "portal"]],
    ids=["drivers", "initiative-case"],
)
def test_spark_without_a_published_lake_names_the_fix(ws: Workspace, command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "-w", str(ws.root), "--engine", "spark"])
    assert result.exit_code == 2, result.output
    assert "no published lake" in result.stderr
    assert "cxo publish" in result.stderr


@pytest.mark.parametrize(
    "command",
    [["drivers"], ["initiative", "case", "portal"], ["initiative", "rank"]],
    ids=["drivers", "initiative-case", "initiative-rank"],
)
def test_an_unknown_engine_is_a_usage_error(ws: Workspace, command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "-w", str(ws.root), "--engine", "oracle"])
    assert result.exit_code == 2, result.output
    assert "choose one of duckdb, spark" in result.stderr


def test_drivers_of_a_file_take_no_spark(tmp_path: Path) -> None:
    """A raw file is read with pandas: ``--engine spark`` with ``--input`` says so."""
    data = tmp_path / "survey.csv"
    rows = [(i * 7 % 5 + 1, i * 3 % 5 + 1) for i in range(80)]
    lines = [f"{min(10, 2 * s + p - 2)},{s},{p}" for s, p in rows]
    data.write_text("nps,speed,price\n" + "\n".join(lines) + "\n", "utf-8")
    spark = CliRunner().invoke(app, ["drivers", "--input", str(data), "--engine", "spark"])
    assert spark.exit_code == 2, spark.output
    assert "--engine spark reads a workspace's data" in spark.stderr
    assert "--input" in spark.stderr
    duckdb = CliRunner().invoke(
        app, ["drivers", "--input", str(data), "--engine", "duckdb", "--boot", "0", "--json"]
    )
    assert duckdb.exit_code == 0, duckdb.output
    assert {r["method"] for r in json.loads(duckdb.stdout)} == {"relative_weights", "lmg"}
