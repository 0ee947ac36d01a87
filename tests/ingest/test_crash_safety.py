"""Crash safety: SIGKILL an import inside its batch, and the server mid-request.

* An import killed after groups of its batch were staged: the previous data, batches and
  quarantine are as before (no half batch visible in any contract table), its scratch
  folder is removed by the next import, and the next import succeeds.
* The server killed during a background import: the same, and the upload's folder of the
  killed job is removed by the next upload.
* The server killed while follow-up notes are written: every note the server acknowledged
  (200) is there after a restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cxo.ingest.api import import_file
from cxo.store.db import session_scope
from cxo.store.users import create_token, create_user
from cxo.workspace import Workspace
from tests.web.conftest import _task
from tests.web.support import free_port

pytestmark = pytest.mark.slow
HEADER = "response_id,survey,touchpoint,responded_at,nps,comment\n"
CONTRACT = ("responses", "import_batches", "quarantine")

KILLED_IMPORT = """
import sys, time
from pathlib import Path
import cxo.ingest.stage as stage
from cxo.ingest.api import import_file
from cxo.workspace import Workspace

stage.GROUP_ROWS = 500  # each batch the CSV reader yields is its own group
marker, calls, flag = Path(sys.argv[3]), [0], stage._flag_repeats

def flag_then_stop(*args):
    calls[0] += 1
    if calls[0] == 2:  # the first group is validated into the stage (committed) by now
        marker.write_text("inside the batch")
        time.sleep(600)
    return flag(*args)

stage._flag_repeats = flag_then_stop
import_file(Workspace(Path(sys.argv[1])), "responses", sys.argv[2])
"""

SERVER = """
import sys, uvicorn
from pathlib import Path
from cxo.web.app import create_app
from cxo.workspace import Workspace
uvicorn.run(create_app(Workspace(Path(sys.argv[1]))), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="error")
"""


def responses_csv(path: Path, n: int, *, start: int = 0, nps: int = 5, bad: int = 0) -> Path:
    rows = [f"r{i},q4,hotline,2026-01-05 10:00,{nps},c{i}\n" for i in range(start, start + n)]
    rows += [f"x{i},q4,hotline,2026-01-05 10:00,11,bad\n" for i in range(bad)]
    path.write_text(HEADER + "".join(rows), "utf-8")
    return path


def snapshot(ws: Workspace) -> dict[str, list[tuple[object, ...]]]:
    """Every contract and bookkeeping table that holds data, sorted."""
    with ws.connect(read_only=True) as con:
        return {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr) for t in CONTRACT}


def scratch(ws: Workspace) -> list[Path]:
    return sorted(ws.data_dir.glob("cxo-import-*"))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path / "ws", "service", language="en")


def test_import_killed_inside_its_batch_leaves_no_trace(ws: Workspace, tmp_path: Path) -> None:
    import_file(ws, "responses", responses_csv(tmp_path / "first.csv", 100, bad=3))
    before = snapshot(ws)
    big = responses_csv(tmp_path / "second.csv", 300_000, nps=9)  # updates r0–r99, adds more
    marker = tmp_path / "marker"
    script = tmp_path / "worker.py"
    script.write_text(KILLED_IMPORT)
    proc = subprocess.Popen([sys.executable, str(script), str(ws.root), str(big), str(marker)])
    deadline = time.monotonic() + 120
    try:
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the import never reached its batch"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with ws.connect(read_only=True) as con:
        staged = con.execute("select count(*) from __cxo_stage").fetchall()[0][0]
    assert staged >= 10_000, staged  # killed inside the batch: a group staged and committed
    assert snapshot(ws) == before  # no half batch in any contract or bookkeeping table
    left = scratch(ws)
    assert left, "the killed import's scratch folder (removed by the next import)"
    batch = import_file(ws, "responses", big)
    assert (batch.read, batch.imported, batch.quarantined) == (300_000, 300_000, 0)
    assert not scratch(ws)
    assert "__cxo_stage" not in ws.tables()  # the next import dropped the stage
    with ws.connect(read_only=True) as con:
        assert con.execute("select count(*), min(nps) from responses").fetchall() == [(300_000, 9)]


def start_server(ws: Workspace, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    script = tmp / "server.py"
    script.write_text(SERVER)
    proc = subprocess.Popen([sys.executable, str(script), str(ws.root), str(port)])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{base}/api/health").status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail("the server did not start")
        time.sleep(0.1)


@pytest.fixture
def servers(ws: Workspace, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def upload(base: str, token: str, path: Path) -> str:
    response = httpx.post(
        f"{base}/imports",
        data={"table": "responses"},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    assert response.status_code == 303, response.text[:300]
    return str(response.headers["location"])


def state(base: str, token: str, job: str) -> str:
    html = httpx.get(
        f"{base}{job}", headers={"Authorization": f"Bearer {token}", "HX-Request": "true"}
    ).text
    for name in ("running", "done", "failed"):
        if f'data-state="{name}"' in html:
            return name
    raise AssertionError(html[:500])


def wait_done(base: str, token: str, job: str) -> None:
    deadline = time.monotonic() + 300
    while (found := state(base, token, job)) == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert found == "done"


def test_server_killed_during_an_import(
    ws: Workspace, tmp_path: Path, servers: list[subprocess.Popen[bytes]]
) -> None:
    create_user(ws.app_database_url, "lea", "cx_lead", "lead password 1234")
    token = create_token(ws.app_database_url, "lea")
    proc, base = start_server(ws, tmp_path)
    servers.append(proc)
    wait_done(base, token, upload(base, token, responses_csv(tmp_path / "a.csv", 200, bad=2)))
    before = snapshot(ws)
    job = upload(base, token, responses_csv(tmp_path / "b.csv", 400_000, nps=9))
    deadline = time.monotonic() + 120
    while not scratch(ws):  # the import is under way (its scratch folder exists)
        assert state(base, token, job) == "running"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(ws) == before
    assert list((ws.data_dir / "uploads").iterdir())  # the killed job's upload …
    proc, base = start_server(ws, tmp_path)
    servers.append(proc)
    wait_done(base, token, upload(base, token, responses_csv(tmp_path / "c.csv", 300, nps=7)))
    assert not scratch(ws)
    assert not list((ws.data_dir / "uploads").iterdir())  # … is removed by the next upload
    with ws.connect(read_only=True) as con:
        assert con.execute("select count(*), min(nps) from responses").fetchall() == [(300, 7)]


def test_no_acknowledged_followup_note_is_lost(
    ws: Workspace, tmp_path: Path, servers: list[subprocess.Popen[bytes]]
) -> None:
    url = ws.app_database_url
    create_user(url, "ada", "admin", "admin password 1234")
    token = create_token(url, "ada")
    with session_scope(url) as session:
        session.add(_task("r1", "hotline", "Sabine Hoffmann", "Customer Service"))
        session.commit()
    proc, base = start_server(ws, tmp_path)
    servers.append(proc)
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
            for i in range(100_000):
                if stop.is_set():
                    return
                note = f"note {i}"
                try:
                    r = c.post("/api/v1/followups/1/note", json={"note": note}, timeout=10)
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    acknowledged.append(note)

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stop.set()
    thread.join()
    assert len(acknowledged) >= 20
    proc, base = start_server(ws, tmp_path)
    servers.append(proc)
    task = httpx.get(
        f"{base}/api/v1/followups/1", headers={"Authorization": f"Bearer {token}"}
    ).json()
    text = repr(task)
    missing = [n for n in acknowledged if f"{n}" not in text]
    assert not missing, (missing[:5], text[:500])
