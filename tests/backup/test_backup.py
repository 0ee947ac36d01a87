"""``cxo backup`` / ``cxo restore``: one archive with a manifest and checksums; consistent
while an import runs in another process and the server serves; a restore reproduces every
table (rows and an independent checksum) and every file."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import duckdb
import httpx
import pytest
from typer.testing import CliRunner

from cxo.backup import backup, read_manifest, restore
from cxo.cli.main import app
from cxo.errors import InputError, WorkspaceError
from cxo.store.audit import entries
from cxo.store.users import create_user
from cxo.web.app import create_app
from cxo.workspace import Workspace
from tests.privacy.support import build
from tests.web.support import PASSWORD, form_token, serve


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = build(tmp_path_factory.mktemp("bk") / "ws", lake=False)
    create_user(ws.app_database_url, "ada", "admin", PASSWORD)
    return ws.root


@pytest.fixture
def ws(template: Path, tmp_path: Path) -> Workspace:
    shutil.copytree(template, tmp_path / "ws")
    return Workspace(tmp_path / "ws")


def snapshot(ws: Workspace) -> dict[str, tuple[int, str]]:
    """Every table's rows and MD5 of its sorted rows (DuckDB and the SQLite store)."""
    out: dict[str, tuple[int, str]] = {}
    con = duckdb.connect(str(ws.duckdb_path), read_only=True)
    try:
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            rows = sorted(str(r) for r in con.execute(f'SELECT * FROM "{table}"').fetchall())
            out[f"duckdb.{table}"] = (len(rows), hashlib.md5("\n".join(rows).encode()).hexdigest())
    finally:
        con.close()
    app_db = sqlite3.connect(ws.data_dir / "app.db")
    try:
        names = [r[0] for r in app_db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in names:
            rows = sorted(str(r) for r in app_db.execute(f'SELECT * FROM "{table}"'))
            out[f"app.{table}"] = (len(rows), hashlib.md5("\n".join(rows).encode()).hexdigest())
    finally:
        app_db.close()
    return out


def files(ws: Workspace) -> dict[str, str]:
    return {
        str(p.relative_to(ws.root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(ws.root.rglob("*"))
        if p.is_file() and p.relative_to(ws.root).parts[0] != "data"
    }


def test_restore_reproduces_every_table_and_file(ws: Workspace, tmp_path: Path) -> None:
    archive = tmp_path / "cxo.tar.gz"
    made = backup(ws, archive, actor="ada")
    before = snapshot(ws)
    manifest = read_manifest(archive)
    assert manifest["tables"]["analytics.responses"]["rows"] == before["duckdb.responses"][0]
    assert set(manifest["entries"]) >= {"analytics.duckdb", "app.db", "files/charter.yaml"}
    assert made.files == len(files(ws))

    done = restore(tmp_path / "copy", archive, actor="ada")
    copy = Workspace(tmp_path / "copy")
    after = snapshot(copy)
    assert len(before) >= 15
    audit_before, audit_after = before.pop("app.audit_log"), after.pop("app.audit_log")
    assert after == before
    assert audit_after[0] == audit_before[0] + 1  # + backup.restore, appended after the check
    assert files(copy) == files(ws)
    assert done.tables == made.tables
    assert [e.action for e in entries(copy.app_database_url, limit=2)] == [
        "backup.restore",
        "backup.create",
    ]


def test_a_damaged_archive_restores_nothing(ws: Workspace, tmp_path: Path) -> None:
    archive = tmp_path / "cxo.tar.gz"
    backup(ws, archive)
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(broken, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member)
            if member.name == "files/charter.yaml" and data is not None:
                body = data.read().replace(b"touchpoints", b"touchpointz", 1)
                member.size = len(body)
                import io

                dst.addfile(member, io.BytesIO(body))
            else:
                dst.addfile(member, data)
    with pytest.raises(InputError, match=r"files/charter\.yaml is damaged"):
        restore(tmp_path / "copy", broken)
    assert not (tmp_path / "copy" / "data" / "cxo.duckdb").exists()
    with pytest.raises(InputError, match="not a cxo backup"):
        restore(tmp_path / "copy2", ws.charter_path)


def test_restore_over_a_workspace_needs_force(ws: Workspace, tmp_path: Path) -> None:
    archive = tmp_path / "cxo.tar.gz"
    backup(ws, archive)
    kept = snapshot(ws)["duckdb.responses"]
    con = duckdb.connect(str(ws.duckdb_path))
    con.execute("DELETE FROM responses")
    con.close()
    with pytest.raises(WorkspaceError, match="already holds a workspace"):
        restore(ws.root, archive)
    restore(ws.root, archive, force=True)
    assert snapshot(ws)["duckdb.responses"] == kept


def _big_responses(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("response_id,customer_id,survey,touchpoint,responded_at,nps,comment\n")
        for i in range(rows):
            fh.write(
                f"B-{i},K-{10000 + i % 40},nps,hotline,2025-04-0{1 + i % 9}T10:00:00,{i % 11},\n"
            )


@pytest.mark.slow
def test_backup_is_consistent_while_an_import_runs_and_the_server_serves(
    ws: Workspace, tmp_path: Path
) -> None:
    source = tmp_path / "big.csv"
    _big_responses(source, 400_000)
    stop = threading.Event()
    errors: list[str] = []

    def sign_ins(base: str) -> None:  # each sign-in writes the audit log meanwhile
        while not stop.is_set():
            with httpx.Client(base_url=base, timeout=30) as client:
                token = form_token(client.get("/login").text)
                r = client.post(
                    "/login", data={"name": "ada", "password": PASSWORD, "csrf_token": token}
                )
                if r.status_code != 303:
                    errors.append(f"login {r.status_code}")
                if client.get("/api/v1/audit?limit=5").status_code != 200:
                    errors.append("audit api")

    command = [sys.executable, "-c", "from cxo.cli.main import main; main()"]
    with serve(create_app(ws)) as base:
        worker = threading.Thread(target=sign_ins, args=(base,), daemon=True)
        worker.start()
        proc = subprocess.Popen(
            [*command, "import", "responses", str(source), "-w", str(ws.root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while not list(ws.data_dir.glob("cxo-import-*")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        made = backup(ws, tmp_path / "during.tar.gz")
        waited = time.monotonic() - started
        _out, err = proc.communicate(timeout=300)
        stop.set()
        worker.join(timeout=30)
    assert proc.returncode == 0, err.decode()
    assert errors == []
    rows = made.tables["analytics.responses"]["rows"]
    assert rows in (123, 123 + 400_000)
    batches = made.tables["analytics.import_batches"]["rows"]
    assert (rows, batches) in ((123, 3), (400_123, 4)), (rows, batches, waited)

    restore(tmp_path / "copy", tmp_path / "during.tar.gz")
    restored = snapshot(Workspace(tmp_path / "copy"))
    assert restored["duckdb.responses"][0] == rows
    if rows == 400_123:  # the backup waited for the import: the same data as the workspace now
        live = snapshot(ws)
        assert {k: v for k, v in restored.items() if k.startswith("duckdb.")} == {
            k: v for k, v in live.items() if k.startswith("duckdb.")
        }


def test_backup_and_restore_commands(ws: Workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    archive = tmp_path / "cli.tar.gz"
    made = runner.invoke(app, ["backup", str(archive), "-w", str(ws.root)])
    assert made.exit_code == 0, made.output
    assert "Backup written to" in made.stdout
    done = runner.invoke(app, ["restore", str(archive), "-w", str(tmp_path / "new")])
    assert done.exit_code == 0, done.output
    assert "tables match the backup" in done.stdout
    again = runner.invoke(app, ["restore", str(archive), "-w", str(tmp_path / "new")])
    assert again.exit_code != 0
    assert "--force" in again.output
