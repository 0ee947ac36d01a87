"""Parity: the key drivers on Spark (over the published lake) equal DuckDB's.

The same aggregate SQL on both engines (``cxo.assess.drivers``): counts exactly, statistics
and bootstrap intervals to 1e-9; at most ``BUCKETS`` + cells rows of any statement reach the
driver. Needs pyspark and a Java runtime (see ``tests/spark/test_parity.py``).
"""

from __future__ import annotations

import pytest

from cxo.assess.drivers import analyse_drivers
from cxo.engine.sql import SparkRunner
from cxo.stats.driver_sums import BUCKETS
from cxo.workspace import Workspace
from tests.parity import SPARK_MARKS, assert_same, collect_py4j_sockets, published_company

pytestmark = SPARK_MARKS


_collect_py4j_sockets = pytest.fixture(scope="module", autouse=True)(collect_py4j_sockets)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return published_company(tmp_path_factory.mktemp("drivers_spark"))


@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
def test_drivers_on_spark_equal_duckdb(company: Workspace, missing: str) -> None:
    with company.connect(read_only=True) as con:
        on_duckdb = analyse_drivers(con, n_boot=50, missing=missing).to_dict()  # type: ignore[arg-type]
    runner = SparkRunner.for_workspace(company)
    runner.max_collect = BUCKETS + 200
    try:
        on_spark = analyse_drivers(runner, n_boot=50, missing=missing).to_dict()  # type: ignore[arg-type]
    finally:
        runner.close()
    assert on_duckdb["relative_weights"]["n"] > BUCKETS, "the comparison must cover buckets"
    assert on_duckdb["importance_performance"], "the comparison must cover cells"
    assert_same(on_duckdb, on_spark, 1e-9)
    cells = len({(c["touchpoint"], c["segment"]) for c in on_duckdb["importance_performance"]})
    assert runner.largest_collect <= BUCKETS + cells + 10
