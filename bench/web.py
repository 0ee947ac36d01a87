"""Benchmark of the web pages under load and of the board report (issue 14's targets).

A workspace (cached under ``/tmp/cxo_bench_web/<type>-<customers>-s<seed>``) is simulated,
imported table by table like ``cxo demo``, assessed and saved. A real ``cxo serve`` runs on
127.0.0.1 in a subprocess; 20 clients sign in through the form, warm each page once, then 20
threads send ``REQUESTS`` requests each to every page. Per page: p50/p95/max latency, the first
(cold) request and the server's peak RSS. ``cxo report --pdf`` (HTML + PDF) is timed too.

The server warms its pages at start (``cxo serve`` renders the overview and the default
scorecard in advance); the clients start once ``/api/health`` says ``"pages": "warm"``, and the
warm-up time is noted. ``CXO_BENCH_WEB_WORKERS=N`` serves with ``--workers N`` (default 1).
The report is timed twice: without a saved run (``reports/board-inputs.json`` removed, so the
scorecard and the four diagnostics are computed and saved) and again reusing that run.

``quick``: 20k customers, themes from comment tagging. ``full``: 1M customers, themes from the
attribute ratings (tagging 1M customers' comments is the text benchmark's job) unless
``CXO_BENCH_TAG=1``. Targets: p95 ≤ 300 ms with 20 users; report HTML+PDF ≤ 30 s.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

SIZES = {"quick": 20_000, "full": 1_000_000}
COMPANY = "service"
SEED = 1
USERS = 20
REQUESTS = int(os.environ.get("CXO_BENCH_WEB_REQUESTS", "10"))
WORKERS = int(os.environ.get("CXO_BENCH_WEB_WORKERS", "1"))
PAGES = ("/", "/scorecard", "/scorecard?by=segment", "/scorecard?by=channel,month")
CACHE = Path(tempfile.gettempdir()) / "cxo_bench_web"
USER, PASSWORD = "bench", "bench-password-123"
CXO = str(Path(sys.executable).with_name("cxo"))
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def workspace(customers: int, tag: bool, say: Any = print) -> tuple[Path, dict[str, float]]:
    """The cached workspace for ``customers`` and the seconds each build step took."""
    import cxo
    from cxo.assess import assess
    from cxo.demo import IMPORT_ORDER
    from cxo.ingest.api import import_file
    from cxo.report.assessment import write_assessment
    from cxo.workspace import Workspace

    root = CACHE / f"{COMPANY}-{customers}-s{SEED}{'-tagged' if tag else ''}"
    ready = root / ".bench-ready"
    if ready.exists():
        return root / "ws", json.loads(ready.read_text("utf-8"))
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    steps: dict[str, float] = {}
    t = time.perf_counter()
    say(f"simulating {customers:,} customers")
    cxo.simulate(COMPANY, customers, SEED, out=root / "sim")
    steps["simulate"] = time.perf_counter() - t
    ws = Workspace.create(root / "ws", COMPANY)
    t = time.perf_counter()
    for table in IMPORT_ORDER:
        path = root / "sim" / f"{table}.parquet"
        if path.exists():
            say(f"importing {table}")
            import_file(ws, table, path)
    steps["import"] = time.perf_counter() - t
    if tag:
        from cxo.text import tag_workspace

        t = time.perf_counter()
        say("tagging comments")
        tag_workspace(ws)
        steps["tag"] = time.perf_counter() - t
    t = time.perf_counter()
    say("assessing")
    write_assessment(ws, assess(ws), author="bench")
    steps["assess"] = time.perf_counter() - t
    shutil.rmtree(root / "sim", ignore_errors=True)
    ready.write_text(json.dumps(steps), "utf-8")
    return ws.root, steps


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(base: str, proc: subprocess.Popen[bytes], timeout: float = 600) -> None:
    """Until the server answers and says its pages are warm."""
    import httpx

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"cxo serve exited with {proc.returncode}")
        try:
            if httpx.get(base + "/api/health", timeout=5).json().get("pages") == "warm":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("cxo serve did not warm its pages in time")


def _cpu(proc: Any) -> float:
    """CPU seconds of the server and its worker processes."""
    import psutil

    total = sum(proc.cpu_times()[:2])
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += sum(child.cpu_times()[:2])
    return float(total)


def _sign_in(base: str) -> Any:
    import httpx

    client = httpx.Client(base_url=base, timeout=600)
    page = client.get("/login")
    match = _CSRF.search(page.text)
    if match is None:
        raise RuntimeError("no csrf_token on /login")
    form = {"name": USER, "password": PASSWORD, "csrf_token": match.group(1), "next": "/"}
    answer = client.post("/login", data=form)
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in answered {answer.status_code}")
    return client


class _RssWatch(threading.Thread):
    """Samples the server's RSS (with its children) every 50 ms; ``peak_mb`` is the maximum."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.peak_mb = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.stop.is_set():
            try:
                rss = self.proc.memory_info().rss
                rss += sum(c.memory_info().rss for c in self.proc.children(recursive=True))
            except psutil.Error:
                break
            self.peak_mb = max(self.peak_mb, rss / 2**20)
            time.sleep(0.05)


