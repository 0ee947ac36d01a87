"""GDPR erasure (Art. 17): remove one customer from every table and file of a workspace.

:func:`erase_customer` runs under the workspace's import lock (no import writes meanwhile):

1. **Analytical tables** (DuckDB), in one transaction: every row of every table whose id
   columns (``*_id``) hold the customer id or the key of one of their rows (their responses,
   contracts, cases, sends, sessions — so ratings, tagged comments and themes of their responses
   go too); quarantined raw rows that name them; the id and their e-mail addresses inside other
   rows' text become ``[erased]``. A bookkeeping row in ``import_batches`` (status ``erasure``)
   moves the data version, so the web app drops cached pages. The file is then rewritten
   (``COPY FROM DATABASE`` into a new file, swapped in with a rename): DuckDB leaves deleted
   rows in free blocks, a rewritten file holds only live data.
2. **Operational store** (SQLite/PostgreSQL): the same for every table (follow-up tasks …)
   except ``audit_log`` (which never holds customer data, :func:`cxo.store.audit.scrub`) and
   ``alembic_version``; SQLite is then ``VACUUM``-ed, PostgreSQL tables ``VACUUM``-ed.
3. **Files**: every file under the workspace — source Parquet/CSV, reports, and the published
   Parquet lake (``cxo publish``, also when ``[lake] path`` points outside the workspace) — see
   :mod:`cxo.privacy.files`.
4. **Verification**: every table is queried and every file searched byte by byte for the id,
   the e-mail addresses and the comment texts; what remains is reported (the command fails).
5. **Audit**: one ``customer.erase`` entry with the counts per table — never the id.

Not covered: backups made before the erasure (they age out with the backup rotation) and a
re-import of an old source file that still holds the customer.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.errors import UsageError
from cxo.privacy.files import FileChange, erase_file, remaining
from cxo.privacy.needles import ERASED, Needles, collect, workspace_files

if TYPE_CHECKING:
    import duckdb

    from cxo.workspace import Workspace

SKIP_APP_TABLES = ("audit_log", "alembic_version")


@dataclass
class ErasureResult:
    """What one erasure removed (counts only: the customer id is not repeated)."""

    erasure_id: str
    found: dict[str, Any]
    analytics: dict[str, int] = field(default_factory=dict)
    """DuckDB table → rows deleted (``<table>.replaced`` → values replaced)."""
    operational: dict[str, int] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    """Tables and files that still hold a needle after the erasure (should be empty)."""

    @property
    def complete(self) -> bool:
        """Whether nothing of the customer remains."""
        return not self.remaining

    @property
    def rows(self) -> int:
        """Rows deleted from tables and files."""
        tables = sum(v for k, v in self.analytics.items() if not k.endswith(".replaced"))
        ops = sum(v for k, v in self.operational.items() if not k.endswith(".replaced"))
        return tables + ops + sum(int(f["rows_removed"]) for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (also the audit entry's ``after``)."""
        return {
            "erasure_id": self.erasure_id,
            "found": self.found,
            "analytics": dict(sorted(self.analytics.items())),
            "operational": dict(sorted(self.operational.items())),
            "files": self.files,
            "rows": self.rows,
            "remaining": self.remaining,
            "complete": self.complete,
        }


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _string_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND data_type = 'VARCHAR' AND NOT internal "
        "ORDER BY table_name, column_index"
    ).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(str(table), []).append(str(column))
    base = {
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
        ).fetchall()
    }
    return {t: cols for t, cols in out.items() if t in base}


def _is_id(column: str) -> bool:
    return column == "id" or column.endswith("_id")


