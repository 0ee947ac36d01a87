"""One import batch: stage, validate, upsert, quarantine and reconcile in one transaction.

The caller owns the DuckDB transaction (see :func:`cxo.ingest.api.import_file`): either the
whole batch commits, or nothing does. Counting rule: ``read`` is the number of non-empty
data rows in the source; each rejected row is counted once in ``quarantined`` and stored as
one quarantine row listing all of its reasons; ``read = imported + quarantined`` always.
The rows reach the stage through :mod:`cxo.ingest.stage`; the whole-batch checks (foreign
keys, duplicates) and the writes into the workspace are here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.core.contract import Table, get_table, header_map, normalise_header
from cxo.core.messages import Message, msg
from cxo.errors import InputError
from cxo.ingest.batch import BatchResult, new_batch_id
from cxo.ingest.csv_source import CsvFallback
from cxo.ingest.source import Source
from cxo.ingest.stage import (
    CHECKED,
    META_COLUMNS,
    SCRATCH,
    check_source,
    fill_raw,
    plain_string_key,
)
from cxo.ingest.validate import Plan, ident, lit

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

from cxo.ingest.lock import clean_stale_scratch, release_for

ProgressFn = Callable[[int, int | None], None]
"""``(advance, total)``: called as the source is consumed (units: bytes or rows)."""

__all__ = ["BatchResult", "ProgressFn", "new_batch_id", "run_batch"]


def map_headers(table: str, headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """canonical column → staging column, and the ignored headers (unknown or duplicate)."""
    hm = header_map(table)
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for i, h in enumerate(headers):
        canon = hm.get(normalise_header(h)) if h else None
        label = h or f"(column {i + 1})"
        if canon is None:
            ignored.append(label)
        elif canon in mapping:
            ignored.append(f"{label} (duplicate of {canon})")
        else:
            mapping[canon] = f"c{i}"
    return mapping, ignored


def check_required(table: str, source: Source, mapping: dict[str, str]) -> None:
    """A missing required column is a file-level error: nothing is imported."""
    spec = get_table(table)
    missing = [c for c in spec.required if c not in mapping]
    if missing:
        col = spec.column(missing[0])
        accepted = ", ".join([col.name, *col.aliases][:8])
        raise InputError(
            f"{source.name}: line 1: required column `{missing[0]}` of table `{table}` is "
            f"missing"
            + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else "")
            + "; nothing was imported",
            hint=f"headers found: {', '.join(source.headers) or '(none)'}; "
            f"accepted for {missing[0]}: {accepted}",
        )


def last_ok_batch(con: duckdb.DuckDBPyConnection, table: str) -> tuple[Any, ...] | None:
    """The latest successful batch of ``table`` (batch_id, file_hash, read, imported, quar.)."""
    rows = con.execute(
        "SELECT batch_id, file_hash, rows_read, rows_imported, rows_quarantined "
        "FROM import_batches WHERE table_name = ? AND status = 'ok' "
        "ORDER BY started_at DESC, batch_id DESC LIMIT 1",
        [table],
    ).fetchall()
    return rows[0] if rows else None


def run_batch(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: Source,
    *,
    charter: Charter | None = None,
    max_rejected: float | None = None,
    force: bool = False,
    progress: ProgressFn | None = None,
    batch_id: str | None = None,
    keep_order: bool = False,
    scratch: Path,
) -> BatchResult:
    """Import ``source`` into ``table`` on ``con`` (which must not be in a transaction).

    Rows are parsed and validated into the staging table ``CHECKED`` (committed group by
    group, so memory stays flat and DuckDB can spill; helper tables live in the throwaway
    database ``scratch``). The contract tables change only in one final transaction: upsert
    (or, into an empty table, a rename of the stage), quarantine, batch record. A stage left
    behind by a killed import is dropped by the next one.
    """
    if scratch.parent.name.startswith("cxo-import-"):
        clean_stale_scratch(scratch.parent.parent, keep=scratch.parent)
    literal = "'" + str(scratch).replace("'", "''") + "'"
    con.execute(f"ATTACH {literal} AS {SCRATCH}")
    con.execute(f"DROP TABLE IF EXISTS {CHECKED}")
    work = con.cursor()
    try:
        return _run(
            con,
            work,
            table,
            source,
            charter=charter,
            max_rejected=max_rejected,
            force=force,
            progress=progress,
            batch_id=batch_id,
            keep_order=keep_order,
        )
    finally:
        work.close()
        con.execute(f"DROP TABLE IF EXISTS {CHECKED}")
        con.execute(f"DETACH {SCRATCH}")
        release_for(scratch.parent)


def _run(
    con: duckdb.DuckDBPyConnection,
    work: duckdb.DuckDBPyConnection,
    table: str,
    source: Source,
    *,
    charter: Charter | None,
    max_rejected: float | None,
    force: bool,
    progress: ProgressFn | None,
    batch_id: str | None,
    keep_order: bool,
) -> BatchResult:
    spec = get_table(table)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    mapping, ignored = map_headers(table, source.headers)
    check_required(table, source, mapping)

    def unchanged(prev: tuple[Any, ...]) -> BatchResult:
        return BatchResult(
            batch_id=prev[0],
            table=table,
            source=source.name,
            file_hash=prev[1],
            status="unchanged",
            read=prev[2],
            imported=prev[3],
            quarantined=prev[4],
            same_as=prev[0],
            ignored_columns=ignored,
            notes=source.notes,
            started_at=started,
            finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )

    prev = None if force else last_ok_batch(con, table)
    if prev is not None and source.file_hash is not None and prev[1] == source.file_hash:
        return unchanged(prev)

    ncols = len(source.headers)
    staging_cols = [f"c{i}" for i in range(ncols)]

    def advance(n: int) -> None:
        if progress is not None:
            progress(n, source.total)

    try:
        plan, staged = check_source(
            work, source, spec.name, mapping, staging_cols, charter, advance
        )
    except CsvFallback as exc:
        if source.fallback_path is None:
            raise
        work.execute(f"DROP TABLE IF EXISTS {CHECKED}")
        source.use_python_csv = True
        source.notes.append(msg("ingest.note.python_csv", error=str(exc)[:100]))
        plan, staged = check_source(
            work, source, spec.name, mapping, staging_cols, charter, advance
        )
    file_hash = source.file_hash
    if file_hash is None and source.hash_after_read is not None:
        file_hash = source.hash_after_read()
        if prev is not None and prev[1] == file_hash:
            return unchanged(prev)
    _check_foreign(work, plan)
    _mark_duplicates(work, spec.key, flagged=plain_string_key(spec.name, plan))
    fill_raw(work, source)
    read, rejected = work.execute(f"SELECT count(*), count(__reason) FROM {CHECKED}").fetchall()[0]
    result = BatchResult(
        batch_id=batch_id or new_batch_id(),
        table=table,
        source=source.name,
        file_hash=file_hash,
        status="ok",
        read=int(read),
        imported=int(read) - int(rejected),
        quarantined=int(rejected),
        empty_rows=staged - int(read),
        ignored_columns=ignored,
        notes=[*source.notes, *_plan_notes(plan)],
        started_at=started,
        examples=_examples(work),
    )
    con.begin()
    try:
        _commit_batch(con, result, keep_order=keep_order, max_rejected=max_rejected)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return result


def _plan_notes(plan: Plan) -> list[Message]:
    """What the first rows decided: decimal comma, ``x`` for yes."""
    notes: list[Message] = []
    if plan.decimal_comma:
        notes.append(msg("ingest.note.decimal_comma"))
    if plan.x_booleans:
        notes.append(msg("ingest.note.x_booleans", columns=", ".join(sorted(plan.x_booleans))))
    return notes


def _examples(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The first five rejected rows (line, field, reason) of the stage."""
    return [
        {"line": line, "field": fld, "reason": reason}
        for line, fld, reason in con.execute(
            f"SELECT __line, __field, __reason FROM {CHECKED} WHERE __reason IS NOT NULL "
            "ORDER BY __line NULLS LAST, __ord LIMIT 5"
        ).fetchall()
    ]


