"""Scale benchmark (issue 17 item 4): simulate → import → scorecard → assess → diagnose.

Every step runs as the user runs it: the real ``cxo`` CLI in a fresh subprocess (a small
wrapper runs ``cxo.cli.main.main`` in-process and records its own peak RSS, ``ru_maxrss``,
into a side file, so stdout stays the command's JSON). Per size:

1. ``cxo simulate`` to Parquet (one file per contract table);
2. ``cxo init`` and ``cxo import TABLE FILE.parquet --json`` for every contract table (the real
   import path: staging, validation, quarantine); read = imported + quarantined is checked;
3. ``cxo scorecard --json``, ``cxo assess --json``, ``cxo diagnose all --json``.

Wall time, child peak RSS, rows and the 1-minute load average before/after each step are
recorded. Results go to ``bench/results/scale.json`` and ``scale.md`` after EVERY step, merged
with earlier runs by (customers, step), so a crash at 100M keeps the 1M/10M figures.

``quick`` = 10k customers (≈100k responses); ``full`` = 100k, 1M, 10M customers (≈1M, 10M,
100M responses). Alone: ``uv run python -m bench.scale --customers 100000 1000000``.
Children run with Python's bytecode cache on (``PYTHONPYCACHEPREFIX`` under the work
directory) as an installed cxo has it: with ``PYTHONDONTWRITEBYTECODE=1`` every command would
first spend 5–15 s compiling pandas, ibis … again. The scorecard runs as soon as customers
and responses are in (before ratings, cases, sends, sessions), so a long run has it early.

Work directories: ``$CXO_SCALE_DIR`` (default ``/tmp/scale_work``)/<customers>; simulated
Parquet is reused when complete (``--simulate-only`` prepares it), the workspace is rebuilt;
``--keep`` keeps it. ``--stages simulate import scorecard`` stops after the import (the
workspace is kept); ``--stages assess diagnose`` measures the analyses again on it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxo.demo import IMPORT_ORDER  # parents before children, as `cxo demo` imports

SIZES = {"quick": [10_000], "full": [100_000, 1_000_000, 10_000_000]}
RESULTS = Path(__file__).resolve().parent / "results"
WORK = Path(os.environ.get("CXO_SCALE_DIR", "/tmp/scale_work"))
COMPANY_TYPE = "service"

_WRAPPER = """
import os, resource, sys
sys.argv = ["cxo", *sys.argv[1:]]
code = 0
try:
    from cxo.cli.main import main
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    with open(os.environ["CXO_SCALE_RSS"], "w") as fh:
        fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
sys.exit(code)
"""


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _cxo(args: list[str], log: Path) -> dict[str, Any]:
    """Run ``cxo ARGS`` in a fresh interpreter: wall seconds, peak RSS, stdout, load."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss", delete=False) as fh:
        rss_file = Path(fh.name)
    env = {**os.environ, "CXO_SCALE_RSS": str(rss_file), "COLUMNS": "120"}
    # An installed cxo has its bytecode cached; without it every command would spend seconds
    # compiling pandas, ibis … again. The cache goes to its own folder, not into the checkout.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    before = _load()
    t0 = time.perf_counter()
    with log.open("a", encoding="utf-8") as err:
        err.write(f"\n{time.strftime('%H:%M:%S', time.gmtime())} $ cxo {' '.join(args)}\n")
        err.flush()
        proc = subprocess.run(
            [sys.executable, "-c", _WRAPPER, *args],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
            check=False,
        )
    seconds = time.perf_counter() - t0
    text = rss_file.read_text() if rss_file.exists() else ""
    rss_file.unlink(missing_ok=True)
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(int(text) / 1024, 1) if text.strip() else None,
        "rc": proc.returncode,
        "stdout": proc.stdout,
        "load_avg_1m_before": before,
        "load_avg_1m_after": _load(),
    }


def _json(stdout: str) -> Any:
    start = min((i for i in (stdout.find("{"), stdout.find("[")) if i >= 0), default=-1)
    return json.loads(stdout[start:]) if start >= 0 else None


def _record(customers: int, step: str, run: dict[str, Any], **extra: Any) -> dict[str, Any]:
    rec = {
        "bench": "scale",
        "case": f"{customers:,} customers: {step}",
        "customers": customers,
        "step": step,
        "seconds": run["seconds"],
        "peak_rss_mb": run["peak_rss_mb"],
        "load_avg_1m_before": run["load_avg_1m_before"],
        "load_avg_1m_after": run["load_avg_1m_after"],
        "rc": run["rc"],
    }
    rec.update(extra)
    return rec


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def _simulate(customers: int, sim: Path, log: Path) -> dict[str, Any]:
    done = sim / ".complete"
    if done.exists():
        info: dict[str, Any] = json.loads(done.read_text("utf-8"))
        return info  # the measurement of the run that simulated it
    shutil.rmtree(sim, ignore_errors=True)
    args = ["simulate", "--type", COMPANY_TYPE, "-n", str(customers), "--seed", "1"]
    run = _cxo([*args, "--out", str(sim), "--json"], log)
    if run["rc"] != 0:
        raise RuntimeError(f"cxo simulate failed (rc {run['rc']}); see {log}")
    rows = {t: _parquet_rows(sim / f"{t}.parquet") for t in IMPORT_ORDER}
    size = sum(p.stat().st_size for p in sim.glob("*.parquet"))
    info = _record(customers, "simulate", run, rows=rows["responses"], table_rows=rows)
    info["notes"] = f"{sum(rows.values()):,} rows in 8 tables, {size / 2**30:.2f} GiB Parquet"
    done.write_text(json.dumps(info), "utf-8")
    return info


