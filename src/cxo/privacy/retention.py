"""Retention: raw text older than the workspace allows is deleted or anonymised.

Per table, in days, in ``cxo.toml``::

    [retention]
    responses = 730      # comment text of older responses → NULL (scores, themes stay)
    response_text = 730  # the redacted comment of older responses → NULL (themes stay)
    quarantine = 90      # rejected raw rows of older import batches → deleted
    followups = 365      # comment and note of older follow-up tasks → emptied (task stays)

A table without a setting keeps its text. :func:`apply_retention` runs on ``cxo retention
apply`` and after every import (:func:`after_import`); the cut-off is the response time
(``responded_at``), the import batch's start (quarantine) or the task's creation (follow-ups).
The tagged themes and sentiments stay, so the analyses keep their history; a full re-tag
(``cxo text tag --full``) cannot bring the themes of anonymised comments back.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxo.errors import WorkspaceError

if TYPE_CHECKING:
    import duckdb

    from cxo.workspace import Workspace

TABLES = ("responses", "response_text", "quarantine", "followups")
"""The tables a retention period can be set for."""


@dataclass(frozen=True)
class RetentionResult:
    """What one retention run changed."""

    periods: dict[str, int]
    """Table → days kept (only the tables with a setting)."""
    changed: dict[str, int] = field(default_factory=dict)
    """Table → rows deleted or anonymised."""

    @property
    def rows(self) -> int:
        """Rows changed in all tables."""
        return sum(self.changed.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"periods": self.periods, "changed": self.changed, "rows": self.rows}


def periods(ws: Workspace) -> dict[str, int]:
    """The ``[retention]`` settings of ``ws``: table → days; :class:`WorkspaceError` when a
    table is unknown or a period is not a whole number of days ≥ 1."""
    path = ws.root / "cxo.toml"
    try:
        raw = tomllib.loads(path.read_text("utf-8")).get("retention", {})
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{path}: invalid TOML: {exc}") from None
    if not isinstance(raw, dict):
        raise WorkspaceError(f"{path}: [retention] must be a table of days per table")
    out: dict[str, int] = {}
    for table, days in raw.items():
        if table not in TABLES:
            raise WorkspaceError(
                f"{path}: [retention] {table}: unknown table",
                hint=f"retention applies to {', '.join(TABLES)}",
            )
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise WorkspaceError(
                f"{path}: [retention] {table} must be a number of days ≥ 1, not {days!r}"
            )
        out[table] = days
    return out


def _cutoff(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _changed(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> int:
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def _analytics(
    con: duckdb.DuckDBPyConnection, cut: dict[str, int], now: dt.datetime
) -> dict[str, int]:
    out: dict[str, int] = {}
    present = _tables(con)
    if "responses" in cut and "responses" in present:
        when = _cutoff(now, cut["responses"])
        n = _changed(
            con,
            "SELECT count(*) FROM responses WHERE comment IS NOT NULL AND responded_at < ?",
            [when],
        )
        if n:
            con.execute(
                "UPDATE responses SET comment = NULL "
                "WHERE comment IS NOT NULL AND responded_at < ?",
                [when],
            )
            out["responses"] = n
    if "response_text" in cut and {"response_text", "responses"} <= present:
        when = _cutoff(now, cut["response_text"])
        old = (
            "redacted_text IS NOT NULL AND response_id IN "
            "(SELECT response_id FROM responses WHERE responded_at < ?)"
        )
        n = _changed(con, f"SELECT count(*) FROM response_text WHERE {old}", [when])
        if n:
            con.execute(f"UPDATE response_text SET redacted_text = NULL WHERE {old}", [when])
            out["response_text"] = n
    if "quarantine" in cut and {"quarantine", "import_batches"} <= present:
        when = _cutoff(now, cut["quarantine"])
        old = "batch_id IN (SELECT batch_id FROM import_batches WHERE started_at < ?)"
        n = _changed(con, f"SELECT count(*) FROM quarantine WHERE {old}", [when])
        if n:
            con.execute(f"DELETE FROM quarantine WHERE {old}", [when])
            out["quarantine"] = n
    return out


def _followups(url: str, days: int, now: dt.datetime) -> int:
    from sqlalchemy import or_, select

    from cxo.store.db import session_scope
    from cxo.store.models import FollowUpRow

    when = _cutoff(now, days)
    with session_scope(url) as session:
        rows = session.scalars(
            select(FollowUpRow).where(
                FollowUpRow.created_at < when,
                or_(FollowUpRow.comment.is_not(None), FollowUpRow.note != ""),
            )
        ).all()
        for row in rows:
            row.comment = None
            row.note = ""
        session.commit()
        return len(rows)


def apply_retention(
    ws: Workspace, *, now: dt.datetime | None = None, actor: str | None = None
) -> RetentionResult:
    """Delete or anonymise the text older than the ``[retention]`` periods; audited."""
    from cxo.ingest.lock import acquire
    from cxo.privacy.erase import _bookkeeping, _vacuum, rewrite_duckdb
    from cxo.store import audit
    from cxo.store.db import migrate

    cut = periods(ws)
    result = RetentionResult(cut)
    if not cut:
        return result
    when = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with acquire(ws.data_dir):
        if ws.duckdb_path.exists():
            con = ws.connect()
            try:
                con.execute("BEGIN TRANSACTION")
                result.changed.update(_analytics(con, cut, when))
                if result.changed:
                    _bookkeeping(con, "retention", when.strftime("%Y%m%dT%H%M%S%f"), result.rows)
                con.execute("COMMIT")
            finally:
                con.close()
            if result.changed:
                rewrite_duckdb(ws.duckdb_path)
        if "followups" in cut:
            migrate(ws.app_database_url)
            n = _followups(ws.app_database_url, cut["followups"], when)
            if n:
                result.changed["followups"] = n
                _vacuum(ws.app_database_url)  # SQLite keeps deleted text in free pages
    if result.changed:
        audit.record(
            ws.app_database_url,
            actor,
            "retention.apply",
            "retention",
            None,
            result.to_dict(),
            detail=f"{result.rows} rows",
        )
    return result


def after_import(ws: Workspace, batch: Any) -> None:
    """Audit an import batch and apply the retention periods (called by every import)."""
    from cxo.store import audit

    info = batch.to_dict() if hasattr(batch, "to_dict") else {}
    keep = ("batch_id", "table", "status", "read", "imported", "quarantined", "inserted", "updated")
    audit.record(
        ws.app_database_url,
        None,
        "import.batch",
        f"import:{info.get('table', '?')}",
        None,
        {k: info[k] for k in keep if k in info},
        detail=str(info.get("batch_id", "")),
    )
    if info.get("status") == "ok":
        apply_retention(ws)
