"""Hostile uploads against a real server process on 127.0.0.1, its peak memory measured.

The server runs in its own process (uvicorn over ``create_app``) so that ``psutil`` sees
only its memory. Each hostile request is refused, or handled, with a message in the one
JSON error shape (or, for a background import, on the job's page), the server stays up,
and its peak RSS stays bounded. ``CXO_HOSTILE_CSV_MB`` sets the size of the streamed CSV
(default 1000, i.e. 1 GB).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

from cxo.store.users import create_token, create_user
from cxo.workspace import Workspace
from tests.web.support import free_port

pytestmark = pytest.mark.slow
MB = 1_000_000
HEADER = b"response_id,survey,touchpoint,responded_at,nps,comment\n"
SERVER = """
import sys, uvicorn
from pathlib import Path
from cxo.web.app import create_app
from cxo.workspace import Workspace
uvicorn.run(create_app(Workspace(Path(sys.argv[1]))), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="error")
"""
ERROR_KEYS = {"error", "message", "hint"}
SIZE_MB = int(os.environ.get("CXO_HOSTILE_CSV_MB", "1000"))


@dataclass
class Server:
    base: str
    process: psutil.Process
    ws: Workspace
    lead: dict[str, str]
    admin: dict[str, str]
    peak: int = 0

    def sample(self) -> None:
        self.peak = max(self.peak, self.process.memory_info().rss)


def start(ws: Workspace, env: dict[str, str], tmp: Path) -> Iterator[Server]:
    url = ws.app_database_url
    create_user(url, "lea", "cx_lead", "lead password 1234")
    create_user(url, "ada", "admin", "admin password 1234")
    port = free_port()
    script = tmp / "server.py"
    script.write_text(SERVER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(ws.root), str(port)], env={**os.environ, **env}
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{base}/api/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail("the server did not start")
        time.sleep(0.1)
    server = Server(
        base,
        psutil.Process(proc.pid),
        ws,
        {"Authorization": f"Bearer {create_token(url, 'lea')}"},
        {"Authorization": f"Bearer {create_token(url, 'ada')}"},
    )
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                server.sample()
            except psutil.Error:
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield server
    finally:
        stop.set()
        watcher.join()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    env = getattr(request, "param", {})
    ws = Workspace.create(tmp_path / "ws", "service", language="en")
    yield from start(ws, env, tmp_path)


def shaped(response: httpx.Response, status: int) -> str:
    """The response is the one JSON error shape with ``status``; its message."""
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert isinstance(body["message"], str)
    assert body["message"]
    return str(body["message"])


BOUNDARY = "cxo-hostile-boundary-7f3a"


def multipart(fields: dict[str, str], name: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A multipart form streamed as it is made (sent chunked: no Content-Length)."""
    for key, value in fields.items():
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        ).encode()
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    yield from chunks
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def upload(
    server: Server, name: str, content: bytes | Iterator[bytes], **extra: str
) -> httpx.Response:
    fields = {"table": "responses", **extra}
    if isinstance(content, bytes):
        return httpx.post(
            f"{server.base}/imports",
            data=fields,
            files={"file": (name, content, "application/octet-stream")},
            headers=server.lead,
            timeout=600,
        )
    return httpx.post(
        f"{server.base}/imports",
        content=multipart(fields, name, content),
        headers={**server.lead, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        timeout=3600,
    )


def job_page(server: Server, response: httpx.Response, timeout: float = 600) -> str:
    """The finished job's page (HTML) of an upload that started an import."""
    assert response.status_code == 303, response.text[:500]
    job = response.headers["location"]
    deadline = time.monotonic() + timeout
    while True:
        html = httpx.get(
            f"{server.base}{job}", headers={**server.lead, "HX-Request": "true"}, timeout=60
        ).text
        if 'data-state="running"' not in html:
            return html
        assert time.monotonic() < deadline, html[:500]
        time.sleep(0.5)


def left_over(ws: Workspace) -> list[Path]:
    uploads = ws.data_dir / "uploads"
    scratch = list(ws.data_dir.glob("cxo-import-*"))
    return [*uploads.glob("*/*"), *scratch] if uploads.exists() else scratch


def zip_bomb(path: Path, megabytes: int) -> None:
    """A valid workbook (the responses header) whose sheet expands to ``megabytes`` MB of
    one cell: about 1 MB on disk per GB expanded."""
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["response_id", "survey", "touchpoint", "responded_at", "nps"])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = "xl/worksheets/sheet1.xml"
    head, tail = parts[name].decode().split("</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            if n != name:
                z.writestr(n, data)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as out:
            out.write(head.encode() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
            chunk = b"A" * MB
            for _ in range(megabytes):
                out.write(chunk)
            out.write(b"</t></is></c></row></sheetData>" + tail.encode())


def csv_rows(total: int, chunk_rows: int = 20_000) -> Iterator[bytes]:
    """A responses CSV of about ``total`` bytes, generated as it is sent."""
    yield HEADER
    sent, n = len(HEADER), 0
    while sent < total:
        lines = [
            f"r{i},q4,hotline,2026-01-{1 + i % 28:02d} 10:00,{i % 11},ok {i}\n"
            for i in range(n, n + chunk_rows)
        ]
        block = "".join(lines).encode()
        n += chunk_rows
        sent += len(block)
        yield block


def test_zip_bomb_xlsx_is_refused_by_upload_and_cli(server: Server, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    zip_bomb(bomb, 1000)
    assert bomb.stat().st_size < 3 * MB
    html = job_page(server, upload(server, "bomb.xlsx", bomb.read_bytes()), timeout=60)
    assert 'data-state="failed"' in html, html[:800]
    assert "zip bomb" in html or "expands" in html, html[:800]
    assert server.peak < 400 * MB, server.peak
    cli = subprocess.run(
        [
            str(Path(sys.executable).parent / "cxo"),
            "import",
            "responses",
            str(bomb),
            "-w",
            str(server.ws.root),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode != 0
    assert "bomb.xlsx" in cli.stderr + cli.stdout
    assert "MB" in cli.stderr + cli.stdout
    assert not left_over(server.ws)
    print(f"zip bomb (1 GB expanded): refused, server peak RSS {server.peak / MB:.0f} MB")


@pytest.mark.parametrize("server", [{"CXO_MAX_UPLOAD_MB": "1"}], indirect=True)
def test_chunked_upload_over_the_limit_is_refused_as_it_arrives(server: Server) -> None:
    content = csv_rows(5 * MB)  # a generator: sent chunked, without Content-Length
    message = shaped(upload(server, "big.csv", content), 413)
    assert "MB" in message
    declared = upload(server, "big.csv", b"x" * (3 * MB))
    assert "MB" in shaped(declared, 413)
    assert not left_over(server.ws)


@pytest.mark.parametrize(
    "server", [{"CXO_MAX_UPLOAD_MB": str(max(1, SIZE_MB // 5))}], indirect=True
)
def test_streamed_1gb_csv_over_the_limit_costs_no_memory(server: Server) -> None:
    size = SIZE_MB * MB
    started = time.monotonic()
    try:
        response = upload(server, "huge.csv", csv_rows(size))
        shaped(response, 413)
    except httpx.TransportError:
        pass  # the server answered 413 and closed while the client was still sending
    assert httpx.get(f"{server.base}/api/health").status_code == 200
    assert server.peak < 400 * MB, server.peak
    assert not left_over(server.ws)
    print(
        f"{size / MB:.0f} MB chunked upload: refused after {time.monotonic() - started:.1f} s, "
        f"server peak RSS {server.peak / MB:.0f} MB"
    )


@pytest.mark.parametrize("server", [{"CXO_MAX_UPLOAD_MB": str(SIZE_MB * 2)}], indirect=True)
def test_streamed_1gb_csv_within_the_limit_imports_in_bounded_memory(server: Server) -> None:
    size = SIZE_MB * MB
    started = time.monotonic()
    html = job_page(server, upload(server, "huge.csv", csv_rows(size)), timeout=3000)
    assert 'data-state="done"' in html, html[:800]
    with server.ws.connect(read_only=True) as con:
        found = con.execute("select count(*) from responses").fetchone()
    rows = int(found[0]) if found else 0
    assert rows > size / 60
    assert re.search(r"quarantin\w* 0\b", html), html[:800]
    assert server.peak < 1600 * MB, server.peak
    assert not left_over(server.ws)
    print(
        f"{size / MB:.0f} MB CSV upload: {rows:,} rows imported in "
        f"{time.monotonic() - started:.0f} s, server peak RSS {server.peak / MB:.0f} MB"
    )


def test_deeply_nested_json_and_a_10mb_field_are_refused(server: Server) -> None:
    users = f"{server.base}/api/v1/users"
    deep = "[" * 100_000 + "]" * 100_000
    for body in (deep, '{"name": ' + "[" * 50_000 + "]" * 50_000 + "}"):
        response = httpx.post(
            users,
            content=body,
            headers={**server.admin, "Content-Type": "application/json"},
            timeout=60,
        )
        assert 400 <= response.status_code < 500
        shaped(response, response.status_code)
    big = '{"name": "' + "a" * (10 * MB) + '", "role": "viewer", "password": "x"}'
    response = httpx.post(
        users, content=big, headers={**server.admin, "Content-Type": "application/json"}
    )
    assert "MB" in shaped(response, 413)
    field = upload(server, "small.csv", HEADER, note="n" * (10 * MB))
    assert 400 <= field.status_code < 500
    shaped(field, field.status_code)
    assert server.peak < 400 * MB, server.peak


def test_a_10mb_cell_quarantines_its_row_with_a_reason(server: Server) -> None:
    content = HEADER + b"r1,q4,hotline,2026-01-05 10:00,9," + b"x" * (10 * MB) + b"\n"
    content += b"r2,q4,hotline,2026-01-05 11:00,7,fine\n"
    html = job_page(server, upload(server, "wide.csv", content), timeout=120)
    assert 'data-state="done"' in html, html[:800]
    assert "comment" in html, html[:1500]
    assert "10000000 characters" in html, html[:1500]
    with server.ws.connect(read_only=True) as con:
        assert con.execute("select response_id from responses").fetchall() == [("r2",)]
    assert server.peak < 600 * MB, server.peak
