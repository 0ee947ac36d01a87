"""The user repository on SQLite and on PostgreSQL (``CXO_TEST_POSTGRES_URL``, see
``scripts/pg.sh``): users, Argon2 hashes, tokens, failed sign-ins, owners and the charter."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text

from cxo.core.charter import load_charter
from cxo.core.charter import template_text as charter_template
from cxo.errors import NotFoundError, UsageError
from cxo.store.db import migrate, session_scope
from cxo.store.models import AuditEntry, UserRow
from cxo.store.users import (
    clear_login_failures,
    create_token,
    create_user,
    find_user,
    get_user,
    list_users,
    login_failures,
    owned_touchpoints,
    owner_choices,
    record_login_failure,
    remove_user,
    revoke_tokens,
    set_password,
    user_for_token,
    verify_password,
)

PASSWORD = "correct horse battery"


@contextmanager
def _postgres() -> Iterator[str]:
    """A throwaway database of its own (tests run in parallel; test_db.py drops its schema)."""
    base = os.environ.get("CXO_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must provide PostgreSQL (scripts/test starts a throwaway cluster)")
        pytest.skip("no PostgreSQL here: scripts/test starts one when the server binaries exist")
    name = f"cxo_users_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as con:
            con.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


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


def test_users_are_created_listed_and_removed(url: str) -> None:
    ada = create_user(url, " ada ", "admin", PASSWORD, author="root")
    assert (ada.name, ada.role, ada.owner_of, ada.tokens) == ("ada", "admin", None, 0)
    create_user(url, "tom", "owner", PASSWORD, owner_of="Thomas Becker")
    assert [u.name for u in list_users(url)] == ["ada", "tom"]
    assert get_user(url, "tom").owner_of == "Thomas Becker"
    assert get_user(url, "tom").to_dict().keys() == {
        "name",
        "role",
        "owner_of",
        "created_at",
        "tokens",
    }
    with pytest.raises(UsageError, match="exists"):
        create_user(url, "ada", "viewer", PASSWORD)
    remove_user(url, "tom", author="root")
    assert find_user(url, "tom") is None
    with pytest.raises(NotFoundError):
        remove_user(url, "tom")
    with session_scope(url) as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        details = " ".join(session.scalars(select(AuditEntry.detail)).all())
    assert actions == ["user.add", "user.add", "user.remove"]
    assert PASSWORD not in details


@pytest.mark.parametrize(
    ("name", "role", "password", "owner_of", "message"),
    [
        ("", "viewer", PASSWORD, None, "empty"),
        ("a\nb", "viewer", PASSWORD, None, "control"),
        ("x" * 101, "viewer", PASSWORD, None, "at most 100"),
        ("kim", "boss", PASSWORD, None, "role must be one of"),
        ("kim", "viewer", "tiny pw", None, "at least 10"),
        ("kim", "owner", PASSWORD, None, "needs the person or department"),
        ("kim", "viewer", PASSWORD, "IT", "owner only"),
    ],
)
def test_invalid_users_are_refused(
    url: str, name: str, role: str, password: str, owner_of: str | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message) as info:
        create_user(url, name, role, password, owner_of=owner_of)
    assert password not in str(info.value)
    assert list_users(url) == []


def test_passwords_are_argon2_hashes_verified_and_changed(url: str) -> None:
    create_user(url, "lea", "cx_lead", PASSWORD)
    with session_scope(url) as session:
        stored = session.scalars(select(UserRow.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    before = verify_password(url, "lea", PASSWORD)
    assert before is not None
    assert verify_password(url, "lea", "wrong password") is None
    assert verify_password(url, "nobody", PASSWORD) is None
    set_password(url, "lea", "a brand new secret")
    assert verify_password(url, "lea", PASSWORD) is None
    after = verify_password(url, "lea", "a brand new secret")
    assert after is not None
    assert after.fingerprint != before.fingerprint
    with pytest.raises(UsageError, match="at least 10"):
        set_password(url, "lea", "short")
    with pytest.raises(NotFoundError):
        set_password(url, "nobody", "a brand new secret")


def test_tokens_are_shown_once_stored_hashed_and_revoked(url: str) -> None:
    create_user(url, "bot", "viewer", PASSWORD)
    first, second = create_token(url, "bot"), create_token(url, "bot")
    assert first.startswith("cxo_")
    assert first != second
    found = user_for_token(url, first)
    assert found is not None
    assert (found.name, found.tokens) == ("bot", 2)
    assert user_for_token(url, "cxo_" + "x" * 43) is None
    assert user_for_token(url, "not a token") is None
    assert revoke_tokens(url, "bot") == 2
    assert user_for_token(url, first) is None
    assert user_for_token(url, second) is None
    create_token(url, "bot")
    remove_user(url, "bot")  # the user's tokens go with them
    create_user(url, "bot", "viewer", PASSWORD)
    assert get_user(url, "bot").tokens == 0


def test_failed_sign_ins_are_counted_per_name_and_address(url: str) -> None:
    now = dt.datetime(2026, 12, 1, 12, 0)
    for minutes in (30, 10, 5):
        record_login_failure(url, "Tom", "10.0.0.1", at=now - dt.timedelta(minutes=minutes))
    record_login_failure(url, "tom", "10.0.0.2", at=now)
    since = now - dt.timedelta(minutes=15)
    assert len(login_failures(url, "tom ", "10.0.0.1", since=since)) == 2
    assert len(login_failures(url, "TOM", "10.0.0.2", since=since)) == 1
    clear_login_failures(url, "tom", "10.0.0.1")
    assert login_failures(url, "tom", "10.0.0.1", since=since) == []
    assert len(login_failures(url, "tom", "10.0.0.2", since=since)) == 1
    # a failure a day later forgets day-old ones
    record_login_failure(url, "x", "10.0.0.3", at=now + dt.timedelta(days=2))
    assert login_failures(url, "tom", "10.0.0.2", since=now - dt.timedelta(days=9)) == []


def test_owners_are_linked_to_the_charter(tmp_path: Path) -> None:
    path = tmp_path / "charter.yaml"
    path.write_text(charter_template("service"), "utf-8")
    charter = load_charter(path)
    assert {"Thomas Becker", "IT", "Customer Service", "Sabine Hoffmann"} <= owner_choices(charter)
    assert owned_touchpoints(charter, "Thomas Becker") == {"portal"}
    assert owned_touchpoints(charter, "Customer Service") == {"hotline", "chat", "cancellation"}
    assert owned_touchpoints(charter, "Markus Weber") == {"onboarding", "field_service"}
    assert owned_touchpoints(charter, "Nobody") == set()
    assert owned_touchpoints(charter, None) == set()


def test_the_users_migration_goes_down_and_up_again(url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from cxo.store.db import alembic_config, engine

    def tables() -> set[str]:
        eng = engine(url)
        try:
            return set(inspect(eng).get_table_names())
        finally:
            eng.dispose()

    assert {"users", "api_tokens", "login_failures"} <= tables()
    command.downgrade(alembic_config(url), "0004")
    assert not {"users", "api_tokens", "login_failures"} & tables()
    command.upgrade(alembic_config(url), "head")
    assert {"users", "api_tokens", "login_failures"} <= tables()
