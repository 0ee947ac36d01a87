"""Parity: the scorecard and the diagnostics on a local Spark session over the published lake
equal DuckDB's.

Counts must be equal exactly, statistics to 1e-9 relative. One JVM for the run (the session
is cached per process; ``xdist_group`` keeps these tests on one worker). ``pytest -m spark``
runs exactly these. Needs pyspark (the ``spark`` extra, which ``scripts/_uv.sh`` installs) and
a Java runtime (``scripts/system-deps.sh`` installs openjdk-17-jre-headless when missing).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cxo import diagnostics
from cxo.cli.main import app
from cxo.diagnostics._common import first_owner
from cxo.diagnostics.self_service import SELF_SERVICE_TOUCHPOINTS
from cxo.engine import scorecard
from cxo.engine.spark import EngineUnavailable, check_engine
from cxo.engine.sql import DriverCollectExceeded, SparkRunner
from cxo.lake import publish
from cxo.workspace import Workspace
from tests.parity import SPARK_MARKS, assert_same, collect_py4j_sockets, published_company

pytestmark = SPARK_MARKS


_collect_py4j_sockets = pytest.fixture(scope="module", autouse=True)(collect_py4j_sockets)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    # every table: the diagnostics read contracts, cases, sends…
    return published_company(tmp_path_factory.mktemp("spark"))


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


COLLECT_BOUND = 400
"""At most this many rows of any statement reach the driver (the fixture has 1,200 customers
and tens of thousands of responses, sends and sessions): the diagnostics aggregate on Spark."""


@pytest.mark.parametrize("name", diagnostics.NAMES)
def test_diagnostic_on_spark_equals_duckdb(
    company: Workspace, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXO_SPARK_MAX_COLLECT", str(COLLECT_BOUND))  # else DriverCollectExceeded
    on_spark = diagnostics.diagnose(company, name, engine="spark").to_dict()
    on_duckdb = diagnostics.diagnose(company, name, engine="duckdb").to_dict()
    assert on_duckdb["findings"], "the comparison must cover data"
    assert on_duckdb["tables"], "the comparison must cover data"
    _same(on_duckdb, on_spark)


@pytest.fixture(scope="module")
def with_themes(company: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The company with themes of comments at the self-service touchpoint (``cxo text``
    writes ``response_themes``; ``cxo publish`` carries it to the lake)."""
    root = tmp_path_factory.mktemp("themes") / "ws"
    shutil.copytree(company.root, root)
    ws = Workspace(root)
    tp = first_owner(ws.charter(), SELF_SERVICE_TOUCHPOINTS)["touchpoint"]
    with ws.connect() as con:
        con.execute(
            "create table if not exists response_themes "
            "(response_id varchar not null, theme varchar not null, sentiment varchar not null)"
        )
        con.execute(
            "insert into response_themes select response_id, 'login_access', 'negative' "
            "from responses where touchpoint = ? order by response_id limit 40",
            [tp],
        )
    publish(ws)
    return ws


def test_selfservice_themes_on_spark(with_themes: Workspace) -> None:
    on_duckdb = diagnostics.diagnose(with_themes, "selfservice", engine="duckdb").to_dict()
    assert on_duckdb["figures"]["themes"] == ["login_access"]
    on_spark = diagnostics.diagnose(with_themes, "selfservice", engine="spark").to_dict()
    _same(on_duckdb, on_spark)


def test_diagnose_cli_on_spark(company: Workspace) -> None:
    base = ["diagnose", "selfservice", "--workspace", str(company.root), "--json"]
    on_spark = CliRunner().invoke(app, [*base, "--engine", "spark"])
    assert on_spark.exit_code == 0, on_spark.output
    on_duckdb = CliRunner().invoke(app, base)
    _same(json.loads(on_duckdb.stdout), json.loads(on_spark.stdout))


def test_a_statement_returning_many_rows_is_refused_not_collected(company: Workspace) -> None:
    runner = SparkRunner.for_workspace(company)
    with company.connect(read_only=True) as con:
        on_duckdb = con.execute("select count(*) from responses").fetchone()
    assert runner.execute("select count(*) from responses").fetchone() == on_duckdb
    runner.max_collect = 50
    with pytest.raises(DriverCollectExceeded, match="more than 50 rows"):
        runner.execute("select response_id from responses")
    assert runner.largest_collect == 1


# initiative effects: tests/spark/test_initiatives.py; theme impact: test_theme_impact.py


def test_an_analysis_not_on_spark_names_the_alternative(company: Workspace) -> None:
    # the assessment runs on Spark now (tests/spark/test_assessment.py); the error stays for
    # an analysis that does not
    with pytest.raises(EngineUnavailable, match="does not run on Spark yet") as raised:
        check_engine("spark", company, "an analysis")
    assert raised.value.exit_code == 2
    assert "cxo publish" in str(raised.value.hint)
