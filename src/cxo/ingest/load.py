"""One import batch: stage, validate, upsert, quarantine and reconcile in one transaction.

The caller owns the DuckDB transaction (see :func:`cxo.ingest.api.import_file`): either the
whole batch commits, or nothing does. Counting rule: ``read`` is the number of non-empty
data rows in the source; each rejected row is counted once in ``quarantined`` and stored as
one quarantine row listing all of its reasons; ``read = imported + quarantined`` always.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from cxo.core.contract import TABLES, Table, get_table, header_map, normalise_header
from cxo.errors import InputError
from cxo.ingest.readers import CsvFallback, Source, make_batch
from cxo.ingest.seen import SeenKeys
from cxo.ingest.validate import (
    Plan,
    detection_sql,
    ident,
    key_norm,
    lit,
    raw_sql,
    validation_sql,
)

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

ProgressFn = Callable[[int, int | None], None]
"""``(advance, total)``: called as the source is consumed (units: bytes or rows)."""

BATCH_VIEW = "__cxo_batch"
SCRATCH = "__cxo_scratch"
CHECKED = '"__cxo_stage"'
"""The batch's typed rows, staged in the workspace database (outside the contract tables) so
that a first import into an empty table can *become* that table instead of being copied."""
META_COLUMNS = ("__ord", "__line", "__reason", "__field", "__maybe_dup", "__rawtext")


@dataclass
class BatchResult:
    """What one import did, with its reconciliation ``read = imported + quarantined``."""

    batch_id: str
    table: str
    source: str
    file_hash: str | None
    status: str
    """``ok``, ``failed`` (too many rejected; nothing imported) or ``unchanged``."""
    read: int
    imported: int
    quarantined: int
    inserted: int = 0
    updated: int = 0
    empty_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    same_as: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    """Up to five quarantined rows (line, field, reason)."""

    @property
    def reconciles(self) -> bool:
        """Whether ``read == imported + quarantined``."""
        return self.read == self.imported + self.quarantined

    def reconciliation(self, language: str = "en") -> str:
        """``read 100 = imported 97 + quarantined 3`` (German: ``gelesen 100 = importiert 97 +
        in Quarantäne 3``)."""
        from cxo.engine.format import format_number

        def n(x: int) -> str:
            return format_number(x, 0, language)

        if language == "de":
            return (
                f"gelesen {n(self.read)} = importiert {n(self.imported)} "
                f"+ in Quarantäne {n(self.quarantined)}"
            )
        return (
            f"read {n(self.read)} = imported {n(self.imported)} + quarantined {n(self.quarantined)}"
        )

    def summary(self, language: str = "en") -> str:
        """One line for the terminal, in ``language`` (en/de)."""
        de = language == "de"
        rec = self.reconciliation(language)
        if self.status == "unchanged":
            same = "unverändert — gleich wie Batch" if de else "unchanged — identical to batch"
            return f"{self.table} ← {self.source}: {same} {self.same_as} ({rec})"
        extra = ""
        if self.status == "ok":
            extra = (
                f" (neu {self.inserted:,}, aktualisiert {self.updated:,})".replace(",", ".")
                if de
                else f" (new {self.inserted:,}, updated {self.updated:,})"
            )
        return f"{self.table} ← {self.source}: {rec}{extra}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = asdict(self)
        for key in ("started_at", "finished_at"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        return out


def new_batch_id() -> str:
    """Sortable, unique batch id: UTC time plus a random suffix."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


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
        plan, staged = _check(work, source, spec.name, mapping, staging_cols, charter, advance)
    except CsvFallback as exc:
        if source.fallback_path is None:
            raise
        work.execute(f"DROP TABLE IF EXISTS {CHECKED}")
        source.use_python_csv = True
        source.notes.append(f"read with the forgiving CSV parser ({str(exc)[:100]})")
        plan, staged = _check(work, source, spec.name, mapping, staging_cols, charter, advance)
    file_hash = source.file_hash
    if file_hash is None and source.hash_after_read is not None:
        file_hash = source.hash_after_read()
        if prev is not None and prev[1] == file_hash:
            return unchanged(prev)
    _check_foreign(work, plan)
    _mark_duplicates(work, spec.key, flagged=_plain_string_key(spec.name, plan))
    _fill_raw(work, source)
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
        notes=list(source.notes),
        started_at=started,
    )
    if plan.decimal_comma:
        result.notes.append("decimal comma")
    if plan.x_booleans:
        result.notes.append(f"x means yes, empty means no: {', '.join(sorted(plan.x_booleans))}")
    result.examples = [
        {"line": line, "field": fld, "reason": reason}
        for line, fld, reason in work.execute(
            f"SELECT __line, __field, __reason FROM {CHECKED} WHERE __reason IS NOT NULL "
            "ORDER BY __line NULLS LAST, __ord LIMIT 5"
        ).fetchall()
    ]
    con.begin()
    try:
        _commit_batch(con, result, keep_order=keep_order, max_rejected=max_rejected)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return result


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


