"""The importer's public face: :func:`import_file` (into a workspace) and :func:`read`.

``cxo.read(path, table=...)`` validates a file without a workspace and returns the clean
table, the quarantine and the reconciliation. ``import_file(ws, table, path)`` imports into
the workspace's DuckDB database in one transaction: killed half-way, the previous state
stays; re-importing an identical file is recognised and changes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.core.contract import TABLES, get_table, header_map
from cxo.errors import RejectedShareExceeded, UsageError
from cxo.ingest.batch import BatchResult
from cxo.ingest.load import ProgressFn, run_batch
from cxo.ingest.readers import open_source
from cxo.ingest.schema import ensure_schema
from cxo.privacy.retention import after_import

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from cxo.core.charter import Charter
    from cxo.ingest.mapping import Mapping
    from cxo.ingest.source import Source
    from cxo.workspace import Workspace

__all__ = [
    "DEFAULT_MAX_REJECTED",
    "BatchResult",
    "ReadResult",
    "Reconciliation",
    "check_mapped",
    "import_file",
    "import_mapped",
    "read",
]

MEMORY_LIMIT = "768MB"
DEFAULT_MAX_REJECTED = 0.5
"""``cxo import`` fails (imports nothing, exit 1) when more than half of a file's rows are
rejected: that is a wrong file, table or mapping rather than dirty data. The Python API
keeps ``max_rejected=None`` (no limit) unless asked."""


@dataclass(frozen=True)
class Reconciliation:
    """``read = imported + quarantined``."""

    read: int
    imported: int
    quarantined: int

    @property
    def holds(self) -> bool:
        """Whether the equation holds (it always should)."""
        return self.read == self.imported + self.quarantined


@dataclass
class ReadResult:
    """What :func:`read` returns."""

    table: pa.Table
    """The validated rows, typed per the data contract."""
    quarantine: pa.Table
    """Rejected rows: ``line``, ``field``, ``reason``, ``raw``."""
    reconciliation: Reconciliation
    batch: BatchResult
    """The batch behind it (notes, examples); :func:`cxo.report.ingest.summary` puts it in
    words."""


def check_max_rejected(value: float | None) -> float | None:
    """Validate a ``max_rejected`` share (0–1)."""
    if value is None:
        return None
    if not 0 <= value <= 1:
        raise UsageError(f"--max-rejected must be a share between 0 and 1 (e.g. 0.05), not {value}")
    return value


def _source(
    table: str,
    path: str | Path,
    workdir: Path,
    options: dict[str, Any],
) -> Any:
    known = header_map(table)
    return open_source(path, list(known), workdir, **options)


def identity(
    file_hash: str | None, table: str, charter: Charter | None, mapping: Mapping | None = None
) -> str | None:
    """What makes an import "the same" as an earlier one: the file's hash, and the charter
    keys and aliases the table is checked against, and the mapping's rules for the table.

    Re-importing a file after the charter changed (say, a product added to fix quarantined
    rows) therefore validates it again instead of reporting it unchanged.
    """
    if file_hash is None:
        return None
    import hashlib

    parts = [file_hash]
    if charter is not None:
        kinds = sorted({c.charter_key for c in get_table(table).columns if c.charter_key})
        for kind in kinds:
            pairs = sorted(charter.alias_map(kind).items())
            parts.append(f"{kind}={pairs!r}")
    if mapping is not None and table in mapping.tables:
        parts.append("map=" + mapping.fingerprint(table))
    if len(parts) == 1:
        return file_hash
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _with_identity(
    source: Source, table: str, charter: Charter | None, mapping: Mapping | None = None
) -> Source:
    source.file_hash = identity(source.file_hash, table, charter, mapping)
    after = source.hash_after_read
    if after is not None:

        def hashed() -> str:
            return identity(after(), table, charter, mapping) or ""

        source.hash_after_read = hashed
    return source


def read(
    path: str | Path,
    table: str,
    *,
    charter: Charter | None = None,
    query: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> ReadResult:
    """Read and validate ``path`` as contract table ``table`` without a workspace.

    Charter-key checks (touchpoint, segment, product) run only when ``charter`` is given;
    foreign keys cannot be checked without the referenced tables.
    """
    import duckdb

    get_table(table)
    with tempfile.TemporaryDirectory(prefix="cxo-read-") as tmp:
        con = duckdb.connect()
        try:
            con.execute(f"SET temp_directory = '{Path(tmp) / 'spill'}'")
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            ensure_schema(con)
            source = _source(
                table,
                path,
                Path(tmp),
                {"query": query, "sheet": sheet, "encoding": encoding, "delimiter": delimiter},
            )
            batch = run_batch(
                con,
                table,
                source,
                charter=charter,
                force=True,
                keep_order=True,
                scratch=Path(tmp) / "scratch.duckdb",
            )
            data = con.sql(f'SELECT * FROM "{table}"').to_arrow_table()
            quarantine = con.sql(
                "SELECT line, field, reason, raw FROM quarantine ORDER BY line"
            ).to_arrow_table()
        finally:
            con.close()
    return ReadResult(
        table=data,
        quarantine=quarantine,
        reconciliation=Reconciliation(batch.read, batch.imported, batch.quarantined),
        batch=batch,
    )


def import_file(
    ws: Workspace,
    table: str,
    path: str | Path,
    max_rejected: float | None = None,
    *,
    query: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    force: bool = False,
    progress: ProgressFn | None = None,
    mapping: Mapping | None = None,
) -> BatchResult:
    """Import ``path`` (or a database URL with ``query``) into ``table`` of workspace ``ws``.

    One DuckDB transaction: rows that pass validation are upserted by key, rejected rows go
    to ``quarantine``, and the batch (hash, times, counts) to ``import_batches``. When more
    than ``max_rejected`` (a share) of the rows are rejected nothing is imported, the
    attempt is recorded with status ``failed`` and :class:`RejectedShareExceeded` is raised.
    With ``mapping`` (:mod:`cxo.ingest.mapping`) the file is read through the mapping's rules
    for ``table``.
    """
    get_table(table)
    check_max_rejected(max_rejected)
    options = {"query": query, "sheet": sheet, "encoding": encoding, "delimiter": delimiter}
    charter = ws.charter()
    if mapping is not None and table not in mapping.tables:
        raise UsageError(
            f"mapping {mapping.name} has no rules for table {table}; "
            f"it fills: {', '.join(mapping.tables)}"
        )
    with tempfile.TemporaryDirectory(prefix="cxo-import-", dir=ws.data_dir) as tmp:
        if mapping is not None:
            base = _mapped_base(mapping, [table], path, Path(tmp), options)
            source = _mapped(base, mapping, table, charter)
        else:
            source = _with_identity(_source(table, path, Path(tmp), options), table, charter)
        batch = load_source(
            ws,
            table,
            source,
            charter,
            max_rejected=max_rejected,
            force=force,
            progress=progress,
            scratch=Path(tmp) / "scratch.duckdb",
        )
    _raise_if_failed(batch, max_rejected)
    return batch


def _raise_if_failed(batch: BatchResult, max_rejected: float | None) -> None:
    if batch.status == "failed" and max_rejected is not None:
        share = batch.quarantined / batch.read if batch.read else 0.0
        first = batch.examples[0] if batch.examples else None
        where = (
            f" First: line {first['line']}, field {first['field'] or '-'}: {first['reason']}."
            if first
            else ""
        )
        raise RejectedShareExceeded(
            f"{batch.table} ← {batch.source}: {batch.quarantined:,} of {batch.read:,} rows "
            f"rejected ({share:.1%}), more than --max-rejected {max_rejected:.1%}; "
            "nothing was imported." + where,
            hint=f"see them with: select * from quarantine where batch_id = '{batch.batch_id}'",
        )


def _configure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")


def load_source(
    ws: Workspace,
    table: str,
    source: Source,
    charter: Charter | None,
    *,
    max_rejected: float | None,
    force: bool,
    progress: ProgressFn | None,
    scratch: Path,
) -> BatchResult:
    """Run one import batch of ``source`` into ``table`` on its own workspace connection
    (bounded memory, the contract schema ensured); shared by every kind of import."""
    con = ws.connect()
    try:
        _configure(con)
        ensure_schema(con)
        batch = run_batch(
            con,
            table,
            source,
            charter=charter,
            max_rejected=max_rejected,
            force=force,
            progress=progress,
            scratch=scratch,
        )
    finally:
        con.close()
    after_import(ws, batch)  # audit log + retention periods (cxo.privacy.retention)
    if ws.settings.publish_after_import and batch.status != "failed":
        from cxo.lake import publish

        publish(ws)  # [lake] publish_after_import: readers of the lake see this batch
    return batch


# --- imports through a mapping file -----------------------------------------------------------


def _mapped_base(
    mapping: Mapping, tables: list[str], path: str | Path, workdir: Path, options: dict[str, Any]
) -> Source:
    """The source file, opened once for every table the mapping fills from it."""
    known: list[str] = []
    for table in tables:
        known += list(header_map(table))
        known += sorted(mapping.tables[table].source_names())
    return open_source(path, known, workdir, **options)


def _mapped(base: Source, mapping: Mapping, table: str, charter: Charter | None) -> Source:
    from cxo.ingest.mapping_source import map_source

    return _with_identity(map_source(base, mapping, table, base.file_hash), table, charter, mapping)


def _targets(mapping: Mapping, tables: list[str] | None) -> list[str]:
    from cxo.ingest.mapping import table_order

    wanted = list(mapping.tables) if not tables or tables == ["all"] else tables
    for table in wanted:
        get_table(table)
        if table not in mapping.tables:
            raise UsageError(
                f"mapping {mapping.name} has no rules for table {table}; "
                f"it fills: {', '.join(mapping.tables)}"
            )
    return table_order(wanted)


def import_mapped(
    ws: Workspace,
    path: str | Path,
    mapping: Mapping,
    tables: list[str] | None = None,
    max_rejected: float | None = None,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    force: bool = False,
    progress: ProgressFn | None = None,
    on_batch: Callable[[BatchResult], None] | None = None,
) -> list[BatchResult]:
    """Import one file into every table ``mapping`` fills (or ``tables``), in dependency
    order (responses before ratings). Each table is its own transaction; a table failing
    ``max_rejected`` raises :class:`RejectedShareExceeded` and later tables are not imported
    (``on_batch`` is called with each table's result as it is done, so the tables imported
    before a failure can be reported).
    """
    check_max_rejected(max_rejected)
    targets = _targets(mapping, tables)
    options = {"query": None, "sheet": sheet, "encoding": encoding, "delimiter": delimiter}
    charter = ws.charter()
    results: list[BatchResult] = []
    with tempfile.TemporaryDirectory(prefix="cxo-import-", dir=ws.data_dir) as tmp:
        base = _mapped_base(mapping, targets, path, Path(tmp), options)
        sources = [(t, _mapped(base, mapping, t, charter)) for t in targets]
        for table, source in sources:
            batch = load_source(
                ws,
                table,
                source,
                charter,
                max_rejected=max_rejected,
                force=force,
                progress=progress,
                scratch=Path(tmp) / f"scratch-{table}.duckdb",
            )
            _raise_if_failed(batch, max_rejected)
            results.append(batch)
            if on_batch is not None:
                on_batch(batch)
    return results


def check_mapped(
    ws: Workspace,
    path: str | Path,
    mapping: Mapping,
    tables: list[str] | None = None,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> list[BatchResult]:
    """Dry run of :func:`import_mapped`: the same validation against the workspace's data
    and charter, in a throwaway database; the workspace is not changed.

    The quarantined rows of each result are in its ``examples`` (up to five) and counts.
    """
    import duckdb

    targets = _targets(mapping, tables)
    options = {"query": None, "sheet": sheet, "encoding": encoding, "delimiter": delimiter}
    charter = ws.charter()
    results: list[BatchResult] = []
    with tempfile.TemporaryDirectory(prefix="cxo-check-") as tmp:
        base = _mapped_base(mapping, targets, path, Path(tmp), options)
        con = duckdb.connect()
        try:
            con.execute(f"SET temp_directory = '{Path(tmp) / 'spill'}'")
            _configure(con)
            ensure_schema(con)
            _mirror_workspace(con, ws, targets)
            for table in targets:
                results.append(
                    run_batch(
                        con,
                        table,
                        _mapped(base, mapping, table, charter),
                        charter=charter,
                        force=True,
                        scratch=Path(tmp) / f"scratch-{table}.duckdb",
                    )
                )
        finally:
            con.close()
    return results


def _mirror_workspace(con: duckdb.DuckDBPyConnection, ws: Workspace, targets: list[str]) -> None:
    """The workspace's contract tables as seen by a dry run: targets copied (they change),
    the others as read-only views (foreign keys are checked against them)."""
    if not ws.duckdb_path.exists():
        return
    literal = "'" + str(ws.duckdb_path).replace("'", "''") + "'"
    con.execute(f"ATTACH {literal} AS cxo_ws (READ_ONLY)")
    present = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'cxo_ws'"
        ).fetchall()
    }
    for table in TABLES:
        if table not in present:
            continue
        if table in targets:
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM cxo_ws."{table}"')
        else:
            con.execute(f'DROP TABLE "{table}"')
            con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM cxo_ws."{table}"')
