"""The DuckDB → Spark rewrite of :mod:`cxo.engine.sql` (no JVM: sqlglot only)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from cxo.engine.sql import months_between, table_columns, to_spark
from cxo.errors import UsageError, WorkspaceError
from cxo.workspace import Workspace


def test_decimal_literals_become_doubles_and_integers_stay() -> None:
    out = to_spark("select x / 365.25 + 1, 86400.0, 2e3 from t")
    assert "x / CAST(365.25 AS DOUBLE) + 1" in out
    assert "CAST(86400.0 AS DOUBLE)" in out
    assert "CAST(2e3 AS DOUBLE)" in out or "CAST(2000.0 AS DOUBLE)" in out


def test_hash_is_64_bit_on_spark() -> None:
    assert to_spark("select hash(customer_id) from t") == "SELECT XXHASH64(customer_id) FROM t"


def test_parameters_are_inlined_as_escaped_literals() -> None:
    out = to_spark(
        "select * from t where a = ? and b = ? and c = ? and d = ?",
        ["x' or '1'='1", 3, date(2025, 3, 1), None],
    )
    assert out == (
        "SELECT * FROM t WHERE a = 'x\\' or \\'1\\'=\\'1' AND b = 3 "
        "AND c = CAST('2025-03-01' AS DATE) AND d = NULL"
    )
    assert to_spark("select ?", [0.5]) == "SELECT CAST(0.5 AS DOUBLE)"
    with pytest.raises(UsageError, match="more parameters"):
        to_spark("select 1", [1])
    with pytest.raises(UsageError, match="more \\? placeholders"):
        to_spark("select ?")


@pytest.mark.parametrize(
    ("start", "end"),
    [("2024-01-31", "2024-02-01"), ("2024-02-29", "2025-02-28"), ("2025-05-15", "2024-12-01")],
)
def test_months_between_counts_boundaries_like_duckdb(start: str, end: str) -> None:
    con = duckdb.connect()
    a, b = f"DATE '{start}'", f"DATE '{end}'"
    row = con.execute(f"select {months_between(a, b)}, datediff('month', {a}, {b})").fetchone()
    assert row is not None
    assert row[0] == row[1]


def test_table_columns_on_duckdb() -> None:
    con = duckdb.connect()
    con.execute("create table cases (case_id varchar, contacts int)")
    assert table_columns(con, "cases") == {"case_id", "contacts"}
    assert table_columns(con, "absent") == set()


def test_spark_without_a_published_lake_says_so_before_starting_a_jvm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxo import diagnostics

    def no_jvm() -> None:
        raise AssertionError("a Spark session was started for a workspace without a lake")

    monkeypatch.setattr("cxo.engine.spark.session", no_jvm)
    ws = Workspace.create(tmp_path / "ws", "service")
    with pytest.raises(WorkspaceError, match="no published lake") as err:
        diagnostics.diagnose(ws, "complaints", engine="spark")
    assert err.value.hint == "run `cxo publish`"