def _with_ord(batch: pa.RecordBatch | pa.Table, offset: int) -> pa.Table:
    ords = pa.array(np.arange(offset, offset + batch.num_rows, dtype=np.int64))
    table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
    return table.append_column("__ord", ords)


def _empty_batch(ncols: int) -> pa.RecordBatch:
    return make_batch([pa.array([], pa.string())] * ncols, pa.array([], pa.int64()))


def _check(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    table: str,
    mapping: dict[str, str],
    staging_cols: list[str],
    charter: Charter | None,
    advance: Callable[[int], None],
) -> tuple[Plan, int]:
    """Validate every batch as it streams in; typed rows land in the ``CHECKED`` table.

    Decimal comma and x-style booleans are decided on the first batch. Rows whose key was
    (probably) seen earlier in the file keep their text (``__maybe_dup``), so that duplicates
    found after the whole file is read need no second pass over it.
    """
    raw = raw_sql(source.raw_style, source.delimiter, source.headers)
    key_sql = _key_hash_sql(table, mapping)
    seen = SeenKeys()
    groups = _prefetch(_grouped(source.batches(advance)))
    try:
        first = next(groups, None)
        current = _flag_repeats(
            con,
            _with_ord(first if first is not None else _empty_batch(len(staging_cols)), 0),
            key_sql,
            seen,
        )
        con.register(BATCH_VIEW, current)
        try:
            plan = _plan(con, table, mapping, source, charter)
            sql = validation_sql(plan, BATCH_VIEW, staging_cols, raw)
            con.execute(f"CREATE TABLE {CHECKED} AS {sql}")
        finally:
            con.unregister(BATCH_VIEW)
        staged = current.num_rows
        for group in groups:
            con.register(BATCH_VIEW, _flag_repeats(con, _with_ord(group, staged), key_sql, seen))
            try:
                con.execute(f"INSERT INTO {CHECKED} {sql}")
            finally:
                con.unregister(BATCH_VIEW)
            staged += group.num_rows
    finally:
        groups.close()
    return plan, staged


def _key_hash_sql(table: str, mapping: dict[str, str]) -> str | None:
    """``hash(...)`` of the key's staged text as validation will see it, or None."""
    cols = [mapping.get(k) for k in get_table(table).key]
    if not cols or any(c is None for c in cols):
        return None
    return "hash(" + ", ".join(f"NULLIF(trim({ident(c)}), '')" for c in cols if c) + ")"


def _flag_repeats(
    con: duckdb.DuckDBPyConnection, group: pa.Table, key_sql: str | None, seen: SeenKeys
) -> pa.Table:
    """``group`` with ``__maybe_dup``: its key hash was seen before, here or in a prior group."""
    n = group.num_rows
    if key_sql is None or not n:
        return group.append_column("__maybe_dup", pa.array(np.ones(n, dtype=bool)))
    con.register(BATCH_VIEW, group)
    try:
        got = con.execute(f"SELECT __ord, {key_sql} AS h FROM {BATCH_VIEW}").fetchnumpy()
    finally:
        con.unregister(BATCH_VIEW)
    # The scan is parallel and unordered (preserve_insertion_order = false): put rows back.
    first_ord = group.column("__ord")[0].as_py()
    hashes = np.empty(n, dtype=np.uint64)
    hashes[np.asarray(got["__ord"]) - first_ord] = np.asarray(got["h"], dtype=np.uint64)
    flags = seen.check_and_add(hashes)
    ordered = np.sort(hashes)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if len(repeated):
        flags |= np.isin(hashes, repeated)
    return group.append_column("__maybe_dup", pa.array(flags))


def _plain_string_key(table: str, plan: Plan) -> bool:
    """Whether equal typed keys imply equal staged text (so ``__maybe_dup`` finds all repeats)."""
    for name in get_table(table).key:
        col = get_table(table).column(name)
        if col.type != "string" or col.allowed or name in plan.charter_tables:
            return False
    return True


GROUP_ROWS = 400_000
"""Batches are validated in groups this big, so DuckDB can spread one group over threads."""


