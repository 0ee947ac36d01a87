"""Benchmark of the initiative effect measurement (difference-in-differences) on a simulated
company: cxo vs the hand-written DuckDB SQL of the same point estimate (the floor: four cell
means per segment, no standard error, no placebo) vs pandas (responses and segments loaded
into a DataFrame, the stratified estimate with groupby — what an analyst would write).

Each method runs in a fresh subprocess so its peak RSS is its own. ``quick``: 20k customers;
``full``: 1M customers (~10M responses). ``CXO_BENCH_WS=DIR`` reuses a workspace whose
simulated ``truth.json`` sits in ``DIR/../sim`` (as ``bench/assess.py`` builds it).
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

SIZES = {"quick": 20_000, "full": 1_000_000}

_CHILD = r"""
import json, resource, sys, time, datetime as dt
from pathlib import Path
method, root, tp, launch, others = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
launch = dt.date.fromisoformat(launch)
others = [o for o in others.split(",") if o]
from cxo.workspace import Workspace
ws = Workspace(Path(root))
pre = dt.date(launch.year - 1, launch.month, launch.day)
t = time.perf_counter()
with ws.connect(read_only=True) as con:
    controls = [r[0] for r in con.execute(
        "select distinct touchpoint from responses where nps is not null").fetchall()
        if r[0] != tp and r[0] not in others]
    if method == "cxo":
        from cxo.initiatives.effect import measure_effect
        m = measure_effect(con, [tp], launch, exclude=others)
        est = m.nps.estimate
        extra = {"ci": [m.nps.ci_low, m.nps.ci_high]}
    elif method == "duckdb":
        est = con.execute('''
          with r as (
            select coalesce(c.segment, '(none)') as s, r.touchpoint = $tp as t,
                   r.responded_at >= $launch as post,
                   case when r.nps >= 9 then 100.0 when r.nps <= 6 then -100.0 else 0.0 end as y
            from responses r left join customers c using (customer_id)
            where r.nps is not null and r.responded_at >= $pre
              and (r.touchpoint = $tp or r.touchpoint in (select unnest($controls)))),
          m as (select s, avg(y) filter (where t and post) as tp,
                       avg(y) filter (where t and not post) as tq,
                       avg(y) filter (where not t and post) as cp,
                       avg(y) filter (where not t and not post) as cq,
                       count(*) filter (where t and post) as w from r group by s)
          select sum(w * (tp - tq - cp + cq)) / sum(w) from m''',
          {"tp": tp, "launch": launch, "pre": pre, "controls": controls}).fetchone()[0]
        extra = {}
    else:
        import numpy as np
        r = con.execute("select customer_id, touchpoint, responded_at, nps from responses").df()
        c = con.execute("select customer_id, segment from customers").df()
        r = r[r["nps"].notna() & (r["responded_at"] >= str(pre))]
        r = r[(r["touchpoint"] == tp) | r["touchpoint"].isin(controls)]
        r = r.merge(c, on="customer_id", how="left")
        r["segment"] = r["segment"].fillna("(none)")
        r["y"] = np.where(r["nps"] >= 9, 100.0, np.where(r["nps"] <= 6, -100.0, 0.0))
        r["t"] = r["touchpoint"] == tp
        r["post"] = r["responded_at"] >= str(launch)
        m = r.groupby(["segment", "t", "post"])["y"].agg(["mean", "size"]).unstack(["t", "post"])
        d = (m["mean"][(True, True)] - m["mean"][(True, False)]
             - m["mean"][(False, True)] + m["mean"][(False, False)])
        w = m["size"][(True, True)]
        est = float((d * w).sum() / w.sum())
        extra = {}
print(json.dumps({"seconds": time.perf_counter() - t, "estimate": est, **extra,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _child(method: str, root: Path, ini: dict[str, Any], others: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            method,
            str(root),
            ini["touchpoint"],
            ini["start"],
            ",".join(others),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1]
    out: dict[str, Any] = json.loads(line)
    return out


def run(scale: str) -> list[dict[str, Any]]:
    """Measurements for ``scale`` (``quick`` or ``full``)."""
    from bench.assess import _workspace

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        given = os.environ.get("CXO_BENCH_WS")
        if given:
            root = Path(given)
        else:
            t0 = time.perf_counter()
            root = _workspace(Path(tmp), "service", SIZES[scale], False)
            print(f"   setup {time.perf_counter() - t0:.0f}s", flush=True)
        truth = json.loads((root.parent / "sim" / "truth.json").read_text("utf-8"))
        with_responses = truth["counts"]["responses"]
        for ini in truth["initiatives"]:
            others = [o["touchpoint"] for o in truth["initiatives"] if o is not ini]
            res = {m: _child(m, root, ini, others) for m in ("cxo", "duckdb", "pandas")}
            cxo = res["cxo"]
            rows.append(
                {
                    "bench": "initiatives",
                    "case": f"effect of {ini['name']} (service, {truth['customers']:,} customers)",
                    "rows": with_responses,
                    "seconds": round(cxo["seconds"], 2),
                    "peak_rss_mb": round(cxo["rss_kb"] / 1024, 1),
                    "ratio_vs_duckdb_sql": round(cxo["seconds"] / res["duckdb"]["seconds"], 2),
                    "ratio_vs_pandas": round(res["pandas"]["seconds"] / cxo["seconds"], 2),
                    "notes": (
                        f"NPS effect {cxo['estimate']:.2f} [{cxo['ci'][0]:.2f}, {cxo['ci'][1]:.2f}]"
                        f" vs planted {ini['nps_effect']}; same point estimate by SQL "
                        f"{res['duckdb']['estimate']:.4f} and pandas "
                        f"{res['pandas']['estimate']:.4f}; cxo adds clustered SE, detractor "
                        f"share and placebo; SQL {res['duckdb']['seconds']:.1f}s "
                        f"{res['duckdb']['rss_kb'] / 1024:.0f} MB, pandas "
                        f"{res['pandas']['seconds']:.1f}s {res['pandas']['rss_kb'] / 1024:.0f} MB"
                    ),
                }
            )
    return rows


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "quick"), indent=2))
