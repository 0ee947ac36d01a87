"""The engine an analysis runs on, opened for a workspace: DuckDB or Spark over the lake.

:func:`open_runner` picks the engine the way every analytic command does (``engine``, else the
workspace's ``[analytics] engine``, through :func:`cxo.engine.spark.check_engine`) and yields a
:class:`~cxo.engine.sql.Runner`: a read-only DuckDB connection, or a
:class:`~cxo.engine.sql.SparkRunner` over the lake ``cxo publish`` wrote (closed afterwards).
The SQL analyses take that runner, so the Python API of, e.g., the key drivers is::

    with open_runner(ws, engine, "the key drivers") as con:
        sums = driver_sums(con, "nps")
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxo.engine.sql import Runner
    from cxo.workspace import Workspace


@contextlib.contextmanager
def open_runner(ws: Workspace, engine: str | None, analysis: str) -> Iterator[Runner]:
    """A runner for ``analysis`` (named in errors) on ``engine`` (default: the workspace's)."""
    from cxo.engine.spark import check_engine

    with connect(ws, check_engine(engine, ws, analysis, on_spark=True)) as con:
        yield con


@contextlib.contextmanager
def connect(ws: Workspace, chosen: str) -> Iterator[Runner]:
    """A runner on the engine already ``chosen``: a read-only DuckDB connection, or a Spark
    runner over the published lake (its temp tables dropped afterwards)."""
    if chosen == "spark":
        from cxo.engine.sql import SparkRunner

        runner = SparkRunner.for_workspace(ws)
        try:
            yield runner
        finally:
            runner.close()
        return
    with ws.connect(read_only=True) as con:
        yield con


__all__ = ["connect", "open_runner"]
