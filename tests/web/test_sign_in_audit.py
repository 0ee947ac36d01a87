"""Sign-ins, failed sign-ins and sign-outs land in the audit log (never the password)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from cxo.store.db import session_scope
from cxo.store.models import AuditEntry
from cxo.store.users import SIGN_IN_ACTIONS
from cxo.workspace import Workspace
from tests.web.support import PASSWORD, Browsers, form_token

WRONG = "not the password 42"


def _entries(ws: Workspace) -> list[AuditEntry]:
    with session_scope(ws.app_database_url) as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(SIGN_IN_ACTIONS)).order_by(AuditEntry.id)
        ).all()
        session.expunge_all()
        return list(rows)


def test_failed_and_successful_sign_in_and_sign_out_are_audited(
    browsers: Browsers, ws: Workspace
) -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    assert _entries(ws) == []
    client = browsers.anon()
    token = form_token(client.get("/login").text)
    failed = client.post("/login", data={"name": " lea\n", "password": WRONG, "csrf_token": token})
    assert failed.status_code == 401
    token = form_token(failed.text)
    ok = client.post("/login", data={"name": "lea", "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 303
    csrf = client.get("/api/v1/me").json()["csrf_token"]
    out = client.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303
    assert client.get("/api/v1/me").status_code == 401

    entries = _entries(ws)
    assert [(e.actor, e.action) for e in entries] == [
        ("lea", "auth.login_failed"),
        ("lea", "auth.login"),
        ("lea", "auth.logout"),
    ]
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=1)
    for entry in entries:
        assert before <= entry.at <= after
        assert entry.detail == "from 127.0.0.1"
        assert WRONG not in entry.actor

    # signing out without a session writes nothing
    anon = browsers.anon()
    assert anon.post("/logout").status_code == 303
    assert len(_entries(ws)) == 3


def test_unknown_user_and_throttled_attempts_are_audited(browsers: Browsers, ws: Workspace) -> None:
    client = browsers.anon()
    statuses = []
    for _ in range(6):
        token = form_token(client.get("/login").text)
        response = client.post(
            "/login", data={"name": "mallory", "password": WRONG, "csrf_token": token}
        )
        statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429]
    actions = [(e.actor, e.action) for e in _entries(ws)]
    assert actions == [("mallory", "auth.login_failed")] * 5 + [("mallory", "auth.login_throttled")]
