"""Parity: the scorecard on a local Spark session over the published lake equals DuckDB's.

Counts must be equal exactly, statistics to 1e-9 relative. One JVM for the run (the session
is cached per process; ``xdist_group`` keeps these tests on one worker). ``pytest -m spark``
runs exactly these. Needs pyspark (the ``spark`` extra, which ``scripts/_uv.sh`` installs) and
a Java runtime (``scripts/system-deps.sh`` installs openjdk-17-jre-headless when missing).
"""

from __future__ import annotations

import gc
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cxo import diagnostics
from cxo.assess import assess
from cxo.cli.main import app
from cxo.demo import IMPORT_ORDER
from cxo.engine import scorecard
from cxo.engine.spark import EngineUnavailable
from cxo.ingest.api import import_file
from cxo.lake import publish
from cxo.simulate import simulate
from cxo.workspace import Workspace
from tests.parity import assert_same

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,  # a JVM and many small Spark jobs: not in the quick lane
    pytest.mark.xdist_group("spark"),
    # py4j leaves its gateway sockets to the garbage collector (not ours to close)
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]


@pytest.fixture(scope="module", autouse=True)
def _collect_py4j_sockets() -> Iterator[None]:
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("spark")
    sim = simulate("service", 1_200, 21, root / "sim")
    ws = Workspace.create(root / "ws", "service")
    for table in ("customers", "responses"):
        assert table in IMPORT_ORDER
        import_file(ws, table, sim.files[table])
    publish(ws)
    return ws


def _same(a: Any, b: Any) -> None:
    assert_same(a, b, 1e-9)  # counts and labels exactly, statistics to 1e-9


@pytest.mark.parametrize(
    ("by", "options"),
    [
        (["touchpoint"], {}),
        (["segment"], {"compare": ["segments"]}),
        (["touchpoint", "month"], {}),
        (["channel", "quarter"], {"compare": ["previous"]}),
        (["touchpoint"], {"period": "2025"}),
    ],
    ids=["touchpoint", "segment-compare", "touchpoint-month", "channel-quarter", "period"],
)
def test_scorecard_on_spark_equals_duckdb(
    company: Workspace, by: list[str], options: dict[str, Any]
) -> None:
    on_duckdb = scorecard(company, by=by, engine="duckdb", **options).to_dict()
    on_spark = scorecard(company, by=by, engine="spark", **options).to_dict()
    assert on_duckdb["rows"], "the comparison must cover data"
    _same(on_duckdb, on_spark)


def test_cli_engine_flag_and_setting(company: Workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["scorecard", "--workspace", str(company.root), "--json"]
    duck = runner.invoke(app, base)
    spark = runner.invoke(app, [*base, "--engine", "spark"])
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    _same(json.loads(duck.stdout), json.loads(spark.stdout))
    wrong = runner.invoke(app, [*base, "--engine", "polars"])
    assert wrong.exit_code == 2
    assert "choose one of duckdb, spark" in wrong.output


NOT_ON_IBIS = "DuckDB SQL (temp-table chains, row-level NumPy); not expressed in ibis yet"


@pytest.mark.xfail(strict=True, raises=EngineUnavailable, reason=f"assessment: {NOT_ON_IBIS}")
def test_assessment_on_spark_equals_duckdb(company: Workspace) -> None:
    on_spark = assess(company, engine="spark", n_boot=20)  # raises today: the gap
    _same(assess(company, engine="duckdb", n_boot=20).to_dict(), on_spark.to_dict())


@pytest.mark.parametrize("name", diagnostics.NAMES)
@pytest.mark.xfail(strict=True, raises=EngineUnavailable, reason=f"diagnostics: {NOT_ON_IBIS}")
def test_diagnostic_on_spark_equals_duckdb(company: Workspace, name: str) -> None:
    on_spark = diagnostics.diagnose(company, name, engine="spark")  # raises today: the gap
    _same(diagnostics.diagnose(company, name, engine="duckdb").to_dict(), on_spark.to_dict())


@pytest.mark.parametrize(
    "command",
    [["initiative", "measure", "chatbot"], ["text", "impact"]],
    ids=["initiative-measure", "text-impact"],
)
def test_more_analyses_on_spark_equal_duckdb(company: Workspace, command: list[str]) -> None:
    base = [*command, "--workspace", str(company.root), "--json"]
    on_spark = CliRunner().invoke(app, [*base, "--engine", "spark"])
    if on_spark.exit_code == 2 and "does not run on Spark yet" in on_spark.output:
        pytest.xfail(f"initiative effects and theme impact: {NOT_ON_IBIS}")  # the known gap
    assert on_spark.exit_code == 0, on_spark.output
    on_duckdb = CliRunner().invoke(app, base)
    _same(json.loads(on_duckdb.stdout), json.loads(on_spark.stdout))


def test_the_cli_names_the_alternative_for_analyses_not_on_spark(company: Workspace) -> None:
    result = CliRunner().invoke(
        app, ["assess", "--workspace", str(company.root), "--engine", "spark"]
    )
    assert result.exit_code == 2
    assert "does not run on Spark yet" in result.output
    assert "cxo publish" in result.output
