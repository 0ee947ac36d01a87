"""Benchmark of the four diagnostics (issue 6): ``run("quick")`` ~50k customers, ``run("full")``
1M customers with 10M sends, 2M cases and 5M sessions.

Data come from the vectorised hand-made generator of the diagnostics tests
(``tests/diagnostics/diag_synth.py``), written straight into a workspace DuckDB, one
workspace per diagnostic. Each diagnostic then runs in a fresh child process pinned to two
CPUs (``os.sched_setaffinity``); the child reports wall time and its peak RSS (``VmHWM`` of
``/proc/self/status``, which starts afresh at ``exec``; ``ru_maxrss`` would inherit the
generating parent's peak). Targets: ≤ 60 s and ≤ 3 GB each.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests" / "diagnostics"

SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "quick": {
        "loyalty": {"n": 50_000},
        "marketing": {"n": 50_000, "months": 4},
        "complaints": {"n": 100_000},
        "selfservice": {"n": 50_000, "sessions_per_customer": 5.0},
    },
    "full": {
        "loyalty": {"n": 1_000_000},
        "marketing": {"n": 1_000_000, "months": 4},
        "complaints": {"n": 2_000_000},
        "selfservice": {"n": 1_000_000, "sessions_per_customer": 5.0},
    },
}
GENERATOR = {
    "loyalty": ("make_loyalty", "contracts"),
    "marketing": ("make_marketing", "sends"),
    "complaints": ("make_complaints", "cases"),
    "selfservice": ("make_sessions", "sessions"),
}
TYPES = {
    "loyalty": "service",
    "marketing": "service",
    "complaints": "software",
    "selfservice": "retail",
}

CHILD = """
import json, os, resource, sys, time
os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
from pathlib import Path
from cxo import diagnostics
from cxo.workspace import Workspace
ws = Workspace(Path(sys.argv[1]))
t = time.perf_counter()
res = diagnostics.diagnose(ws, sys.argv[2])
seconds = time.perf_counter() - t
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")]
peak = (int(hwm[0].split()[1]) if hwm
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "findings": len(res.findings)}))
"""


def _generate(root: Path, name: str, params: dict[str, Any]) -> tuple[Path, int, float]:
    sys.path.insert(0, str(TESTS))
    import diag_synth

    from cxo.workspace import Workspace

    ws = Workspace.create(root / name, TYPES[name])
    func, table = GENERATOR[name]
    t = time.perf_counter()
    with ws.connect() as con:
        getattr(diag_synth, func)(con, seed=1, **params)
        row = con.execute(f"select count(*) from {table}").fetchone()
    return ws.root, int(row[0]) if row else 0, time.perf_counter() - t


def run(scale: str) -> list[dict[str, Any]]:
    """One measurement per diagnostic."""
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="cxo-bench-diag-") as tmp:
        for name, params in SIZES[scale].items():
            path, rows, gen_s = _generate(Path(tmp), name, params)
            proc = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), name],
                capture_output=True,
                text=True,
                check=True,
            )
            m = json.loads(proc.stdout.strip().splitlines()[-1])
            out.append(
                {
                    "bench": "diagnostics",
                    "case": f"{name} ({GENERATOR[name][1]})",
                    "rows": rows,
                    "seconds": m["seconds"],
                    "peak_rss_mb": m["peak_rss_mb"],
                    "ratio_vs_duckdb_sql": None,
                    "ratio_vs_pandas": None,
                    "notes": f"{params.get('n'):,} customers; 2 CPUs; data generated in "
                    f"{gen_s:.0f} s (not timed)",
                }
            )
    return out


if __name__ == "__main__":
    for rec in run(sys.argv[1] if len(sys.argv) > 1 else "quick"):
        print(rec)
