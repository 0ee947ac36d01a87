"""The audit log in the app: ``/audit`` and ``GET /api/v1/audit`` for admins only (checked
on the server), user content escaped, changes made in the app attributed to the user."""

from __future__ import annotations

from cxo.store import audit
from cxo.workspace import Workspace
from tests.web.support import Browsers

NASTY = '<script>alert("x")</script>'


def test_only_admins_read_the_audit_api(browsers: Browsers) -> None:
    assert browsers.anon().get("/api/v1/audit").status_code == 401
    for name in ("lea", "tom", "vic"):
        response = browsers.login(name).get("/api/v1/audit")
        assert response.status_code == 403, name
        assert set(response.json()) == {"error", "message", "hint"}
    found = browsers.login("ada").get("/api/v1/audit", params={"action": "auth.login"})
    assert found.status_code == 200
    rows = found.json()
    assert rows
    assert {r["action"] for r in rows} == {"auth.login"}
    assert {"id", "at", "actor", "action", "entity", "detail", "before", "after"} <= set(rows[0])


def test_only_admins_see_the_audit_page_escaped(ws: Workspace, browsers: Browsers) -> None:
    audit.record(ws.app_database_url, NASTY, "initiative.update", NASTY, {"name": NASTY}, None)
    anon = browsers.anon().get("/audit", follow_redirects=False)
    assert anon.status_code == 303
    assert anon.headers["location"].startswith("/login")
    for name in ("lea", "tom", "vic"):
        assert browsers.login(name).get("/audit").status_code == 403, name
    page = browsers.login("ada").get("/audit")
    assert page.status_code == 200
    assert NASTY not in page.text
    assert "&lt;script&gt;" in page.text
    assert 'href="/audit"' in page.text


def test_changes_in_the_app_carry_the_users_name(ws: Workspace, browsers: Browsers) -> None:
    ada = browsers.login("ada")
    response = ada.post(
        "/api/v1/users", json={"name": "neo", "role": "viewer", "password": "correct horse 2"}
    )
    assert response.status_code == 201, response.text
    [entry] = ada.get("/api/v1/audit", params={"action": "user.add", "entity": "users:neo"}).json()
    assert entry["actor"] == "ada"
    assert entry["after"]["role"] == "viewer"
    assert "$argon2" not in str(entry)
