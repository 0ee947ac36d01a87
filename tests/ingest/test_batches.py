"""Batches: idempotent re-imports, incremental appends, --max-rejected, atomicity (kill -9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cxo.errors import RejectedShareExceeded, UsageError
from cxo.ingest.api import import_file
from cxo.workspace import Workspace

from .conftest import Query

HEADER = "response_id,survey,touchpoint,responded_at,nps\n"


def responses_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), "utf-8")
    return path


def state(q: Query) -> tuple[object, ...]:
    return (
        q("select * from responses order by response_id"),
        q("select count(*) from quarantine"),
    )


def test_reimporting_the_same_file_changes_nothing(ws: Workspace, tmp_path: Path, q: Query) -> None:
    path = responses_csv(
        tmp_path / "r.csv",
        ["r1,rel,support,2024-01-01,9", "r2,rel,billing,2024-01-02,3", "r3,rel,moon,2024-01-02,3"],
    )
    first = import_file(ws, "responses", path)
    assert (first.status, first.inserted, first.quarantined) == ("ok", 2, 1)
    before = state(q)
    again = import_file(ws, "responses", path)
    assert again.status == "unchanged"
    assert again.same_as == first.batch_id
    assert again.reconciles
    assert again.read == 3
    assert state(q) == before
    assert q("select count(*) from import_batches") == [(1,)]
    # --force re-applies: keys upsert, so the data are the same again.
    forced = import_file(ws, "responses", path, force=True)
    assert (forced.status, forced.inserted, forced.updated) == ("ok", 0, 2)
    assert q("select * from responses order by response_id") == before[0]


def test_appends_and_updates_are_incremental(ws: Workspace, tmp_path: Path, q: Query) -> None:
    import_file(ws, "responses", responses_csv(tmp_path / "a.csv", ["r1,rel,support,2024-01-01,9"]))
    b = import_file(
        ws,
        "responses",
        responses_csv(
            tmp_path / "b.csv", ["r1,rel,support,2024-01-01,4", "r2,rel,support,2024-01-05,10"]
        ),
    )
    assert (b.inserted, b.updated, b.imported) == (1, 1, 2)
    assert q("select response_id, nps from responses order by 1") == [("r1", 4), ("r2", 10)]
    batches = q(
        "select file_hash, rows_read, rows_imported, rows_quarantined, status "
        "from import_batches order by started_at"
    )
    assert len(batches) == 2
    assert all(len(str(h)) == 64 for h, *_ in batches)
    assert [tuple(r[1:]) for r in batches] == [(1, 1, 0, "ok"), (2, 2, 0, "ok")]


def test_max_rejected_fails_and_imports_nothing(ws: Workspace, tmp_path: Path, q: Query) -> None:
    import_file(ws, "responses", responses_csv(tmp_path / "a.csv", ["r0,rel,support,2024-01-01,9"]))
    before = q("select * from responses")
    path = responses_csv(
        tmp_path / "b.csv",
        ["r1,rel,support,2024-01-01,9", "r2,rel,support,2024-01-01,99", "r3,rel,support,x,1"],
    )
    with pytest.raises(RejectedShareExceeded) as err:
        import_file(ws, "responses", path, max_rejected=0.5)
    assert err.value.exit_code == 1
    assert "2 of 3 rows rejected" in err.value.message
    assert "line 3, field nps" in err.value.message
    assert q("select * from responses") == before
    assert q(
        "select status, rows_read, rows_imported, rows_quarantined from import_batches "
        "where source like '%b.csv'"
    ) == [("failed", 3, 0, 2)]
    # Below the threshold the same file imports.
    ok = import_file(ws, "responses", path, max_rejected=0.7)
    assert (ok.status, ok.imported, ok.quarantined) == ("ok", 1, 2)


def test_max_rejected_must_be_a_share(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        import_file(ws, "responses", responses_csv(tmp_path / "a.csv", []), max_rejected=5)


WORKER = """
import sys, time
from pathlib import Path
import cxo.ingest.load as load
from cxo.ingest.api import import_file
from cxo.workspace import Workspace