def _grouped(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
    pending: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        if not batch.num_rows:
            continue
        pending.append(batch)
        rows += batch.num_rows
        if rows >= GROUP_ROWS:
            yield pa.Table.from_batches(pending)
            pending, rows = [], 0
    if pending:
        yield pa.Table.from_batches(pending)


def _prefetch(items: Iterator[pa.Table]) -> Generator[pa.Table, None, None]:
    """Read the next group in a thread while DuckDB validates the current one."""
    import queue
    import threading

    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("done", None))
        except BaseException as exc:  # re-raised in the consumer
            q.put(("error", exc))

    thread = threading.Thread(target=work, name="cxo-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = q.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def _fill_raw(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Rows rejected by whole-batch checks (duplicates, foreign keys) get their text back.

    File sources are read a second time and only the rows needed are rebuilt; where a
    source cannot be re-read (a query), the parsed values stand in as a JSON object.
    """
    row = con.execute(
        f"SELECT count(*), min(__ord), max(__ord) FROM {CHECKED} "
        "WHERE __reason IS NOT NULL AND __rawtext IS NULL"
    ).fetchall()[0]
    if not row or not row[0]:
        return
    con.execute(
        f"CREATE OR REPLACE TABLE {SCRATCH}.need AS SELECT __ord FROM {CHECKED} "
        "WHERE __reason IS NOT NULL AND __rawtext IS NULL"
    )
    if source.rereadable:
        raw = raw_sql(source.raw_style, source.delimiter, source.headers)
        con.execute(f"CREATE OR REPLACE TABLE {SCRATCH}.rawfix (__ord BIGINT, raw VARCHAR)")
        offset = 0
        for group in _grouped(source.batches(lambda _n: None)):
            n = group.num_rows
            if offset + n > row[1] and offset <= row[2]:
                con.register(BATCH_VIEW, _with_ord(group, offset))
                try:
                    con.execute(
                        f"INSERT INTO {SCRATCH}.rawfix SELECT __ord, coalesce(__raw, {raw}) "
                        f"FROM {BATCH_VIEW} WHERE __ord IN (SELECT __ord FROM {SCRATCH}.need)"
                    )
                finally:
                    con.unregister(BATCH_VIEW)
            offset += n
        con.execute(
            f"UPDATE {CHECKED} c SET __rawtext = f.raw "
            f"FROM {SCRATCH}.rawfix f WHERE f.__ord = c.__ord"
        )
        con.execute(f"DROP TABLE {SCRATCH}.rawfix")
    cols = _typed_columns(con)
    obj = ", ".join(f"{lit(c)}, {ident(c)}" for c in cols)
    con.execute(
        f"UPDATE {CHECKED} SET __rawtext = CAST(json_object({obj}) AS VARCHAR) "
        "WHERE __reason IS NOT NULL AND __rawtext IS NULL"
    )
    con.execute(f"DROP TABLE {SCRATCH}.need")


def _typed_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = [d[0] for d in con.execute(f"SELECT * FROM {CHECKED} LIMIT 0").description]
    return [n for n in names if not n.startswith("__")]


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


def _plan(
    con: duckdb.DuckDBPyConnection,
    table: str,
    mapping: dict[str, str],
    source: Source,
    charter: Charter | None,
) -> Plan:
    spec = get_table(table)
    plan = Plan(table=spec, mapping=mapping)
    if source.marked:
        enc = next(
            (n.removeprefix("encoding ") for n in source.notes if n.startswith("encoding")), "utf-8"
        )
        plan.marked_encoding = enc
    numbers = {
        c.name: mapping[c.name]
        for c in spec.columns
        if c.type in ("number", "integer") and c.name in mapping
    }
    bools = {
        c.name: mapping[c.name] for c in spec.columns if c.type == "boolean" and c.name in mapping
    }
    if numbers or bools:
        row = con.execute(detection_sql(BATCH_VIEW, numbers, bools)).fetchall()[0]
        if row is not None:
            comma, dot = int(row[1] or 0), int(row[2] or 0)
            plan.decimal_comma = comma > dot
            plan.x_booleans = {name for name, flag in zip(bools, row[3:], strict=True) if flag}
    if charter is not None:
        for col in spec.columns:
            if col.charter_key and col.name in mapping:
                tbl = f"{SCRATCH}.alias_{col.charter_key}"
                pairs: dict[str, str] = {}
                for raw, key in charter.alias_map(col.charter_key).items():
                    pairs.setdefault(key_norm(raw), key)
                con.execute(f"CREATE OR REPLACE TABLE {tbl} (raw VARCHAR, key VARCHAR)")
                if pairs:
                    con.executemany(f"INSERT INTO {tbl} VALUES (?, ?)", list(pairs.items()))
                plan.charter_tables[col.name] = tbl
    for col in spec.columns:
        if col.references and col.name in mapping:
            ref_table, ref_col = col.references.split(".")
            if ref_table in TABLES and ref_table != table:
                has_rows = con.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {ident(ref_table)})"
                ).fetchall()[0]
                if has_rows and has_rows[0]:
                    plan.foreign[col.name] = (ref_table, ref_col)
    return plan


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
