"""The charter editor on a real server says how many open follow-ups moved from whom to whom
when a touchpoint gets a new owner (names escaped)."""

from __future__ import annotations

from cxo.followups import tasks
from cxo.workspace import Workspace
from tests.web.conftest import ws  # noqa: F401 (the web tests' workspace with users and tasks)
from tests.web.manage_support import XSS, pages_of

HOTLINE = "en: Hotline\n        department: Customer Service\n        accountable: Sabine Hoffmann"


def test_saving_a_new_owner_moves_the_open_tasks_and_says_so(ws: Workspace) -> None:  # noqa: F811
    before = ws.charter_path.read_text("utf-8")
    assert before.count(HOTLINE) == 1
    new_owner = f"Jonas {XSS}"
    text = before.replace(HOTLINE, HOTLINE.replace("Sabine Hoffmann", f"'{new_owner}'"))
    with pages_of(ws) as pages:
        lea = pages.login("lea")
        saved = lea.post("/charter", data={"text": text, "message": "new hotline lead"})
        assert saved.status_code == 303, saved.text
        page = lea.get(saved.headers["location"]).text
        plain = lea.get("/charter").text
    owners = {t.touchpoint: t.owner for t in tasks(ws)}
    assert owners == {"portal": "Thomas Becker", "hotline": new_owner}
    assert "1 open follow-up tasks of touchpoint Hotline moved from Sabine Hoffmann to Jonas " in (
        page
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "moved from" not in plain  # said once, after the save


def test_the_api_gives_the_contact_effect_with_its_design(ws: Workspace) -> None:  # noqa: F811
    with pages_of(ws) as pages:
        got = pages.login("vic").get("/api/v1/followups/effect")
        bad = pages.login("vic").get("/api/v1/followups/effect", params={"window": 0})
    assert got.status_code == 200, got.text
    data = got.json()
    assert data["units"] == 2  # the two detractor tasks of the fixture, linked to customers
    assert data["design"].startswith("observational")
    assert data["later_nps"]["effect"] is None  # nobody answered again: not estimated
    assert any(n.startswith("observational, not an experiment") for n in data["notes"])
    assert bad.status_code == 400
    assert bad.json()["error"] == "usage_error"
