"""Roles on the server, for every route of the app: anonymous, CSRF, viewer, owner, admin.

The routes are enumerated from the app, so a new route without protection fails here.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from cxo.followups import tasks
from cxo.web.access import scoped_ranking
from cxo.workspace import Workspace
from tests.web.support import PASSWORD, Browsers

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC = {"/api/health", "/api/v1/health", "/login", "/openapi.json"}
"""Routes anyone may call (the docs pages and static files only describe the API)."""
DOCS = {"/docs", "/redoc", "/docs/oauth2-redirect"}
PAGES = {
    "/",
    "/me",
    "/scorecard",
    "/assessment",
    "/assessment/pains/{rank}",
    "/voice",
    "/diagnostics",
    "/report",
    "/report.pdf",
    "/initiatives",
    "/initiatives/new",
    "/initiatives/{key}",
    "/initiatives/{key}/edit",
    "/followups",
    "/charter",
    "/charter/diff",
    "/imports",
    "/imports/jobs/{job_id}",
    "/audit",
}
"""Pages that send anonymous visitors to the sign-in form."""
MOVED = "/api/{rest:path}"
OWN_ACCOUNT = {"/api/v1/me/password", "/logout", "/login", "/language"}
"""State-changing routes any signed-in user may call on their own account."""
COMPUTE_ONLY = {"/api/v1/initiatives/{key}/effect"}
"""POST only because the request carries data (a target list): they compute, change nothing,
and every reader may call them (still behind the CSRF check)."""
EXAMPLES = {
    "job_id": "abc",
    "rank": "1",
    "task_id": "1",
    "key": "portal_relaunch",
    "name": "nobody",
    "rest": "scorecard",
}


def _routes(app: FastAPI) -> list[tuple[str, str, str]]:
    """Every (method, path template, concrete path) of the app, included routers too."""
    out: list[tuple[str, str, str]] = []
    for route in iter_route_contexts(app.routes):
        if route.path is None or not route.methods or route.path.startswith("/static"):
            continue
        path = route.path
        concrete = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: EXAMPLES[m.group(1)], path)
        out.extend((m, path, concrete) for m in sorted(route.methods) if m != "HEAD")
    assert len(out) > 20
    return out


def _unsafe(app: FastAPI) -> list[tuple[str, str, str]]:
    found = [r for r in _routes(app) if r[0] in UNSAFE]
    assert {p for _, p, _ in found} >= {
        "/api/v1/followups/{task_id}/contact",
        "/api/v1/followups/{task_id}/close",
        "/api/v1/followups/{task_id}/note",
        "/api/v1/users",
        "/login",
        "/logout",
    }
    return found


def test_anonymous_requests_get_401_in_the_error_shape(browsers: Browsers, app: FastAPI) -> None:
    client = browsers.anon()
    for method, path, concrete in _routes(app):
        response = client.request(method, concrete, json={})
        if path in PUBLIC | DOCS:
            assert response.status_code < 400 or path == "/login", (method, path)
        elif path in PAGES and method == "GET":
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")
        elif path == MOVED:
            assert response.status_code == 308
            assert response.headers["location"] == "/api/v1/scorecard"
        elif path == "/logout":
            assert response.status_code == 303
        else:
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["error"] == "unauthenticated"
            assert set(response.json()) == {"error", "message", "hint"}
    assert client.get("/api/scorecard", follow_redirects=True).status_code == 401


@pytest.mark.parametrize("token", ["missing", "foreign"])
def test_every_state_changing_route_needs_the_sessions_csrf_token(
    browsers: Browsers, app: FastAPI, ws: Workspace, token: str
) -> None:
    client = browsers.login("ada")
    own = client.headers.pop("X-CSRF-Token")
    if token == "foreign":
        client.headers["X-CSRF-Token"] = browsers.login("lea").headers["X-CSRF-Token"]
        assert client.headers["X-CSRF-Token"] != own
    for method, path, concrete in _unsafe(app):
        response = client.request(method, concrete, json={"note": "x"})
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"] == "csrf_failed"
        form = client.request(method, concrete, data={"csrf_token": "forged", "note": "x"})
        assert form.status_code == 403, (method, path)
    assert [t.status for t in tasks(ws)] == ["open", "open"]
    assert client.get("/api/v1/me").status_code == 200  # still signed in
    client.headers["X-CSRF-Token"] = own
    assert client.post("/api/v1/followups/1/contact").status_code == 200


def test_viewer_changes_nothing(browsers: Browsers, app: FastAPI, ws: Workspace) -> None:
    client = browsers.login("vic")
    assert client.get("/api/v1/followups").status_code == 200
    assert len(client.get("/api/v1/initiatives").json()) == 2
    for method, path, concrete in _unsafe(app):
        if path in OWN_ACCOUNT:
            continue
        response = client.request(method, concrete, json={"note": "x"})
        if path == MOVED:  # only points to /api/v1, which decides
            assert response.status_code == 308
            continue
        if path in COMPUTE_ONLY:  # a reader may compute; this body is not a valid request
            assert response.status_code == 422, (method, path, response.text)
            continue
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"] == "forbidden"
    assert [(t.status, t.note) for t in tasks(ws)] == [("open", ""), ("open", "")]


def test_owner_sees_and_changes_only_their_touchpoints(browsers: Browsers, ws: Workspace) -> None:
    tom = browsers.login("tom")  # Thomas Becker: accountable for the portal
    assert [t["touchpoint"] for t in tom.get("/api/v1/followups").json()] == ["portal"]
    assert tom.get("/api/v1/followups", params={"touchpoint": "hotline"}).json() == []
    assert tom.get("/api/v1/followups/1").status_code == 200
    other = tom.get("/api/v1/followups/2")
    assert other.status_code == 403
    assert other.json()["error"] == "forbidden"
    for action in ("contact", "close", "note"):
        response = tom.post(f"/api/v1/followups/2/{action}", json={"note": "mine now"})
        assert response.status_code == 403, action
    assert tom.post("/api/v1/followups/1/note", json={"note": "called back"}).status_code == 200
    closed = tom.post("/api/v1/followups/1/close", json={"note": "solved"}).json()
    assert (closed["status"], closed["closed_by"]) == ("closed", "tom")
    assert closed["note"] == "called back\nsolved"
    assert [i["key"] for i in tom.get("/api/v1/initiatives").json()] == ["portal_relaunch"]
    assert tom.get("/api/v1/initiatives/chatbot").status_code == 403
    assert tom.get("/api/v1/initiatives/chatbot/case").status_code == 403
    assert tom.get("/api/v1/initiatives/chatbot/effect").status_code == 403
    assert tom.get("/api/v1/me").json()["scope"] == {"all": False, "touchpoints": ["portal"]}
    # the department owner sees the department's touchpoints
    sab = browsers.login("sab")
    assert [t["id"] for t in sab.get("/api/v1/followups").json()] == [2]
    assert [i["key"] for i in sab.get("/api/v1/initiatives").json()] == ["chatbot"]
    assert sab.post("/api/v1/followups/1/contact").status_code == 403
    assert {t.id: t.status for t in tasks(ws)} == {1: "closed", 2: "open"}


def test_owner_ranking_keeps_pains_but_lists_own_initiatives() -> None:
    ranking = {
        "ranked": [{"key": "a"}, {"key": "b"}],
        "stop_candidates": [{"key": "b"}],
        "unaddressed_pains": [{"touchpoint": "x"}],
        "not_measured": {"a": "no data", "b": "no data"},
    }
    scoped = scoped_ranking(ranking, {"a"})
    assert scoped == {
        "ranked": [{"key": "a"}],
        "stop_candidates": [],
        "unaddressed_pains": [{"touchpoint": "x"}],
        "not_measured": {"a": "no data"},
    }


def test_only_admins_manage_users(browsers: Browsers) -> None:
    lead = browsers.login("lea")
    assert lead.get("/api/v1/users").status_code == 403
    new = {"name": "kim", "role": "owner", "owner_of": "IT", "password": PASSWORD}
    assert lead.post("/api/v1/users", json=new).status_code == 403
    ada = browsers.login("ada")
    assert ada.post("/api/v1/users", json=new).status_code == 201
    bad = ada.post("/api/v1/users", json={**new, "name": "kai", "owner_of": "Mars"})
    assert bad.status_code == 400
    assert "IT" in bad.json()["hint"]
    names = [u["name"] for u in ada.get("/api/v1/users").json()]
    assert names == ["ada", "kim", "lea", "sab", "tom", "vic"]
    assert "password_hash" not in ada.get("/api/v1/users").text
    kim = browsers.login("kim")
    assert [t["touchpoint"] for t in kim.get("/api/v1/followups").json()] == ["portal"]
    assert ada.delete("/api/v1/users/ada").status_code == 400
    assert ada.delete("/api/v1/users/kim").status_code == 200
    assert kim.get("/api/v1/me").status_code == 401
