"""The audit log: append-only in the database, before/after of every audited change, no
customer data, listing with filters (SQLite always; PostgreSQL when the tests have one)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from cxo.initiatives import Initiative, save_initiative
from cxo.store import audit
from cxo.store.db import migrate, session_scope
from cxo.store.models import FollowUpRow
from cxo.store.users import create_user, set_password
from tests.store.test_users import _postgres

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        found = f"sqlite:///{tmp_path / 'app.db'}"
        migrate(found)
        yield found
        return
    with _postgres() as found:
        migrate(found)
        yield found


def _raw(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as con:
            con.execute(text(sql))
    finally:
        engine.dispose()


def test_entries_cannot_be_changed_or_deleted(url: str) -> None:
    audit.record(url, "ada", "charter.save", "charter", {"a": 1}, {"a": 2})
    for sql in (
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            _raw(url, sql)
    if url.startswith("postgresql"):
        with pytest.raises(DBAPIError, match="append-only"):
            _raw(url, "TRUNCATE audit_log")
    [entry] = audit.entries(url, action="charter")
    assert (entry.actor, entry.before, entry.after) == ("ada", {"a": 1}, {"a": 2})


def test_the_module_offers_no_way_to_change_an_entry() -> None:
    public = {n for n in dir(audit) if not n.startswith("_")}
    assert not {n for n in public if any(w in n for w in ("update", "delete", "remove"))}


def test_listing_filters_and_order(url: str) -> None:
    audit.record(url, "ada", "initiative.add", "initiatives:chatbot", None, {"status": "idea"})
    audit.record(url, "lea", "followup.closed", "followups:7", {"status": "open"}, None)
    audit.record(url, "ada", "user.add", "users:tom", None, {"role": "owner"})
    assert [e.action for e in audit.entries(url)] == [
        "user.add",
        "followup.closed",
        "initiative.add",
    ]
    assert [e.entity for e in audit.entries(url, actor_name="ada")] == [
        "users:tom",
        "initiatives:chatbot",
    ]
    assert [e.action for e in audit.entries(url, action="followup")] == ["followup.closed"]
    assert [e.action for e in audit.entries(url, entity="initiatives:")] == ["initiative.add"]
    assert len(audit.entries(url, limit=2)) == 2
    tomorrow = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)
    assert audit.entries(url, since=tomorrow) == []
    assert audit.entries(url, action="100%_") == []  # LIKE characters are literal


def test_personal_fields_never_enter_the_log(url: str) -> None:
    state = {
        "customer_id": "K-1",
        "comment": "call me at a@b.de",
        "status": "open",
        "nested": [{"note": "secret", "ok": 1}],
    }
    audit.record(url, None, "followup.closed", "followups:1", state, None)
    [entry] = audit.entries(url)
    assert entry.before == {
        "customer_id": "<3 characters>",
        "comment": "<17 characters>",
        "status": "open",
        "nested": [{"note": "<6 characters>", "ok": 1}],
    }
    assert entry.actor.startswith("os:")


def test_changes_through_the_store_carry_before_and_after(url: str) -> None:
    save_initiative(url, Initiative("chatbot", "Chatbot", "Sabine Hoffmann", ["chat"]))
    save_initiative(
        url, Initiative("chatbot", "Chatbot", "Sabine Hoffmann", ["chat"], status="planned")
    )
    update = audit.entries(url, action="initiative.update")[0]
    assert update.entity == "initiatives:chatbot"
    assert (update.before, update.after) == ({"status": "idea"}, {"status": "planned"})

    create_user(url, "tom", "viewer", PASSWORD, author="ada")
    set_password(url, "tom", PASSWORD + "!", author="ada")
    added, changed = (
        audit.entries(url, action="user.add")[0],
        audit.entries(url, action="user.passwd")[0],
    )
    assert added.after is not None
    assert added.after["role"] == "viewer"
    assert added.after["password_hash"].endswith("characters>")
    assert changed.entity == "users:tom"
    assert set(changed.after) == {"password_hash"}
    assert "$argon2" not in json.dumps([added.to_dict(), changed.to_dict()])


def test_a_change_without_an_entry_gets_one(url: str) -> None:
    at = dt.datetime(2026, 1, 5, 9)
    with session_scope(url) as session:
        session.add(
            FollowUpRow(
                response_id="r1",
                customer_id="K-1",
                touchpoint="hotline",
                reason="detractor",
                comment="slow hotline",
                responded_at=at,
                due_at=at,
                created_at=at,
            )
        )
        session.commit()
    [entry] = audit.entries(url, action="followups.change")
    assert entry.entity.startswith("followups:")
    assert entry.after is not None
    assert entry.after["comment"] == "<12 characters>"
    assert entry.after["customer_id"] == "<3 characters>"


def test_acting_as_names_the_actor(url: str) -> None:
    with audit.acting_as("web:ada"):
        audit.record(url, None, "charter.save")
    assert audit.entries(url)[0].actor == "web:ada"
