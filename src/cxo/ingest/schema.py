"""DDL of the analytical database, derived from the data contract."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo.core.contract import TABLES, Table

if TYPE_CHECKING:
    import duckdb

SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}


def create_table_sql(
    table: Table, *, name: str | None = None, temp: bool = False, primary_key: bool = False
) -> str:
    """``CREATE TABLE`` for a contract table.

    Keys are unique because the importer upserts by key (and quarantines duplicates within a
    file); a DuckDB ``PRIMARY KEY`` would only add an in-memory index that halves bulk-insert
    speed, so it is off unless ``primary_key=True``.
    """
    cols = ",\n  ".join(
        f'"{c.name}" {SQL_TYPES[c.type]}{" NOT NULL" if c.required else ""}' for c in table.columns
    )
    key = ", ".join(f'"{k}"' for k in table.key)
    kind = "TEMP TABLE" if temp else "TABLE"
    pk = f",\n  PRIMARY KEY ({key})" if primary_key else ""
    return f'CREATE {kind} IF NOT EXISTS "{name or table.name}" (\n  {cols}{pk}\n)'


BOOKKEEPING_SQL = (
    """CREATE TABLE IF NOT EXISTS import_batches (
  batch_id VARCHAR PRIMARY KEY,
  table_name VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  file_hash VARCHAR,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  rows_read BIGINT NOT NULL,
  rows_imported BIGINT NOT NULL,
  rows_quarantined BIGINT NOT NULL,
  rows_inserted BIGINT,
  rows_updated BIGINT,
  status VARCHAR NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS quarantine (
  batch_id VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  line BIGINT,
  field VARCHAR,
  reason VARCHAR NOT NULL,
  raw VARCHAR
)""",
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every contract table and the bookkeeping tables if they do not exist."""
    for table in TABLES.values():
        con.execute(create_table_sql(table))
    for ddl in BOOKKEEPING_SQL:
        con.execute(ddl)