def _timed_get(client: Any, path: str) -> float:
    t = time.perf_counter()
    answer = client.get(path)
    elapsed = time.perf_counter() - t
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path} answered {answer.status_code}")
    return elapsed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def _load(root: Path, case: str, rows: int) -> list[dict[str, Any]]:
    """Serve ``root``, sign in 20 users, then measure every page under 20 concurrent users."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [CXO, "serve", "--workspace", str(root), "--port", str(port), "--workers", str(WORKERS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watch = _RssWatch(proc.pid)
    watch.start()
    out: list[dict[str, Any]] = []
    try:
        _wait(base, proc)
        warm = time.perf_counter() - started
        clients = [_sign_in(base) for _ in range(USERS)]
        cold = {path: _timed_get(clients[0], path) for path in PAGES}
        for path in PAGES:
            for client in clients[1:]:
                _timed_get(client, path)
        alone = {
            path: statistics.median(_timed_get(clients[0], path) for _ in range(REQUESTS))
            for path in PAGES
        }
        for path in PAGES:
            cpu0 = _cpu(watch.proc)
            with ThreadPoolExecutor(USERS) as pool:
                t = time.perf_counter()
                lists = pool.map(
                    lambda c, p=path: [_timed_get(c, p) for _ in range(REQUESTS)], clients
                )
                times = [x for chunk in lists for x in chunk]
                wall = time.perf_counter() - t
            cpu = (_cpu(watch.proc) - cpu0) / len(times)
            p50, p95 = statistics.median(times), _pct(times, 0.95)
            out.append(
                {
                    "bench": "web",
                    "case": f"GET {path} {case}, {USERS} users × {REQUESTS}, "
                    f"{WORKERS} worker{'s' if WORKERS > 1 else ''}",
                    "rows": rows,
                    "seconds": round(wall, 2),
                    "peak_rss_mb": None,
                    "ratio_vs_duckdb_sql": None,
                    "ratio_vs_pandas": None,
                    "p50_ms": round(p50 * 1000, 1),
                    "p95_ms": round(p95 * 1000, 1),
                    "max_ms": round(max(times) * 1000, 1),
                    "cold_ms": round(cold[path] * 1000, 1),
                    "one_user_p50_ms": round(alone[path] * 1000, 1),
                    "server_cpu_ms_per_request": round(cpu * 1000, 1),
                    "notes": f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                    f"max {max(times) * 1000:.0f} ms, cold {cold[path] * 1000:.0f} ms, "
                    f"one user alone p50 {alone[path] * 1000:.0f} ms; "
                    f"{len(times) / wall:.1f} req/s, server CPU {cpu * 1000:.0f} ms/request; "
                    "target p95 ≤ 300 ms " + ("met" if p95 <= 0.3 else "MISSED") + "; "
                    f"server up and pages warm {warm:.0f} s after start",
                }
            )
        for client in clients:
            client.close()
    finally:
        watch.stop.set()
        watch.join()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    for rec in out:
        rec["peak_rss_mb"] = round(watch.peak_mb, 1)
    return out


def _report(root: Path, case: str, rows: int, *, saved: bool) -> dict[str, Any]:
    """``cxo report --pdf`` (HTML + PDF) in a subprocess; wall time and peak RSS. Without a
    ``saved`` run the saved inputs are removed first, so they are computed (and saved)."""
    import resource

    inputs = root / "reports" / "board-inputs.json"
    if not saved:
        inputs.unlink(missing_ok=True)
    elif not inputs.exists():
        raise RuntimeError(f"{inputs} is missing: the report did not save its inputs")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        t = time.perf_counter()
        subprocess.run(
            [CXO, "report", "--workspace", str(root), "--pdf", "--out", str(pdf)],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - t
        size = pdf.stat().st_size
        page = pdf.with_suffix(".html").read_text("utf-8")
    reused = re.search(r'<p class="meta" id="provenance">[^<]*(übernommen|reused)', page)
    used = "reused" if reused else "computed"
    if saved != bool(reused):
        raise RuntimeError(f"the report {used} its scorecard and diagnostics (saved run: {saved})")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "bench": "web",
        "case": f"cxo report --pdf {case}, scorecard and diagnostics "
        + ("reused from the saved run" if saved else "computed (no saved run) and saved"),
        "rows": rows,
        "seconds": round(wall, 2),
        "peak_rss_mb": round(rss, 1),
        "ratio_vs_duckdb_sql": None,
        "ratio_vs_pandas": None,
        "notes": f"HTML + PDF ({size / 1024:.0f} KiB); target ≤ 30 s "
        + ("met" if wall <= 30 else "MISSED")
        + f"; scorecard and diagnostics {used}"
        + "; RSS is the max over this process's children so far",
    }


def run(scale: str) -> list[dict[str, Any]]:
    """Measurements for ``scale`` (``quick`` or ``full``)."""
    from cxo.store.users import create_user, find_user
    from cxo.workspace import resolve_workspace

    customers = SIZES[scale]
    tag = scale == "quick" or os.environ.get("CXO_BENCH_TAG") == "1"
    root, steps = workspace(customers, tag)
    ws = resolve_workspace(root)
    with ws.connect(read_only=True) as con:
        found = con.execute("select count(*) from responses").fetchone()
    rows = int(found[0]) if found else 0
    if find_user(ws.app_database_url, USER) is None:
        create_user(ws.app_database_url, USER, "admin", PASSWORD, author="bench")
    themes = "themes from comments" if tag else "themes from ratings, comments not tagged"
    case = f"({COMPANY}, {customers:,} customers, {themes})"
    build = ", ".join(f"{k} {v:.0f}s" for k, v in steps.items())
    out = _load(root, case, rows)
    out.append(_report(root, case, rows, saved=False))
    out.append(_report(root, case, rows, saved=True))
    for rec in out:
        rec["notes"] += f"; workspace build: {build}"
    return out


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "quick"), indent=2))
