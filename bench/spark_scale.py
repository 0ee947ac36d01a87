"""Spark at scale (issue 17): every analysis on Spark over the published lake, against DuckDB.

For each analysis — the scorecard, each diagnostic, theme impact (when the lake has
``response_themes``), the assessment, initiative measurement (when the workspace has launched
initiatives) — the bench runs the Python API with ``engine="spark"`` in this process (one JVM
for the run) and records:

* wall seconds (the assessment also per step, from ``on_step``);
* the most rows one statement brought to the driver: :attr:`SparkRunner.largest_collect` of
  every runner the analysis opened (``for_workspace`` is wrapped), the statement that did it,
  and — for what does not go through :class:`SparkRunner` (the scorecard's and theme impact's
  ibis expressions) — the largest ``collect``/``toPandas``/``toArrow`` of any pyspark frame;
* peak memory, sampled every 0.5 s: RSS of the JVM (the Python process's ``java`` child), of
  Python, and the JVM heap in use (``Runtime.totalMemory - freeMemory``);
* parity: the result's ``to_dict()`` against DuckDB's on the same workspace with
  ``tests/parity.py: assert_same`` (counts exactly, statistics to 1e-9), plus the largest
  relative difference of any float and the first differing paths.

``--engines duckdb`` computes the DuckDB side only (in another process, e.g. ``nice``d while
Spark runs); both sides keep their result dicts under ``--work`` (``<engine>/<analysis>.json``)
and every process rewrites ``bench/results/spark_scale.json`` and ``.md`` from that directory
after EVERY analysis, so a crash or timeout keeps what finished. ``--report`` only rewrites
them. Each analysis has a time cap (``--cap-minutes``): on expiry the Spark jobs are cancelled,
the next statement of the analysis raises, and the record says ``timeout`` with the step
reached.

The driver heap: local mode runs the executors inside the driver JVM, whose default heap is
1 GB; ``--driver-memory`` (default 6g) sets it through pyspark's own ``PYSPARK_SUBMIT_ARGS``
(unless that is set already) before the session starts; cxo's defaults are untouched.

    uv run python -m bench.spark_scale --workspace /tmp/spk_ws
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import os
import platform
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
DIAGNOSTICS = ("loyalty", "marketing", "complaints", "selfservice")
ANALYSES = (
    "scorecard",
    *(f"diagnose {d}" for d in DIAGNOSTICS),
    "theme impact",
    "initiative measure",
    "assess",
)
"""Cheapest first: the assessment last."""
REL_TOL = 1e-9


class BenchTimeout(Exception):
    """The analysis ran past its cap; raised by the next statement it sends to Spark."""


@dataclass
class Probe:
    """What one analysis did on Spark: rows to the driver, memory, the step it reached."""

    runners: list[Any] = field(default_factory=list)
    statements: int = 0
    largest_sql: str = ""
    largest_sql_rows: int = 0
    pyspark_collects: int = 0
    pyspark_largest: int = 0
    rss_python_mb: float = 0.0
    rss_jvm_mb: float = 0.0
    heap_used_mb: float = 0.0
    steps: list[tuple[str, float]] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)

    def largest_collect(self) -> int:
        return max((int(r.largest_collect) for r in self.runners), default=0)


PROBE = Probe()


def _instrument() -> None:
    """Wrap SparkRunner and pyspark's frames so that PROBE sees every statement's rows."""
    try:  # pyspark 4: the classic (non-Connect) frame overrides the methods of the base
        from pyspark.sql.classic.dataframe import DataFrame
    except ImportError:
        from pyspark.sql import DataFrame  # type: ignore[assignment]

    from cxo.engine import sql

    original_execute = sql.SparkRunner.execute
    original_for_workspace = sql.SparkRunner.for_workspace.__func__  # type: ignore[attr-defined]

    def execute(self: Any, query: str, parameters: object = None) -> Any:
        if PROBE.cancel.is_set():
            raise BenchTimeout("cancelled: the analysis ran past its time cap")
        rows = original_execute(self, query, parameters)
        PROBE.statements += 1
        n = len(getattr(rows, "_rows", []))
        if n > PROBE.largest_sql_rows:
            PROBE.largest_sql_rows, PROBE.largest_sql = n, " ".join(query.split())[:400]
        return rows

    def for_workspace(cls: Any, ws: Any) -> Any:
        runner = original_for_workspace(cls, ws)
        PROBE.runners.append(runner)
        return runner

    sql.SparkRunner.execute = execute  # type: ignore[method-assign]
    sql.SparkRunner.for_workspace = classmethod(for_workspace)  # type: ignore[method-assign,assignment]

    def counted(name: str, size: Callable[[Any], int]) -> None:
        method = getattr(DataFrame, name, None)
        if method is None:
            return

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if PROBE.cancel.is_set():
                raise BenchTimeout("cancelled: the analysis ran past its time cap")
            out = method(self, *args, **kwargs)
            PROBE.pyspark_collects += 1
            PROBE.pyspark_largest = max(PROBE.pyspark_largest, size(out))
            return out

        setattr(DataFrame, name, wrapper)

    counted("collect", len)
    counted("toPandas", len)
    counted("toArrow", lambda t: int(t.num_rows))


def _rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _jvm_pids() -> list[int]:
    """The ``java`` processes descending from this one (the Spark driver)."""
    me, children = os.getpid(), dict[int, list[int]]()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], list(children.get(me, []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        with contextlib.suppress(OSError):
            if "java" in Path(f"/proc/{pid}/comm").read_text():
                out.append(pid)
    return out


def _heap_used_mb() -> float:
    from cxo.engine.spark import session

    if session.cache_info().currsize == 0:  # no session yet: do not start one
        return 0.0
    runtime = session().sparkContext._jvm.java.lang.Runtime.getRuntime()
    return float(runtime.totalMemory() - runtime.freeMemory()) / 2**20


def _sampler(stop: threading.Event, spark: bool) -> None:
    while not stop.wait(0.5):
        PROBE.rss_python_mb = max(PROBE.rss_python_mb, _rss_mb(os.getpid()))
        if spark:
            PROBE.rss_jvm_mb = max(PROBE.rss_jvm_mb, sum(_rss_mb(p) for p in _jvm_pids()))
            with contextlib.suppress(Exception):
                PROBE.heap_used_mb = max(PROBE.heap_used_mb, _heap_used_mb())


def _applicable(ws: Any, analysis: str) -> str | None:
    """Why ``analysis`` does not apply to ``ws`` (``None`` when it does)."""
    if analysis == "theme impact":
        from cxo.lake import lake_path, manifest

        names = {str(t["name"]) for t in manifest(lake_path(ws))["tables"]}
        return None if "response_themes" in names else "no response_themes in the lake"
    if analysis == "initiative measure":
        from cxo.initiatives.portfolio import initiatives

        launched = [i for i in initiatives(ws.app_database_url) if i.launch is not None]
        return None if launched else "no launched initiative in the workspace"
    return None


def _run(ws: Any, analysis: str, engine: str) -> dict[str, Any]:
    """``analysis`` on ``engine`` through the Python API: its ``to_dict()``."""
    if analysis == "scorecard":
        from cxo.engine import scorecard

        return dict(scorecard(ws, engine=engine).to_dict())
    if analysis.startswith("diagnose "):
        from cxo import diagnostics

        return dict(diagnostics.diagnose(ws, analysis.split()[1], engine=engine).to_dict())
    if analysis == "assess":
        from cxo.assess import assess

        def step(name: str) -> None:
            PROBE.steps.append((name, time.perf_counter()))

        return dict(assess(ws, engine=engine, on_step=step).to_dict())
    if analysis == "theme impact":
        from cxo.text import theme_impact
        from cxo.text.impact_data import impact_inputs, impact_patterns

        found = theme_impact(**impact_inputs(impact_patterns(ws, engine)))
        return {"themes": [r.to_dict() for r in found]}
    if analysis == "initiative measure":
        from cxo.initiatives.portfolio import initiatives

        return _measure_initiatives(ws, engine, initiatives(ws.app_database_url))
    raise ValueError(analysis)


def _measure_initiatives(ws: Any, engine: str, items: list[Any]) -> dict[str, Any]:
    from cxo.engine.sql import SparkRunner
    from cxo.initiatives.effect import measure_effect

    out: dict[str, Any] = {}
    for ini in (i for i in items if i.launch is not None):
        if engine == "spark":
            runner = SparkRunner.for_workspace(ws)
            try:
                out[ini.key] = measure_effect(runner, ini.touchpoints, ini.launch).to_dict()
            finally:
                runner.close()
        else:
            with ws.connect(read_only=True) as con:
                out[ini.key] = measure_effect(con, ini.touchpoints, ini.launch).to_dict()
    return out


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def measure(ws: Any, analysis: str, engine: str, cap_s: float) -> tuple[dict[str, Any], Any]:
    """Run one analysis under the cap: its record and its result dict (``None`` if none)."""
    global PROBE
    PROBE = Probe()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = _run(ws, analysis, engine)
        except BaseException as exc:  # recorded, the bench goes on
            box["error"] = f"{type(exc).__name__}: {exc}"

    stop = threading.Event()
    sampler = threading.Thread(target=_sampler, args=(stop, engine == "spark"), daemon=True)
    sampler.start()
    rec: dict[str, Any] = {"analysis": analysis, "engine": engine, "load_before": _load()}
    rec["started"] = time.strftime("%H:%M:%S", time.gmtime())
    t0 = time.perf_counter()
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(cap_s)
    timed_out = worker.is_alive()
    if timed_out:
        PROBE.cancel.set()
        if engine == "spark":
            from cxo.engine.spark import session

            with contextlib.suppress(Exception):
                session().sparkContext.cancelAllJobs()
        worker.join(120)
        rec["abandoned"] = worker.is_alive()  # still running: the bench must stop
    seconds = time.perf_counter() - t0
    stop.set()
    sampler.join()
    rec.update(
        status="timeout" if timed_out else ("error" if "error" in box else "ok"),
        seconds=round(seconds, 1),
        load_after=_load(),
        peak_rss_python_mb=round(PROBE.rss_python_mb),
    )
    if "error" in box:
        rec["error"] = box["error"][:600]
    if PROBE.steps:
        marks = [*PROBE.steps, ("end", t0 + seconds)]
        rec["steps"] = {a[0]: round(b[1] - a[1], 1) for a, b in itertools.pairwise(marks)}
        rec["last_step"] = PROBE.steps[-1][0]
    if engine == "spark":
        rec.update(
            largest_collect=PROBE.largest_collect(),
            largest_statement=PROBE.largest_sql,
            statements=PROBE.statements,
            pyspark_collects=PROBE.pyspark_collects,
            pyspark_largest_collect=PROBE.pyspark_largest,
            peak_rss_jvm_mb=round(PROBE.rss_jvm_mb),
            peak_heap_used_mb=round(PROBE.heap_used_mb),
        )
    return rec, box.get("result")


def _walk(a: Any, b: Any, where: str, out: dict[str, Any]) -> None:
    """Largest relative float difference and the first paths where ``a`` and ``b`` differ."""

    def differ(what: str) -> None:
        if len(out["differ"]) < 5:
            out["differ"].append(what)

    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            differ(f"{where}: keys {sorted(set(a) ^ set(b))}")
        for key in a.keys() & b.keys():
            _walk(a[key], b[key], f"{where}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            differ(f"{where}: {len(a)} vs {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _walk(x, y, f"{where}[{i}]", out)
    elif isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        if isinstance(a, float) or isinstance(b, float):
            if math.isnan(a) and math.isnan(b):
                return
            rel = abs(a - b) / max(abs(a), abs(b)) if a != b else 0.0
            if rel > out["max_rel"]:
                out["max_rel"], out["max_rel_at"] = rel, where
            if not math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12):
                differ(f"{where}: {a!r} vs {b!r}")
        elif a != b:
            differ(f"{where}: {a!r} vs {b!r}")
    elif a != b:
        differ(f"{where}: {str(a)[:80]!r} vs {str(b)[:80]!r}")


def parity(duck: Any, spark: Any) -> dict[str, Any]:
    """``assert_same`` (the parity tests' verdict) and what differs how much."""
    from tests.parity import assert_same

    out: dict[str, Any] = {"max_rel": 0.0, "max_rel_at": "", "differ": []}
    _walk(duck, spark, "", out)
    try:
        assert_same(duck, spark, REL_TOL)
        out["same"] = True
    except AssertionError as exc:
        out["same"] = False
        out["first_failure"] = str(exc)[:300]
    return out


def _dump(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(doc, indent=1, default=str), "utf-8")
    tmp.replace(path)


def _read(path: Path) -> Any:
    return json.loads(path.read_text("utf-8")) if path.is_file() else None


def _slug(analysis: str) -> str:
    return analysis.replace(" ", "_")


def write_report(work: Path, meta: dict[str, Any]) -> None:
    """``spark_scale.json`` and ``.md`` from what ``work`` holds (both engines)."""
    rows: list[dict[str, Any]] = []
    for analysis in ANALYSES:
        recs = {e: _read(work / e / f"{_slug(analysis)}.record.json") for e in ("spark", "duckdb")}
        if not any(recs.values()):
            continue
        row: dict[str, Any] = {
            "analysis": analysis,
            "spark": recs["spark"],
            "duckdb": recs["duckdb"],
        }
        results = {e: _read(work / e / f"{_slug(analysis)}.json") for e in ("spark", "duckdb")}
        if results["spark"] is not None and results["duckdb"] is not None:
            row["parity"] = parity(results["duckdb"], results["spark"])
        rows.append(row)
    doc = {
        "bench": "spark_scale",
        **meta,
        "updated": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "rows": rows,
    }
    _dump(RESULTS / "spark_scale.json", doc)
    (RESULTS / "spark_scale.md").write_text(_markdown(doc), "utf-8")


def _cell(rec: dict[str, Any] | None, key: str) -> str:
    if not rec:
        return "–"
    if rec.get("status") == "skipped":
        return "n/a"
    if key == "seconds" and rec.get("status") != "ok":
        return f"{rec['status']} after {rec['seconds']:,.0f}"
    value = rec.get(key)
    return (
        "–" if value is None else (f"{value:,}" if isinstance(value, int | float) else str(value))
    )


def _markdown(doc: dict[str, Any]) -> str:
    lines = [
        "# Spark at scale: every analysis on Spark vs DuckDB (bench/spark_scale.py)",
        "",
        f"Updated {doc['updated']}; workspace `{doc.get('workspace')}` "
        f"({doc.get('customers', '?'):,} customers); {doc.get('machine', '')}; "
        f"Spark {doc.get('spark', {})}.",
        "",
        "Largest collect: the most rows one statement brought to the driver "
        "(`SparkRunner.largest_collect`; 0 = no SparkRunner statement: the scorecard is ibis), "
        "and the largest `collect`/`toPandas`/`toArrow` of any pyspark frame (ibis included). "
        "Heap peak: the largest sampled `totalMemory - freeMemory` of the JVM (garbage not yet "
        "collected included: an upper bound of what is live). Spark and DuckDB ran at the "
        "same time on 2 shared cores with other work (the DuckDB process `nice`d, except for "
        "the assessment): seconds are contended, see `load_before`/`load_after` in the JSON.",
        "",
        "| analysis | Spark s | DuckDB s | largest collect (SparkRunner) | largest pyspark "
        "collect | JVM peak RSS MB | heap peak MB | parity (1e-9) | max rel. diff |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for row in doc["rows"]:
        spark, duck, par = row["spark"], row["duckdb"], row.get("parity")
        verdict = "–" if par is None else ("yes" if par["same"] else "**NO**")
        rel = "–" if par is None else f"{par['max_rel']:.1e}"
        lines.append(
            f"| {row['analysis']} | {_cell(spark, 'seconds')} | {_cell(duck, 'seconds')} "
            f"| {_cell(spark, 'largest_collect')} | {_cell(spark, 'pyspark_largest_collect')} "
            f"| {_cell(spark, 'peak_rss_jvm_mb')} | {_cell(spark, 'peak_heap_used_mb')} "
            f"| {verdict} | {rel} |"
        )
        for engine, rec in (("Spark", spark), ("DuckDB", duck)):
            if rec and rec.get("status") in ("error", "timeout", "skipped"):
                what = rec.get("error") or rec.get("reason") or ""
                notes.append(f"- {row['analysis']} on {engine}: {rec['status']} {what}".rstrip())
            if rec and rec.get("steps"):
                notes.append(f"- {row['analysis']} on {engine}, seconds per step: {rec['steps']}")
        if spark and spark.get("largest_statement"):
            notes.append(
                f"- {row['analysis']}: largest fetch {spark['largest_collect']:,} rows from "
                f"`{spark['largest_statement'][:200]}`"
            )
        if par and not par["same"]:
            notes.append(f"- {row['analysis']} differs: {'; '.join(par['differ'])}")
    return "\n".join([*lines, "", *notes, ""])


@contextlib.contextmanager
def _driver_memory(memory: str) -> Iterator[None]:
    if "PYSPARK_SUBMIT_ARGS" not in os.environ:
        os.environ["PYSPARK_SUBMIT_ARGS"] = f"--driver-memory {memory} pyspark-shell"
    yield


def _meta(ws: Any, engines: list[str]) -> dict[str, Any]:
    from cxo.engine.sql import scalar

    with ws.connect(read_only=True) as con:
        customers = int(scalar(con, "select count(*) from customers"))
    return {
        "workspace": str(ws.root),
        "customers": customers,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs shared with other work, "
        f"Python {platform.python_version()}",
        "spark": {
            "master": os.environ.get("CXO_SPARK_MASTER", "local[2]"),
            "submit_args": os.environ.get("PYSPARK_SUBMIT_ARGS", ""),
            "max_collect": os.environ.get("CXO_SPARK_MAX_COLLECT", "1000000 (default)"),
        },
        "engines_this_run": engines,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--engines", nargs="+", default=["spark", "duckdb"])
    parser.add_argument("--only", nargs="+", choices=ANALYSES, default=list(ANALYSES))
    parser.add_argument("--cap-minutes", type=float, default=25.0)
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--work", type=Path, default=Path("/tmp/spk_work"))
    parser.add_argument("--report", action="store_true", help="only rewrite the results")
    parser.add_argument("--redo", action="store_true", help="run even what has a record")
    args = parser.parse_args(argv)
    from cxo.workspace import Workspace

    ws = Workspace(args.workspace)
    with _driver_memory(args.driver_memory):
        meta = _meta(ws, args.engines)
        if args.report:
            write_report(args.work, meta)
            return 0
        if "spark" in args.engines:
            _instrument()
        for analysis in args.only:
            for engine in args.engines:
                record = args.work / engine / f"{_slug(analysis)}.record.json"
                if record.is_file() and not args.redo:
                    continue
                why = _applicable(ws, analysis)
                if why is not None:
                    _dump(
                        record,
                        {
                            "analysis": analysis,
                            "engine": engine,
                            "status": "skipped",
                            "reason": why,
                        },
                    )
                    continue
                print(
                    f"{time.strftime('%H:%M:%S', time.gmtime())} {analysis} on {engine}", flush=True
                )
                rec, result = measure(ws, analysis, engine, args.cap_minutes * 60)
                if result is not None:
                    _dump(args.work / engine / f"{_slug(analysis)}.json", result)
                _dump(record, rec)
                print(json.dumps(rec, default=str), flush=True)
                write_report(args.work, meta)
                if rec.get("abandoned"):
                    return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
