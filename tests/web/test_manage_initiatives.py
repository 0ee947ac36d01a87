"""The initiatives pages against a real server: portfolio, create and edit with errors next to
their field, owners limited to their own, viewers read-only, CSRF, inert names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxo.initiatives import get_initiative, initiatives
from cxo.workspace import Workspace
from tests.web.manage_support import XSS, page_token, pages_of, without_csrf
from tests.web.support import Browsers


@pytest.fixture
def pages(ws: Workspace) -> Iterator[Browsers]:
    with pages_of(ws) as found:
        yield found


def _form(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "key": "faster_hotline",
        "name": "Faster hotline",
        "owner": "Sabine Hoffmann",
        "touchpoints": ["hotline"],
        "pains": "hotline:waiting_time",
        "one_off_cost": "12000",
        "running_cost_month": "500",
        "expected_nps_effect": "4",
        "expected_churn_effect": "-0.01",
        "launch": "2026-09-01",
        "status": "planned",
        "description": "",
    }
    base.update(fields)
    return base


def test_every_role_reads_the_portfolio_and_anonymous_signs_in(pages: Browsers) -> None:
    anon = pages.anon().get("/initiatives")
    assert anon.status_code == 303
    assert anon.headers["location"] == "/login?next=%2Finitiatives"
    for name, keys in {
        "ada": {"portal_relaunch", "chatbot"},
        "lea": {"portal_relaunch", "chatbot"},
        "vic": {"portal_relaunch", "chatbot"},
        "tom": {"portal_relaunch"},
        "sab": {"chatbot"},
    }.items():
        page = pages.login(name).get("/initiatives")
        assert page.status_code == 200, name
        assert "script-src 'self'" in page.headers["content-security-policy"]
        shown = {k for k in ("portal_relaunch", "chatbot") if f"/initiatives/{k}" in page.text}
        assert shown == keys, name
        assert ("/initiatives/new" in page.text) == (name != "vic")


def test_lead_creates_an_initiative_and_its_name_stays_inert(
    pages: Browsers, ws: Workspace
) -> None:
    lea = pages.login("lea")
    token = page_token(lea.get("/initiatives/new").text)
    lea.headers.pop("X-CSRF-Token")  # a plain form: the token travels in the form
    created = lea.post("/initiatives/new", data=_form(name=XSS, csrf_token=token))
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/initiatives/faster_hotline"
    saved = get_initiative(ws.app_database_url, "faster_hotline")
    assert (saved.name, saved.touchpoints, saved.expected_churn_effect) == (
        XSS,
        ["hotline"],
        -0.01,
    )
    for path in ("/initiatives", "/initiatives/faster_hotline", "/initiatives/faster_hotline/edit"):
        html = lea.get(path).text
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    case = lea.get("/initiatives/faster_hotline/case")
    assert case.status_code == 200
    assert "import it with" in case.text  # no customers yet: says which import provides them
    again = lea.post("/initiatives/new", data=_form(csrf_token=token))
    assert again.status_code == 422
    assert 'id="key-error"' in again.text


BAD_FIELDS = [
    ("one_off_cost", "a lot", "is not a number"),
    ("launch", "next spring", "is not a date"),
    ("touchpoints", ["mars"], "Not in the charter: mars"),
    ("key", "Bad Key!", "lower-case letters"),
    ("name", " ", "name is empty"),
    ("expected_churn_effect", "5", "expected_churn_effect"),
    ("pains", "waiting_time", "touchpoint:theme"),
    ("one_off_cost", "-5", "costs cannot be negative"),
]


def test_errors_are_shown_next_to_their_field(pages: Browsers, ws: Workspace) -> None:
    lea = pages.login("lea")
    for field, value, words in BAD_FIELDS:
        response = lea.post("/initiatives/new", data=_form(**{field: value}))
        assert response.status_code == 422, field
        html = response.text
        start = html.index(f'id="{field}-error"')
        assert words in html[start : start + 400], (field, html[start : start + 400])
        assert f'aria-describedby="{field}-error"' in html
    assert "faster_hotline" not in {i.key for i in initiatives(ws.app_database_url)}


def test_lead_edits_and_the_key_stays(pages: Browsers, ws: Workspace) -> None:
    lea = pages.login("lea")
    form = lea.get("/initiatives/chatbot/edit")
    assert form.status_code == 200
    assert 'value="Chatbot"' in form.text
    done = lea.post("/initiatives/chatbot/edit", data=_form(key="other", name="Chatbot 2"))
    assert done.status_code == 303
    assert get_initiative(ws.app_database_url, "chatbot").name == "Chatbot 2"
    assert "other" not in {i.key for i in initiatives(ws.app_database_url)}


def test_owner_changes_only_their_own(pages: Browsers, ws: Workspace) -> None:
    tom = pages.login("tom")  # Thomas Becker: the portal
    assert tom.get("/initiatives/chatbot").status_code == 403
    assert tom.get("/initiatives/chatbot/edit").status_code == 403
    assert tom.get("/initiatives/chatbot/case").status_code == 403
    taken = tom.post("/initiatives/chatbot/edit", data=_form(name="mine", owner="Thomas Becker"))
    assert taken.status_code == 403
    assert get_initiative(ws.app_database_url, "chatbot").name == "Chatbot"
    foreign = tom.post("/initiatives/new", data=_form(owner="Sabine Hoffmann"))
    assert foreign.status_code == 422
    assert 'id="touchpoints-error"' in foreign.text
    away = tom.post(
        "/initiatives/portal_relaunch/edit",
        data=_form(name="Portal", owner="Sabine Hoffmann", touchpoints=["chat"]),
    )
    assert away.status_code == 422  # cannot give it to another owner
    own = tom.post(
        "/initiatives/portal_relaunch/edit",
        data=_form(name="Portal 2", owner="Thomas Becker", touchpoints=["portal"]),
    )
    assert own.status_code == 303
    assert get_initiative(ws.app_database_url, "portal_relaunch").name == "Portal 2"
    mine = tom.post(
        "/initiatives/new",
        data=_form(key="portal_chat", owner="Thomas Becker", touchpoints=["portal"]),
    )
    assert mine.status_code == 303


def test_viewer_changes_nothing(pages: Browsers, ws: Workspace) -> None:
    vic = pages.login("vic")
    assert vic.get("/initiatives/new").status_code == 403
    assert vic.get("/initiatives/chatbot/edit").status_code == 403
    assert vic.post("/initiatives/new", data=_form()).status_code == 403
    assert vic.post("/initiatives/chatbot/edit", data=_form(name="x")).status_code == 403
    assert [i.name for i in initiatives(ws.app_database_url)] == ["Chatbot", "Portal"]


@pytest.mark.parametrize("token", ["missing", "foreign"])
def test_missing_or_foreign_csrf_token_is_refused(
    pages: Browsers, ws: Workspace, token: str
) -> None:
    lea = without_csrf(pages.login("lea"), token, pages.login("ada"))
    for path in ("/initiatives/new", "/initiatives/chatbot/edit"):
        response = lea.post(path, data=_form(name="forged"))
        assert response.status_code == 403, path
        forged = lea.post(path, data=_form(name="forged", csrf_token="forged"))
        assert forged.status_code == 403, path
    assert [i.name for i in initiatives(ws.app_database_url)] == ["Chatbot", "Portal"]
