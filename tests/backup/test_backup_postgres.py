"""Backup and restore with the operational store in PostgreSQL (rows as JSON lines in one
snapshot; the restore replaces every table and keeps the audit log append-only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from cxo.backup import app_checksums, backup, read_manifest, restore
from cxo.initiatives import Initiative, save_initiative
from cxo.store.users import create_user
from cxo.workspace import Workspace
from tests.store.test_users import _postgres
from tests.web.support import PASSWORD


def test_a_postgresql_store_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with _postgres() as source, _postgres() as target:
        monkeypatch.setenv("CXO_APP_DATABASE_URL", source)
        ws = Workspace.create(tmp_path / "ws", "service", language="en")
        create_user(source, "ada", "admin", PASSWORD)
        save_initiative(source, Initiative("chatbot", "Chatbot", "Sabine Hoffmann", ["chat"]))
        archive = tmp_path / "pg.tar.gz"
        backup(ws, archive)
        assert "app/users.jsonl" in read_manifest(archive)["entries"]
        before = app_checksums(source)

        monkeypatch.setenv("CXO_APP_DATABASE_URL", target)
        restore(tmp_path / "copy", archive)
        after = app_checksums(target)
        assert after.pop("app.audit_log")["rows"] == before.pop("app.audit_log")["rows"] + 1
        assert after == before
        engine = create_engine(target)
        try:
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as con:
                con.execute(text("DELETE FROM audit_log"))
            with engine.begin() as con:  # the ids go on after the restored ones
                create_user(target, "neo", "viewer", PASSWORD)
                assert con.execute(text("SELECT count(*) FROM users")).scalar() == 2
        finally:
            engine.dispose()
