"""Parity: an initiative's measured effect on Spark over the published lake equals DuckDB's.

The same SQL (:mod:`cxo.initiatives.effect`, :mod:`~cxo.initiatives.event_study`,
:mod:`~cxo.initiatives.matching`) runs on a DuckDB connection and on a
:class:`~cxo.engine.sql.SparkRunner`: counts must be equal exactly, statistics to 1e-9
relative. Every statement brings at most ``COLLECT_BOUND`` rows to the driver, fewer than the
company has customers: the clustered variances, the event study and the matching aggregate in
the engine; so do the business case before launch and its power check (``cxo initiative case
--engine spark``). ``cxo initiative rank --engine`` passes the engine to
:func:`cxo.initiatives.measure_all` (the measurement shown here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.engine.sql import SparkRunner
from cxo.initiatives import get_initiative
from cxo.initiatives.effect import measure_effect
from cxo.workspace import Workspace
from tests.parity import SPARK_MARKS, assert_same, collect_py4j_sockets, published_company

pytestmark = SPARK_MARKS

COLLECT_BOUND = 500
"""Rows one statement may bring to the driver: below the 1,200 customers (and far below the
responses), above the aggregates (event-study products per stratum and month pair, runs of
equal pre-period level, the 200 targeted customers)."""
TARGETED = 200


_collect_py4j_sockets = pytest.fixture(scope="module", autouse=True)(collect_py4j_sockets)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("spark_initiatives")

    def load_initiatives(ws: Workspace) -> None:
        for args in (
            ["initiative", "load", str(root / "sim" / "portfolio.yaml")],
            # an expected NPS effect alone: the business case values it with the churn linkage
            ["initiative", "add", "nps_only", "-t", "portal", "--nps-effect", "8"],
            ["initiative", "add", "nps_only", "--cost", "5000", "--running-cost", "100"],
        ):
            done = CliRunner().invoke(app, [*args, "-w", str(ws.root)])
            assert done.exit_code == 0, done.output

    return published_company(root, before_publish=load_initiatives, language="en")


@pytest.fixture(scope="module")
def targets(company: Workspace) -> list[str]:
    """A campaign's target list: every fourth customer who answered before the launch."""
    launch = get_initiative(company.app_database_url, "chatbot").launch
    with company.connect(read_only=True) as con:
        rows = con.execute(
            """select distinct customer_id from responses
               where customer_id is not null and responded_at < ? order by customer_id""",
            [launch],
        ).fetchall()
    return [str(r[0]) for r in rows[::4]][:TARGETED]


def _same(a: Any, b: Any) -> None:
    assert_same(a, b, 1e-9)  # counts and labels exactly, statistics to 1e-9


@pytest.mark.parametrize(
    ("comparison", "with_targets"),
    [("touchpoints", False), ("prepost", False), ("prepost", True), ("matched", True)],
    ids=["touchpoints", "prepost", "prepost-targeted", "matched"],
)
def test_effect_on_spark_equals_duckdb(
    company: Workspace,
    targets: list[str],
    comparison: str,
    with_targets: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ini = get_initiative(company.app_database_url, "chatbot")
    assert ini.launch is not None
    options: dict[str, Any] = {"comparison": comparison}
    if with_targets:
        options["customers"] = targets
    with company.connect(read_only=True) as con:
        customers = int(con.execute("select count(*) from customers").fetchall()[0][0])
        on_duckdb = measure_effect(con, ini.touchpoints, ini.launch, **options).to_dict()
    assert customers > 2 * COLLECT_BOUND
    monkeypatch.setenv("CXO_SPARK_MAX_COLLECT", str(COLLECT_BOUND))
    runner = SparkRunner.for_workspace(company)
    try:
        on_spark = measure_effect(runner, ini.touchpoints, ini.launch, **options).to_dict()
    finally:
        runner.close()
    assert 0 < runner.largest_collect <= COLLECT_BOUND
    _same(on_duckdb, on_spark)
    assert on_duckdb["nps"]["responses"]["treated_post"] > 0
    if comparison == "touchpoints":  # month by month (few months of 200 targeted are thick)
        assert len(on_duckdb["event_study"]["months"]) > 6
        assert on_duckdb["event_study"]["pre_trend"] is not None
    if comparison == "matched":
        assert on_duckdb["matching"]["matched"] >= 30


def test_initiative_measure_cli_on_spark(
    company: Workspace, targets: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole proof (effect, reach, churn linkage, money) through the CLI, both engines."""
    ids = tmp_path / "targets.txt"
    ids.write_text("\n".join(targets) + "\n", "utf-8")
    base = ["initiative", "measure", "chatbot", "--workspace", str(company.root), "--json"]
    base += ["--control", "matched", "--customers", str(ids)]
    monkeypatch.setenv("CXO_SPARK_MAX_COLLECT", str(COLLECT_BOUND))
    on_spark = CliRunner().invoke(app, [*base, "--engine", "spark"])
    assert on_spark.exit_code == 0, on_spark.output
    on_duckdb = CliRunner().invoke(app, base)
    assert on_duckdb.exit_code == 0, on_duckdb.output
    duck = json.loads(on_duckdb.stdout)
    _same(duck, json.loads(on_spark.stdout))
    assert duck["effect"]["comparison"] == "matched"


def test_initiative_case_cli_on_spark(company: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The business case before launch of an NPS effect alone: reach, churn linkage (the effect
    in churn), NPV and the power check, both engines (an initiative with a churn effect takes
    the same path without the linkage)."""
    base = ["initiative", "case", "nps_only", "-w", str(company.root), "--window", "9", "--json"]
    on_duckdb = CliRunner().invoke(app, [*base, "--engine", "duckdb"])
    assert on_duckdb.exit_code == 0, on_duckdb.output
    monkeypatch.setenv("CXO_SPARK_MAX_COLLECT", str(COLLECT_BOUND))
    on_spark = CliRunner().invoke(app, [*base, "--engine", "spark"])
    assert on_spark.exit_code == 0, on_spark.output
    duck = json.loads(on_duckdb.stdout)
    _same(duck, json.loads(on_spark.stdout))
    assert duck["reach"]["customers"] > 0
    assert duck["power"] is not None  # the power check ran on both
