"""CSV reading: separators, quoting, encodings, German Excel exports, formats, line numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import cxo
from cxo.core.charter import template
from cxo.core.messages import msg
from cxo.errors import InputError
from cxo.ingest.api import import_file
from cxo.workspace import Workspace

from .conftest import Query

# A German Excel export: ';', decimal comma with thousands dots, cp1252, dd.mm.yyyy,
# umlauts in headers and values.
GERMAN_CUSTOMERS = (
    "Kundennummer;Anmeldedatum;Kündigungsdatum;Segment;Region;Sprache;Bemerkung\r\n"
    "K-001;01.02.2023;;smb;Baden-Württemberg;Deutsch;Grüße aus Köln\r\n"
    "K-002;15.03.2022;30.06.2024;enterprise;Bayern;de;\r\n"
    'K-003;7.4.2021;;mid_market;Thüringen;en;"Straße; Hausnr."\r\n'
).encode("cp1252")
GERMAN_CONTRACTS = (
    "Vertragsnummer;Kundennummer;Produkt;Vertragsbeginn;Vertragsende;Monatspreis\r\n"
    "V1;K-001;team;01.02.2023;;49,90\r\n"
    "V2;K-002;business;15.03.2022;30.06.2024;1.234,50\r\n"
    "V3;K-003;starter;07.04.21;;9\r\n"
    "V4;K-404;starter;07.04.2021;;12,00\r\n"
).encode("cp1252")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_german_excel_export_cp1252(ws: Workspace, tmp_path: Path, q: Query) -> None:
    batch = import_file(ws, "customers", write(tmp_path / "kunden.csv", GERMAN_CUSTOMERS))
    assert (batch.read, batch.imported, batch.quarantined) == (3, 3, 0)
    assert msg("ingest.note.encoding", encoding="cp1252") in batch.notes
    assert msg("ingest.note.separator", separator="';'") in batch.notes
    assert batch.ignored_columns == ["Bemerkung"]
    got = q(
        "select customer_id, signup_date, churn_date, segment, region, language "
        "from customers order by 1"
    )
    assert got == [
        ("K-001", dt.date(2023, 2, 1), None, "smb", "Baden-Württemberg", "de"),
        ("K-002", dt.date(2022, 3, 15), dt.date(2024, 6, 30), "enterprise", "Bayern", "de"),
        ("K-003", dt.date(2021, 4, 7), None, "mid_market", "Thüringen", "en"),
    ]
    batch = import_file(ws, "contracts", write(tmp_path / "vertraege.csv", GERMAN_CONTRACTS))
    assert (batch.read, batch.imported, batch.quarantined) == (4, 3, 1)
    assert msg("ingest.note.decimal_comma") in batch.notes
    prices = q("select contract_id, monthly_price, start_date from contracts order by 1")
    assert prices == [
        ("V1", 49.9, dt.date(2023, 2, 1)),
        ("V2", 1234.5, dt.date(2022, 3, 15)),
        ("V3", 9.0, dt.date(2021, 4, 7)),
    ]
    [(line, field, reason, raw)] = q(
        "select line, field, reason, raw from quarantine where table_name = 'contracts'"
    )
    assert (line, field) == (5, "customer_id")
    assert reason == "customer_id: 'K-404' not found in table customers"
    assert raw == "V4;K-404;starter;07.04.2021;;12,00"


def test_committed_fixture_matches_the_bytes_in_this_test() -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "ingest" / "kunden_excel_cp1252.csv"
    assert fixture.read_bytes() == GERMAN_CUSTOMERS


@pytest.mark.parametrize(("prefix", "encoding"), [(b"", "utf-8"), (b"\xef\xbb\xbf", "utf-8-sig")])
def test_utf8_with_and_without_bom(tmp_path: Path, prefix: bytes, encoding: str) -> None:
    data = prefix + "Kundennummer,Anmeldedatum,Region\nK1,2024-01-31,Köln\n".encode()
    res = cxo.read(write(tmp_path / "c.csv", data), table="customers")
    assert res.table.to_pylist() == [
        {
            "customer_id": "K1",
            "segment": None,
            "region": "Köln",
            "language": None,
            "signup_date": dt.date(2024, 1, 31),
            "churn_date": None,
            "lifecycle_stage": None,
        }
    ]
    assert msg("ingest.note.encoding", encoding=encoding) in res.batch.notes


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separator_detection_with_quoting(tmp_path: Path, sep: str) -> None:
    text = (
        f"response_id{sep}survey{sep}touchpoint{sep}responded_at{sep}nps{sep}comment\n"
        f'r1{sep}rel{sep}support{sep}2024-05-01{sep}9{sep}"a {sep} b, ""quoted""; c"\n'
        f"r2{sep}rel{sep}billing{sep}2024-05-02 10:11{sep}3{sep}\n"
    )
    res = cxo.read(write(tmp_path / "r.csv", text.encode()), table="responses")
    assert res.reconciliation.read == 2
    assert res.reconciliation.imported == 2
    assert res.table.column("comment").to_pylist() == [f'a {sep} b, "quoted"; c', None]


def test_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    text = (
        "response_id,survey,touchpoint,responded_at,nps\n"  # line 1
        'r1,rel,support,2024-05-01,"9"\n'  # 2
        'r2,"multi\nline\nsurvey",support,2024-05-01,11\n'  # 3-5, nps out of range
        "r3,rel,support\n"  # 6, too few fields
        "\n"  # 7, blank: skipped, not counted
        "r4,rel,support,not a date,5\n"  # 8
        "r1,rel,billing,2024-05-03,7\n"  # 9, duplicate of line 2
    )
    res = cxo.read(write(tmp_path / "r.csv", text.encode()), table="responses")
    rec = res.reconciliation
    assert (rec.read, rec.imported, rec.quarantined) == (5, 1, 4)
    assert res.batch.empty_rows == 1
    got = {r["line"]: (r["field"], r["reason"]) for r in res.quarantine.to_pylist()}
    assert got == {
        3: ("nps", "nps: '11' is out of range 0–10"),
        6: (None, "row has 3 fields, the header has 5"),
        8: ("responded_at", got[8][1]),
        9: ("response_id", "duplicate key r1 (first seen on line 2)"),
    }
    assert got[8][1].startswith("responded_at: 'not a date' is not a date/time")
    raws = {r["line"]: r["raw"] for r in res.quarantine.to_pylist()}
    assert raws[3] == 'r2,"multi\nline\nsurvey",support,2024-05-01,11'
    assert raws[6] == "r3,rel,support"
    assert raws[9] == "r1,rel,billing,2024-05-03,7"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05.01.2024", dt.datetime(2024, 1, 5)),
        ("5.1.2024 13:07", dt.datetime(2024, 1, 5, 13, 7)),
        ("05.01.2024 13:07:09", dt.datetime(2024, 1, 5, 13, 7, 9)),
        ("05.01.24", dt.datetime(2024, 1, 5)),
        ("05.01.24 08:30", dt.datetime(2024, 1, 5, 8, 30)),
        ("2024-01-05", dt.datetime(2024, 1, 5)),
        ("2024-01-05 13:07", dt.datetime(2024, 1, 5, 13, 7)),
        ("2024-01-05T13:07:09", dt.datetime(2024, 1, 5, 13, 7, 9)),
        ("2024-01-05T13:07:09.250", dt.datetime(2024, 1, 5, 13, 7, 9, 250000)),
        ("2024/01/05", dt.datetime(2024, 1, 5)),
    ],
)
def test_date_formats(tmp_path: Path, text: str, expected: dt.datetime) -> None:
    data = f"response_id;survey;touchpoint;responded_at\nr1;rel;support;{text}\n"
    res = cxo.read(write(tmp_path / "r.csv", data.encode()), table="responses")
    assert res.quarantine.num_rows == 0, res.quarantine.to_pylist()
    assert res.table.column("responded_at").to_pylist() == [expected]


@pytest.mark.parametrize("bad", ["31.02.2024", "2024-13-01", "05.01.0024", "yesterday", "5/1"])
def test_bad_dates_are_quarantined(tmp_path: Path, bad: str) -> None:
    data = f"response_id;survey;touchpoint;responded_at\nr1;rel;support;{bad}\n"
    res = cxo.read(write(tmp_path / "r.csv", data.encode()), table="responses")
    [row] = res.quarantine.to_pylist()
    assert row["field"] == "responded_at"
    assert row["line"] == 2


def test_numbers_integers_and_ranges(tmp_path: Path) -> None:
    data = (
        "response_id,survey,touchpoint,responded_at,nps,csat,ces\n"
        "r1,rel,support,2024-01-01,10,5,7\n"
        "r2,rel,support,2024-01-01,0,1,1\n"
        "r3,rel,support,2024-01-01,9.5,,\n"
        "r4,rel,support,2024-01-01,-1,0,8\n"
        "r5,rel,support,2024-01-01,nine,,\n"
        "r6,rel,support,2024-01-01,7.0,,\n"
    )
    res = cxo.read(write(tmp_path / "r.csv", data.encode()), table="responses")
    assert res.table.column("response_id").to_pylist() == ["r1", "r2", "r6"]
    assert res.table.column("nps").to_pylist() == [10, 0, 7]
    reasons = {r["line"]: r["reason"] for r in res.quarantine.to_pylist()}
    assert reasons[4] == "nps: '9.5' is not a whole number"
    assert reasons[5] == (
        "nps: '-1' is out of range 0–10; csat: '0' is out of range 1–5; "
        "ces: '8' is out of range 1–7"
    )
    assert reasons[6] == "nps: 'nine' is not a number"


def test_booleans_and_x_marks(tmp_path: Path) -> None:
    data = (
        "send_id;customer_id;campaign;sent_at;personalisiert;geöffnet;geklickt\n"
        "s1;c1;spring;01.03.2024;ja;wahr;x\n"
        "s2;c1;spring;01.03.2024;nein;falsch;\n"
        "s3;c1;spring;01.03.2024;1;yes;X\n"
        "s4;c1;spring;01.03.2024;0;no;\n"
        "s5;c1;spring;01.03.2024;vielleicht;;\n"
    )
    res = cxo.read(write(tmp_path / "s.csv", data.encode()), table="sends")
    t = res.table
    assert t.column("personalized").to_pylist() == [True, False, True, False]
    assert t.column("opened").to_pylist() == [True, False, True, False]
    assert t.column("clicked").to_pylist() == [True, False, True, False]
    [row] = res.quarantine.to_pylist()
    assert row["line"] == 6
    assert row["field"] == "personalized"


def test_charter_keys_unknown_or_mapped_by_alias(tmp_path: Path) -> None:
    charter = template("software").model_copy(
        update={
            "aliases": template("software").aliases.model_copy(
                update={"touchpoint": {"Hotline": "support"}}
            )
        }
    )
    data = (
        "response_id,survey,touchpoint,responded_at\n"
        "r1,rel,Support,2024-01-01\n"
        "r2,rel,Hotline,2024-01-01\n"
        "r3,rel,Product Use,2024-01-01\n"
        "r4,rel,kantine,2024-01-01\n"
    )
    path = write(tmp_path / "r.csv", data.encode())
    res = cxo.read(path, table="responses", charter=charter)
    assert res.table.column("touchpoint").to_pylist() == ["support", "support", "product_use"]
    [row] = res.quarantine.to_pylist()
    assert row["reason"].startswith("touchpoint: unknown touchpoint 'kantine'")
    # Without a charter, charter keys are not checked.
    assert cxo.read(path, table="responses").reconciliation.imported == 4


def test_missing_required_column_is_a_file_error(ws: Workspace, tmp_path: Path, q: Query) -> None:
    data = b"response_id,survey,responded_at\nr1,rel,2024-01-01\n"
    with pytest.raises(InputError) as err:
        import_file(ws, "responses", write(tmp_path / "r.csv", data))
    assert "r.csv" in err.value.message
    assert "`touchpoint`" in err.value.message
    assert err.value.exit_code == 2
    assert q("select count(*) from responses") == [(0,)]
    assert q("select count(*) from import_batches") == [(0,)]


def test_invalid_bytes_go_to_quarantine_and_nothing_else_is_lost(tmp_path: Path) -> None:
    data = (
        b"response_id,survey,touchpoint,responded_at,comment\n"
        + "r1,rel,support,2024-01-01,schön\n".encode()
        + b"r2,rel,support,2024-01-01,bad \xff\xfe byte\n"
        + b"r3,rel,support,2024-01-01,ok\n"
    )
    res = cxo.read(write(tmp_path / "r.csv", data), table="responses")
    assert res.table.column("comment").to_pylist() == ["schön", "ok"]
    [row] = res.quarantine.to_pylist()
    assert row["line"] == 3
    assert row["field"] == "comment"
    assert "not valid utf-8" in row["reason"]
    assert "\\xff" in row["raw"]


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        cxo.read(write(tmp_path / "e.csv", b""), table="responses")
    res = cxo.read(
        write(tmp_path / "h.csv", b"response_id,survey,touchpoint,responded_at\n"),
        table="responses",
    )
    assert (res.reconciliation.read, res.table.num_rows) == (0, 0)


def test_python_fallback_parser_agrees_with_arrow(tmp_path: Path) -> None:
    from cxo.ingest.csv_source import _arrow_csv_batches, python_csv_batches

    text = 'a;b;c\n1;2;3\n4;5\n\n6;"x\ny";7\n8;9;10;11\n12;13;14\n'
    path = write(tmp_path / "t.csv", text.encode())

    def collect(batches: object) -> list[tuple[object, ...]]:
        out = []
        for b in batches:  # type: ignore[attr-defined]
            d = b.to_pydict()
            for i in range(b.num_rows):
                out.append(
                    (d["__line"][i], d["c0"][i], d["c1"][i], d["c2"][i], d["__err"][i] is not None)
                )
        return sorted(out)

    arrow = collect(_arrow_csv_batches(path, 3, ";", lambda _n: None))
    python = collect(python_csv_batches(path, 3, ";", lambda _n: None))
    assert arrow == python
    assert [r[0] for r in arrow] == [2, 3, 4, 5, 7, 8]
