"""Retention: raw text older than ``[retention]`` allows is anonymised or deleted — by
``cxo retention apply`` and after every import — and audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.errors import WorkspaceError
from cxo.ingest.api import import_file
from cxo.privacy.retention import apply_retention, periods
from cxo.store.audit import entries
from cxo.store.db import session_scope
from cxo.store.models import FollowUpRow
from cxo.workspace import Workspace
from tests.privacy.support import COMMENT, CUSTOMER, search


def _settings(ws: Workspace, text: str) -> None:
    path = ws.root / "cxo.toml"
    path.write_text(path.read_text("utf-8") + "\n[retention]\n" + text, "utf-8")


def _rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(ws.duckdb_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_old_comments_are_anonymised_and_new_ones_kept(planted: Workspace) -> None:
    _settings(planted, "responses = 100\nresponse_text = 100\n")
    now = dt.datetime(2025, 6, 1)
    cut = now - dt.timedelta(days=100)
    old = _rows(
        planted,
        f"SELECT count(*) FROM responses WHERE comment IS NOT NULL AND responded_at < '{cut}'",
    )[0][0]
    new = _rows(
        planted,
        f"SELECT count(*) FROM responses WHERE comment IS NOT NULL AND responded_at >= '{cut}'",
    )[0][0]
    themes = _rows(planted, "SELECT count(*) FROM response_themes")[0][0]
    assert old
    assert new

    result = apply_retention(planted, now=now, actor="dpo")

    assert result.changed["responses"] == old
    assert _rows(
        planted,
        f"SELECT count(*) FROM responses WHERE comment IS NOT NULL AND responded_at < '{cut}'",
    ) == [(0,)]
    assert _rows(planted, "SELECT count(*) FROM responses WHERE comment IS NOT NULL") == [(new,)]
    assert _rows(
        planted,
        "SELECT count(*) FROM response_text JOIN responses USING (response_id) "
        f"WHERE redacted_text IS NOT NULL AND responded_at < '{cut}'",
    ) == [(0,)]
    assert _rows(planted, "SELECT count(*) FROM response_themes") == [(themes,)]
    # the planted comment was old: gone from the database file too (rewritten)
    assert COMMENT.encode() not in planted.duckdb_path.read_bytes()
    entry = entries(planted.app_database_url, action="retention.apply")[0]
    assert entry.actor == "dpo"
    assert entry.after["changed"]["responses"] == old


def test_quarantine_and_followups_age_out(planted: Workspace) -> None:
    _settings(planted, "quarantine = 30\nfollowups = 30\n")
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=31)
    result = apply_retention(planted, now=later)
    assert result.changed == {"quarantine": 1, "followups": 2}
    assert _rows(planted, "SELECT count(*) FROM quarantine") == [(0,)]
    with session_scope(planted.app_database_url) as session:
        tasks = session.query(FollowUpRow).all()
        assert [(t.comment, t.note) for t in tasks] == [(None, ""), (None, "")]
        assert {t.status for t in tasks} == {"open"}
    assert not any(w.startswith("app") for w in search(planted, (COMMENT,)))


def test_nothing_changes_without_settings_or_before_the_period(planted: Workspace) -> None:
    assert apply_retention(planted).changed == {}
    _settings(planted, "quarantine = 30\n")
    assert apply_retention(planted).changed == {}
    assert _rows(planted, "SELECT count(*) FROM quarantine") == [(1,)]


def test_retention_runs_after_every_import(planted: Workspace, tmp_path: Path) -> None:
    _settings(planted, "responses = 1\n")
    source = tmp_path / "responses.csv"
    source.write_text(
        "response_id,customer_id,survey,touchpoint,responded_at,nps,comment\n"
        "R-new,K-10001,nps,hotline,2020-01-01T10:00:00,3,too old to keep\n",
        "utf-8",
    )
    import_file(planted, "responses", source)
    assert _rows(planted, "SELECT count(*) FROM responses WHERE comment IS NOT NULL") == [(0,)]
    actions = [e.action for e in entries(planted.app_database_url, limit=5)]
    assert actions[:2] == ["retention.apply", "import.batch"]


@pytest.mark.parametrize(
    ("text", "error"),
    [("cases = 10\n", "unknown table"), ("responses = 0\n", "≥ 1"), ('quarantine = "9"\n', "≥ 1")],
)
def test_bad_settings_are_refused(planted: Workspace, text: str, error: str) -> None:
    _settings(planted, text)
    with pytest.raises(WorkspaceError, match=error):
        periods(planted)


def test_retention_cli(planted: Workspace) -> None:
    runner = CliRunner()
    none = runner.invoke(app, ["retention", "apply", "-w", str(planted.root)])
    assert none.exit_code == 0
    assert "No retention periods" in none.stdout
    _settings(planted, "responses = 1\n")
    done = runner.invoke(app, ["retention", "apply", "-w", str(planted.root)])
    assert done.exit_code == 0, done.output
    assert "responses:" in done.stdout
    assert CUSTOMER  # the customer stays; only the text ages out
