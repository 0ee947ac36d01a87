"""Recovery of planted truth by ``cxo assess`` at the issue's sizes (not a speed benchmark).

``run("full")``: 100k customers × 3 company types × 3 seeds; ``run("quick")``: 20k customers,
``service``, one seed. Each (type, seed) runs in its own subprocess (simulate in memory → load
into a workspace → tag comments → assess → :func:`bench.recovery.evaluate`), so its peak
RSS is measured alone. Per seed the row records the rank of each planted pain (criterion: within
the top planted + 2), its excess churn against the planted effect, whether its revenue-at-risk
interval covers the planted value, whether any planted-null cell was flagged at FDR 10 %, and
whether the planted driver order was recovered. One summary row per type adds the share of
(null cell, seed) pairs flagged (criterion: at most 10 %).

``python bench/assess_recovery.py worker TYPE CUSTOMERS SEED WORKDIR`` is the subprocess entry.
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

CASES = {
    "quick": {"customers": 20_000, "types": ["service"], "seeds": [1]},
    "full": {"customers": 100_000, "types": ["service", "software", "retail"], "seeds": [1, 2, 3]},
}


def _worker(company_type: str, customers: int, seed: int, workdir: str) -> None:
    import cxo
    from bench.recovery import evaluate, load_simulation

    t = time.perf_counter()
    ws, truth = load_simulation(Path(workdir) / "ws", company_type, customers, seed)
    prepared = time.perf_counter() - t
    t = time.perf_counter()
    result = cxo.assess(ws, n_boot=200)
    assessed = time.perf_counter() - t
    score = evaluate(result, truth, ws)
    score["seconds_simulate_and_tag"] = prepared
    score["seconds_assess"] = assessed
    score["responses"] = result.responses
    print(json.dumps(score, default=float))


def _passes(score: dict[str, Any]) -> bool:
    pains_ok = all(
        p["in_top"] and p.get("flagged") and p.get("revenue_covered") for p in score["pains"]
    )
    nulls_ok = not any(c["flagged"] for c in score["null_cells"])
    return bool(pains_ok and nulls_ok and score["drivers"]["recovered"])


def run(scale: str) -> list[dict[str, Any]]:
    """One row per (type, seed) plus one summary row per type."""
    case = CASES[scale]
    customers = int(case["customers"])  # type: ignore[call-overload]
    rows: list[dict[str, Any]] = []
    for company_type in case["types"]:  # type: ignore[attr-defined]
        scores = []
        for seed in case["seeds"]:  # type: ignore[attr-defined]
            workdir = tempfile.mkdtemp(prefix="cxo-recovery-")
            try:
                before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                t = time.perf_counter()
                proc = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "worker",
                        company_type,
                        str(customers),
                        str(seed),
                        workdir,
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                seconds = time.perf_counter() - t
                peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            score = json.loads(proc.stdout.strip().splitlines()[-1])
            scores.append(score)
            ranks = {f"{p['touchpoint']}/{p['theme']}": p["rank"] for p in score["pains"]}
            notes = "; ".join(
                f"{p['touchpoint']}/{p['theme']}: rank {p['rank']}, excess "
                f"{p.get('excess') or float('nan'):.3f} vs {p['churn_effect']:.3f}, "
                f"rar {'covered' if p.get('revenue_covered') else 'MISSED'}"
                for p in score["pains"]
            )
            rows.append(
                {
                    "bench": "assess_recovery",
                    "case": f"{company_type}/seed{seed}",
                    "rows": int(score["responses"]),
                    "seconds": seconds,
                    "peak_rss_mb": max(peak, before) / 1024.0,
                    "ratio_vs_duckdb_sql": None,
                    "ratio_vs_pandas": None,
                    "notes": notes,
                    "customers": customers,
                    "planted_ranks": ranks,
                    "top_n": score["top_n"],
                    "all_planted_in_top": all(p["in_top"] for p in score["pains"]),
                    "revenue_covered": [bool(p.get("revenue_covered")) for p in score["pains"]],
                    "null_flagged": [c["flagged"] for c in score["null_cells"]],
                    "drivers": score["drivers"],
                    "passes": _passes(score),
                    "pains": score["pains"],
                }
            )
        flags = [c["flagged"] for s in scores for c in s["null_cells"]]
        rows.append(
            {
                "bench": "assess_recovery",
                "case": f"{company_type}/summary",
                "rows": sum(int(s["responses"]) for s in scores),
                "seconds": sum(r["seconds"] for r in rows if r["case"].startswith(company_type)),
                "peak_rss_mb": max(
                    r["peak_rss_mb"] for r in rows if r["case"].startswith(company_type)
                ),
                "ratio_vs_duckdb_sql": None,
                "ratio_vs_pandas": None,
                "notes": (
                    f"{sum(_passes(s) for s in scores)}/{len(scores)} seeds pass; null cells "
                    f"flagged in {sum(flags)}/{len(flags)} (cell, seed) pairs"
                ),
                "null_flag_rate": sum(flags) / len(flags) if flags else None,
                "null_flag_rate_ok": (sum(flags) / len(flags) <= 0.10) if flags else None,
                "seeds_passing": sum(_passes(s) for s in scores),
                "seeds": len(scores),
            }
        )
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "worker":
        _worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        for row in run(sys.argv[1] if len(sys.argv) > 1 else "quick"):
            print(json.dumps({k: v for k, v in row.items() if k != "pains"}, default=float))