def _imports(
    customers: int,
    tables: tuple[str, ...],
    dirs: tuple[Path, Path, Path],
    keep: Callable[[dict[str, Any]], None],
) -> list[dict[str, Any]]:
    sim, ws, log = dirs
    recs: list[dict[str, Any]] = []
    for table in tables:
        path = sim / f"{table}.parquet"
        run = _cxo(["import", table, str(path), "--workspace", str(ws), "--json"], log)
        out = _json(run["stdout"]) if run["rc"] == 0 else None
        expected = _parquet_rows(path)
        if not isinstance(out, dict):
            recs.append(_record(customers, f"import {table}", run, rows=expected, notes="FAILED"))
            keep(recs[-1])
            continue
        read, imported, quarantined = out["read"], out["imported"], out["quarantined"]
        ok = read == imported + quarantined and read == expected
        recs.append(
            _record(
                customers,
                f"import {table}",
                run,
                rows=read,
                imported=imported,
                quarantined=quarantined,
                notes=f"read {read:,} = imported {imported:,} + quarantined {quarantined:,}"
                + ("" if ok else f" — MISMATCH (file has {expected:,})"),
                reconciled=ok,
            )
        )
        keep(recs[-1])
    return recs


def _import_total(customers: int, recs: list[dict[str, Any]]) -> dict[str, Any]:
    total = {
        "seconds": round(sum(r["seconds"] for r in recs), 2),
        "peak_rss_mb": max((r["peak_rss_mb"] or 0) for r in recs),
        "load_avg_1m_before": recs[0]["load_avg_1m_before"],
        "load_avg_1m_after": recs[-1]["load_avg_1m_after"],
        "rc": max(r["rc"] for r in recs),
    }
    ok = all(r.get("reconciled") for r in recs)
    return _record(
        customers,
        "import (all 8 tables)",
        total,
        rows=sum(r["rows"] for r in recs),
        notes="all reconciled" if ok else "NOT all reconciled",
    )


def _analysis(customers: int, step: str, args: list[str], ws: Path, log: Path) -> dict[str, Any]:
    run = _cxo([*args, "--workspace", str(ws), "--json"], log)
    out = _json(run["stdout"]) if run["rc"] == 0 else None
    notes = "FAILED (see log)" if out is None else ""
    rows = None
    if isinstance(out, dict):
        rows = out.get("responses") or out.get("n")
        if step == "scorecard":
            rows = (out.get("total") or {}).get("n")
            notes = f"{len(out.get('rows', []))} scorecard rows"
        elif step == "assess":
            notes = f"{len(out.get('pains', []))} pain cells"
    if isinstance(out, dict) and step == "diagnose all":
        notes = ", ".join(sorted(out))
    return _record(customers, step, run, rows=rows, notes=notes)


STAGES = ("simulate", "import", "scorecard", "assess", "diagnose")
"""What ``--stages`` may name; a run without ``import`` reuses the kept workspace."""


def run_size(
    customers: int, keep: bool = False, save: bool = True, stages: tuple[str, ...] = STAGES
) -> list[dict[str, Any]]:
    """The ``stages`` for one size; each record is saved as soon as it is measured.

    Without ``import`` the workspace of an earlier ``--keep`` run is measured again (e.g. the
    analyses after a change, on the same 100M rows)."""
    root = WORK / str(customers)
    root.mkdir(parents=True, exist_ok=True)
    sim, ws, log = root / "sim", root / "ws", root / "log.txt"
    records: list[dict[str, Any]] = []

    def keep_(rec: dict[str, Any] | list[dict[str, Any]]) -> None:
        new = rec if isinstance(rec, list) else [rec]
        records.extend(new)
        for r in new:
            print("   ", json.dumps(r, default=str), flush=True)
        if save:
            save_results(new)

    if "simulate" in stages or "import" in stages:
        keep_(_simulate(customers, sim, log))
    if "import" in stages:
        shutil.rmtree(ws, ignore_errors=True)
        init = _cxo(["init", str(ws), "--type", COMPANY_TYPE, "--language", "en"], log)
        if init["rc"] != 0:
            raise RuntimeError(f"cxo init failed; see {log}")
        # The scorecard needs customers and responses only: it runs as soon as they are in, so
        # that a long run has its figure early.
        first = _imports(customers, IMPORT_ORDER[:4], (sim, ws, log), keep_)
        if "scorecard" in stages:
            keep_(_analysis(customers, "scorecard", ["scorecard"], ws, log))
        rest = _imports(customers, IMPORT_ORDER[4:], (sim, ws, log), keep_)
        keep_(_import_total(customers, first + rest))
    elif not (ws / "data").exists():
        raise RuntimeError(f"no kept workspace at {ws}: run with --stages import … --keep first")
    elif "scorecard" in stages:
        keep_(_analysis(customers, "scorecard", ["scorecard"], ws, log))
    if "assess" in stages:
        keep_(_analysis(customers, "assess", ["assess"], ws, log))
    if "diagnose" in stages:
        keep_(_analysis(customers, "diagnose all", ["diagnose", "all"], ws, log))
    size = sum(p.stat().st_size for p in ws.rglob("*") if p.is_file())
    keep_(
        {
            "bench": "scale",
            "case": f"{customers:,} customers: workspace size",
            "customers": customers,
            "step": "workspace size",
            "notes": f"{size / 2**30:.2f} GiB on disk",
        }
    )
    if not keep and "import" in stages:
        shutil.rmtree(ws, ignore_errors=True)
    return records