def _commit_batch(
    con: duckdb.DuckDBPyConnection,
    result: BatchResult,
    *,
    keep_order: bool,
    max_rejected: float | None,
) -> None:
    """The workspace's side of a batch (one transaction): upsert, quarantine, bookkeeping."""
    spec = get_table(result.table)
    read, rejected = result.read, result.quarantined
    con.execute(
        "INSERT INTO quarantine (batch_id, table_name, source, line, field, reason, raw) "
        f"SELECT ?, ?, ?, __line, __field, __reason, __rawtext FROM {CHECKED} "
        "WHERE __reason IS NOT NULL ORDER BY __line NULLS LAST, __ord",
        [result.batch_id, result.table, result.source],
    )
    if max_rejected is not None and read and rejected / read > max_rejected:
        result.status = "failed"
        result.imported = 0
    elif not keep_order and _is_empty(con, spec.name):
        _become_table(con, spec)
        result.inserted = result.imported
    else:
        result.inserted, result.updated = _upsert(
            con, spec.name, spec.key, spec.column_names, keep_order=keep_order
        )
    result.finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute(
        "INSERT INTO import_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.batch_id,
            result.table,
            result.source,
            result.file_hash,
            result.started_at,
            result.finished_at,
            result.read,
            result.imported,
            result.quarantined,
            result.inserted,
            result.updated,
            result.status,
        ],
    )


