"""The importer's public face: :func:`import_file` (into a workspace) and :func:`read`.

``cxo.read(path, table=...)`` validates a file without a workspace and returns the clean
table, the quarantine and the reconciliation. ``import_file(ws, table, path)`` imports into
the workspace's DuckDB database in one transaction: killed half-way, the previous state
stays; re-importing an identical file is recognised and changes nothing.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.core.contract import get_table, header_map
from cxo.errors import RejectedShareExceeded, UsageError
from cxo.ingest.batch import BatchResult
from cxo.ingest.load import ProgressFn, run_batch
from cxo.ingest.readers import open_source
from cxo.ingest.schema import ensure_schema

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from cxo.core.charter import Charter
    from cxo.workspace import Workspace

__all__ = ["BatchResult", "ReadResult", "Reconciliation", "import_file", "read"]

MEMORY_LIMIT = "768MB"


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
) -> BatchResult:
    """Import ``path`` (or a database URL with ``query``) into ``table`` of workspace ``ws``.

    One DuckDB transaction: rows that pass validation are upserted by key, rejected rows go
    to ``quarantine``, and the batch (hash, times, counts) to ``import_batches``. When more
    than ``max_rejected`` (a share) of the rows are rejected nothing is imported, the
    attempt is recorded with status ``failed`` and :class:`RejectedShareExceeded` is raised.
    """
    get_table(table)
    check_max_rejected(max_rejected)
    options = {"query": query, "sheet": sheet, "encoding": encoding, "delimiter": delimiter}
    charter = ws.charter()
    with tempfile.TemporaryDirectory(prefix="cxo-import-", dir=ws.data_dir) as tmp:
        source = _source(table, path, Path(tmp), options)
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
                scratch=Path(tmp) / "scratch.duckdb",
            )
        finally:
            con.close()
    if batch.status == "failed":
        share = batch.quarantined / batch.read if batch.read else 0.0
        first = batch.examples[0] if batch.examples else None
        where = (
            f" First: line {first['line']}, field {first['field'] or '-'}: {first['reason']}."
            if first
            else ""
        )
        raise RejectedShareExceeded(
            f"{batch.source}: {batch.quarantined:,} of {batch.read:,} rows rejected "
            f"({share:.1%}), more than --max-rejected {max_rejected:.1%}; nothing was imported."
            + where,
            hint=f"see them with: select * from quarantine where batch_id = '{batch.batch_id}'",
        )
    return batch


def _configure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
