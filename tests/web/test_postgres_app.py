"""The app on a real PostgreSQL operational store (``CXO_DATABASE_URL``), end to end.

The same fixtures as every web test (users per role, two follow-ups, two initiatives), but the
workspace's store is a throwaway database on the PostgreSQL server that ``scripts/test`` starts
on 127.0.0.1: sign in, read the follow-ups as their owner, contact one, and find the change in
PostgreSQL itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from cxo.workspace import Workspace
from tests.store.test_users import _postgres
from tests.web.support import Browsers


@pytest.fixture
def pg_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with _postgres() as url:
        monkeypatch.setenv("CXO_DATABASE_URL", url)
        monkeypatch.delenv("CXO_APP_DATABASE_URL", raising=False)
        yield url


def test_owner_works_a_follow_up_stored_in_postgresql(
    pg_url: str, ws: Workspace, browsers: Browsers
) -> None:
    assert ws.app_database_url == pg_url
    tom = browsers.login("tom")  # owner: Thomas Becker, the portal
    mine = tom.get("/api/v1/followups").json()
    assert [t["touchpoint"] for t in mine] == ["portal"]
    assert tom.get("/api/v1/followups/2").status_code == 403  # the hotline's task
    done = tom.post("/api/v1/followups/1/contact", json={"note": "called back"})
    assert done.status_code == 200, done.text
    engine = create_engine(pg_url)
    try:
        with engine.connect() as con:
            row = con.execute(text("select status, closed_by from followups where id = 1")).one()
    finally:
        engine.dispose()
    assert row.status == "contacted"