def _is_empty(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(f"SELECT EXISTS (SELECT 1 FROM {ident(table)})").fetchall()[0]
    return not row[0]


def _become_table(con: duckdb.DuckDBPyConnection, spec: Table) -> None:
    """First import into an empty table: the stage (its valid rows) *becomes* the table.

    Renaming costs milliseconds where copying 10M rows costs seconds. The stage's columns
    are the contract's, in order and with the contract's types (see ``validation_sql``);
    the meta columns are dropped and the NOT NULL constraints restored, so the result is
    indistinguishable from a table created by ``create_table_sql``. Runs inside the batch's
    transaction: a kill before the commit leaves the empty table as it was.
    """
    con.execute(f"DELETE FROM {CHECKED} WHERE __reason IS NOT NULL")
    for meta in META_COLUMNS:
        con.execute(f"ALTER TABLE {CHECKED} DROP COLUMN {meta}")
    con.execute(f"DROP TABLE {ident(spec.name)}")
    con.execute(f"ALTER TABLE {CHECKED} RENAME TO {ident(spec.name)}")
    for col in spec.columns:
        if col.required:
            con.execute(
                f"ALTER TABLE {ident(spec.name)} ALTER COLUMN {ident(col.name)} SET NOT NULL"
            )


def _check_foreign(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Values of a foreign key must exist in the referenced table (when it has rows)."""
    for name, (ref_table, ref_col) in plan.foreign.items():
        col = ident(name)
        con.execute(
            f"UPDATE {CHECKED} c SET __reason = {lit(name + ': ')} || '''' || c.{col} || '''' "
            f"|| {lit(' not found in table ' + ref_table)}, __field = {lit(name)} "
            f"WHERE c.__reason IS NULL AND c.{col} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {ident(ref_table)} r WHERE r.{ident(ref_col)} = c.{col})"
        )


def _mark_duplicates(
    con: duckdb.DuckDBPyConnection, key: tuple[str, ...], *, flagged: bool
) -> None:
    """Within the file the first valid row of a key wins; later ones are quarantined.

    With ``flagged`` every repeated key has at least one row with ``__maybe_dup``, so only
    those keys are grouped (a small semi-join instead of grouping every row).
    """
    keys = ", ".join(ident(k) for k in key)
    on = " AND ".join(f"c.{ident(k)} = d.{ident(k)}" for k in key)
    shown = " || ', ' || ".join(f"CAST(d.{ident(k)} AS VARCHAR)" for k in key)
    where = "__reason IS NULL"
    if flagged:
        match = " AND ".join(f"f.{ident(k)} = c.{ident(k)}" for k in key)
        where += (
            f" AND EXISTS (SELECT 1 FROM (SELECT DISTINCT {keys} FROM {CHECKED} "
            f"WHERE __maybe_dup) f WHERE {match})"
        )
    con.execute(
        f"CREATE OR REPLACE TABLE {SCRATCH}.dups AS SELECT {keys}, min(__ord) AS first_ord, "
        f"arg_min(__line, __ord) AS first_line FROM {CHECKED} c WHERE {where} "
        f"GROUP BY {keys} HAVING count(*) > 1"
    )
    con.execute(
        f"UPDATE {CHECKED} c SET __reason = 'duplicate key ' || {shown} || "
        f"' (first seen on line ' || coalesce(CAST(d.first_line AS VARCHAR), '?') || ')', "
        f"__field = {lit(key[0])} FROM {SCRATCH}.dups d "
        f"WHERE {on} AND c.__ord > d.first_ord AND c.__reason IS NULL"
    )
    con.execute(f"DROP TABLE {SCRATCH}.dups")


def _upsert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    *,
    keep_order: bool = False,
) -> tuple[int, int]:
    """Insert new keys, update existing ones; returns (inserted, updated).

    ``keep_order`` inserts new rows in source order (a sort; :func:`cxo.read` wants it).
    """
    order = " ORDER BY c.__ord" if keep_order else ""
    cols = ", ".join(ident(c) for c in columns)
    tgt = ident(table)
    empty = not (con.execute(f"SELECT EXISTS (SELECT 1 FROM {tgt})").fetchall()[0])[0]
    updated = 0
    if not empty:
        on = " AND ".join(f"{tgt}.{ident(k)} = c.{ident(k)}" for k in key)
        sets = ", ".join(f"{ident(c)} = c.{ident(c)}" for c in columns if c not in key)
        row = con.execute(
            f"UPDATE {tgt} SET {sets} FROM {CHECKED} c WHERE c.__reason IS NULL AND {on}"
        ).fetchall()[0]
        updated = int(row[0]) if row else 0
        exists = " AND ".join(f"t.{ident(k)} = c.{ident(k)}" for k in key)
        row = con.execute(
            f"INSERT INTO {tgt} ({cols}) SELECT {', '.join('c.' + ident(c) for c in columns)} "
            f"FROM {CHECKED} c WHERE c.__reason IS NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {tgt} t WHERE {exists}){order}"
        ).fetchall()[0]
    else:
        row = con.execute(
            f"INSERT INTO {tgt} ({cols}) SELECT {cols} FROM {CHECKED} c "
            f"WHERE __reason IS NULL{order}"
        ).fetchall()[0]
    inserted = int(row[0]) if row else 0
    return inserted, updated
