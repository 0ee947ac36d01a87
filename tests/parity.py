"""Compare two results of the same analysis from two engines (or storage layouts)."""

from __future__ import annotations

import gc
import math
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cxo.demo import IMPORT_ORDER
from cxo.ingest.api import import_file
from cxo.lake import publish
from cxo.simulate import simulate
from cxo.workspace import Workspace


def assert_same(a: Any, b: Any, rel_tol: float, where: str = "") -> None:
    """Equal: keys, lengths, labels and counts exactly; floats to ``rel_tol`` relative (the
    engines may add in a different order); both NaN counts as equal."""
    if isinstance(a, dict):
        assert isinstance(b, dict), where
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], rel_tol, f"{where}.{key}")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple), where
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, rel_tol, f"{where}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float), where
        assert isinstance(b, int | float), where
        both_nan = math.isnan(a) and math.isnan(b)
        assert both_nan or math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12), (where, a, b)
    else:
        assert a == b, where


SPARK_MARKS = [
    pytest.mark.spark,
    pytest.mark.slow,  # a JVM and many small Spark jobs: not in the quick lane
    pytest.mark.xdist_group("spark"),  # one worker, so one JVM for the run
    # py4j leaves its gateway sockets to the garbage collector (not ours to close)
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]
"""The marks of every Spark parity module (``pytestmark = SPARK_MARKS``)."""


def collect_py4j_sockets() -> Iterator[None]:
    """Module fixture body: after the module, collect py4j's sockets quietly. Bind it with
    ``_collect = pytest.fixture(scope="module", autouse=True)(collect_py4j_sockets)``."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def published_company(
    root: Path,
    customers: int = 1_200,
    seed: int = 21,
    *,
    before_publish: Callable[[Workspace], None] | None = None,
    **create: Any,
) -> Workspace:
    """A simulated service company under ``root`` (simulation in ``root / "sim"``), every
    table imported (the lake needs a file for each view), published to its lake;
    ``before_publish`` adds to the workspace first (e.g. loads the initiatives)."""
    sim = simulate("service", customers, seed, root / "sim")
    ws = Workspace.create(root / "ws", "service", **create)
    for table in IMPORT_ORDER:
        if table in sim.files:
            import_file(ws, table, sim.files[table])
    if before_publish is not None:
        before_publish(ws)
    publish(ws)
    return ws
