"""The API docs and the vendored browser libraries work offline (a real uvicorn on 127.0.0.1)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from cxo.web.docs import STATIC_DIR, mount_static_and_docs

VENDOR = STATIC_DIR / "vendor"
PAGES = ("/docs", "/redoc")


class _Refs(HTMLParser):
    """Every ``src`` and ``href`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs.extend(v for k, v in attrs if k in ("src", "href") and v is not None)


def _refs(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return parser.refs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    app = FastAPI(title="cxo", docs_url=None, redoc_url=None)

    @app.get("/api/ping")
    def ping() -> dict[str, str]:
        return {"ping": "pong"}

    mount_static_and_docs(app)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("page", PAGES)
def test_docs_pages_load_only_local_files(base_url: str, page: str) -> None:
    response = httpx.get(f"{base_url}{page}")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert not re.search(r"https?://|//cdn|googleapis", response.text), "a remote URL in the page"
    refs = _refs(response.text)
    assert any(r.endswith(".js") for r in refs), refs
    for ref in refs:
        assert ref.startswith("/static/"), f"{page} references {ref}"
        asset = httpx.get(f"{base_url}{ref}")
        assert asset.status_code == 200, ref
        assert asset.content, ref


def test_docs_read_the_schema_of_the_app(base_url: str) -> None:
    assert "'/openapi.json'" in httpx.get(f"{base_url}/docs").text
    assert 'spec-url="/openapi.json"' in httpx.get(f"{base_url}/redoc").text
    schema = httpx.get(f"{base_url}/openapi.json").json()
    assert "/api/ping" in schema["paths"]
    assert "/docs" not in schema["paths"]
    assert httpx.get(f"{base_url}/docs/oauth2-redirect").status_code == 200


def test_every_vendored_library_is_served_and_listed(base_url: str) -> None:
    versions = (VENDOR / "VERSIONS.md").read_text("utf-8")
    for package in ("htmx.org", "vega", "vega-lite", "vega-embed", "swagger-ui-dist", "redoc"):
        assert f"| {package} | " in versions, package
        assert (VENDOR / "licenses" / f"{package}-LICENSE").is_file(), package
    assert "| htmx.org | 2.0." in versions
    files = sorted(p.name for p in VENDOR.iterdir() if p.suffix in (".js", ".css"))
    assert {"htmx.min.js", "vega.min.js", "vega-lite.min.js", "vega-embed.min.js"} <= set(files)
    for name in files:
        assert f"`{name}`" in versions, f"{name} is not in VERSIONS.md"
        response = httpx.get(f"{base_url}/static/vendor/{name}")
        assert response.status_code == 200
        assert response.content == (VENDOR / name).read_bytes()
