"""Simulator time and peak RSS: ``quick`` = 50k customers, ``full`` = 1M customers (~10M responses).

Each case runs in its own subprocess (``python bench/simulate.py worker TYPE CUSTOMERS OUT``),
streaming Parquet to a temporary directory; peak RSS is the child's ``ru_maxrss``.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCALES = {"quick": [("service", 50_000)], "full": [("service", 1_000_000)]}


def _worker(company_type: str, customers: int, out: str) -> None:
    from cxo.simulate import simulate

    start = time.perf_counter()
    sim = simulate(company_type, customers, 1, out)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in Path(out).iterdir())
    print(json.dumps({"seconds": seconds, "counts": sim.truth["counts"], "bytes": size}))


def run(scale: str) -> list[dict[str, Any]]:
    """Measure the simulator at ``scale`` (``quick`` or ``full``)."""
    records = []
    for company_type, customers in SCALES[scale]:
        out = Path(tempfile.mkdtemp(prefix="cxo-bench-sim-"))
        try:
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            proc = subprocess.run(
                [sys.executable, __file__, "worker", company_type, str(customers), str(out)],
                check=True,
                capture_output=True,
                text=True,
            )
            peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
            info = json.loads(proc.stdout.strip().splitlines()[-1])
        finally:
            shutil.rmtree(out, ignore_errors=True)
        counts = info["counts"]
        total = sum(counts.values())
        records.append(
            {
                "bench": "simulate",
                "case": f"{company_type} {customers:,} customers",
                "rows": total,
                "seconds": round(info["seconds"], 2),
                "rows_per_s": round(total / info["seconds"]),
                "peak_rss_mb": round(peak, 1),
                "ratio_vs_duckdb_sql": None,
                "ratio_vs_pandas": None,
                "notes": (
                    f"responses {counts['responses']:,}, ratings {counts['ratings']:,}, "
                    f"sends {counts['sends']:,}, cases {counts['cases']:,}, sessions "
                    f"{counts['sessions']:,}; {info['bytes'] / 1e6:,.0f} MB Parquet"
                ),
            }
        )
    return records


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "worker":
        _worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        for rec in run(sys.argv[1] if len(sys.argv) > 1 else "quick"):
            print(rec)
