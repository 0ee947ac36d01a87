"""XLSX, Parquet, JSON lines and SQL sources go through the same validation."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cxo
from cxo.errors import InputError
from cxo.ingest.api import import_file
from cxo.workspace import Workspace

from .conftest import Query

EXPECTED = [
    ("r1", "support", dt.datetime(2024, 3, 1, 9, 30), 9, True),
    ("r2", "billing", dt.datetime(2024, 3, 2), 0, False),
]


def test_xlsx_typed_cells_and_german_headers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Antworten"
    sheet.append(["Antwort-ID", "Umfrage", "Kontaktpunkt", "Datum", "Weiterempfehlung", "Notiz"])
    sheet.append(["r1", "rel", "support", dt.datetime(2024, 3, 1, 9, 30), 9, "a"])
    sheet.append(["r2", "rel", "billing", "02.03.2024", 0.0, None])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["r3", "rel", "support", dt.datetime(2024, 3, 3), 12, None])
    path = tmp_path / "antworten.xlsx"
    wb.save(path)
    res = cxo.read(path, table="responses")
    got = res.table.select(["response_id", "touchpoint", "responded_at", "nps"]).to_pylist()
    assert [tuple(r.values()) for r in got] == [e[:4] for e in EXPECTED]
    [bad] = res.quarantine.to_pylist()
    assert (bad["line"], bad["field"]) == (5, "nps")
    assert '"Antwort-ID":"r3"' in bad["raw"]
    assert res.batch.ignored_columns == ["Notiz"]


def test_parquet_by_row_group(tmp_path: Path) -> None:
    table = pa.table(
        {
            "response_id": ["r1", "r2", "r3"],
            "survey": ["rel"] * 3,
            "touchpoint": ["support", "billing", "support"],
            "responded_at": pa.array(
                [dt.datetime(2024, 3, 1, 9, 30), dt.datetime(2024, 3, 2), None],
                pa.timestamp("us"),
            ),
            "nps": pa.array([9, 0, 5], pa.int8()),
        }
    )
    path = tmp_path / "r.parquet"
    pq.write_table(table, path, row_group_size=2)
    res = cxo.read(path, table="responses")
    assert res.table.column("responded_at").to_pylist() == [e[2] for e in EXPECTED]
    assert res.table.column("nps").to_pylist() == [9, 0]
    [bad] = res.quarantine.to_pylist()
    assert (bad["line"], bad["field"]) == (3, "responded_at")


def test_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"send_id": "s1", "customer_id": "c1", "campaign": "x", "sent_at": "2024-03-01", '
        '"personalized": true, "opened": false, "extra": [1]}\n'
        "\n"
        '{"send_id": "s2", "customer_id": "c1", "campaign": "x", "sent_at": "2024-03-01", \n'
        '["not", "an", "object"]\n'
        '{"send_id": "s3", "customer_id": "c2", "campaign": "y", "sent_at": "01.03.2024", '
        '"personalized": "nein"}\n',
        "utf-8",
    )
    res = cxo.read(path, table="sends")
    assert res.table.column("send_id").to_pylist() == ["s1", "s3"]
    assert res.table.column("personalized").to_pylist() == [True, False]
    lines = {r["line"]: r["reason"] for r in res.quarantine.to_pylist()}
    assert set(lines) == {3, 4}
    assert lines[3].startswith("invalid JSON")
    assert lines[4] == "expected a JSON object, got list"
    assert res.reconciliation.read == 4
    assert res.reconciliation.holds


def test_sql_url_and_query(ws: Workspace, tmp_path: Path, q: Query) -> None:
    db = tmp_path / "src.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("create table answers (id text, tp text, ts text, score int)")
        con.executemany(
            "insert into answers values (?, ?, ?, ?)",
            [
                ("r1", "support", "2024-03-01 09:30:00", 9),
                ("r2", "billing", "2024-03-02", 0),
                ("r3", "support", "2024-03-02", 11),
            ],
        )
    con.close()
    query = (
        "select id as response_id, 'rel' as survey, tp as touchpoint, ts as responded_at, "
        "score as nps from answers order by id"
    )
    batch = import_file(ws, "responses", f"sqlite:///{db}", query=query)
    assert (batch.read, batch.imported, batch.quarantined) == (3, 2, 1)
    assert q("select response_id, touchpoint, responded_at, nps from responses order by 1") == [
        e[:4] for e in EXPECTED
    ]
    again = import_file(ws, "responses", f"sqlite:///{db}", query=query)
    assert again.status == "unchanged"
    [(raw,)] = q("select raw from quarantine")
    assert '"nps":"11"' in str(raw)


def test_duckdb_file_and_query_over_parquet(tmp_path: Path) -> None:
    db = tmp_path / "src.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table t as select 'r' || i as response_id, 'rel' as survey, "
            "'support' as touchpoint, timestamp '2024-01-01' + to_days(i) as responded_at, "
            "i % 11 as nps from range(1, 21) r(i)"
        )
        con.execute(f"copy t to '{tmp_path / 't.parquet'}' (format parquet)")
    res = cxo.read(db, table="responses", query="select * from t where nps > 5")
    assert res.reconciliation.read == res.reconciliation.imported == 9
    res = cxo.read(tmp_path / "t.parquet", table="responses", query="select * from source limit 4")
    assert res.table.num_rows == 4


def test_unreadable_sources_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        cxo.read(tmp_path / "nope.csv", table="responses")
    with pytest.raises(InputError, match="--query"):
        cxo.read("sqlite:///x.db", table="responses")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="XLSX"):
        cxo.read(bad, table="responses")
