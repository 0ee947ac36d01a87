"""The import in words: stored reasons read back in both languages, the lines of ``cxo import``.

The reasons are produced by real imports (not written by hand), so a new or changed English
template that the grammar of ``cxo.ingest.reasons`` or the catalogue (``ingest.po``) misses
makes these tests fail. The German output of ``cxo import`` is pinned below as it always was.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import cxo
from cxo.cli.main import app
from cxo.core.charter import template
from cxo.core.messages import Message, msg
from cxo.ingest.api import import_file
from cxo.ingest.batch import BatchResult
from cxo.ingest.reasons import REASONS, parse
from cxo.report import ingest as render
from cxo.report.messages import catalogue
from cxo.workspace import Workspace

HEADER = "response_id;customer_id;survey;touchpoint;responded_at;nps;csat;language\n"
ROWS = [
    "r1;c1;s;support;01.03.2024;9;5;de",  # fine
    "r2;c1;s;support;01.03.2024;11;5;de",  # out of range
    "r3;c1;s;support;01.03.2024;neun;0;de",  # not a number; csat out of range
    "r4;c1;s;support;01.03.2024;7.5;5;de",  # not a whole number
    "r5;c1;s;support;31.02.2024;7;5;de",  # not a date
    "r6;c1;s;mond;01.03.2024;7;5;de",  # unknown touchpoint
    "r7;c1;;support;01.03.2024;7;5;de",  # required value empty
    "r8;c1;s;support;01.03.1850;7;5;de",  # outside the years
    "r9;c1;s;support;01.03.2024;7;5;fr",  # not one of
    "r1;c1;s;support;01.03.2024;9;5;de",  # duplicate key
    "r11;c1;s;support;01.03.2024;9",  # wrong number of fields
    "r12;c1;s;support;01.03.2024 25:00;9;5;de",  # not a date/time
]


def _reasons(tmp_path: Path) -> list[str]:
    csv_path = tmp_path / "r.csv"
    csv_path.write_text(HEADER + "\n".join(ROWS) + "\n", "utf-8")
    res = cxo.read(csv_path, table="responses", charter=template("software"))
    reasons = [str(r) for r in res.quarantine.column("reason").to_pylist()]
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_bytes(
        b'{"response_id": "j1", "survey": "s", "touchpoint": "a", "responded_at": "2024-01-01"}\n'
        b"{broken\n[1, 2]\n"
        b'{"response_id": "j2", "survey": "\xff", "touchpoint": "a", "responded_at": "2024"}\n'
    )
    res = cxo.read(jsonl, table="responses")
    reasons += [str(r) for r in res.quarantine.column("reason").to_pylist()]
    others = {
        "customers": "customer_id;signup_date\nc1;31.02.2024\n",  # not a date
        "sessions": "session_id;started_at;task;succeeded\ns1;2024-01-01;t;vielleicht\n",
    }
    for table, text in others.items():
        path = tmp_path / f"{table}.csv"
        path.write_text(text, "utf-8")
        res = cxo.read(path, table=table)
        reasons += [str(r) for r in res.quarantine.column("reason").to_pylist()]
    bad = tmp_path / "b.csv"
    bad.write_bytes(
        b"response_id,survey,touchpoint,responded_at,comment\n"
        + "r1,s,a,2024-01-01,schön\n".encode()
        + b"r2,s,a,2024-01-01,bad \xff\xfe byte\n"
    )
    res = cxo.read(bad, table="responses")
    return reasons + [str(r) for r in res.quarantine.column("reason").to_pylist()]


def test_every_real_reason_reads_back_exactly_and_in_german(tmp_path: Path) -> None:
    reasons = _reasons(tmp_path)
    names = set()
    for reason in reasons:
        parts = parse(reason)
        names |= {p.key for p in parts if isinstance(p, Message)}
        assert render.reason_text(reason, "en") == reason
        german = render.reason_text(reason, "de")
        assert german != reason
        assert not any(
            word in str(german)
            for word in ("is not", "required", "out of", "unknown", "duplicate", "fields")
        ), german
    expected = {
        "required", "not_whole_number", "not_number", "not_date", "not_timestamp",
        "not_boolean", "outside_years", "out_of_range", "not_allowed", "unknown_key",
        "duplicate_key", "field_count", "invalid_json", "not_an_object", "bad_bytes",
        "bad_bytes_marked",
    }  # fmt: skip
    assert {f"ingest.reason.{n}" for n in expected} <= names, names


def test_several_reasons_of_one_row_and_unknown_wording() -> None:
    reason = "nps: '11' is out of range 0–10; csat: '0' is out of range 1–5"
    assert render.reason_text(reason, "de") == (
        "nps: '11' liegt außerhalb des Bereichs 0–10; csat: '0' liegt außerhalb des Bereichs 1–5"
    )
    assert render.reason_text("something new", "de") == "something new"
    assert render.reason_text(None, "de") is None
    # a quoted value keeps whatever it holds, even words of another template
    odd = "comment: 'is not a number' is not one of a, b"
    assert render.reason_text(odd, "de") == "comment: 'is not a number' ist keiner der Werte a, b"


def test_the_english_catalogue_is_the_stored_wording() -> None:
    texts = catalogue("en")
    for name, template_text in REASONS.items():
        assert texts[f"ingest.reason.{name}"] == template_text


def _batch(**kw: object) -> BatchResult:
    args: dict[str, object] = {
        "batch_id": "20260101T000000-abc",
        "table": "responses",
        "source": "a.csv",
        "file_hash": None,
        "status": "ok",
        "read": 1234,
        "imported": 1230,
        "quarantined": 4,
        "inserted": 1000,
        "updated": 230,
    }
    args.update(kw)
    return BatchResult(**args)  # type: ignore[arg-type]


def test_summary_lines_in_both_languages() -> None:
    batch = _batch()
    assert render.summary(batch, "en") == (
        "responses ← a.csv: read 1,234 = imported 1,230 + quarantined 4 (new 1,000, updated 230)"
    )
    assert render.summary(batch, "de") == (
        "responses ← a.csv: gelesen 1.234 = importiert 1.230 + in Quarantäne 4 "
        "(neu 1.000, aktualisiert 230)"
    )
    same = _batch(status="unchanged", same_as="20250101T000000-def")
    assert render.summary(same, "de") == (
        "responses ← a.csv: unverändert — gleich wie Batch 20250101T000000-def "
        "(gelesen 1.234 = importiert 1.230 + in Quarantäne 4)"
    )
    failed = _batch(status="failed", imported=0)
    assert render.summary(failed, "en") == (
        "responses ← a.csv: read 1,234 = imported 0 + quarantined 4"
    )
    assert render.reconciliation(batch, "en") == "read 1,234 = imported 1,230 + quarantined 4"


def test_notes_details_and_examples() -> None:
    batch = _batch(
        notes=[
            msg("ingest.note.encoding", encoding="cp1252"),
            msg("ingest.note.separator", separator="';'"),
            msg("ingest.note.decimal_comma"),
        ],
        ignored_columns=["Farbe"],
        empty_rows=2,
        examples=[
            {"line": None, "field": None, "reason": "duplicate key r1 (first seen on line 2)"}
        ],
    )
    assert render.notes(batch, "en") == ["encoding cp1252", "separator ';'", "decimal comma"]
    assert render.notes(batch, "de") == ["Kodierung cp1252", "Trennzeichen ';'", "Dezimalkomma"]
    assert render.details(batch, "en") == ["ignored columns: Farbe", "skipped 2 empty rows"]
    assert render.example_line("a.csv", batch.examples[0], "de") == (
        "a.csv:? [Zeile] doppelter Schlüssel r1 (zuerst in Zeile 2)"
    )
    assert render.rejected_hint(batch, "en") == (
        "all 4 rejected rows: select * from quarantine where batch_id = '20260101T000000-abc'"
    )
    out = render.to_json(batch)
    assert out["notes"] == ["encoding cp1252", "separator ';'", "decimal comma"]
    assert out["notes_de"][0] == "Kodierung cp1252"
    assert out["note_messages"][0]["message"] == "ingest.note.encoding"
    json.dumps(out, allow_nan=False)


# --- pinned: the German of ``cxo import`` as it was before the catalogue ------------------

PINNED_HEADER = "response_id;customer_id;survey;touchpoint;responded_at;nps;csat;language\n"
PINNED_ROWS = [
    "r1;c1;s;support;01.03.2024;9;5;de",  # fine
    "r2;c1;s;support;01.03.2024;11;5;de",  # out of range
    "r3;c1;s;support;01.03.2024;neun;5;de",  # not a number
    "r4;c1;s;support;01.03.2024;7.5;5;de",  # not a whole number
    "r5;c1;s;support;31.02.2024;7;5;de",  # not a date
    "r6;c1;s;mond;01.03.2024;7;5;de",  # unknown touchpoint
    "r7;c1;;support;01.03.2024;7;5;de",  # required value empty
    "r8;c1;s;support;01.03.1850;7;5;de",  # outside the years
    "r9;c1;s;support;01.03.2024;7;5;fr",  # not one of
    "r1;c1;s;support;01.03.2024;9;5;de",  # duplicate key
    "r10;c9;s;support;01.03.2024;9;5;de",  # customer not found
    "r11;c1;s;support;01.03.2024;9",  # wrong number of fields
]


def test_every_real_reason_is_translated(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "software")
    (tmp_path / "customers.csv").write_text("customer_id;signup_date\nc1;01.01.2023\n", "utf-8")
    import_file(ws, "customers", tmp_path / "customers.csv")
    path = tmp_path / "responses.csv"
    path.write_text(PINNED_HEADER + "\n".join(PINNED_ROWS) + "\n", "utf-8")
    import_file(ws, "responses", path)
    with ws.connect(read_only=True) as con:
        reasons = [r[0] for r in con.execute("select reason from quarantine").fetchall()]
    assert len(reasons) >= 10
    english = ("is not", "required", "out of", "unknown", "duplicate", "not found", "fields")
    for reason in reasons:
        german = render.reason_text(reason, "de")
        assert german != reason, reason
        assert not any(word in german for word in english), (reason, german)
        assert render.reason_text(reason, "en") == reason
    # quoted values stay verbatim
    assert any(
        "'11' liegt außerhalb des Bereichs 0–10" in str(render.reason_text(r, "de"))
        for r in reasons
    )


def test_cli_prints_reasons_in_the_workspace_language(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(PINNED_HEADER + PINNED_ROWS[0] + "\n" + PINNED_ROWS[1] + "\n", "utf-8")
    for language, line, reason in (
        ("de", "gelesen 2 = importiert 1 + in Quarantäne 1", "liegt außerhalb des Bereichs"),
        ("en", "read 2 = imported 1 + quarantined 1", "is out of range"),
    ):
        ws = Workspace.create(tmp_path / language, "software", language=language)
        out = CliRunner().invoke(app, ["import", "responses", str(path), "-w", str(ws.root)])
        assert out.exit_code == 0, out.output
        assert line in out.output
        assert reason in out.output


def test_mapping_reasons_read_in_german() -> None:
    from cxo.report.ingest import reason_text

    assert reason_text("seat_comfort: '7' is outside the scale 0–5", "de") == (
        "seat_comfort: '7' liegt außerhalb der Skala 0–5"
    )
    assert reason_text("signup_date: 'x' does not match the date format %d.%m.%Y", "de") == (
        "signup_date: 'x' passt nicht zum Datumsformat %d.%m.%Y"
    )
    assert reason_text("signup_date: months() needs a whole number, not 'abc'", "de") == (
        "signup_date: months() braucht eine ganze Zahl, nicht 'abc'"
    )