def _erase_analytics(con: duckdb.DuckDBPyConnection, needles: Needles) -> dict[str, int]:
    counts: dict[str, int] = {}
    con.execute("CREATE OR REPLACE TEMP TABLE _cxo_erase_ids (id VARCHAR)")
    con.executemany("INSERT INTO _cxo_erase_ids VALUES (?)", [[x] for x in sorted(needles.ids)])
    pattern = needles.id_pattern()
    comments = sorted(c for c in needles.comments if len(c) >= 12)
    for table, columns in _string_columns(con).items():
        ids = [c for c in columns if _is_id(c)]
        texts = [c for c in columns if not _is_id(c)]
        cond = [f"{_q(c)} IN (SELECT id FROM _cxo_erase_ids)" for c in ids]
        params: dict[str, Any] = {}
        if table == "quarantine":  # a rejected raw row naming the customer is theirs
            cond += [f"regexp_matches({_q(c)}, $p)" for c in texts]
            cond += [f"contains({_q(c)}, $c{i})" for c in texts for i in range(len(comments))]
            params = {"p": pattern, **{f"c{i}": v for i, v in enumerate(comments)}}
        if cond:
            before = con.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()
            con.execute(f"DELETE FROM {_q(table)} WHERE {' OR '.join(cond)}", params or None)
            after = con.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()
            gone = int(before[0] if before else 0) - int(after[0] if after else 0)
            if gone:
                counts[table] = gone
        for column in texts if table != "quarantine" else []:
            row = con.execute(
                f"SELECT count(*) FROM {_q(table)} WHERE regexp_matches({_q(column)}, $p)",
                {"p": pattern},
            ).fetchone()
            if row and row[0]:
                con.execute(
                    f"UPDATE {_q(table)} SET {_q(column)} = "
                    f"regexp_replace({_q(column)}, $p, '\\1{ERASED}\\3', 'g') "
                    f"WHERE regexp_matches({_q(column)}, $p)",
                    {"p": pattern},
                )
                counts[f"{table}.replaced"] = counts.get(f"{table}.replaced", 0) + int(row[0])
    con.execute("DROP TABLE _cxo_erase_ids")
    return counts


def _bookkeeping(con: duckdb.DuckDBPyConnection, kind: str, ident: str, rows: int) -> None:
    """A row in ``import_batches`` so that caches keyed on the data version are dropped."""
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "import_batches" not in present:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        "INSERT INTO import_batches (batch_id, table_name, source, file_hash, started_at, "
        "finished_at, rows_read, rows_imported, rows_quarantined, rows_inserted, rows_updated, "
        "status) VALUES (?, '*', ?, NULL, ?, ?, 0, 0, 0, 0, ?, ?)",
        [f"{kind}-{ident}", f"cxo {kind}", now, now, rows, kind],
    )


def rewrite_duckdb(path: Path) -> None:
    """Copy the live data of the DuckDB file ``path`` into a fresh file and swap it in."""
    import duckdb

    tmp = path.with_name(f".{path.name}.rewrite-{uuid.uuid4().hex[:8]}")
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH '{_lit(path)}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{_lit(tmp)}' AS dst")
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("DETACH dst")
        # swapped while ``src`` is still attached: its read lock keeps writers out until the
        # new file is in place, so no write can land in the old file and be lost
        os.replace(tmp, path)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()


def _lit(path: Path) -> str:
    return str(path).replace("'", "''")


def _erase_operational(url: str, needles: Needles) -> dict[str, int]:
    from sqlalchemy import String, Text, create_engine, inspect, text

    counts: dict[str, int] = {}
    engine = create_engine(url)
    regex = needles.text_regex()
    try:
        names = [t for t in inspect(engine).get_table_names() if t not in SKIP_APP_TABLES]
        with engine.begin() as con:
            if engine.dialect.name == "sqlite":
                con.execute(text("PRAGMA secure_delete = ON"))
            for table in names:
                cols = inspect(con).get_columns(table)
                strings = [c["name"] for c in cols if isinstance(c["type"], String | Text)]
                ids = [c for c in strings if _is_id(c)]
                has_version = any(c["name"] == "version" for c in cols)
                if ids:
                    params = {f"i{n}": v for n, v in enumerate(sorted(needles.ids))}
                    marks = ", ".join(f":{k}" for k in params)
                    where = " OR ".join(f'"{c}" IN ({marks})' for c in ids)
                    gone = con.execute(text(f'DELETE FROM "{table}" WHERE {where}'), params)
                    if gone.rowcount:
                        counts[table] = int(gone.rowcount)
                replaced = _replace_rows(con, table, strings, ids, regex, has_version)
                if replaced:
                    counts[f"{table}.replaced"] = replaced
    finally:
        engine.dispose()
    _vacuum(url)
    return counts


def _replace_rows(
    con: Any, table: str, strings: list[str], ids: list[str], regex: re.Pattern[str], bump: bool
) -> int:
    from sqlalchemy import text

    texts = [c for c in strings if c not in ids]
    if not texts:
        return 0
    replaced = 0
    key = "id"
    for column in texts:
        rows = con.execute(
            text(f'SELECT "{key}", "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL')
        ).fetchall()
        for ident, value in rows:
            new, hits = regex.subn(ERASED, str(value))
            if hits:
                extra = ', "version" = "version" + 1' if bump else ""
                con.execute(
                    text(f'UPDATE "{table}" SET "{column}" = :v{extra} WHERE "{key}" = :k'),
                    {"v": new, "k": ident},
                )
                replaced += hits
    return replaced


