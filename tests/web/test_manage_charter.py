"""The charter editor against a real server: CX lead and admins only, validation naming line
and field, versions with author and message, the diff view, CSRF, inert names."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from cxo.store.db import charter_versions
from cxo.workspace import Workspace
from tests.web.manage_support import XSS, page_token, pages_of, without_csrf
from tests.web.support import Browsers


@pytest.fixture
def pages(ws: Workspace) -> Iterator[Browsers]:
    with pages_of(ws) as found:
        yield found


def _renamed(text: str, name: str) -> str:
    return text.replace("  name: Beispiel Telekom GmbH", f"  name: '{name}'", 1)


def test_only_the_lead_and_admins_edit_the_charter(pages: Browsers, ws: Workspace) -> None:
    before = ws.charter_path.read_text("utf-8")
    stored = len(charter_versions(ws.app_database_url))
    assert pages.anon().get("/charter").status_code == 303
    for name in ("tom", "vic"):
        client = pages.login(name)
        assert client.get("/charter").status_code == 403, name
        assert client.get("/charter/diff", params={"a": 1, "b": 1}).status_code == 403, name
        posted = client.post("/charter", data={"text": _renamed(before, "Mine")})
        assert posted.status_code == 403, name
        assert "/charter" not in client.get("/followups").text  # not in their menu
    for name in ("ada", "lea"):
        page = pages.login(name).get("/charter")
        assert page.status_code == 200
        assert "Beispiel Telekom GmbH" in page.text
    assert ws.charter_path.read_text("utf-8") == before
    assert len(charter_versions(ws.app_database_url)) == stored


def test_an_invalid_charter_names_line_and_field_and_is_not_saved(
    pages: Browsers, ws: Workspace
) -> None:
    before = ws.charter_path.read_text("utf-8")
    lines = before.splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "metric: nps" in line)
    lines[number - 1] = lines[number - 1].replace("metric: nps", "metric: happiness")
    lea = pages.login("lea")
    response = lea.post("/charter", data={"text": "\n".join(lines)})
    assert response.status_code == 422
    found = re.search(
        r"charter\.yaml:(\d+) (journey\[\d+\]\.touchpoints\[\d+\]\.kpis\[\d+\]\.metric)",
        response.text,
    )
    assert found, response.text
    assert int(found.group(1)) == number
    assert "metric: happiness" in response.text  # the text stays in the editor
    broken = lea.post("/charter", data={"text": "company: [unclosed"})
    assert broken.status_code == 422
    assert "charter.yaml:1" in broken.text
    assert ws.charter_path.read_text("utf-8") == before
    assert len(charter_versions(ws.app_database_url)) == 1  # the one `cxo init` stored


def test_saving_versions_and_the_diff_view(pages: Browsers, ws: Workspace) -> None:
    before = ws.charter_path.read_text("utf-8")
    lea = pages.login("lea")
    saved = lea.post("/charter", data={"text": _renamed(before, XSS), "message": ""})
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"].startswith("/charter?saved=")
    assert ws.charter().company.name == XSS
    versions = charter_versions(ws.app_database_url)
    assert [v.content for v in versions] == [before, _renamed(before, XSS)]
    assert versions[-1].author == "lea"
    assert versions[-1].message == "company changed"  # the changes found, when no message
    page = lea.get(saved.headers["location"]).text
    assert f"Saved as version {versions[-1].id}." in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    again = lea.post("/charter", data={"text": _renamed(before, "Beta AG"), "message": "renamed"})
    assert again.status_code == 303
    history = lea.get("/charter").text
    assert history.count("/charter/diff?a=") == 2
    assert "renamed" in history
    diff = lea.get("/charter/diff", params={"a": 1, "b": 2})
    assert diff.status_code == 200
    assert '<span class="del">-  name: Beispiel Telekom GmbH</span>' in diff.text
    assert "<script>alert" not in diff.text
    assert '<span class="add">+  name: &#39;&lt;script&gt;alert(1)&lt;/script&gt;' in diff.text
    assert lea.get("/charter/diff", params={"a": 1, "b": 9}).status_code == 404
    same = lea.post("/charter", data={"text": _renamed(before, "Beta AG")})
    assert same.status_code == 303
    assert len(charter_versions(ws.app_database_url)) == 3  # unchanged text: no new version


@pytest.mark.parametrize("token", ["missing", "foreign"])
def test_missing_or_foreign_csrf_token_is_refused(
    pages: Browsers, ws: Workspace, token: str
) -> None:
    before = ws.charter_path.read_text("utf-8")
    lea = pages.login("lea")
    own = page_token(lea.get("/charter").text)
    lea = without_csrf(lea, token, pages.login("ada"))
    assert lea.post("/charter", data={"text": _renamed(before, "x")}).status_code == 403
    forged = lea.post("/charter", data={"text": _renamed(before, "x"), "csrf_token": "forged"})
    assert forged.status_code == 403
    assert ws.charter_path.read_text("utf-8") == before
    lea.headers.pop("X-CSRF-Token", None)
    assert lea.post("/charter", data={"text": before, "csrf_token": own}).status_code == 303
