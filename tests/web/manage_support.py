"""Helpers of the tests of the pages that change things: the app with their routers, page
tokens, and CSV files with good and bad rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from cxo.web.app import create_app
from cxo.web.routes import manage_charter, manage_followups, manage_imports, manage_initiatives
from cxo.workspace import Workspace
from tests.web.support import Browsers, serve

ROUTERS = (manage_initiatives, manage_followups, manage_charter, manage_imports)
XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def manage_app(ws: Workspace) -> FastAPI:
    """``create_app(ws)`` with the routers of the pages (unless the app includes them)."""
    app = create_app(ws)
    paths = {r.path or "" for r in iter_route_contexts(app.routes)}
    for module in ROUTERS:
        if not any(p.startswith(module.router.prefix) for p in paths):
            app.include_router(module.router)
    return app


@contextmanager
def pages_of(ws: Workspace) -> Iterator[Browsers]:
    """Clients of a real server of the app with the pages, closed afterwards."""
    with serve(manage_app(ws)) as url:
        found = Browsers(url)
        yield found
        found.close()


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_token(html: str) -> str:
    """The CSRF token of the first form of ``html``."""
    found = _TOKEN.search(html)
    assert found, html[:2000]
    return found.group(1)


def responses_csv(good: int, bad: list[str]) -> bytes:
    """A responses CSV with ``good`` valid rows and the ``bad`` rows as written."""
    lines = ["response_id,survey,responded_at,touchpoint,nps,comment"]
    lines += [f"g{i},relationship,2026-10-0{1 + i % 9},portal,{i % 11},fine" for i in range(good)]
    return ("\n".join(lines + bad) + "\n").encode()


def without_csrf(client: httpx.Client, token: str, other: httpx.Client) -> httpx.Client:
    """``client`` with its CSRF header set as the test wants: ``missing`` or ``foreign``."""
    own = client.headers.pop("X-CSRF-Token")
    if token == "foreign":
        client.headers["X-CSRF-Token"] = other.headers["X-CSRF-Token"]
        assert client.headers["X-CSRF-Token"] != own
    return client


HTMX = {"HX-Request": "true"}
"""The header htmx sends (the routes answer with a fragment instead of a redirect)."""
