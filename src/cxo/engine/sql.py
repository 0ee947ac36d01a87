"""SQL written once, run on DuckDB or on Spark: the runner the SQL analyses talk to.

The diagnostics are SQL in DuckDB's dialect that aggregate in the engine and fetch small
tables. They talk to a :class:`Runner`: ``execute(sql, parameters)`` returning a cursor with
``fetchall``, ``fetchone`` and ``description`` — which a DuckDB connection already is, so on
DuckDB nothing changes. :class:`SparkRunner` runs the same text on a Spark session over the
published lake (one temp view per table): each statement is transpiled once with sqlglot
(DuckDB → Spark) plus the few rewrites where the dialects mean different things:

* decimal literals (``86400.0``, ``100.0``) become doubles: Spark keeps ``/ 365.25`` decimal and
  rounds the quotient to six places, DuckDB divides in double precision;
* ``hash()`` becomes ``xxhash64`` (Spark's ``hash`` has 32 bits: ids collide beyond ~100k);
* bound parameters (``?``) are inlined as escaped literals;
* ``create or replace temp table T as …`` materialises the query (local checkpoint) as temp
  view ``T``; ``drop table if exists T`` drops it; ``SET …`` is DuckDB tuning and skipped;
* ``information_schema`` is not asked: :func:`table_columns` reads the lake's schema.

Constructs that mean different things in the two dialects are avoided in the SQL itself:
month differences are written :func:`months_between` (DuckDB's ``datediff('month')`` counts
boundaries, Spark's whole months), ASOF joins as windows, ``exclude`` as column lists.

Only aggregates reach Python: a statement whose result has more than ``max_collect`` rows
(``CXO_SPARK_MAX_COLLECT``, default 1,000,000) raises :class:`DriverCollectExceeded` instead
of pulling them to the driver; :attr:`SparkRunner.largest_collect` records the most rows one
statement brought (``tests/spark`` runs the diagnostics with a small bound).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from cxo.errors import CxoError, UsageError

if TYPE_CHECKING:
    import pandas as pd
    import sqlglot.expressions as exp

    from cxo.workspace import Workspace


MAX_COLLECT = 1_000_000
"""Default bound on the rows one statement may bring to the Spark driver."""


class DriverCollectExceeded(CxoError):
    """A statement on Spark would bring more rows to the driver than allowed: the analysis
    must aggregate more in the engine (a bug to report, not a data problem)."""

    code = "driver_collect_exceeded"
    exit_code = 1
    http_status = 500


class Cursor(Protocol):
    """What a statement returns: rows and their column descriptions (DB-API style)."""

    @property
    def description(self) -> Sequence[Sequence[Any]]: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...

    def fetchone(self) -> tuple[Any, ...] | None: ...


class Runner(Protocol):
    """Runs DuckDB-dialect SQL: a DuckDB connection, or a :class:`SparkRunner`."""

    def execute(self, query: str, parameters: object = None) -> Cursor: ...


def months_between(start: str, end: str) -> str:
    """SQL: calendar months from ``start`` to ``end`` (month boundaries crossed), the same on
    every engine (DuckDB's ``datediff('month', start, end)``).

    >>> months_between("a", "b")
    '((year(b) * 12 + month(b)) - (year(a) * 12 + month(a)))'
    """
    return f"((year({end}) * 12 + month({end})) - (year({start}) * 12 + month({start})))"


def frame(con: Runner, query: str, parameters: object = None) -> pd.DataFrame:
    """The result of ``query`` as a pandas frame, on either engine.

    On DuckDB the connection's own ``.df()`` (fast, typed); on Spark the fetched rows with
    the statement's column names and decimals as floats (an aggregate:
    :class:`DriverCollectExceeded` bounds it).
    """
    import pandas as pd

    if isinstance(con, SparkRunner):
        from decimal import Decimal

        rows = con.execute(query, parameters)
        names = [str(d[0]) for d in rows.description]
        out = pd.DataFrame.from_records(rows.fetchall(), columns=names)
        for col in out.columns:  # Spark's decimals as floats, as DuckDB's ``.df()`` gives them
            values = out[col].dropna()
            if out[col].dtype == object and len(values) and isinstance(values.iloc[0], Decimal):
                out[col] = out[col].astype(float)
        return out
    result: pd.DataFrame = con.execute(query, parameters).df()  # type: ignore[attr-defined]
    return result


def scalar(con: Runner, query: str, parameters: object = None) -> Any:
    """The first column of the first row of ``query`` (``None`` when it returns no row)."""
    row = con.execute(query, parameters).fetchone()
    return row[0] if row else None


def temp_table(con: Runner, name: str, data: pd.DataFrame) -> None:
    """Create (or replace) temp table ``name`` holding ``data`` (a small key table from Python:
    candidate cells, a target list of customer ids), on either engine."""
    if isinstance(con, SparkRunner):
        con.temp_from_pandas(name, data)
        return
    view = f"_cxo_{name}_src"
    con.register(view, data)  # type: ignore[attr-defined]
    try:
        con.execute(f'create or replace temp table "{name}" as select * from "{view}"')
    finally:
        con.unregister(view)  # type: ignore[attr-defined]


def table_columns(con: Runner, table: str) -> set[str]:
    """Columns of ``table`` (empty set if the table is absent)."""
    if isinstance(con, SparkRunner):
        return con.table_columns(table)
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'main' and table_name = ?",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


class _Rows:
    """A fetched result (the cursor of :class:`SparkRunner`)."""

    def __init__(self, rows: list[tuple[Any, ...]], names: list[str]) -> None:
        self._rows = rows
        self._next = 0
        self.description: Sequence[Sequence[Any]] = [(n, None) for n in names]

    def fetchall(self) -> list[tuple[Any, ...]]:
        out, self._next = self._rows[self._next :], len(self._rows)
        return out

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]


def _literal(value: object) -> exp.Expression:
    import sqlglot.expressions as exp

    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(str(value))
    if isinstance(value, float):  # a double, as DuckDB binds it (not Spark's decimal literal)
        return exp.cast(exp.Literal.number(repr(value)), "double")
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "timestamp")
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), "date")
    if isinstance(value, str):
        return exp.Literal.string(value)  # sqlglot escapes quotes when it writes Spark SQL
    raise UsageError(f"cannot bind a {type(value).__name__} parameter on Spark")


def to_spark(sql: str, parameters: Sequence[object] = ()) -> str:
    """``sql`` (DuckDB dialect) as Spark SQL, with ``parameters`` inlined as literals.

    >>> to_spark("select x / 365.25, hash(c) from t where a = ?", ["it's"])
    "SELECT x / CAST(365.25 AS DOUBLE), XXHASH64(c) FROM t WHERE a = 'it\\\\'s'"
    """
    import sqlglot
    import sqlglot.expressions as exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    params = list(parameters)

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder):
            if not params:
                raise UsageError("more ? placeholders than parameters")
            return _literal(params.pop(0))
        if isinstance(node, exp.Literal) and not node.is_string:
            text = node.this
            if any(c in text for c in ".eE") and not isinstance(node.parent, exp.Cast):
                return exp.cast(node.copy(), "double")
        if isinstance(node, exp.Anonymous) and node.name.lower() == "hash":
            return exp.Anonymous(this="xxhash64", expressions=node.expressions)
        if type(node).__name__ == "Hash":  # some sqlglot versions parse hash() as exp.Hash
            return exp.Anonymous(this="xxhash64", expressions=[node.this, *node.expressions])
        return node

    tree = tree.transform(rewrite)
    if params:
        raise UsageError("more parameters than ? placeholders")
    return tree.sql(dialect="spark")


class SparkRunner:
    """DuckDB-dialect SQL on a Spark session over a workspace's published lake.

    A session of its own (``newSession``: the temp views of two workspaces never meet) on the
    process's Spark context; every published table is a temp view of its name.
    """

    def __init__(
        self, spark: Any, tables: dict[str, list[str]], max_collect: int | None = None
    ) -> None:
        self.spark = spark
        self._tables = tables
        self._temp: dict[str, Any] = {}
        self.max_collect = max_collect or int(
            os.environ.get("CXO_SPARK_MAX_COLLECT", "") or MAX_COLLECT
        )
        self.largest_collect = 0
        """The most rows a single statement brought to the driver."""

    @classmethod
    def for_workspace(cls, ws: Workspace) -> SparkRunner:
        """A runner over the lake of ``ws`` (``cxo publish`` writes it)."""
        from cxo.engine.spark import session
        from cxo.lake import PARTITION, lake_path, manifest

        lake = lake_path(ws)
        published = [str(t["name"]) for t in manifest(lake)["tables"] if isinstance(t, dict)]
        spark = session().newSession()  # after the manifest: no JVM for a missing lake
        tables: dict[str, list[str]] = {}
        for name in published:
            df = spark.read.parquet(str(lake / name))
            if PARTITION in df.columns:
                df = df.drop(PARTITION)
            df.createOrReplaceTempView(name)
            tables[name] = list(df.columns)
        return cls(spark, tables)

    def table_columns(self, table: str) -> set[str]:
        """Columns of a published table or a temp table (empty set if neither)."""
        if table in self._temp:
            return set(self._temp[table].columns)
        return set(self._tables.get(table, ()))

    def table_names(self) -> set[str]:
        """Names of the published tables (the workspace tables; temp tables not included)."""
        return set(self._tables)

    def execute(self, query: str, parameters: object = None) -> _Rows:
        """Run one statement; see the module docstring for what is rewritten."""
        import re

        params: Sequence[object] = parameters if isinstance(parameters, list | tuple) else ()
        text = query.strip().rstrip(";")
        if text.lower().split()[:1] == ["set"]:
            return _Rows([], [])
        drop = re.match(r"drop\s+table\s+if\s+exists\s+(\w+)\Z", text, re.IGNORECASE)
        if drop:
            self._drop(drop.group(1))
            return _Rows([], [])
        create = re.match(
            r"create\s+or\s+replace\s+temp(?:orary)?\s+table\s+(\w+)\s+as\s+(.*)\Z",
            text,
            re.IGNORECASE | re.DOTALL,
        )
        if create:
            name = create.group(1)
            df = self.spark.sql(to_spark(create.group(2), params)).localCheckpoint(eager=True)
            self._drop(name)
            df.createOrReplaceTempView(name)
            self._temp[name] = df
            return _Rows([], [])
        df = self.spark.sql(to_spark(text, params))
        rows = [tuple(r) for r in df.limit(self.max_collect + 1).collect()]
        if len(rows) > self.max_collect:
            raise DriverCollectExceeded(
                f"a statement on Spark returns more than {self.max_collect:,} rows; the "
                "analysis must aggregate in the engine before fetching",
                hint="raise CXO_SPARK_MAX_COLLECT only to diagnose; report the statement: "
                + " ".join(text.split())[:300],
            )
        self.largest_collect = max(self.largest_collect, len(rows))
        return _Rows(rows, list(df.columns))

    def temp_from_pandas(self, name: str, data: pd.DataFrame) -> None:
        """Temp view ``name`` holding ``data`` (materialised: later statements see a copy)."""
        df = self.spark.createDataFrame(data) if len(data.columns) else None
        if df is None:
            raise UsageError(f"temp table {name} needs at least one column")
        df = df.localCheckpoint(eager=True)
        self._drop(name)
        df.createOrReplaceTempView(name)
        self._temp[name] = df

    def _drop(self, name: str) -> None:
        df = self._temp.pop(name, None)
        if df is not None:
            self.spark.catalog.dropTempView(name)
            df.unpersist()

    def close(self) -> None:
        """Drop the temp tables this runner made (the lake's views go with the session)."""
        for name in list(self._temp):
            self._drop(name)
