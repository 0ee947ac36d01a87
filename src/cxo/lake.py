"""The lake: validated tables published as hive-partitioned Parquet that any engine reads.

Imports stay on the embedded DuckDB file (one node, transactional). ``publish`` copies the
contract tables, the analysed comments and their themes when ``cxo text tag`` made them, and
the import bookkeeping (so readers know the data version) to::

    LAKE/
      _cxo_lake.json               manifest: tables, rows, partition column, published_at
      responses/month=2025-01/data_0.parquet
      responses/month=2025-02/...
      customers/data_0.parquet     tables without a date column: one unpartitioned folder

Tables are partitioned by the month of their first date column (``month=YYYY-MM``; rows
without a date in ``month=none``). A publish writes every table into a staging folder inside
the lake and swaps each table in with a rename, manifest last, so a reader sees either the old
or the new table, never half a table; a crashed publish leaves only a ``.staging-*`` folder,
which the next publish removes.

A workspace points its analytics at a lake with ``[lake] analytics = true`` in ``cxo.toml``:
read-only connections (``Workspace.connect(read_only=True)``, ``Workspace.ibis()``) are then
an in-memory DuckDB with one view per published table over ``read_parquet`` — the same SQL,
the lake's data. Spark or any other Parquet reader opens the same folders.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.core.contract import TABLES
from cxo.errors import MissingDataError, UsageError, WorkspaceError

if TYPE_CHECKING:
    import duckdb

    from cxo.workspace import Workspace

MANIFEST = "_cxo_lake.json"
PARTITION = "month"
NO_DATE = "none"
DERIVED = ("response_text", "response_themes")
"""Published beside the contract tables when ``cxo text tag`` has made them: the analysed
comments (language, sentiment, the redacted text) and their themes, which theme impact and the
voice of the customer read."""
BOOKKEEPING = ("import_batches",)
"""Published beside the contract tables: the data version readers key caches on. The
quarantine is not published (raw rejected rows are personal data and no analysis reads them)."""


@dataclass(frozen=True)
class PublishedTable:
    """One table in the lake."""

    name: str
    rows: int
    partition_by: str | None
    """The date column whose month partitions the table, or ``None`` (one folder)."""
    partitions: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "name": self.name,
            "rows": self.rows,
            "partition_by": self.partition_by,
            "partitions": self.partitions,
        }


@dataclass(frozen=True)
class PublishResult:
    """What ``publish`` wrote."""

    lake: Path
    tables: tuple[PublishedTable, ...]
    published_at: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the manifest's content plus the lake's path)."""
        return {
            "lake": str(self.lake),
            "published_at": self.published_at,
            "tables": [t.to_dict() for t in self.tables],
        }


def date_column(table: str) -> str | None:
    """The column whose month partitions ``table``: its first date or timestamp column."""
    spec = TABLES.get(table)
    if spec is None:
        return None
    for column in spec.columns:
        if column.type in ("date", "timestamp"):
            return column.name
    return None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _present(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE'"
    ).fetchall()
    names = {r[0] for r in rows}
    wanted = [t for t in (*TABLES, *DERIVED, *BOOKKEEPING) if t in names]
    return wanted


