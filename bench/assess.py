"""Benchmark of ``cxo assess``: simulated company → workspace → assessment (time, peak RSS).

``quick``: 20k customers (~200k responses), themes from comment tagging. ``full``: 1M customers
(~10M responses) simulated to Parquet and loaded with DuckDB; themes come from the attribute
ratings unless ``CXO_BENCH_TAG=1`` (tagging 3.5M comments is the text benchmark's job). The
assessment runs in a fresh subprocess so its peak RSS is measured alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = {"quick": [20_000], "full": [1_000_000]}
TYPES = {"quick": ["service"], "full": ["service", "software", "retail"]}

_CHILD = """
import json, resource, sys, time
import cxo
t = time.perf_counter()
a = cxo.assess(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t, "pains": len(a.pains),
                  "responses": a.responses,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _workspace(root: Path, company_type: str, customers: int, tag: bool) -> Path:
    import cxo
    from cxo.core.contract import TABLES
    from cxo.workspace import Workspace

    out = root / "sim"
    cxo.simulate(company_type, customers, seed=1, out=out)
    ws = Workspace.create(root / "ws", company_type)
    with ws.connect() as con:
        # the contract tables only (truth_affected.parquet is ground truth, not data)
        for parquet in sorted(out / f"{name}.parquet" for name in TABLES):
            cols = [r[0] for r in con.execute(f"describe select * from '{parquet}'").fetchall()]
            names = ", ".join(f'"{c}"' for c in cols)
            con.execute(f"insert into \"{parquet.stem}\" ({names}) select {names} from '{parquet}'")
    if tag:
        from cxo.text import tag_workspace

        tag_workspace(ws)
    return ws.root


def run(scale: str) -> list[dict[str, Any]]:
    """Measurements for ``scale`` (``quick`` or ``full``)."""
    rows: list[dict[str, Any]] = []
    tag = scale == "quick" or os.environ.get("CXO_BENCH_TAG") == "1"
    for company_type in TYPES[scale]:
        for customers in SIZES[scale]:
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                root = _workspace(Path(tmp), company_type, customers, tag)
                prep = time.perf_counter() - t0
                t1 = time.perf_counter()
                proc = subprocess.run(
                    [sys.executable, "-c", _CHILD, str(root)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                wall = time.perf_counter() - t1
                lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
                if not lines:
                    raise RuntimeError(f"assess printed no result: {proc.stdout[-2000:]}")
                info = json.loads(lines[-1])
                rows.append(
                    {
                        "bench": "assess",
                        "case": f"{company_type} {customers} customers"
                        + (" (themes from comments)" if tag else " (themes from ratings)"),
                        "rows": int(info["responses"]),
                        "seconds": round(wall, 2),
                        "peak_rss_mb": round(info["rss_kb"] / 1024, 1),
                        "ratio_vs_duckdb_sql": None,
                        "ratio_vs_pandas": None,
                        "notes": f"assess {info['seconds']:.1f}s in-process; "
                        f"{info['pains']} pain cells; setup {prep:.0f}s",
                    }
                )
    return rows


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "quick"), indent=2))
