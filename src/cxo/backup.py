"""Backup and restore of a whole workspace: one archive with a manifest and checksums.

``cxo backup FILE`` writes a gzip'd tar::

    manifest.json        format, cxo version, when, schema revision, every entry's SHA-256
                         and bytes, every table's rows and checksum
    analytics.duckdb     the analytical tables (DuckDB ``COPY FROM DATABASE``: live rows only)
    app.db               the operational store (SQLite online-backup API), or
    app/<table>.jsonl    its tables as JSON lines (PostgreSQL: one REPEATABLE READ snapshot)
    files/…              charter, settings, code frame, models, reports, source files

Consistent while the server and an import run: the copy of the analytical database is taken
under the workspace's import lock (:mod:`cxo.ingest.lock` — an import running in another
process is waited for, the next one waits for the copy) through a read-only attachment,
which DuckDB grants only when no process writes; the operational store is copied in one
snapshot (SQLite's backup API copies a consistent state while the server writes; PostgreSQL
reads every table in one repeatable-read transaction). The published lake is not archived: it
is derived, ``cxo publish`` writes it again.

``cxo restore FILE`` checks every entry's checksum first (a damaged archive restores
nothing), replaces the databases and files, then recomputes every table's rows and checksum
and compares them with the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo import __version__
from cxo.errors import InputError, WorkspaceError

if TYPE_CHECKING:
    import duckdb

    from cxo.workspace import Workspace

FORMAT = "cxo-backup/1"
MANIFEST = "manifest.json"
ANALYTICS = "analytics.duckdb"
APP_SQLITE = "app.db"
APP_DIR = "app"
FILES = "files"
SKIP_DIRS = ("data", "lake", ".git")
"""Top-level folders of the workspace not archived as files (databases; the derived lake)."""
ATTACH_WAIT = 60.0
TEMP_PREFIXES = (".cxo-backup-", ".cxo-restore-", ".cxo-erase-")
"""Work folders and files of a running backup, restore or erasure (never archived)."""


@dataclass(frozen=True)
class BackupResult:
    """What a backup or restore wrote."""

    path: Path
    tables: dict[str, dict[str, Any]]
    """``analytics.<table>`` / ``app.<table>`` → ``{"rows", "checksum"}``."""
    files: int
    bytes: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "path": str(self.path),
            "tables": self.tables,
            "files": self.files,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _lit(path: Path) -> str:
    return str(path).replace("'", "''")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def duckdb_checksums(con: duckdb.DuckDBPyConnection, schema: str = "main") -> dict[str, Any]:
    """Rows and an order-independent checksum (sum of row hashes) of every table."""
    tables = [
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name = 'main' AND NOT temporary ORDER BY table_name",
            [schema],
        ).fetchall()
    ]
    out: dict[str, Any] = {}
    for table in tables:
        row = con.execute(
            f"SELECT count(*), coalesce(sum(hash(t::VARCHAR)::HUGEINT), 0)::VARCHAR "
            f"FROM {_q(schema)}.{_q(table)} AS t"
        ).fetchone()
        out[f"analytics.{table}"] = {
            "rows": int(row[0]) if row else 0,
            "checksum": row[1] if row else "",
        }
    return out


def _app_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every table of the operational store as rows (one snapshot)."""
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        out: dict[str, list[dict[str, Any]]] = {}
        with engine.connect() as con:
            if engine.dialect.name == "postgresql":
                con.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            for table in meta.sorted_tables:
                rows = con.execute(select(table).order_by(*table.primary_key.columns)).fetchall()
                out[table.name] = [{k: _plain(v) for k, v in r._mapping.items()} for r in rows]
        return out
    finally:
        engine.dispose()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def app_checksums(url: str) -> dict[str, Any]:
    """Rows and a checksum (SHA-256 of the rows as sorted JSON) of every app-store table."""
    out: dict[str, Any] = {}
    for table, rows in _app_rows(url).items():
        lines = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
        digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        out[f"app.{table}"] = {"rows": len(rows), "checksum": digest}
    return out


