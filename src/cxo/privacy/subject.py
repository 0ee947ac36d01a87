"""GDPR access and portability (Art. 15, 20): everything a workspace holds about one customer.

:func:`export_subject` collects, as one JSON-ready dict:

* ``analytics``: every row of every DuckDB table whose id columns hold the customer id or a key
  of one of their rows (customers, contracts, responses with their comments, ratings, cases,
  sends, sessions, tagged comments and themes), and quarantined raw rows that name them;
* ``operational``: rows of the operational store that belong to them (follow-up tasks);
* ``files``: rows of Parquet and lines of CSV/JSONL files under the workspace (source files,
  the published lake) that belong to them, and the other files that mention them.

The audit log gets one ``customer.export`` entry without the id.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.privacy.erase import _is_id, _q, _string_columns, check_customer_id
from cxo.privacy.files import LINE_FILES
from cxo.privacy.needles import Needles, collect, workspace_files

if TYPE_CHECKING:
    import duckdb

    from cxo.workspace import Workspace

FORMAT = "cxo-subject-export/1"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _rows(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def _analytics(con: duckdb.DuckDBPyConnection, needles: Needles) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table, columns in _string_columns(con).items():
        ids = [c for c in columns if _is_id(c)]
        cond = [f"{_q(c)} IN (SELECT unnest($ids))" for c in ids]
        params: dict[str, Any] = {"ids": sorted(needles.ids)} if ids else {}
        if table == "quarantine":
            cond += [f"regexp_matches({_q(c)}, $p)" for c in columns if not _is_id(c)]
            params["p"] = needles.id_pattern()
        if not cond:
            continue
        cursor = con.execute(f"SELECT * FROM {_q(table)} WHERE {' OR '.join(cond)}", params)
        rows = _rows(cursor)
        if rows:
            out[table] = rows
    return out


def _operational(url: str, needles: Needles) -> dict[str, Any]:
    from sqlalchemy import String, Text, create_engine, inspect, text

    out: dict[str, Any] = {}
    engine = create_engine(url)
    try:
        for table in inspect(engine).get_table_names():
            if table in ("audit_log", "alembic_version"):
                continue
            cols = inspect(engine).get_columns(table)
            ids = [c["name"] for c in cols if isinstance(c["type"], String | Text)]
            ids = [c for c in ids if _is_id(c)]
            if not ids:
                continue
            params = {f"i{n}": v for n, v in enumerate(sorted(needles.ids))}
            marks = ", ".join(f":{k}" for k in params)
            where = " OR ".join(f'"{c}" IN ({marks})' for c in ids)
            with engine.connect() as con:
                found = con.execute(text(f'SELECT * FROM "{table}" WHERE {where}'), params)
                rows = [{k: _plain(v) for k, v in r._mapping.items()} for r in found]
            if rows:
                out[table] = rows
    finally:
        engine.dispose()
    return out


def _file_rows(path: Path, needles: Needles) -> list[dict[str, Any]]:
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        literal = str(path).replace("'", "''")
        source = f"read_parquet('{literal}', hive_partitioning=false)"
        cols = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        ids = [str(c[0]) for c in cols if str(c[1]) == "VARCHAR" and _is_id(str(c[0]))]
        if not ids:
            return []
        cond = " OR ".join(f"{_q(c)} IN (SELECT unnest($ids))" for c in ids)
        return _rows(
            con.execute(f"SELECT * FROM {source} WHERE {cond}", {"ids": sorted(needles.ids)})
        )
    finally:
        con.close()


def _files(ws: Workspace, needles: Needles) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    regex = needles.text_regex()
    for path in workspace_files(ws):
        shown = str(path.relative_to(ws.root)) if path.is_relative_to(ws.root) else str(path)
        if path.suffix.lower() == ".parquet":
            rows = _file_rows(path, needles)
            if rows:
                out.append({"path": shown, "rows": rows})
            continue
        data = path.read_bytes()
        if not needles.found_in(data):
            continue
        entry: dict[str, Any] = {"path": shown}
        if path.suffix.lower() in LINE_FILES:
            text = data.decode("utf-8", "replace")
            entry["lines"] = [line for line in text.splitlines() if regex.search(line)]
        else:
            entry["mentions"] = needles.found_in(data)
        out.append(entry)
    return out


def export_subject(
    ws: Workspace, customer_id: str, *, emails: Iterable[str] = (), actor: str | None = None
) -> dict[str, Any]:
    """Everything held about ``customer_id`` (see the module docstring)."""
    from cxo.store import audit

    customer_id = check_customer_id(customer_id)
    with ws.connect(read_only=True, embedded=True) as con:
        needles = collect(con, customer_id, emails)
        analytics = _analytics(con, needles)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "customer_id": customer_id,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "workspace": str(ws.root),
        "emails": sorted(needles.emails),
        "analytics": analytics,
        "operational": _operational(ws.app_database_url, needles),
        "files": _files(ws, needles),
    }
    counts = {t: len(r) for t, r in doc["analytics"].items()}
    counts.update({f"app.{t}": len(r) for t, r in doc["operational"].items()})
    audit.record(
        ws.app_database_url,
        actor,
        "customer.export",
        f"export:{uuid.uuid4().hex[:12]}",
        None,
        {"rows": counts, "files": len(doc["files"])},
        detail=f"{sum(counts.values())} rows",
    )
    return doc


def write_export(doc: dict[str, Any], path: Path) -> None:
    """Write ``doc`` as UTF-8 JSON (readable, keys sorted)."""
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")


__all__ = ["FORMAT", "export_subject", "write_export"]
