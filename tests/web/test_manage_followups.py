"""The follow-ups page against a real server: the queue per role, contact / close / note as
htmx fragments, owners limited to their touchpoints, viewers read-only, CSRF, inert text;
and the core helpers :func:`cxo.followups.add_note` and :func:`cxo.followups.sla_status`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from cxo.errors import NotFoundError, UsageError
from cxo.followups import add_note, sla_status, tasks
from cxo.store.db import session_scope
from cxo.store.models import AuditEntry, FollowUpRow
from cxo.workspace import Workspace
from tests.web.manage_support import HTMX, XSS, page_token, pages_of, without_csrf
from tests.web.support import Browsers


@pytest.fixture
def pages(ws: Workspace) -> Iterator[Browsers]:
    with pages_of(ws) as found:
        yield found


def _status(ws: Workspace) -> dict[int, tuple[str, str]]:
    return {t.id: (t.status, t.note) for t in tasks(ws)}


def test_queue_per_role(pages: Browsers) -> None:
    assert pages.anon().get("/followups").status_code == 303
    for name, ids in {"ada": {1, 2}, "lea": {1, 2}, "vic": {1, 2}, "tom": {1}, "sab": {2}}.items():
        html = pages.login(name).get("/followups").text
        assert {i for i in (1, 2) if f'id="task-{i}"' in html} == ids, name
        assert ("/followups/1/contact" in html or "/followups/2/contact" in html) == (
            name != "vic"
        ), name
        assert "overdue" in html  # due on 2 December 2026, long past
    lea = pages.login("lea").get("/followups", params={"status": "closed"}).text
    assert 'id="task-1"' not in lea


def test_owner_works_a_task_without_reloading(pages: Browsers, ws: Workspace) -> None:
    tom = pages.login("tom")
    contacted = tom.post("/followups/1/contact", headers=HTMX)
    assert contacted.status_code == 200
    assert contacted.text.lstrip().startswith('<tr id="task-1" data-status="contacted"')
    assert "<html" not in contacted.text
    assert '<p id="sla-counts" class="cxo-sla-counts" hx-swap-oob="true">' in contacted.text
    noted = tom.post("/followups/1/note", data={"note": XSS}, headers=HTMX)
    assert noted.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in noted.text
    assert "<script>alert" not in noted.text
    closed = tom.post("/followups/1/close", data={"note": "solved"}, headers=HTMX)
    assert 'data-status="closed"' in closed.text
    assert _status(ws)[1] == ("closed", XSS + "\nsolved")
    assert "<script>alert" not in tom.get("/followups", params={"status": "all"}).text
    reopened = tom.post("/followups/1/reopen", headers=HTMX)
    assert 'data-status="open"' in reopened.text
    plain = tom.post("/followups/1/contact")  # a form without htmx: back to the queue
    assert plain.status_code == 303
    assert plain.headers["location"] == "/followups"
    with session_scope(ws.app_database_url) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.actor == "tom", AuditEntry.action.like("followup.%")
            )
        )
        assert list(actions) == [
            "followup.contacted",
            "followup.note",
            "followup.closed",
            "followup.open",
            "followup.contacted",
        ]


def test_owner_cannot_touch_another_owners_task(pages: Browsers, ws: Workspace) -> None:
    tom = pages.login("tom")
    for action in ("contact", "close", "note", "reopen"):
        response = tom.post(f"/followups/2/{action}", data={"note": "mine"}, headers=HTMX)
        assert response.status_code == 403, action
    sab = pages.login("sab")
    assert sab.post("/followups/1/close", headers=HTMX).status_code == 403
    assert _status(ws) == {1: ("open", ""), 2: ("open", "")}


def test_viewer_changes_nothing(pages: Browsers, ws: Workspace) -> None:
    vic = pages.login("vic")
    for action in ("contact", "close", "note", "reopen"):
        assert vic.post(f"/followups/1/{action}", data={"note": "x"}).status_code == 403
    assert _status(ws) == {1: ("open", ""), 2: ("open", "")}


@pytest.mark.parametrize("token", ["missing", "foreign"])
def test_missing_or_foreign_csrf_token_is_refused(
    pages: Browsers, ws: Workspace, token: str
) -> None:
    lea = pages.login("lea")
    form_token = page_token(lea.get("/followups").text)
    lea = without_csrf(lea, token, pages.login("ada"))
    for action in ("contact", "close", "note"):
        assert lea.post(f"/followups/1/{action}", data={"note": "x"}).status_code == 403
        forged = lea.post(f"/followups/1/{action}", data={"note": "x", "csrf_token": "forged"})
        assert forged.status_code == 403
    assert _status(ws) == {1: ("open", ""), 2: ("open", "")}
    lea.headers.pop("X-CSRF-Token", None)
    ok = lea.post("/followups/1/note", data={"note": "x", "csrf_token": form_token})
    assert ok.status_code == 303  # the page's own form token works


def test_api_note_uses_the_core_and_is_audited(pages: Browsers, ws: Workspace) -> None:
    tom = pages.login("tom")
    first = tom.post("/api/v1/followups/1/note", json={"note": "called"})
    assert first.status_code == 200
    assert first.json()["note"] == "called"
    second = tom.post("/api/v1/followups/1/note", json={"note": "again"}).json()
    assert (second["note"], second["status"]) == ("called\nagain", "open")
    assert tom.post("/api/v1/followups/1/note", json={"note": "   "}).status_code == 400
    with session_scope(ws.app_database_url) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "followup.note"))
        assert [(r.actor, r.detail) for r in rows] == [("tom", "1"), ("tom", "1")]


def test_add_note_checks_its_input(ws: Workspace) -> None:
    with pytest.raises(UsageError):
        add_note(ws, 1, " \n ")
    with pytest.raises(UsageError):
        add_note(ws, 1, "x" * 5001)
    with pytest.raises(NotFoundError):
        add_note(ws, 99, "hello")
    assert add_note(ws, 2, "  hello ", by="sab").note == "hello"


def test_sla_status(ws: Workspace) -> None:
    task = next(t for t in tasks(ws) if t.id == 1)
    due = task.due_at
    assert sla_status(task, due - dt.timedelta(hours=30)) == "ok"
    assert sla_status(task, due - dt.timedelta(hours=2)) == "due"
    assert sla_status(task, due + dt.timedelta(minutes=1)) == "overdue"
    task.contacted_at, task.status = due - dt.timedelta(hours=1), "contacted"
    assert sla_status(task, due + dt.timedelta(days=5)) == "ok"
    task.contacted_at = due + dt.timedelta(hours=1)
    assert sla_status(task, due + dt.timedelta(days=5)) == "late"
    with session_scope(ws.app_database_url) as session:
        assert session.get(FollowUpRow, 1) is not None


def test_long_queues_show_the_oldest_due_first(pages: Browsers, ws: Workspace) -> None:
    from tests.web.conftest import _task

    with session_scope(ws.app_database_url) as session:
        for i in range(210):
            session.add(_task(f"x{i}", "portal", "Thomas Becker", "IT"))
        session.commit()
    html = pages.login("tom").get("/followups").text
    assert html.count('<tr id="task-') == 200
    assert "The 200 oldest due of 211 tasks are shown" in html
    assert html.index('id="task-1"') < html.index('id="task-3"')
