"""The same workspace gives the same assessment, run after run (seeded bootstrap, no reliance
on DuckDB's scan order, which changes between runs when the scan is parallel)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import cxo
from cxo.workspace import Workspace


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}/{k}: missing" for k in a if k not in b]
        for k in a:
            if k in b:
                out += _differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} items"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _differences(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, float):
        # Parallel sums may differ in the last bits, nothing more.
        same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
        return [] if same else [f"{path}: {a} vs {b}"]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


@pytest.mark.slow
def test_assessment_is_reproducible(tmp_path: Path) -> None:
    # 30k customers: large enough that DuckDB scans in parallel (row groups of 122,880 rows).
    sim = cxo.simulate("service", 30_000, seed=5)
    ws = Workspace.create(tmp_path / "ws", "service")
    with ws.connect() as con:
        for name, table in sim.tables.items():
            con.register("_sim", table)
            cols = ", ".join(f'"{c}"' for c in table.column_names)
            con.execute(f'insert into "{name}" ({cols}) select {cols} from _sim')
            con.unregister("_sim")
    first = cxo.assess(ws, n_boot=30).to_dict()
    second = cxo.assess(ws, n_boot=30).to_dict()
    assert _differences(first, second) == []
