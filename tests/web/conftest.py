"""Fixtures of the web tests: a workspace with one user per role, the app, a real uvicorn.

Follow-up task 1 is at the portal, task 2 at the hotline; initiative ``portal_relaunch``
changes the portal, ``chatbot`` the chat (users: :mod:`tests.web.support`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from cxo.initiatives import Initiative, save_initiative
from cxo.store.db import session_scope
from cxo.store.models import FollowUpRow
from cxo.store.users import create_user
from cxo.web.app import create_app
from cxo.workspace import Workspace
from tests.web.support import PASSWORD, USERS, Browsers, serve


def _task(response_id: str, touchpoint: str, owner: str, department: str) -> FollowUpRow:
    at = dt.datetime(2026, 11, 30, 9, 0)
    return FollowUpRow(
        response_id=response_id,
        customer_id="c-" + response_id,
        touchpoint=touchpoint,
        owner=owner,
        department=department,
        reason="detractor",
        nps=2,
        comment="slow",
        themes="",
        responded_at=at,
        due_at=at + dt.timedelta(hours=48),
        status="open",
        closed_by="",
        note="",
        created_at=at,
    )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A workspace (English) with the users, two follow-ups and two initiatives."""
    workspace = Workspace.create(tmp_path / "ws", "service", language="en")
    url = workspace.app_database_url
    for name, (role, owner_of) in USERS.items():
        create_user(url, name, role, PASSWORD, owner_of=owner_of)
    with session_scope(url) as session:
        session.add(_task("r1", "portal", "Thomas Becker", "IT"))
        session.add(_task("r2", "hotline", "Sabine Hoffmann", "Customer Service"))
        session.commit()
    save_initiative(url, Initiative("portal_relaunch", "Portal", "Thomas Becker", ["portal"]))
    save_initiative(url, Initiative("chatbot", "Chatbot", "Sabine Hoffmann", ["chat"]))
    return workspace


@pytest.fixture
def app(ws: Workspace) -> FastAPI:
    return create_app(ws)


@pytest.fixture
def base(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def browsers(base: str) -> Iterator[Browsers]:
    """Clients of the server (closed afterwards)."""
    found = Browsers(base)
    yield found
    found.close()