def _copy_analytics(ws: Workspace, target: Path) -> dict[str, Any]:
    """Copy the analytical database into ``target`` under the import lock."""
    import duckdb

    from cxo.ingest.lock import acquire

    with acquire(ws.data_dir):
        con = duckdb.connect(":memory:")
        try:
            con.execute("SET enable_progress_bar = false")
            deadline = time.monotonic() + ATTACH_WAIT
            while True:  # a writer outside the import lock (comment tagging) holds the file
                try:
                    con.execute(f"ATTACH '{_lit(ws.duckdb_path)}' AS src (READ_ONLY)")
                    break
                except duckdb.IOException:
                    if time.monotonic() > deadline:
                        raise WorkspaceError(
                            f"{ws.duckdb_path} stayed locked by another process for "
                            f"{ATTACH_WAIT:.0f} s; nothing was backed up",
                            hint="try again when the running job has finished",
                        ) from None
                    time.sleep(0.2)
            con.execute(f"ATTACH '{_lit(target)}' AS dst")
            con.execute("COPY FROM DATABASE src TO dst")
            sums = duckdb_checksums(con, "dst")
            con.execute("DETACH dst")
            con.execute("DETACH src")
            return sums
        finally:
            con.close()


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def _copy_app(url: str, work: Path) -> list[str]:
    """The operational store into ``work`` (``app.db`` or ``app/*.jsonl``); entry names."""
    import sqlite3

    path = _sqlite_path(url)
    if path is not None:
        source = sqlite3.connect(path)
        target = sqlite3.connect(work / APP_SQLITE)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return [APP_SQLITE]
    (work / APP_DIR).mkdir()
    names = []
    for table, rows in _app_rows(url).items():
        name = f"{APP_DIR}/{table}.jsonl"
        with (work / name).open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        names.append(name)
    return names


def _workspace_files(ws: Workspace) -> list[Path]:
    out = []
    for path in sorted(ws.root.rglob("*")):
        rel = path.relative_to(ws.root)
        if rel.parts[0] in SKIP_DIRS or not path.is_file() or path.is_symlink():
            continue
        if any(part.startswith(TEMP_PREFIXES) for part in rel.parts):
            continue
        out.append(path)
    return out


def backup(ws: Workspace, dest: Path, *, actor: str | None = None) -> BackupResult:
    """Write a backup of ``ws`` to ``dest`` (see the module docstring)."""
    from cxo.store import audit
    from cxo.store.db import migrate

    start = time.perf_counter()
    dest = dest.resolve()
    if dest.is_dir():
        raise InputError(f"{dest} is a folder; name the backup file, e.g. {dest}/cxo.tar.gz")
    url = ws.app_database_url
    migrate(url)
    audit.record(url, actor, "backup.create", "backup", None, {"file": dest.name})
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".cxo-backup-", dir=dest.parent) as tmp:
        work = Path(tmp)
        tables = _copy_analytics(ws, work / ANALYTICS) if ws.duckdb_path.exists() else {}
        entries = [ANALYTICS] if ws.duckdb_path.exists() else []
        entries += _copy_app(url, work)
        tables.update(app_checksums(url if _sqlite_path(url) is None else _sqlite_url(work)))
        files = _workspace_files(ws)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "cxo_version": __version__,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "workspace": str(ws.root),
            "app_store": "sqlite" if _sqlite_path(url) is not None else "rows",
            "tables": tables,
            "entries": {},
        }
        for name in entries:
            path = work / name
            manifest["entries"][name] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
        for path in files:
            name = f"{FILES}/{path.relative_to(ws.root).as_posix()}"
            manifest["entries"][name] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
            for name in entries:
                tar.add(work / name, arcname=name)
            for path in files:
                tar.add(path, arcname=f"{FILES}/{path.relative_to(ws.root).as_posix()}")
        os.replace(partial, dest)
    return BackupResult(dest, tables, len(files), dest.stat().st_size, time.perf_counter() - start)


def _sqlite_url(work: Path) -> str:
    return f"sqlite:///{work / APP_SQLITE}"


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of ``archive``; :class:`InputError` when it is not a cxo backup."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            doc = json.loads(member.read().decode("utf-8"))
    except (OSError, tarfile.TarError, KeyError, UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{archive}: not a cxo backup (no readable {MANIFEST})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"{archive}: not a cxo backup of format {FORMAT}")
    return doc


def _extract(archive: Path, manifest: dict[str, Any], work: Path) -> None:
    """Unpack every manifest entry into ``work`` and check its SHA-256."""
    entries: dict[str, Any] = manifest["entries"]
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            if member.name not in entries or not member.isfile():
                raise InputError(f"{archive}: unexpected entry {member.name!r}")
        tar.extractall(
            work, members=[m for m in tar.getmembers() if m.name in entries], filter="data"
        )
    for name, meta in entries.items():
        path = work / name
        if not path.is_file():
            raise InputError(f"{archive}: entry {name} is missing")
        if _sha256(path) != meta["sha256"]:
            raise InputError(
                f"{archive}: entry {name} is damaged (SHA-256 differs from the manifest); "
                "nothing was restored"
            )