marker, hook = Path(sys.argv[3]), sys.argv[4]

def pause(*_args, **_kwargs):
    marker.write_text(hook)
    time.sleep(120)  # killed here

def wrap(name, after=False):
    original = getattr(load, name)
    def wrapper(*args, **kwargs):
        if not after:
            pause()
        result = original(*args, **kwargs)
        pause()
        return result
    setattr(load, name, wrapper)

if hook == "validated":  # every row parsed, typed and staged; nothing upserted yet
    wrap("_mark_duplicates")
elif hook == "written":  # rows upserted, quarantine and batch row written; not committed
    wrap("_commit_batch", after=True)
progress = pause if hook == "reading" else None  # first block just parsed
import_file(Workspace(Path(sys.argv[1])), "responses", sys.argv[2], progress=progress)
"""


@pytest.mark.slow
@pytest.mark.parametrize("hook", ["validated", "written"])
def test_kill_9_during_a_first_import_leaves_the_table_empty_and_intact(
    ws: Workspace, tmp_path: Path, q: Query, hook: str
) -> None:
    """A first import into an empty table renames its stage into place (no copy): killed
    before the commit, the table is still there, empty, with the contract's schema."""
    schema = q(
        "select column_name, data_type, is_nullable from information_schema.columns "
        "where table_name = 'responses' order by ordinal_position"
    )
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(50_000):
            fh.write(f"r{i},rel,support,2024-01-01 10:00:00,{i % 12}\n")
    marker = tmp_path / "marker"
    script = tmp_path / "worker.py"
    script.write_text(WORKER, "utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(ws.root), str(big), str(marker), hook],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), f"the worker ended ({proc.poll()}) before reaching {hook}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert q("select count(*) from responses") == [(0,)]
    assert q("select count(*) from import_batches") == [(0,)]
    batch = import_file(ws, "responses", big)
    assert (batch.read, batch.quarantined, batch.inserted) == (
        50_000,
        50_000 // 12,
        50_000 - 50_000 // 12,
    )
    # The renamed stage is indistinguishable from the contract table, and no stage is left.
    assert (
        q(
            "select column_name, data_type, is_nullable from information_schema.columns "
            "where table_name = 'responses' order by ordinal_position"
        )
        == schema
    )
    assert q("select count(*) from information_schema.tables where table_name like '__cxo%'") == [
        (0,)
    ]
    assert q("select count(*) from responses") == [(50_000 - 50_000 // 12,)]


@pytest.mark.slow
@pytest.mark.parametrize("hook", ["reading", "validated", "written"])
def test_kill_9_mid_import_leaves_the_previous_state(
    ws: Workspace, tmp_path: Path, q: Query, hook: str
) -> None:
    small = responses_csv(tmp_path / "small.csv", ["r0,rel,support,2024-01-01,9"])
    import_file(ws, "responses", small)
    before = (
        q("select * from responses"),
        q("select batch_id, rows_read from import_batches"),
        q("select count(*) from quarantine"),
    )
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(50_000):
            fh.write(f"r{i},rel,support,2024-01-01 10:00:00,{i % 12}\n")
    marker = tmp_path / "marker"
    script = tmp_path / "worker.py"
    script.write_text(WORKER, "utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(ws.root), str(big), str(marker), hook],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), f"the worker ended ({proc.poll()}) before reaching {hook}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    after = (
        q("select * from responses"),
        q("select batch_id, rows_read from import_batches"),
        q("select count(*) from quarantine"),
    )
    assert after == before
    # The workspace is still usable: the file imports completely afterwards.
    batch = import_file(ws, "responses", big)
    assert batch.reconciles
    assert (batch.read, batch.quarantined, batch.updated) == (50_000, 50_000 // 12, 1)
