"""Parity: the key drivers on Spark (over the published lake) equal DuckDB's.

The same aggregate SQL on both engines (``cxo.assess.drivers``): counts exactly, statistics
and bootstrap intervals to 1e-9; at most ``BUCKETS`` + cells rows of any statement reach the
driver. Needs pyspark and a Java runtime (see ``tests/spark/test_parity.py``).
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator

import pytest

from cxo.assess.drivers import analyse_drivers
from cxo.demo import IMPORT_ORDER
from cxo.engine.sql import SparkRunner
from cxo.ingest.api import import_file
from cxo.lake import publish
from cxo.simulate import simulate
from cxo.stats.driver_sums import BUCKETS
from cxo.workspace import Workspace
from tests.parity import assert_same

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.xdist_group("spark"),
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
    root = tmp_path_factory.mktemp("drivers_spark")
    sim = simulate("service", 1_200, 21, root / "sim")
    ws = Workspace.create(root / "ws", "service")
    for table in IMPORT_ORDER:  # every table: the lake's views need files for each
        if table in sim.files:
            import_file(ws, table, sim.files[table])
    publish(ws)
    return ws


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