def _restore_app(url: str, work: Path, manifest: dict[str, Any]) -> None:
    import sqlite3

    target = _sqlite_path(url)
    if manifest.get("app_store") == "sqlite" and target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(work / APP_SQLITE)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)  # page by page, under SQLite's own locking
        finally:
            dest.close()
            source.close()
        return
    if manifest.get("app_store") == "sqlite":
        rows = _app_rows(_sqlite_url(work))
    else:
        rows = {}
        for path in sorted((work / APP_DIR).glob("*.jsonl")):
            with path.open(encoding="utf-8") as fh:
                rows[path.stem] = [json.loads(line) for line in fh if line.strip()]
    _load_rows(url, rows)


def _load_rows(url: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Replace every table of the store at ``url`` by ``rows`` (the audit log included)."""
    from sqlalchemy import DateTime, MetaData, create_engine, text

    from cxo.store.db import migrate

    migrate(url)
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.begin() as con:
            pg = engine.dialect.name == "postgresql"
            if pg:  # the append-only trigger, off for this transaction's replacement only
                con.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            else:
                con.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
            for table in reversed(meta.sorted_tables):
                if table.name != "alembic_version":
                    con.execute(table.delete())
            for table in meta.sorted_tables:
                found = rows.get(table.name, [])
                if table.name == "alembic_version" or not found:
                    continue
                stamps = [c.name for c in table.columns if isinstance(c.type, DateTime)]
                for row in found:
                    for col in stamps:
                        if isinstance(row.get(col), str):
                            row[col] = dt.datetime.fromisoformat(row[col])
                con.execute(table.insert(), found)
                if pg and "id" in table.columns:
                    con.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f'(SELECT coalesce(max(id), 1) FROM "{table.name}"))'
                        )
                    )
            if pg:
                con.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
            else:
                con.execute(
                    text(
                        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    )
                )
    finally:
        engine.dispose()


def _compare(expected: dict[str, Any], found: dict[str, Any], archive: Path) -> None:
    differ = [
        name for name in sorted(set(expected) | set(found)) if expected.get(name) != found.get(name)
    ]
    if differ:
        raise WorkspaceError(
            f"restored from {archive}, but these tables differ from the backup: "
            + ", ".join(differ),
            hint="restore again from an intact copy of the archive",
        )


def restore(
    root: Path, archive: Path, *, force: bool = False, actor: str | None = None
) -> BackupResult:
    """Restore the backup ``archive`` into the workspace folder ``root`` (new or, with
    ``force``, existing) and check every table against the manifest."""
    from cxo.ingest.lock import acquire
    from cxo.store import audit
    from cxo.workspace import SETTINGS_FILE, Workspace

    start = time.perf_counter()
    archive = archive.resolve()
    manifest = read_manifest(archive)
    root = root.resolve()
    if (root / SETTINGS_FILE).exists() and not force:
        raise WorkspaceError(
            f"{root} already holds a workspace; restoring replaces its data",
            hint="pass --force to replace it, or restore into a new folder",
        )
    root.mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".cxo-restore-", dir=root / "data") as tmp:
        work = Path(tmp)
        _extract(archive, manifest, work)
        for name in manifest["entries"]:
            if name.startswith(f"{FILES}/"):
                target = root / name[len(FILES) + 1 :]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / name, target)
        ws = Workspace(root)
        with acquire(ws.data_dir):
            if ANALYTICS in manifest["entries"]:
                staged = ws.data_dir / f".cxo.duckdb.restore-{os.getpid()}"
                shutil.copyfile(work / ANALYTICS, staged)
                os.replace(staged, ws.duckdb_path)
                ws.duckdb_path.with_name(ws.duckdb_path.name + ".wal").unlink(missing_ok=True)
            _restore_app(ws.app_database_url, work, manifest)
    found = restored_checksums(ws)
    _compare(manifest["tables"], found, archive)
    audit.record(
        ws.app_database_url,
        actor,
        "backup.restore",
        "backup",
        None,
        {"file": archive.name, "created_at": manifest.get("created_at"), "tables": len(found)},
    )
    files = sum(1 for n in manifest["entries"] if n.startswith(f"{FILES}/"))
    return BackupResult(archive, found, files, archive.stat().st_size, time.perf_counter() - start)


def restored_checksums(ws: Workspace) -> dict[str, Any]:
    """Every table's rows and checksum in ``ws`` (as the manifest records them)."""
    import duckdb

    out: dict[str, Any] = {}
    if ws.duckdb_path.exists():
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH '{_lit(ws.duckdb_path)}' AS src (READ_ONLY)")
            out.update(duckdb_checksums(con, "src"))
        finally:
            con.close()
    out.update(app_checksums(ws.app_database_url))
    return out


__all__ = [
    "FORMAT",
    "BackupResult",
    "app_checksums",
    "backup",
    "duckdb_checksums",
    "read_manifest",
    "restore",
    "restored_checksums",
]
