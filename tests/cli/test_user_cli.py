"""``cxo user add|list|remove|passwd|token`` in-process (passwords through --password-stdin)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.store.db import session_scope
from cxo.store.models import UserRow
from cxo.store.users import user_for_token, verify_password
from cxo.workspace import Workspace

runner = CliRunner()
PASSWORD = "correct horse battery"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path / "ws", "service", language="en")


def _cxo(ws: Workspace, *args: str, stdin: str | None = None, ok: bool = True) -> str:
    result = runner.invoke(app, [*args, "-w", str(ws.root)], input=stdin)
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def test_add_list_passwd_remove(ws: Workspace) -> None:
    out = _cxo(ws, "user", "add", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert out.strip() == "user ada added (admin)"
    out = _cxo(
        ws,
        "user",
        "add",
        "tom",
        "--role",
        "owner",
        "--owner-of",
        "Thomas Becker",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert "for Thomas Becker" in out
    listed = json.loads(_cxo(ws, "user", "list", "--json"))
    assert [(u["name"], u["role"], u["owner_of"]) for u in listed] == [
        ("ada", "admin", None),
        ("tom", "owner", "Thomas Becker"),
    ]
    table = _cxo(ws, "user", "list")
    assert "Thomas Becker" in table
    assert PASSWORD not in table
    url = ws.app_database_url
    assert verify_password(url, "tom", PASSWORD) is not None  # the newline is not part of it
    _cxo(ws, "user", "passwd", "tom", "--password-stdin", stdin="a brand new secret\n")
    assert verify_password(url, "tom", PASSWORD) is None
    assert verify_password(url, "tom", "a brand new secret") is not None
    assert _cxo(ws, "user", "remove", "tom").strip() == "user tom removed"
    assert [u["name"] for u in json.loads(_cxo(ws, "user", "list", "--json"))] == ["ada"]
    with session_scope(url) as session:
        stored = session.scalars(select(UserRow.password_hash)).all()
    assert all(h.startswith("$argon2id$") for h in stored)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "admin", "--password-stdin"], "tiny pw", "at least 10"),
        (["--role", "chief", "--password-stdin"], PASSWORD, "role must be one of"),
        (["--role", "owner", "--password-stdin"], PASSWORD, "needs the person or department"),
        (["--role", "owner", "--owner-of", "Mars", "--password-stdin"], PASSWORD, "Mars"),
        (["--role", "viewer", "--owner-of", "IT", "--password-stdin"], PASSWORD, "owner only"),
        (["--role", "viewer"], None, "--password-stdin"),
    ],
)
def test_add_refuses_bad_input(
    ws: Workspace, args: list[str], stdin: str | None, message: str
) -> None:
    result = runner.invoke(app, ["user", "add", "kim", *args, "-w", str(ws.root)], input=stdin)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "error:" in result.output
    if stdin:
        assert stdin not in result.output
    assert json.loads(_cxo(ws, "user", "list", "--json")) == []


def test_unknown_users_and_duplicates(ws: Workspace) -> None:
    _cxo(ws, "user", "add", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    again = _cxo(
        ws, "user", "add", "ada", "--role", "viewer", "--password-stdin", stdin=PASSWORD, ok=False
    )
    assert "exists" in again
    for args in (["remove", "x"], ["token", "x"], ["token", "x", "--revoke"]):
        assert "no user 'x'" in _cxo(ws, "user", *args, ok=False)
    assert "no user 'x'" in _cxo(
        ws, "user", "passwd", "x", "--password-stdin", stdin=PASSWORD, ok=False
    )


def test_token_is_printed_once_and_revoked(ws: Workspace) -> None:
    _cxo(ws, "user", "add", "bot", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    result = runner.invoke(app, ["user", "token", "bot", "-w", str(ws.root)])
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert token.startswith("cxo_")
    assert "shown once" in result.stderr
    user = user_for_token(ws.app_database_url, token)
    assert user is not None
    assert user.name == "bot"
    second = json.loads(_cxo(ws, "user", "token", "bot", "--json"))["token"]
    assert json.loads(_cxo(ws, "user", "list", "--json"))[0]["tokens"] == 2
    revoked = json.loads(_cxo(ws, "user", "token", "bot", "--revoke", "--json"))
    assert revoked == {"name": "bot", "revoked": 2}
    assert user_for_token(ws.app_database_url, token) is None
    assert user_for_token(ws.app_database_url, second) is None


def test_the_password_is_asked_twice_on_a_terminal(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSWORD, PASSWORD, PASSWORD, "something else"])
    monkeypatch.setattr("cxo.cli.user.interactive", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    _cxo(ws, "user", "add", "lea", "--role", "cx_lead")
    assert verify_password(ws.app_database_url, "lea", PASSWORD) is not None
    assert "differ" in _cxo(ws, "user", "add", "kim", "--role", "viewer", ok=False)
