"""Scorecard time: cxo's engine vs hand-written DuckDB SQL (the floor) vs straightforward pandas.

``run(scale)`` writes a seeded responses Parquet (touchpoint, segment, channel, responded_at, nps,
csat, ces; 1M rows for ``quick``, 1M and 10M for ``full``) and times three implementations of
the same aggregates per grouping, each in its own subprocess (peak RSS from ``ru_maxrss``):

* ``cxo``: ``cxo.engine.build_scorecard`` over an ibis DuckDB view of the file (aggregates in
  SQL, statistics in Python on the aggregate rows);
* ``duckdb_sql``: one hand-written ``GROUP BY`` (the same aggregates), fetched to Arrow;
* ``pandas``: ``read_parquet`` + ``groupby().agg()``.

Each timing is the best of three repetitions in a warm process (the file is in the OS cache).
``python bench/scorecard.py worker IMPL CASE PATH`` is the subprocess entry point.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CASES: dict[str, list[str]] = {
    "touchpoint": ["touchpoint"],
    "touchpoint×month": ["touchpoint", "month"],
    "segment×channel": ["segment", "channel"],
}
IMPLS = ("cxo", "duckdb_sql", "pandas")
REPEAT = 3
CACHE = Path(os.environ.get("CXO_BENCH_CACHE", Path(tempfile.gettempdir()) / "cxo-bench"))


def make_parquet(rows: int, seed: int = 1) -> Path:
    """A seeded responses file with ``rows`` rows (reused when it exists)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = CACHE / f"responses-{rows}-{seed}.parquet"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    touchpoints = pa.array(
        ["sales", "onboarding", "billing", "portal", "field_service", "hotline", "chat", "renewal"]
    )
    segments = pa.array(["private", "business", "premium"])
    channels = pa.array(["phone", "email", "chat", "web"])
    start = np.datetime64("2024-10-01T00:00:00", "s").astype(np.int64)
    span = 2 * 365 * 86_400
    tmp = path.with_suffix(".tmp")
    chunk = 1_000_000
    schema = pa.schema(
        [
            ("touchpoint", pa.string()),
            ("segment", pa.string()),
            ("channel", pa.string()),
            ("responded_at", pa.timestamp("us")),
            ("nps", pa.int64()),
            ("csat", pa.int64()),
            ("ces", pa.int64()),
        ]
    )
    with pq.ParquetWriter(tmp, schema) as writer:
        for offset in range(0, rows, chunk):
            n = min(chunk, rows - offset)

            def pick(values: pa.Array, n: int = n) -> pa.Array:
                return values.take(pa.array(rng.integers(0, len(values), n)))

            def score(low: int, high: int, missing: float, n: int = n) -> pa.Array:
                values = rng.integers(low, high + 1, n)
                return pa.array(values, mask=rng.random(n) < missing)

            seconds = start + rng.integers(0, span, n)
            table = pa.table(
                {
                    "touchpoint": pick(touchpoints),
                    "segment": pick(segments),
                    "channel": pick(channels),
                    "responded_at": pa.array(seconds * 1_000_000, pa.int64()).cast(
                        pa.timestamp("us")
                    ),
                    "nps": score(0, 10, 0.1),
                    "csat": score(1, 5, 0.3),
                    "ces": score(1, 7, 0.5),
                },
                schema=schema,
            )
            writer.write_table(table, row_group_size=chunk)
    tmp.rename(path)
    return path


def _sql(dims: list[str]) -> str:
    exprs = {
        "touchpoint": "touchpoint",
        "segment": "segment",
        "channel": "channel",
        "month": "date_trunc('month', responded_at)",
        "quarter": "date_trunc('quarter', responded_at)",
    }
    keys = ", ".join(f"{exprs[d]} as {d}" for d in dims)
    return f"""
        select {keys},
               count(*) as n, count(nps) as n_nps,
               sum(cast(nps >= 9 as bigint)) as promoters,
               sum(cast(nps <= 6 as bigint)) as detractors,
               count(csat) as n_csat, sum(cast(csat >= 4 as bigint)) as csat_top2,
               count(ces) as n_ces, sum(ces) as ces_sum, sum(ces * ces) as ces_sumsq,
               min(responded_at) as first_at, max(responded_at) as last_at
        from responses group by all"""


def _worker(impl: str, case: str, path: str) -> dict[str, Any]:
    dims = CASES[case]
    if impl == "cxo":
        import ibis

        from cxo.engine import build_scorecard
        from cxo.engine.aggregates import quiet

        con = ibis.duckdb.connect()
        table = con.read_parquet(path, table_name="responses")

        def once() -> int:
            with quiet():
                return len(build_scorecard(table, None, by=dims).rows)

    elif impl == "duckdb_sql":
        import duckdb

        duck = duckdb.connect()
        duck.execute(f"create view responses as select * from read_parquet('{path}')")
        sql = _sql(dims)

        def once() -> int:
            return int(duck.execute(sql).to_arrow_table().num_rows)

    else:
        import pandas as pd

        def once() -> int:
            df = pd.read_parquet(path)
            keys = []
            for d in dims:
                if d in ("month", "quarter"):
                    df[d] = df["responded_at"].dt.to_period("M" if d == "month" else "Q")
                keys.append(d)
            df["promoter"] = df["nps"] >= 9
            df["detractor"] = df["nps"] <= 6
            df["top2"] = df["csat"] >= 4
            df["ces_sq"] = df["ces"] ** 2
            out = df.groupby(keys, dropna=False).agg(
                n=("nps", "size"),
                n_nps=("nps", "count"),
                promoters=("promoter", "sum"),
                detractors=("detractor", "sum"),
                n_csat=("csat", "count"),
                csat_top2=("top2", "sum"),
                n_ces=("ces", "count"),
                ces_sum=("ces", "sum"),
                ces_sumsq=("ces_sq", "sum"),
                first_at=("responded_at", "min"),
                last_at=("responded_at", "max"),
            )
            return len(out)

    best = float("inf")
    groups = 0
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        groups = once()
        best = min(best, time.perf_counter() - t0)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": best, "peak_rss_mb": rss_mb, "groups": groups}


def _measure(impl: str, case: str, path: Path) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "worker", impl, case, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(scale: str) -> list[dict[str, Any]]:
    """Measure every case at 1M rows (``quick``) or 1M and 10M rows (``full``)."""
    sizes = [1_000_000] if scale == "quick" else [1_000_000, 10_000_000]
    records: list[dict[str, Any]] = []
    for rows in sizes:
        path = make_parquet(rows)
        for case in CASES:
            measured = {impl: _measure(impl, case, path) for impl in IMPLS}
            sql_s = measured["duckdb_sql"]["seconds"]
            pandas_s = measured["pandas"]["seconds"]
            for impl, m in measured.items():
                records.append(
                    {
                        "bench": "scorecard",
                        "case": f"{case} / {impl}",
                        "rows": rows,
                        "seconds": m["seconds"],
                        "peak_rss_mb": m["peak_rss_mb"],
                        "ratio_vs_duckdb_sql": m["seconds"] / sql_s,
                        "ratio_vs_pandas": m["seconds"] / pandas_s,
                        "notes": f"{m['groups']} groups; best of {REPEAT}; "
                        f"{dt.date.today().isoformat()}",
                    }
                )
    return records


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "worker":
        print(json.dumps(_worker(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        for rec in run(sys.argv[1] if len(sys.argv) > 1 else "quick"):
            print(json.dumps(rec))
