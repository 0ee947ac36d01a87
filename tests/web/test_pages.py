"""The read-only pages against a real server on a small simulated company (≈2000 customers):
every page answers 200 for every role, a page whose data are missing says which import
provides them, hostile user content is inert everywhere, the language switch works."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cxo.store.users import create_user
from cxo.web.app import create_app
from cxo.workspace import Workspace
from tests.web.simulated import IMG, SCRIPT, build
from tests.web.support import PASSWORD, USERS, login, serve

pytestmark = pytest.mark.slow

PAGES = (
    "/",
    "/scorecard",
    "/scorecard?by=segment,channel&period=2026",
    "/assessment",
    "/assessment/pains/1",
    "/voice",
    "/diagnostics",
    "/me",
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ws = build(tmp_path_factory.mktemp("pages") / "ws")
    with serve(create_app(ws)) as url:
        yield url


@pytest.fixture(scope="module")
def clients(base: str) -> Iterator[dict[str, httpx.Client]]:
    found = {name: login(base, name) for name in USERS}
    yield found
    for client in found.values():
        client.close()


def _inert(html: str) -> None:
    """No hostile markup survives: only its escaped form may appear."""
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert IMG not in html


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_for_every_role(clients: dict[str, httpx.Client], path: str) -> None:
    for name, client in clients.items():
        response = client.get(path)
        assert response.status_code == 200, (name, path, response.text[:500])
        html = response.text
        _inert(html)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-eval" not in policy
        assert "default-src 'none'" in policy
        # no inline script: every <script> is a vendored file or a JSON data block
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, tag


def test_hostile_content_is_shown_escaped(clients: dict[str, httpx.Client]) -> None:
    lea = clients["lea"]
    ranks = re.findall(
        r'href="/assessment/pains/(\d+)">&lt;script&gt;', lea.get("/assessment").text
    )
    assert ranks, "the hostile hotline label is among the pains"
    pain = lea.get(f"/assessment/pains/{ranks[0]}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pain  # the hotline's label, escaped
    assert "Terrible wait" in pain  # the planted comment is among the verbatims
    overview = lea.get("/").text
    assert "&lt;script&gt;" in overview or "\\u003cscript\\u003e" in overview
    # chart specs carry user content as JSON data with < and > escaped
    for block in re.findall(
        r'<script type="application/json"[^>]*>(.*?)</script>', overview, flags=re.S
    ):
        assert "<" not in block


def test_pages_need_sign_in(base: str) -> None:
    with httpx.Client(base_url=base) as anon:
        for path in PAGES:
            response = anon.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")


def test_owner_sees_only_their_initiatives(clients: dict[str, httpx.Client]) -> None:
    assert "Hotline fix" in clients["sab"].get("/").text  # Customer Service owns the hotline
    assert "Hotline fix" in clients["lea"].get("/").text
    assert "Hotline fix" not in clients["tom"].get("/").text  # the portal's owner


def test_scorecard_filter_swaps_the_table(clients: dict[str, httpx.Client]) -> None:
    client = clients["vic"]
    full = client.get("/scorecard?by=channel")
    part = client.get("/scorecard?by=channel", headers={"HX-Request": "true"})
    assert full.status_code == part.status_code == 200
    assert "<header" in full.text
    assert "<header" not in part.text
    assert "<table" in part.text
    assert client.get("/scorecard?by=nonsense").status_code == 200  # falls back to touchpoint


def test_language_switch_is_remembered(base: str) -> None:
    client = login(base, "ada")
    try:
        # the simulated workspace speaks German
        assert 'lang="de"' in client.get("/").text
        page = client.get("/scorecard")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.headers.pop("X-CSRF-Token")  # a browser form sends the token as a field
        missing = client.post("/language", data={"language": "en", "next": "/scorecard"})
        assert missing.status_code == 403
        foreign = client.post(
            "/language", data={"language": "en", "next": "/", "csrf_token": "x" * 43}
        )
        assert foreign.status_code == 403
        switched = client.post(
            "/language",
            data={"language": "en", "next": "/scorecard", "csrf_token": token.group(1)},
        )
        assert switched.status_code == 303
        assert switched.headers["location"] == "/scorecard"
        english = client.get("/scorecard").text
        assert 'lang="en"' in english
        assert "Broken down by" in english
        evil = client.post(
            "/language",
            data={"language": "de", "next": "//evil.example/", "csrf_token": token.group(1)},
        )
        assert evil.headers["location"] == "/"
        assert "Aufgeteilt nach" in client.get("/scorecard").text
    finally:
        client.close()


def test_missing_data_says_which_import(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "empty", "service", language="en")
    create_user(ws.app_database_url, "ada", "admin", PASSWORD)
    with serve(create_app(ws)) as url:
        client = login(url, "ada")
        for path in ("/", "/scorecard", "/assessment", "/voice", "/diagnostics"):
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            assert 'class="missing"' in response.text, path
            assert "These data are missing here" in response.text
        assert "cxo import responses" in client.get("/voice").text
        assert "cxo import responses" in client.get("/scorecard").text
        assert "cxo assess" in client.get("/assessment").text
        assert client.get("/assessment/pains/1").status_code == 404
        client.close()
