"""The web app served by a real uvicorn on 127.0.0.1 (started and stopped by the test)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from cxo.web.app import create_app
from cxo.workspace import Workspace


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Workspace]]:
    ws = Workspace.create(tmp_path / "ws", "service")
    port = _free_port()
    config = uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="error")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", ws
    srv.should_exit = True
    thread.join(timeout=10)


def test_health_index_and_openapi(server: tuple[str, Workspace]) -> None:
    base, _ = server
    assert httpx.get(f"{base}/api/health").json()["status"] == "ok"
    assert "cxo demo" in httpx.get(f"{base}/").text
    assert "/api/scorecard" in httpx.get(f"{base}/openapi.json").json()["paths"]


def test_missing_assessment_uses_the_json_error_shape(server: tuple[str, Workspace]) -> None:
    base, _ = server
    response = httpx.get(f"{base}/api/assessment")
    assert response.status_code == 404
    assert response.json() == {
        "error": "missing_data",
        "message": "no assessment yet",
        "hint": "run `cxo assess` or `cxo demo`",
    }


def test_index_serves_the_written_report(server: tuple[str, Workspace]) -> None:
    from cxo.report.board import Section, write_report

    base, ws = server
    write_report(
        ws.reports_dir / "report.html",
        "Standortbestimmung",
        [Section("Test", "<p>&lt;script&gt;x&lt;/script&gt;</p>")],
    )
    page = httpx.get(f"{base}/").text
    assert "Standortbestimmung" in page
    assert "<script>x" not in page
