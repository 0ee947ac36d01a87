"""CSV import throughput: cxo's importer vs pandas (read + validate) vs DuckDB ``read_csv``.

``run(scale)`` writes a seeded ``responses`` CSV (1M rows for ``quick``; 1M and 10M for
``full``; about 0.1% of rows are broken on purpose: NPS out of range, bad dates, duplicate
keys) and times, each in its own subprocess with peak RSS from ``ru_maxrss``:

* ``cxo``: ``cxo.ingest.api.import_file`` into a fresh workspace (detect, stage, validate in
  SQL, upsert, quarantine, reconcile — one transaction);
* ``pandas``: ``read_csv`` + the same checks written plainly in pandas (types, ranges, dates,
  charter keys, duplicates); no database write;
* ``duckdb_read_csv``: ``CREATE TABLE AS SELECT * FROM read_csv(...)`` with type sniffing and
  no validation — the floor.

``python bench/ingest.py worker IMPL CSV WORKDIR`` is the subprocess entry point.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("CXO_BENCH_CACHE", Path(tempfile.gettempdir()) / "cxo-bench"))
IMPLS = ("cxo", "pandas", "duckdb_read_csv")
TOUCHPOINTS = ("signup", "onboarding", "product_use", "support", "billing")
COMPANY_TYPE = "software"


def make_csv(rows: int, seed: int = 7) -> Path:
    """A seeded responses CSV with ``rows`` data rows (reused when it exists)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    path = CACHE / f"responses-{rows}-{seed}.csv"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    chunk = 500_000
    start = np.datetime64("2024-01-01T00:00:00", "s")
    tps = np.array(TOUCHPOINTS)
    comments = np.array(
        [
            "",
            "",
            "Support war schnell, danke!",
            "The invoice was wrong again; nobody called back.",
            'Portal "hängt" ständig, bitte verbessern',
        ]
    )
    with pcsv.CSVWriter(
        tmp,
        pa.schema(
            [
                (n, pa.string())
                for n in (
                    "response_id",
                    "customer_id",
                    "survey",
                    "touchpoint",
                    "channel",
                    "responded_at",
                    "nps",
                    "csat",
                    "ces",
                    "comment",
                    "language",
                )
            ]
        ),
    ) as writer:
        for lo in range(0, rows, chunk):
            n = min(chunk, rows - lo)
            ids = np.char.add("R", np.arange(lo, lo + n).astype(str))
            bad = rng.random(n) < 0.001
            dup = rng.random(n) < 0.0003
            ids = np.where(
                dup & (np.arange(lo, lo + n) > 0),
                np.char.add("R", np.maximum(np.arange(lo, lo + n) - 1, 0).astype(str)),
                ids,
            )
            nps = rng.integers(0, 11, n).astype(str)
            nps = np.where(bad, "11", nps)
            ts = (start + rng.integers(0, 86_400 * 600, n).astype("timedelta64[s]")).astype(str)
            ts = np.where(rng.random(n) < 0.0005, "31.02.2024", ts)
            table = pa.table(
                {
                    "response_id": ids,
                    "customer_id": np.char.add(
                        "C", rng.integers(0, max(rows // 10, 1), n).astype(str)
                    ),
                    "survey": np.where(rng.random(n) < 0.5, "relationship", "transactional"),
                    "touchpoint": tps[rng.integers(0, len(tps), n)],
                    "channel": np.where(rng.random(n) < 0.5, "email", "web"),
                    "responded_at": ts,
                    "nps": nps,
                    "csat": rng.integers(1, 6, n).astype(str),
                    "ces": rng.integers(1, 8, n).astype(str),
                    "comment": comments[rng.integers(0, len(comments), n)],
                    "language": np.where(rng.random(n) < 0.6, "de", "en"),
                }
            )
            writer.write_table(table)
    tmp.rename(path)
    return path


def _worker(impl: str, csv_path: Path, workdir: Path) -> dict[str, Any]:
    # Library imports are not part of the measurement.
    import duckdb
    import pandas  # noqa: F401
    import pyarrow.compute
    import pyarrow.csv

    del pyarrow
    t0 = time.perf_counter()
    if impl == "cxo":
        from cxo.ingest.api import import_file
        from cxo.workspace import Workspace

        ws = Workspace.create(workdir / "ws", COMPANY_TYPE)
        t0 = time.perf_counter()
        batch = import_file(ws, "responses", csv_path)
        out = {"read": batch.read, "imported": batch.imported, "quarantined": batch.quarantined}
    elif impl == "pandas":
        import pandas as pd

        df = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        bad = pd.Series(False, index=df.index)
        for col in ("response_id", "survey", "touchpoint", "responded_at"):
            bad |= df[col].str.strip() == ""
        ts = pd.to_datetime(df["responded_at"], errors="coerce", format="ISO8601")
        bad |= ts.isna()
        for col, lo, hi in (("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)):
            num = pd.to_numeric(df[col].replace("", None), errors="coerce")
            bad |= (df[col] != "") & (num.isna() | (num < lo) | (num > hi) | (num % 1 != 0))
        bad |= ~df["touchpoint"].isin(TOUCHPOINTS)
        bad |= ~df["language"].isin(["de", "en", "other", ""])
        # Within the file the first *valid* row of a key wins (as cxo does).
        dup = df["response_id"].where(~bad).duplicated() & ~bad
        bad |= dup
        out = {"read": len(df), "imported": int((~bad).sum()), "quarantined": int(bad.sum())}
    elif impl == "duckdb_read_csv":
        import duckdb

        con = duckdb.connect(str(workdir / "floor.duckdb"))
        n = con.execute(
            "CREATE TABLE responses AS SELECT * FROM read_csv(?)", [str(csv_path)]
        ).fetchone()
        con.close()
        out = {"read": int(n[0]) if n else 0}
    else:
        raise SystemExit(f"unknown impl {impl}")
    out["seconds"] = time.perf_counter() - t0
    return out


def _measure(impl: str, csv_path: Path) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"cxo-bench-ingest-{impl}-"))
    try:
        proc = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "worker",
                impl,
                str(csv_path),
                str(workdir),
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")},
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(scale: str) -> list[dict[str, Any]]:
    """Measure import throughput at ``quick`` (1M rows) or ``full`` (1M and 10M rows)."""
    sizes = [1_000_000] if scale == "quick" else [1_000_000, 10_000_000]
    records: list[dict[str, Any]] = []
    for rows in sizes:
        path = make_csv(rows)
        size_mb = path.stat().st_size / 1e6
        measured = {impl: _measure(impl, path) for impl in IMPLS}
        floor = measured["duckdb_read_csv"]["seconds"]
        pandas_s = measured["pandas"]["seconds"]
        for impl in IMPLS:
            m = measured[impl]
            recon = (
                f"read {m['read']:,} = imported {m['imported']:,} "
                f"+ quarantined {m['quarantined']:,}"
                if "imported" in m
                else "no validation"
            )
            records.append(
                {
                    "bench": "ingest",
                    "case": f"{impl} csv {rows // 1_000_000}M",
                    "rows": rows,
                    "seconds": round(m["seconds"], 3),
                    "rows_per_s": round(rows / m["seconds"]),
                    "peak_rss_mb": round(m["peak_rss_mb"], 1),
                    "ratio_vs_duckdb_sql": round(m["seconds"] / floor, 2),
                    "ratio_vs_pandas": round(m["seconds"] / pandas_s, 2),
                    "notes": f"{size_mb:,.0f} MB file; {recon}",
                }
            )
    return records


def _peak_rss_mb() -> float:
    """This process's peak RSS (``VmHWM``; reset on exec, unlike ``ru_maxrss``)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _main(argv: list[str]) -> None:
    if len(argv) >= 4 and argv[0] == "worker":
        out = _worker(argv[1], Path(argv[2]), Path(argv[3]))
        out["peak_rss_mb"] = _peak_rss_mb()
        sys.stdout.write(json.dumps(out) + "\n")
        return
    scale = argv[0] if argv else "quick"
    for rec in run(scale):
        sys.stdout.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    _main(sys.argv[1:])
