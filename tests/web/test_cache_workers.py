"""``cxo serve --workers 2``: sessions, CSRF tokens and sign-in throttling work across worker
processes, and every worker warms its pages (each request on a new connection, so both
workers answer)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cxo.web.routes.auth import MAX_FAILURES
from cxo.workspace import Workspace
from tests.web.support import PASSWORD, form_token, free_port

CXO = str(Path(sys.executable).with_name("cxo"))


@pytest.fixture
def server(ws: Workspace, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [CXO, "serve", "--workspace", str(ws.root), "--port", str(port), "--workers", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # two processes import cxo: slow on a busy machine
        while True:
            assert proc.poll() is None, log.read_text("utf-8", errors="replace")
            try:
                if httpx.get(f"{base}/api/health", timeout=5).json()["pages"] == "warm":
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "cxo serve --workers 2 did not start"
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _fresh(base: str, cookies: httpx.Cookies | None = None) -> httpx.Client:
    """A client on a new connection (the kernel hands it to either worker)."""
    return httpx.Client(base_url=base, timeout=60, cookies=cookies)


@pytest.mark.slow
def test_two_workers_share_sessions_csrf_and_throttling(server: str) -> None:
    with _fresh(server) as first:
        token = form_token(first.get("/login").text)
        signed = first.post(
            "/login", data={"name": "lea", "password": PASSWORD, "csrf_token": token}
        )
        assert signed.status_code == 303
        cookies = first.cookies
    csrf = ""
    for _ in range(6):  # the session opened by one worker is valid on every worker
        with _fresh(server, cookies) as client:
            me = client.get("/api/v1/me")
            assert me.status_code == 200
            csrf = me.json()["csrf_token"]
            assert "<main" in client.get("/scorecard").text
    for _ in range(4):  # and so is its CSRF token; a request without it is refused
        with _fresh(server, cookies) as client:
            ok = client.post("/language", data={"language": "de", "csrf_token": csrf})
            assert ok.status_code == 303
            assert client.post("/language", data={"language": "de"}).status_code == 403
    answers = []
    for _ in range(MAX_FAILURES + 2):  # failures counted in the store, whichever worker saw them
        with _fresh(server) as client:
            token = form_token(client.get("/login").text)
            answer = client.post(
                "/login", data={"name": "tom", "password": "wrong guess!!", "csrf_token": token}
            )
            answers.append(answer.status_code)
    assert answers == [401] * MAX_FAILURES + [429, 429]
