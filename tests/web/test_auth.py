"""Sign-in, sessions, throttling, CSRF, tokens and secrets against a real uvicorn."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from cxo.errors import WorkspaceError
from cxo.store.db import session_scope
from cxo.store.models import ApiTokenRow, UserRow
from cxo.store.users import create_token, create_user, record_login_failure, revoke_tokens
from cxo.web.app import create_app
from cxo.web.routes.auth import safe_next
from cxo.web.secret import secret_key
from cxo.workspace import Workspace
from tests.web.support import PASSWORD, Browsers, form_token, login, serve

SHAPE = {"error", "message", "hint"}


def test_sign_in_and_out(browsers: Browsers) -> None:
    client = browsers.anon()
    first = client.get("/me")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Fme"
    page = client.get("/login?next=/me")
    assert 'name="next" value="/me"' in page.text
    response = client.post(
        "/login",
        data={
            "name": "lea",
            "password": PASSWORD,
            "csrf_token": form_token(page.text),
            "next": "/me",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "Signed in as lea" in client.get("/me").text
    me = client.get("/api/v1/me").json()
    assert (me["name"], me["role"], me["via"]) == ("lea", "cx_lead", "session")
    assert me["scope"] == {"all": True, "touchpoints": None}
    out = client.post("/logout", data={"csrf_token": me["csrf_token"]})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    after = client.get("/api/v1/me")
    assert after.status_code == 401
    assert set(after.json()) == SHAPE


def test_wrong_password_and_unknown_user(browsers: Browsers) -> None:
    client = browsers.anon()
    for name, password in (("lea", "wrong password!"), ("nobody", PASSWORD)):
        token = form_token(client.get("/login").text)
        response = client.post(
            "/login", data={"name": name, "password": password, "csrf_token": token}
        )
        assert response.status_code == 401
        assert "Wrong user name or password." in response.text
        assert client.get("/api/v1/me").status_code == 401


def test_open_redirects_are_refused() -> None:
    for target in ("//evil.example", "https://evil.example", "/\\evil", "javascript:x", ""):
        assert safe_next(target) == "/"
    assert safe_next("/me?x=1") == "/me?x=1"


def test_five_failures_in_fifteen_minutes_block_the_user_from_that_address(
    browsers: Browsers, ws: Workspace
) -> None:
    client = browsers.anon()

    def attempt(name: str, password: str) -> httpx.Response:
        token = form_token(client.get("/login").text)
        return client.post("/login", data={"name": name, "password": password, "csrf_token": token})

    for _ in range(5):
        assert attempt("tom", "not the password").status_code == 401
    blocked = attempt("tom", PASSWORD)  # even the right password now
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    assert client.get("/api/v1/me").status_code == 401
    # another user from the same address is not blocked
    assert attempt("sab", PASSWORD).status_code == 303
    # failures older than the window do not count
    old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=16)
    for _ in range(5):
        record_login_failure(ws.app_database_url, "vic", "127.0.0.1", at=old)
    assert attempt("vic", PASSWORD).status_code == 303


def test_login_form_needs_its_csrf_token(browsers: Browsers) -> None:
    client = browsers.anon()
    client.get("/login")
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post("/login", data={"name": "ada", "password": PASSWORD, **data})
        assert response.status_code == 403
        assert response.json()["error"] == "csrf_failed"
    assert client.get("/api/v1/me").status_code == 401


def test_bearer_token_works_needs_no_csrf_and_is_revoked(base: str, ws: Workspace) -> None:
    url = ws.app_database_url
    token = create_token(url, "lea")
    auth = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{base}/api/v1/me", headers=auth).json()
    assert (me["name"], me["via"], me["csrf_token"]) == ("lea", "bearer", None)
    moved = httpx.post(f"{base}/api/v1/followups/1/contact", headers=auth, json={"note": "x"})
    assert moved.status_code == 200
    assert moved.json()["status"] == "contacted"
    assert revoke_tokens(url, "lea") == 1
    gone = httpx.get(f"{base}/api/v1/followups", headers=auth)
    assert gone.status_code == 401
    assert gone.json()["message"] == "the bearer token is unknown or revoked"
    assert gone.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.get(f"{base}/api/v1/followups", headers={"Authorization": "Bearer cxo_nope"})
    assert wrong.status_code == 401


def test_passwords_and_tokens_are_stored_hashed(ws: Workspace) -> None:
    url = ws.app_database_url
    token = create_token(url, "ada")
    with session_scope(url) as session:
        hashes = session.scalars(select(UserRow.password_hash)).all()
        digests = session.scalars(select(ApiTokenRow.token_sha256)).all()
    assert hashes
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert token not in digests
    raw = Path(url.removeprefix("sqlite:///")).read_bytes()
    assert PASSWORD.encode() not in raw
    assert token.encode() not in raw


def test_a_new_password_or_removal_ends_other_sessions(browsers: Browsers, ws: Workspace) -> None:
    one, two = browsers.login("lea"), browsers.login("lea")
    changed = one.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "another long secret"},
    )
    assert changed.status_code == 200
    assert one.get("/api/v1/me").status_code == 200  # the session that changed it goes on
    assert two.get("/api/v1/me").status_code == 401
    wrong = one.post(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": "yet another secret"},
    )
    assert wrong.status_code == 403
    short = one.post(
        "/api/v1/me/password",
        json={"current_password": "another long secret", "new_password": "short"},
    )
    assert short.status_code == 400
    assert "at least 10" in short.json()["message"]
    admin = browsers.login("ada")
    assert admin.delete("/api/v1/users/lea").status_code == 200
    assert one.get("/api/v1/me").status_code == 401


def test_a_script_user_name_renders_inert(browsers: Browsers, ws: Workspace) -> None:
    name = "<script>alert(1)</script>"
    create_user(ws.app_database_url, name, "viewer", PASSWORD)
    client = browsers.login(name)
    page = client.get("/me").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "default-src 'none'" in client.get("/me").headers["content-security-policy"]
    anon = browsers.anon()
    token = form_token(anon.get("/login").text)
    failed = anon.post("/login", data={"name": name, "password": "wrong one!", "csrf_token": token})
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in failed.text
    assert "<script>" not in failed.text


def test_secret_key_is_generated_once_private_and_never_a_default(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ws.data_dir / "secret.key"
    first = secret_key(ws)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(ws) == first
    os.chmod(path, 0o644)
    with pytest.raises(WorkspaceError, match="other users"):
        create_app(ws)
    os.chmod(path, 0o600)
    monkeypatch.setenv("CXO_SECRET_KEY", "k" * 40)
    assert secret_key(Workspace(ws.root)) == "k" * 40
    monkeypatch.setenv("CXO_SECRET_KEY", "short")
    with pytest.raises(WorkspaceError, match="too short"):
        secret_key(Workspace(ws.root))


def test_a_cookie_signed_with_another_key_is_ignored(ws: Workspace, tmp_path: Path) -> None:
    other = Workspace.create(tmp_path / "other", "service", language="en")
    create_user(other.app_database_url, "lea", "cx_lead", PASSWORD)
    with serve(create_app(other)) as other_base:
        client = login(other_base, "lea")
        cookie = client.cookies["cxo_session"]
        client.close()
    with serve(create_app(ws)) as base:
        response = httpx.get(f"{base}/api/v1/me", cookies={"cxo_session": cookie})
        assert response.status_code == 401


def test_the_sign_in_form_says_how_to_make_the_first_user(tmp_path: Path) -> None:
    empty = Workspace.create(tmp_path / "empty", "service", language="de")
    with serve(create_app(empty)) as base:
        page = httpx.get(f"{base}/login").text
    assert "Noch keine Benutzer" in page
    assert "cxo user add NAME --role admin" in page
