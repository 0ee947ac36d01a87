"""Run the benchmarks: ``uv run python -m bench [--scale quick|full] [--only NAME ...]``.

Each module ``bench/<name>.py`` exposes ``run(scale) -> list[dict]``. Results are written to
``bench/results/<scale>.json`` and ``bench/results/<scale>.md``. Times are measured, never
asserted; compare the ratios within one run (machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

MODULES = (
    "ingest",
    "simulate",
    "scorecard",
    "assess",
    "assess_recovery",
    "diagnostics",
    "initiatives",
    "text_eval",
    "web",
    "scale",
)
RESULTS = Path(__file__).resolve().parent / "results"


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def to_markdown(records: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """A markdown table of the measurements."""
    cols = [
        "bench",
        "case",
        "rows",
        "seconds",
        "rows_per_s",
        "peak_rss_mb",
        "ratio_vs_duckdb_sql",
        "ratio_vs_pandas",
        "notes",
        "load_avg_1m_after",
    ]
    lines = [
        f"# cxo benchmarks ({meta['scale']})",
        "",
        f"Run {meta['started']} on {meta['machine']} (Python {meta['python']}), "
        f"{meta['cpus']} CPUs, load average {meta.get('load_avg_1m_at_start', '?')} at start "
        "(other work on the machine slows every figure; ratios within a run hold up better). "
        "Ratios > 1 mean cxo is slower than the reference.",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
    ]
    for rec in records:
        row = dict(rec)
        if row.get("rows") and row.get("seconds") and "rows_per_s" not in row:
            row["rows_per_s"] = row["rows"] / row["seconds"]
        lines.append("| " + " | ".join(_fmt(row.get(c)) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmark modules and write JSON and markdown."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=("quick", "full"), default="quick")
    parser.add_argument("--only", nargs="*", choices=MODULES, default=None)
    args = parser.parse_args(argv)
    import os

    meta = {
        "scale": args.scale,
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
    }
    records: list[dict[str, Any]] = []
    failed = False
    for name in args.only or MODULES:
        print(f"== bench {name} ({args.scale})", flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            out = module.run(args.scale)
        except Exception:  # a failing benchmark is reported, the others still run
            traceback.print_exc()
            records.append({"bench": name, "case": "FAILED", "notes": "see stderr"})
            failed = True
            continue
        load = os.getloadavg()[0]
        for rec in out:
            rec.setdefault("load_avg_1m_after", round(load, 2))
            print("   ", json.dumps(rec, default=str), flush=True)
        records.extend(out)
    RESULTS.mkdir(exist_ok=True)
    suffix = args.scale if not args.only else f"{args.scale}-{'-'.join(args.only)}"
    (RESULTS / f"{suffix}.json").write_text(
        json.dumps({"meta": meta, "records": records}, indent=2, default=str) + "\n", "utf-8"
    )
    (RESULTS / f"{suffix}.md").write_text(to_markdown(records, meta), "utf-8")
    print(f"wrote {RESULTS / (suffix + '.md')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