def _vacuum(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as con:
            con.execute(text("VACUUM"))
    finally:
        engine.dispose()


def verify(ws: Workspace, needles: Needles) -> list[str]:
    """Where a needle of the customer still is: ``duckdb:<table>``, ``app:<table>``, paths."""
    out: list[str] = []
    pattern = needles.id_pattern()
    with ws.connect(read_only=True, embedded=True) as con:
        for table, columns in _string_columns(con).items():
            cond = [f"regexp_matches({_q(c)}, $p)" for c in columns]
            params: dict[str, Any] = {"p": pattern}
            if any(_is_id(c) for c in columns):
                cond += [f"{_q(c)} IN (SELECT unnest($ids))" for c in columns if _is_id(c)]
                params["ids"] = sorted(needles.ids)
            row = con.execute(
                f"SELECT count(*) FROM {_q(table)} WHERE {' OR '.join(cond)}", params
            ).fetchone()
            if row and row[0]:
                out.append(f"duckdb:{table}")
    out += _verify_operational(ws.app_database_url, needles)
    for path in workspace_files(ws):
        if remaining(path, needles):
            out.append(str(path))
    return out


def _verify_operational(url: str, needles: Needles) -> list[str]:
    from sqlalchemy import String, Text, create_engine, inspect, text

    out: list[str] = []
    regex = needles.text_regex()
    engine = create_engine(url)
    try:
        for table in inspect(engine).get_table_names():
            cols = inspect(engine).get_columns(table)
            strings = [c["name"] for c in cols if isinstance(c["type"], String | Text)]
            if not strings:
                continue
            select = ", ".join(f'"{c}"' for c in strings)
            with engine.connect() as con:
                for row in con.execute(text(f'SELECT {select} FROM "{table}"')):
                    values = [str(v) for v in row if v is not None]
                    if any(v in needles.ids or regex.search(v) for v in values) or any(
                        c in v for v in values for c in needles.comments if len(c) >= 12
                    ):
                        out.append(f"app:{table}")
                        break
    finally:
        engine.dispose()
    return out


def check_customer_id(value: str) -> str:
    """The customer id without surrounding blanks; :class:`UsageError` when empty."""
    clean = value.strip()
    if not clean or len(clean) > 200 or re.search(r"[\x00-\x1f]", clean):
        raise UsageError(f"not a customer id: {value!r}", hint="pass --customer ID")
    return clean


def erase_customer(
    ws: Workspace, customer_id: str, *, emails: Iterable[str] = (), actor: str | None = None
) -> ErasureResult:
    """Erase ``customer_id`` everywhere (see the module docstring); audited without the id."""
    from cxo.ingest.lock import acquire
    from cxo.store import audit

    customer_id = check_customer_id(customer_id)
    erasure_id = uuid.uuid4().hex[:12]
    with acquire(ws.data_dir):
        con = ws.connect()
        try:
            needles = collect(con, customer_id, emails)
            result = ErasureResult(erasure_id, needles.to_dict())
            con.execute("BEGIN TRANSACTION")
            result.analytics = _erase_analytics(con, needles)
            _bookkeeping(con, "erasure", erasure_id, sum(result.analytics.values()))
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        rewrite_duckdb(ws.duckdb_path)
        result.operational = _erase_operational(ws.app_database_url, needles)
        changes: list[FileChange] = []
        for path in list(workspace_files(ws)):
            change = erase_file(path, needles)
            if change is not None:
                changes.append(change)
        result.files = [c.to_dict(ws.root) for c in changes]
        result.remaining = [_shown(ws, x) for x in verify(ws, needles)]
    audit.record(
        ws.app_database_url,
        actor,
        "customer.erase",
        f"erasure:{erasure_id}",
        None,
        {k: v for k, v in result.to_dict().items() if k != "erasure_id"},
        detail=f"{result.rows} rows, {len(result.files)} files",
    )
    return result


def _shown(ws: Workspace, where: str) -> str:
    try:
        return str(Path(where).relative_to(ws.root))
    except ValueError:
        return where


__all__ = ["ErasureResult", "check_customer_id", "erase_customer", "rewrite_duckdb", "verify"]
