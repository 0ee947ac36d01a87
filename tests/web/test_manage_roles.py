"""Every route of the pages that change things, enumerated from the app: anonymous visitors
are sent to sign in (pages) or get 401; every state-changing route refuses a missing or
foreign CSRF token; a viewer changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from cxo.followups import tasks
from cxo.initiatives import initiatives
from cxo.workspace import Workspace
from tests.web.manage_support import ROUTERS, manage_app
from tests.web.support import Browsers, serve

PAGES = {
    "/initiatives",
    "/initiatives/new",
    "/initiatives/{key}",
    "/initiatives/{key}/edit",
    "/followups",
    "/charter",
    "/charter/diff",
    "/imports",
    "/imports/jobs/{job_id}",
}
"""Pages that send anonymous visitors to the sign-in form."""
EXAMPLES = {"key": "portal_relaunch", "task_id": "1", "job_id": "abc"}


@pytest.fixture
def mapp(ws: Workspace) -> FastAPI:
    return manage_app(ws)


@pytest.fixture
def mbrowsers(mapp: FastAPI) -> Iterator[Browsers]:
    with serve(mapp) as url:
        found = Browsers(url)
        yield found
        found.close()


def _routes(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path template, concrete path) of every route of the pages."""
    prefixes = tuple(m.router.prefix for m in ROUTERS)
    out = []
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if not path.startswith(prefixes) or not route.methods:
            continue
        concrete = re.sub(r"\{(\w+)\}", lambda m: EXAMPLES[m.group(1)], path)
        out.extend((m, path, concrete) for m in sorted(route.methods) if m != "HEAD")
    assert {p for _, p, _ in out} >= PAGES
    return out


def _unchanged(ws: Workspace, before: str) -> None:
    assert [(t.status, t.note) for t in tasks(ws)] == [("open", ""), ("open", "")]
    assert [i.name for i in initiatives(ws.app_database_url)] == ["Chatbot", "Portal"]
    assert ws.charter_path.read_text("utf-8") == before


def test_anonymous_visitors_sign_in_or_get_401(mbrowsers: Browsers, mapp: FastAPI) -> None:
    client = mbrowsers.anon()
    for method, path, concrete in _routes(mapp):
        response = client.request(method, concrete)
        if method == "GET" and path in PAGES:
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/login?next=")
        else:
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["error"] == "unauthenticated"


@pytest.mark.parametrize("token", ["missing", "foreign"])
def test_every_state_changing_route_needs_the_csrf_token(
    mbrowsers: Browsers, mapp: FastAPI, ws: Workspace, token: str
) -> None:
    before = ws.charter_path.read_text("utf-8")
    client = mbrowsers.login("ada")
    own = client.headers.pop("X-CSRF-Token")
    if token == "foreign":
        client.headers["X-CSRF-Token"] = mbrowsers.login("lea").headers["X-CSRF-Token"]
    unsafe = [r for r in _routes(mapp) if r[0] == "POST"]
    assert len(unsafe) == 8
    for _, path, concrete in unsafe:
        response = client.post(concrete, data={"note": "x", "name": "x", "text": "x"})
        assert response.status_code == 403, (path, response.text)
        assert response.json()["error"] == "csrf_failed"
    _unchanged(ws, before)
    client.headers["X-CSRF-Token"] = own
    assert client.post("/followups/1/note", data={"note": "ok"}).status_code == 303


def test_viewer_changes_nothing(mbrowsers: Browsers, mapp: FastAPI, ws: Workspace) -> None:
    before = ws.charter_path.read_text("utf-8")
    client = mbrowsers.login("vic")
    for _, path, concrete in (r for r in _routes(mapp) if r[0] == "POST"):
        response = client.post(concrete, data={"note": "x", "name": "x", "text": "x"})
        assert response.status_code == 403, (path, response.text)
        assert response.json()["error"] == "forbidden"
    _unchanged(ws, before)