def _copy(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> PublishedTable:
    rows = int(con.execute(f"select count(*) from {_quote(table)}").fetchone()[0])  # type: ignore[index]
    column = date_column(table)
    if column is None:
        target.mkdir(parents=True)
        con.execute(
            f"copy (select * from {_quote(table)}) to {_literal(target / 'data_0.parquet')} "
            "(format parquet)"
        )
        return PublishedTable(table, rows, None, 1)
    month = f"coalesce(strftime({_quote(column)}, '%Y-%m'), '{NO_DATE}')"
    con.execute(
        f"copy (select *, {month} as {PARTITION} from {_quote(table)}) to {_literal(target)} "
        f"(format parquet, partition_by ({PARTITION}))"
    )
    if not target.exists():  # an empty table writes no file: keep its schema readable
        target.mkdir(parents=True)
        con.execute(
            f"copy (select *, '{NO_DATE}' as {PARTITION} from {_quote(table)} limit 0) "
            f"to {_literal(target / f'{PARTITION}={NO_DATE}' / 'data_0.parquet')} "
            "(format parquet)"
        )
    partitions = sum(1 for p in target.iterdir() if p.is_dir())
    return PublishedTable(table, rows, column, partitions)


def lake_path(ws: Workspace, out: Path | None = None) -> Path:
    """Where the workspace's lake is: ``out``, else ``[lake] path``, else ``WORKSPACE/lake``."""
    if out is not None:
        return out.resolve()
    configured = ws.settings.lake_path
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else (ws.root / path).resolve()
    return ws.root / "lake"


def publish(ws: Workspace, out: Path | None = None) -> PublishResult:
    """Publish the workspace's validated tables to the lake (atomically per table)."""
    lake = lake_path(ws, out)
    lake.mkdir(parents=True, exist_ok=True)
    for stale in lake.glob(".staging-*"):  # a crashed publish
        shutil.rmtree(stale, ignore_errors=True)
    staging = lake / f".staging-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        with ws.connect(read_only=True, embedded=True) as con:
            tables = _present(con)
            if not [t for t in tables if t in TABLES]:
                raise MissingDataError(
                    f"{ws.duckdb_path}: no table to publish", hint="import data first"
                )
            written = tuple(_copy(con, t, staging / t) for t in tables)
        for table in written:
            final, old = lake / table.name, lake / f".old-{table.name}-{staging.name}"
            if final.exists():
                final.rename(old)
            (staging / table.name).rename(final)
            shutil.rmtree(old, ignore_errors=True)
        published_at = datetime.now(UTC).isoformat(timespec="seconds")
        result = PublishResult(lake, written, published_at)
        tmp = lake / f".{MANIFEST}.{staging.name}"
        tmp.write_text(json.dumps(result.to_dict(), indent=2), "utf-8")
        tmp.replace(lake / MANIFEST)
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def manifest(lake: Path) -> dict[str, Any]:
    """The lake's manifest (what ``publish`` wrote last)."""
    path = lake / MANIFEST
    if not path.is_file():
        raise WorkspaceError(
            f"{lake}: no published lake here (no {MANIFEST})", hint="run `cxo publish`"
        )
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WorkspaceError(f"{path}: cannot read the lake manifest ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("tables"), list):
        raise WorkspaceError(f"{path}: not a cxo lake manifest")
    return doc


def view_sql(lake: Path, table: dict[str, Any]) -> str:
    """``CREATE VIEW`` of one published table over its Parquet files."""
    name = str(table["name"])
    if not name.isidentifier():
        raise WorkspaceError(f"{lake / MANIFEST}: invalid table name {name!r}")
    files = _literal(lake / name / "**" / "*.parquet")
    if table.get("partition_by"):
        source = (
            f"select * exclude ({PARTITION}) from read_parquet({files}, "
            f"hive_partitioning = true, hive_types = {{'{PARTITION}': VARCHAR}})"
        )
    else:
        source = f"select * from read_parquet({files})"
    return f"create or replace view {_quote(name)} as {source}"


def attach_views(con: duckdb.DuckDBPyConnection, lake: Path) -> None:
    """Create a view per published table of ``lake`` in ``con``."""
    for table in manifest(lake)["tables"]:
        if not isinstance(table, dict):
            raise WorkspaceError(f"{lake / MANIFEST}: invalid table entry {table!r}")
        con.execute(view_sql(lake, table))


def check_out(out: Path | None, ws: Workspace) -> Path:
    """Refuse a lake inside the embedded database's folder (it would be backed up twice)."""
    lake = lake_path(ws, out)
    if lake == ws.data_dir or ws.data_dir in lake.parents:
        raise UsageError(f"{lake}: the lake must not be inside {ws.data_dir}")
    return lake
