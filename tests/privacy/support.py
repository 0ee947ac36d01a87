"""A small workspace with one planted customer whose data sits everywhere: customers,
contracts, responses with comments (one with an e-mail address), ratings, tagged comments,
a quarantined raw row, follow-up tasks, the source CSV files inside the workspace, the
published Parquet lake and a report file quoting a comment."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path

import duckdb

from cxo.ingest.api import import_file
from cxo.store.db import session_scope
from cxo.store.models import FollowUpRow
from cxo.workspace import Workspace

CUSTOMER = "K-90210"
EMAIL = "erika.muster@example.org"
COMMENT = f"Erika here: the router from last week died again, write to {EMAIL} please"
COMMENT_2 = "Die Warteschleife der Hotline dauerte gestern wieder vierzig Minuten lang"
NEEDLES = (CUSTOMER, EMAIL, COMMENT, COMMENT_2, "router from last week", "vierzig Minuten")
OTHERS = 40


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _followup(response_id: str, customer: str, comment: str, at: dt.datetime) -> FollowUpRow:
    return FollowUpRow(
        response_id=response_id,
        customer_id=customer,
        touchpoint="hotline",
        owner="Sabine Hoffmann",
        department="Customer Service",
        reason="detractor",
        nps=1,
        comment=comment,
        themes="",
        responded_at=at,
        due_at=at + dt.timedelta(hours=48),
        status="open",
        closed_by="",
        note=f"called back, {EMAIL} confirmed" if customer == CUSTOMER else "called back",
        created_at=at,
    )


def build(root: Path, *, lake: bool = True) -> Workspace:
    """The workspace (English) with :data:`CUSTOMER` and :data:`OTHERS` other customers."""
    ws = Workspace.create(root, "service", language="en")
    src = ws.root / "imports"
    ids = [CUSTOMER] + [f"K-{10000 + i}" for i in range(OTHERS)]
    _write(
        src / "customers.csv",
        ["customer_id", "segment", "signup_date"],
        [[c, "private", "2024-01-15"] for c in ids],
    )
    _write(
        src / "contracts.csv",
        ["contract_id", "customer_id", "product", "start_date", "monthly_price"],
        [[f"V-{i}", c, "mobile_s", "2024-02-01", 19.99] for i, c in enumerate(ids)],
    )
    rows: list[list[object]] = []
    for i, c in enumerate(ids):
        for j in range(3):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=60 * j + i)
            text = f"Kunde {c} meint: Antwort {j} zur Rechnung" if j else ""
            rows.append([f"R-{i}-{j}", c, "nps", "hotline", f"{day}T10:00:00", (i + j) % 11, text])
    rows[0][6] = COMMENT
    rows[1][6] = COMMENT_2
    rows.append(["R-bad", CUSTOMER, "nps", "hotline", "2025-03-01T10:00:00", 15, f"mail {EMAIL}"])
    _write(
        src / "responses.csv",
        ["response_id", "customer_id", "survey", "touchpoint", "responded_at", "nps", "comment"],
        rows,
    )
    for table in ("customers", "contracts", "responses"):
        import_file(ws, table, src / f"{table}.csv")
    from cxo.text.workspace import tag_workspace

    tag_workspace(ws, workers=1)
    at = dt.datetime(2025, 1, 1, 10)
    with session_scope(ws.app_database_url) as session:
        session.add(_followup("R-0-0", CUSTOMER, COMMENT, at))
        session.add(_followup("R-1-1", "K-10000", "Antwort 1 zur Rechnung", at))
        session.commit()
    (ws.reports_dir / "verbatims.json").write_text(
        json.dumps({"quotes": [COMMENT, COMMENT_2, "ein anderer Kommentar"]}, indent=2), "utf-8"
    )
    if lake:
        from cxo.lake import publish

        publish(ws)
    return ws


def search(ws: Workspace, needles: tuple[str, ...] = NEEDLES) -> list[str]:
    """Where any needle is found: every DuckDB table and column (as text), every app-DB table
    and column, and the bytes of every file under the workspace (databases included)."""
    found: list[str] = []
    lowered = [n.lower() for n in needles]
    con = duckdb.connect(str(ws.duckdb_path), read_only=True)
    try:
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            for (text,) in con.execute(f'SELECT t::VARCHAR FROM "{table}" t').fetchall():
                if any(n in str(text).lower() for n in lowered):
                    found.append(f"duckdb:{table}")
                    break
    finally:
        con.close()
    app = sqlite3.connect(ws.data_dir / "app.db")
    try:
        tables = [r[0] for r in app.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in app.execute(f'SELECT * FROM "{table}"'):
                if any(n in str(v).lower() for v in row for n in lowered):
                    found.append(f"app:{table}")
                    break
    finally:
        app.close()
    forms = set()
    for n in needles:
        forms |= {n.encode(), json.dumps(n)[1:-1].encode(), n.encode("utf-16-le")}
    for path in sorted(ws.root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if any(f in data or f.lower() in data.lower() for f in forms):
                found.append(str(path.relative_to(ws.root)))
    return found
