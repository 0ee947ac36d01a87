"""The session cookie's Secure flag: off by default, on by ``[web]`` or ``CXO_SECURE_COOKIES``."""

from __future__ import annotations

import httpx
import pytest

from cxo.errors import WorkspaceError
from cxo.web.app import create_app
from cxo.workspace import SETTINGS_FILE, Workspace
from tests.web.support import PASSWORD, form_token, serve


def _sign_in_cookie(ws: Workspace) -> str:
    """The Set-Cookie header of a successful sign-in as ``lea`` on a real server.

    The cookie is passed back by hand: a client honours ``Secure`` and would not send it over
    the test's plain HTTP.
    """
    with serve(create_app(ws)) as base, httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/login")
        first = form.headers["set-cookie"]
        session = first.split(";")[0]
        client.cookies.clear()
        response = client.post(
            "/login",
            data={"name": "lea", "password": PASSWORD, "csrf_token": form_token(form.text)},
            headers={"Cookie": session},
        )
        assert response.status_code == 303, response.text
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("cxo_session=")
        assert ("secure" in _attributes(first)) == ("secure" in _attributes(cookie))
        return cookie


def _attributes(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}


def test_not_secure_by_default(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CXO_SECURE_COOKIES", raising=False)
    assert ws.settings.secure_cookies is False
    attributes = _attributes(_sign_in_cookie(ws))
    assert "httponly" in attributes
    assert "secure" not in attributes


def test_secure_from_settings_file(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CXO_SECURE_COOKIES", raising=False)
    path = ws.root / SETTINGS_FILE
    text = path.read_text("utf-8").replace("# secure_cookies = true", "secure_cookies = true\n#", 1)
    path.write_text(text, "utf-8")
    secure = Workspace(ws.root)
    assert secure.settings.secure_cookies is True
    assert "secure" in _attributes(_sign_in_cookie(secure))


@pytest.mark.parametrize("value", ["1", "TRUE"])
def test_secure_from_environment(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CXO_SECURE_COOKIES", value)
    secure = Workspace(ws.root)
    assert secure.settings.secure_cookies is True
    assert "secure" in _attributes(_sign_in_cookie(secure))


def test_environment_overrides_file_and_rejects_nonsense(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ws.root / SETTINGS_FILE
    path.write_text(
        path.read_text("utf-8").replace("# secure_cookies = true", "secure_cookies = true\n#", 1),
        "utf-8",
    )
    monkeypatch.setenv("CXO_SECURE_COOKIES", "0")
    assert Workspace(ws.root).settings.secure_cookies is False
    monkeypatch.setenv("CXO_SECURE_COOKIES", "maybe")
    with pytest.raises(WorkspaceError, match="CXO_SECURE_COOKIES"):
        Workspace(ws.root)
    monkeypatch.delenv("CXO_SECURE_COOKIES")
    text = path.read_text("utf-8").replace("secure_cookies = true", 'secure_cookies = "yes"', 1)
    path.write_text(text, "utf-8")
    with pytest.raises(WorkspaceError, match="secure_cookies"):
        Workspace(ws.root)
