"""The analytics on Spark: the same expressions and SQL over the published lake.

``cxo publish`` writes the validated tables as hive-partitioned Parquet (:mod:`cxo.lake`);
here a Spark session reads them. The scorecard runs its ibis expressions through ibis'
pyspark backend (:func:`cxo.engine.scorecard.build_scorecard` unchanged); theme impact counts
its response patterns with one ibis expression (:mod:`cxo.text.impact_data`); the assessment,
the four diagnostics and the initiative measurement run their DuckDB-dialect SQL on Spark
through :mod:`cxo.engine.sql` (sqlglot-transpiled, over temp views of the lake), aggregating
in the engine so that only aggregates reach the driver. Results equal DuckDB's (counts
exactly, statistics to 1e-9; ``tests/spark``). An analysis that does not run on Spark raises
:class:`EngineUnavailable` from :func:`check_engine`, which names what to do instead.

The session is local (``local[2]``; ``CXO_SPARK_MASTER`` names a cluster instead), in UTC,
without its web UI, bound to 127.0.0.1, with few shuffle partitions; one per process.
Needs the ``spark`` extra (``pip install 'cxo[spark]'``) and a Java runtime (17).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import warnings
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from cxo.errors import CxoError, UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends.pyspark import Backend

    from cxo.workspace import Workspace

ENGINES = ("duckdb", "spark")


class EngineUnavailable(CxoError):
    """The analysis asked for does not run on the engine asked for (yet)."""

    code = "engine_unavailable"
    exit_code = 2
    http_status = 501


def check_engine(
    engine: str | None, ws: Workspace, analysis: str, *, on_spark: bool = False
) -> str:
    """The engine to use: ``engine`` or the workspace's ``[analytics] engine``. The scorecard
    and the analyses that say ``on_spark`` (the diagnostics, through :mod:`cxo.engine.sql`)
    run on Spark; ``analysis`` names the caller for the error."""
    chosen = engine or ws.settings.engine
    if chosen not in ENGINES:
        raise UsageError(f"--engine {chosen!r}: choose one of {', '.join(ENGINES)}")
    if chosen == "spark" and analysis != "scorecard" and not on_spark:
        raise EngineUnavailable(
            f"{analysis} does not run on Spark yet: it is DuckDB SQL not yet ported "
            "(the scorecard, assessment, key drivers, diagnostics, theme impact, business "
            "case and initiative measurement run on Spark)",
            hint="publish the lake (`cxo publish`) and let DuckDB read it "
            "([lake] analytics = true), or use --engine duckdb",
        )
    return chosen


@contextlib.contextmanager
def quiet_spark() -> Iterator[None]:
    """Silence pyspark 4.0's deprecation warnings about pandas 3 (its ``toPandas`` passes
    ``copy=`` and sets ``future.infer_string``); harmless, and not ours to fix."""
    from pandas.errors import Pandas4Warning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Pandas4Warning)
        yield


@cache
def session() -> Any:
    """The process's Spark session (created on first use)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError(
            "Spark is not installed", hint="install the extra: pip install 'cxo[spark]'"
        ) from None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise UsageError(
            "Spark needs a Java runtime", hint="apt-get install openjdk-17-jre-headless"
        )
    builder = (
        SparkSession.builder.master(os.environ.get("CXO_SPARK_MASTER", "local[2]"))
        .appName("cxo")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.ansi.enabled", "false")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def backend() -> Backend:
    """An ibis backend over the process's Spark session."""
    import ibis

    return ibis.pyspark.connect(session())


def lake_table(con: Backend, ws: Workspace, name: str) -> ir.Table:
    """Table ``name`` of the workspace's published lake, as Spark reads it."""
    from cxo.lake import PARTITION, lake_path, manifest

    lake = lake_path(ws)
    tables = {str(t["name"]): t for t in manifest(lake)["tables"] if isinstance(t, dict)}
    if name not in tables:
        raise UsageError(
            f"{lake}: table {name} is not published", hint="import it, then run `cxo publish`"
        )
    table = con.read_parquet(str(lake / name), table_name=f"cxo_{name}")
    return table.drop(PARTITION) if PARTITION in table.columns else table


def spark_scorecard_tables(ws: Workspace) -> tuple[ir.Table, ir.Table | None]:
    """``responses`` and ``customers`` (``None`` when empty) of the lake, on Spark."""
    from cxo.engine.aggregates import count_rows

    con = backend()
    responses = lake_table(con, ws, "responses")
    customers = lake_table(con, ws, "customers")
    return responses, customers if count_rows(customers) > 0 else None