def save_results(new: list[dict[str, Any]]) -> None:
    """Merge ``new`` into bench/results/scale.json by (customers, step) and rewrite scale.md."""
    path = RESULTS / "scale.json"
    data: dict[str, Any] = {"meta": {}, "records": []}
    if path.exists():
        data = json.loads(path.read_text("utf-8"))
    keys = {(r.get("customers"), r.get("step")) for r in new}
    kept = [r for r in data["records"] if (r.get("customers"), r.get("step")) not in keys]
    data["records"] = sorted(
        kept + new, key=lambda r: (r.get("customers") or 0, _STEP_ORDER.get(r.get("step"), 99))
    )
    data["meta"] = {
        "updated": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "company_type": COMPANY_TYPE,
    }
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", "utf-8")
    (RESULTS / "scale.md").write_text(to_markdown(data), "utf-8")


_STEPS = [
    "simulate",
    *(f"import {t}" for t in IMPORT_ORDER),
    "import (all 8 tables)",
    "scorecard",
    "assess",
    "diagnose all",
    "workspace size",
]
_STEP_ORDER = {s: i for i, s in enumerate(_STEPS)}


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def to_markdown(data: dict[str, Any]) -> str:
    """The figures as a table, plus the growth ratio between consecutive sizes per step."""
    meta, recs = data["meta"], data["records"]
    cols = ["customers", "step", "seconds", "peak_rss_mb", "rows", "load_avg_1m_before"]
    cols += ["load_avg_1m_after", "notes"]
    lines = [
        "# cxo at scale: simulate, import, scorecard, assess, diagnose (bench/scale.py)",
        "",
        f"Updated {meta.get('updated')} on {meta.get('machine')} (Python {meta.get('python')}),"
        f" {meta.get('cpus')} CPUs shared with other work; company type "
        f"{meta.get('company_type')}. Each step is the real `cxo` CLI in a fresh process; peak "
        "RSS is that process's ru_maxrss.",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
    ]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in recs]
    sizes = sorted({r["customers"] for r in recs if r.get("customers")})
    by = {(r.get("customers"), r.get("step")): r for r in recs}
    if len(sizes) > 1:
        lines += ["", "## Growth of wall time between sizes", ""]
        head = [f"{a:,} → {b:,}" for a, b in itertools.pairwise(sizes)]
        lines += ["| step | " + " | ".join(head) + " |", "|---|" + "---|" * len(head)]
        for step in _STEPS[:-1]:
            cells = []
            for a, b in itertools.pairwise(sizes):
                sa = (by.get((a, step)) or {}).get("seconds")
                sb = (by.get((b, step)) or {}).get("seconds")
                cells.append(f"{sb / sa:.1f}×" if sa and sb else "–")
            lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def run(scale: str) -> list[dict[str, Any]]:
    """Measurements for ``scale`` (``quick``: 10k customers; ``full``: 100k, 1M, 10M)."""
    out: list[dict[str, Any]] = []
    for customers in SIZES[scale]:
        out.extend(run_size(customers))
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.scale --customers N ...``."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--customers", type=int, nargs="+", default=SIZES["quick"])
    parser.add_argument("--keep", action="store_true", help="Keep the workspaces.")
    parser.add_argument(
        "--simulate-only", action="store_true", help="Only simulate (reused by a later run)."
    )
    parser.add_argument(
        "--stages",
        nargs="+",
        choices=STAGES,
        default=list(STAGES),
        help="Stages to run; without `import` the workspace kept by an earlier --keep run.",
    )
    args = parser.parse_args(argv)
    for customers in args.customers:
        if args.simulate_only:
            root = WORK / str(customers)
            root.mkdir(parents=True, exist_ok=True)
            save_results([_simulate(customers, root / "sim", root / "log.txt")])
            continue
        print(f"== scale {customers:,} customers", flush=True)
        run_size(
            customers, keep=args.keep or set(args.stages) != set(STAGES), stages=tuple(args.stages)
        )
    print(f"wrote {RESULTS / 'scale.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
