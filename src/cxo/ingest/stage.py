"""The stage: a source streamed, group by group, through validation into one DuckDB table.

Rows are parsed and validated into ``CHECKED`` (committed group by group, so memory stays
flat and DuckDB can spill; helper tables live in the throwaway database ``SCRATCH``). The
next group is read in a thread while DuckDB validates the current one. Rows whose key was
(probably) seen before keep their text, so duplicates found later need no second pass; rows
rejected by whole-batch checks get their text back from a second read (:func:`fill_raw`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from cxo.core.contract import TABLES, get_table
from cxo.ingest.seen import SeenKeys
from cxo.ingest.source import Source, make_batch
from cxo.ingest.validate import Plan, detection_sql, ident, key_norm, lit, raw_sql, validation_sql

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

BATCH_VIEW = "__cxo_batch"
SCRATCH = "__cxo_scratch"
CHECKED = '"__cxo_stage"'
"""The batch's typed rows, staged in the workspace database (outside the contract tables) so
that a first import into an empty table can *become* that table instead of being copied."""
META_COLUMNS = ("__ord", "__line", "__reason", "__field", "__maybe_dup", "__rawtext")


def _with_ord(batch: pa.RecordBatch | pa.Table, offset: int) -> pa.Table:
    ords = pa.array(np.arange(offset, offset + batch.num_rows, dtype=np.int64))
    table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
    return table.append_column("__ord", ords)


def _empty_batch(ncols: int) -> pa.RecordBatch:
    return make_batch([pa.array([], pa.string())] * ncols, pa.array([], pa.int64()))


def check_source(
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
    seen = SeenKeys(source.expected_rows())  # sized to the source when it is known
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
            plan = make_plan(con, table, mapping, source, charter)
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


def plain_string_key(table: str, plan: Plan) -> bool:
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


def fill_raw(con: duckdb.DuckDBPyConnection, source: Source) -> None:
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


def make_plan(
    con: duckdb.DuckDBPyConnection,
    table: str,
    mapping: dict[str, str],
    source: Source,
    charter: Charter | None,
) -> Plan:
    spec = get_table(table)
    plan = Plan(table=spec, mapping=mapping)
    if source.marked:
        plan.marked_encoding = source.encoding or "utf-8"
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
