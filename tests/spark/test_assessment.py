"""Parity: the assessment on a local Spark session over the published lake equals DuckDB's.

The same SQL runs on both engines (:mod:`cxo.engine.sql`); Python sees aggregates only, which
a small bound on the rows one statement may bring to the driver checks. Counts must be equal
exactly, statistics to 1e-9 relative (``tests/parity.py``). One JVM for the run, like
``tests/spark/test_parity.py``; ``pytest -m spark tests/spark/test_assessment.py`` runs these.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from typer.testing import CliRunner

from cxo.assess import assess
from cxo.assess.data import prepare
from cxo.assess.linkage import linkage
from cxo.assess.trend import trend
from cxo.cli.main import app
from cxo.engine.sql import SparkRunner
from cxo.workspace import Workspace
from tests.parity import SPARK_MARKS, assert_same, collect_py4j_sockets, published_company

pytestmark = SPARK_MARKS

COLLECT_BOUND = 10_000
"""At most this many rows of one statement reach the driver: the fixture has ~15,000 NPS
answers, so a statement fetching per-response rows is refused. The aggregates the assessment
fetches are sized by cells × strata (the pains' person time: touchpoint × theme × segment ×
disposition × band × exposure, a few thousand rows here) or by a constant (the key drivers'
``BUCKETS`` random buckets): no size bound on 1,200 customers tells those from per-customer
rows, so :meth:`Fetched.check` also asserts that every larger result is an aggregate."""
AGGREGATE_FROM = 100
"""Results with more rows than this must come from an aggregating query (GROUP BY, DISTINCT
or aggregates only): nothing fetches customers' or responses' rows."""
N_BOOT = 20


_collect_py4j_sockets = pytest.fixture(scope="module", autouse=True)(collect_py4j_sockets)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """1,200 customers of a service company (every table), published to the lake."""
    return published_company(tmp_path_factory.mktemp("spark_assess"))


@dataclass
class Fetched:
    """What the Spark runners of the assessment brought to the driver, statement by statement."""

    runners: list[SparkRunner] = field(default_factory=list)
    rows: list[tuple[int, str]] = field(default_factory=list)

    def check(self) -> None:
        assert self.runners, "the assessment must have run on Spark"
        assert self.rows, "the assessment must have fetched from Spark"
        for n, query in self.rows:
            where = " ".join(query.split())[:300]
            assert n <= COLLECT_BOUND, f"{n} rows fetched by: {where}"
            if n > AGGREGATE_FROM:
                assert _aggregates(query), f"{n} rows, not an aggregate: {where}"

    @property
    def largest(self) -> int:
        return max(n for n, _ in self.rows)


def _aggregates(query: str) -> bool:
    """Whether the outermost SELECT of ``query`` groups, is DISTINCT or has only aggregates."""
    import sqlglot
    import sqlglot.expressions as exp

    tree = sqlglot.parse_one(query, read="duckdb")
    assert isinstance(tree, exp.Select), query
    if tree.args.get("group") or tree.args.get("distinct"):
        return True
    return all(p.find(exp.AggFunc) is not None for p in tree.expressions)


@pytest.fixture(scope="module")
def fetched() -> Iterator[Fetched]:
    """Every SparkRunner made meanwhile records the rows each statement fetched."""
    out = Fetched()
    original = SparkRunner.for_workspace.__func__  # type: ignore[attr-defined]

    def for_workspace(cls: type[SparkRunner], ws: Workspace) -> SparkRunner:
        runner: SparkRunner = original(cls, ws)
        runner.max_collect = COLLECT_BOUND
        execute = runner.execute

        def recording(query: str, parameters: object = None) -> Any:
            result = execute(query, parameters)
            out.rows.append((len(result._rows), query))  # the rows the driver holds
            return result

        runner.execute = recording  # type: ignore[method-assign]
        out.runners.append(runner)
        return runner

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SparkRunner, "for_workspace", classmethod(for_workspace))
        yield out


def _without_number(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != "number"}


def test_working_tables_linkage_and_trend_on_spark_equal_duckdb(company: Workspace) -> None:
    """The steps of the assessment that are this module's SQL alone: prepare (counts, date,
    theme source), churn linkage by NPS group and touchpoint, and the quarterly trend."""
    runner = SparkRunner.for_workspace(company)
    runner.max_collect = COLLECT_BOUND
    charter = company.charter()
    try:
        on_spark = _steps(runner, charter)
    finally:
        runner.close()
    with company.connect(read_only=True) as con:
        on_duckdb = _steps(con, charter)
    assert on_duckdb["linkage"]["touchpoints"], "the comparison must cover data"
    assert on_duckdb["trend"]["quarters"], "the comparison must cover data"
    assert_same(on_duckdb, on_spark, 1e-9)
    assert 0 < runner.largest_collect <= COLLECT_BOUND


def _steps(con: Any, charter: Any) -> dict[str, Any]:
    prep = prepare(con)
    link = linkage(con, charter, currency="EUR", has_revenue=prep.has_revenue)
    tr = trend(con)
    assert tr is not None
    return {
        "as_of": prep.as_of.isoformat(),
        "theme_source": prep.theme_source,
        "responses": prep.responses,
        "customers": prep.customers,
        "has_revenue": prep.has_revenue,
        "has_ratings": prep.has_ratings,
        "notes": [n.to_dict() for n in prep.notes],
        "linkage": link.to_dict(),
        "trend": tr.to_dict(),
    }


def test_assessment_on_spark_equals_duckdb(company: Workspace, fetched: Fetched) -> None:
    on_spark = assess(company, engine="spark", n_boot=N_BOOT).to_dict()
    on_duckdb = assess(company, engine="duckdb", n_boot=N_BOOT).to_dict()
    assert on_duckdb["pains"], "the comparison must cover data"
    assert on_duckdb["drivers"], "the comparison must cover data"
    assert on_duckdb["linkage"]["touchpoints"], "the comparison must cover data"
    assert_same(on_duckdb, on_spark, 1e-9)
    fetched.check()
    print(f"largest fetch from Spark: {fetched.largest} rows")  # shown with -s


def test_assess_cli_on_spark(company: Workspace, fetched: Fetched) -> None:
    base = ["assess", "--workspace", str(company.root), "--json", "--boot", str(N_BOOT)]
    on_spark = CliRunner().invoke(app, [*base, "--engine", "spark"])
    assert on_spark.exit_code == 0, on_spark.output
    fetched.check()
    on_duckdb = CliRunner().invoke(app, base)
    assert on_duckdb.exit_code == 0, on_duckdb.output
    assert_same(
        _without_number(json.loads(on_duckdb.stdout)),
        _without_number(json.loads(on_spark.stdout)),
        1e-9,
    )


def test_drivers_cli_on_spark(company: Workspace, fetched: Fetched) -> None:
    """``cxo drivers --engine spark``: relative weights and LMG with bootstrap intervals from the
    sums per bucket (the listwise default; pairwise deletion only changes the ``case when`` of
    the same statement)."""
    base = ["drivers", "-w", str(company.root), "--boot", "30", "--na", "0", "--json"]
    on_spark = CliRunner().invoke(app, [*base, "--engine", "spark"])
    assert on_spark.exit_code == 0, on_spark.output
    fetched.check()
    on_duckdb = CliRunner().invoke(app, [*base, "--engine", "duckdb"])
    assert on_duckdb.exit_code == 0, on_duckdb.output
    duck = json.loads(on_duckdb.stdout)
    assert_same(duck, json.loads(on_spark.stdout), 1e-9)
    assert [r["method"] for r in duck] == ["relative_weights", "lmg"]


def test_assessment_date_and_bands_on_spark(company: Workspace) -> None:
    """An explicit ``as_of`` at a month's end: the tenure bands' ``+ interval 13 month`` clamps
    to the month's last day on both engines (2024-01-31 + 13 months = 2025-02-28)."""
    as_of = dt.date(2025, 3, 31)
    runner = SparkRunner.for_workspace(company)
    try:
        prepare(runner, as_of)
        on_spark = runner.execute(
            "select (date '2024-01-31' + interval 13 month)::date, count(*), sum(x0), sum(x1), "
            "sum(x2), sum(ev0 + ev1 + ev2) from _a_x"
        ).fetchall()
    finally:
        runner.close()
    with company.connect(read_only=True) as con:
        prepare(con, as_of)
        on_duckdb = con.execute(
            "select (date '2024-01-31' + interval 13 month)::date, count(*), sum(x0), sum(x1), "
            "sum(x2), sum(ev0 + ev1 + ev2) from _a_x"
        ).fetchall()
    assert on_duckdb[0][0] == dt.date(2025, 2, 28)
    assert_same([list(r) for r in on_duckdb], [list(r) for r in on_spark], 1e-9)
