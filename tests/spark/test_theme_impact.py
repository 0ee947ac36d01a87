"""Parity: theme impact on a local Spark session over the lake equals DuckDB's, exactly.

Both engines count the same response patterns with one ibis expression
(:mod:`cxo.text.impact_data`); the patterns must be identical (counts exactly), and so then
is every figure of theme impact, intervals included (same seed, same patterns, same order).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.ingest.api import import_file
from cxo.lake import manifest, publish
from cxo.simulate import simulate
from cxo.text import tag_workspace, theme_impact
from cxo.text.impact_data import impact_inputs, impact_patterns
from cxo.workspace import Workspace
from tests.parity import SPARK_MARKS

pytestmark = SPARK_MARKS


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root: Path = tmp_path_factory.mktemp("spark_text")
    sim = simulate("service", 800, 23, root / "sim")
    ws = Workspace.create(root / "ws", "service")
    import_file(ws, "responses", sim.files["responses"])
    tag_workspace(ws, workers=1)
    publish(ws)
    return ws


def test_the_lake_holds_the_analysed_comments(tagged: Workspace) -> None:
    names = {t["name"] for t in manifest(tagged.root / "lake")["tables"]}
    assert {"responses", "response_text", "response_themes"} <= names


def test_patterns_and_theme_impact_equal_on_spark(tagged: Workspace) -> None:
    on_duckdb = impact_patterns(tagged, "duckdb")
    on_spark = impact_patterns(tagged, "spark")
    assert on_spark == on_duckdb  # counts exactly, same order
    assert on_duckdb.responses > 1_000
    duck = [
        r.to_dict()
        for r in theme_impact(**impact_inputs(on_duckdb), n_boot=200, n_boot_adjusted=50, seed=4)
    ]
    spark = [
        r.to_dict()
        for r in theme_impact(**impact_inputs(on_spark), n_boot=200, n_boot_adjusted=50, seed=4)
    ]
    assert spark == duck
    assert any(r["ci_high"] < 0 for r in duck)  # the simulator plants pains


def test_the_cli_computes_theme_impact_on_spark(tagged: Workspace) -> None:
    base = ["text", "impact", "--workspace", str(tagged.root), "--boot", "100", "--json"]
    on_spark = CliRunner().invoke(app, [*base, "--engine", "spark"])
    assert on_spark.exit_code == 0, on_spark.output
    on_duckdb = CliRunner().invoke(app, base)
    assert on_duckdb.exit_code == 0, on_duckdb.output
    assert json.loads(on_spark.stdout) == json.loads(on_duckdb.stdout)
