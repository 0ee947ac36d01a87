"""Issue 15 defects: encodings, binary files, the import lock, scratch folders, CSV injection,
text columns for drivers, churn without a survey, lazy start-up, one language per run."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cxo
from cxo.cli.common import safe_cell, write_csv
from cxo.cli.main import app
from cxo.errors import InputError
from cxo.ingest.api import import_file
from cxo.ingest.lock import OWNER_FILE, WorkspaceBusy, acquire, clean_stale_scratch
from cxo.workspace import Workspace

CUSTOMERS = "customer_id,region,signup_date,churn_date\nK1,a,2024-01-02,\nK2,b,2024-03-04,\n"
CLI = [
    sys.executable,
    "-c",
    "import sys; from cxo.cli.main import main; sys.argv[0] = 'cxo'; main()",
]
runner = CliRunner()


# --- encodings and binary files ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_and_utf32_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "c.csv"
    text = CUSTOMERS.replace("K2,b", "K2,Müller")
    path.write_bytes(text.encode(encoding))
    result = cxo.read(path, table="customers")
    assert result.reconciliation.imported == 2
    assert result.table.column("region").to_pylist() == ["a", "Müller"]


def _png(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "customer_id\nK1\n")


@pytest.mark.parametrize(("make", "kind"), [(_png, "PNG image"), (_zip, "ZIP archive")])
def test_binary_file_is_not_a_text_file(tmp_path: Path, make: object, kind: str) -> None:
    path = tmp_path / "data.csv"
    make(path)  # type: ignore[operator]
    with pytest.raises(InputError, match=f"not a text file \\(it looks like a {kind}"):
        cxo.read(path, table="customers")


def test_random_bytes_are_not_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "noise.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError, match="not a text file"):
        cxo.read(path, table="customers")


# --- the import lock and scratch folders --------------------------------------------------------


def _run(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


@pytest.mark.slow
def test_second_import_waits_for_the_lock_then_runs(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CUSTOMERS)
    lock = acquire(ws.data_dir)
    try:
        proc = _run(
            ["import", "customers", str(path), "-w", str(ws.root)], {"CXO_IMPORT_WAIT": "60"}
        )
        deadline = time.monotonic() + 60  # the scratch folder appears just before the lock
        while not list(ws.data_dir.glob("cxo-import-*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)
        assert proc.poll() is None, "the second import must wait while the lock is held"
    finally:
        lock.release()
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "ein anderer Import in diesen Workspace läuft (PID" in err  # German workspace
    assert "Traceback" not in err


@pytest.mark.slow
def test_second_import_gives_up_with_a_sentence(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CUSTOMERS)
    with acquire(ws.data_dir):
        proc = _run(
            ["import", "customers", str(path), "-w", str(ws.root)], {"CXO_IMPORT_WAIT": "1"}
        )
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "another import into" in err
    assert "is still running" in err
    assert "Traceback" not in err


def test_lock_is_reentrant_in_one_process_and_times_out_elsewhere(ws: Workspace) -> None:
    with acquire(ws.data_dir), acquire(ws.data_dir, timeout=0):
        pass
    code = (
        "import sys; from pathlib import Path; from cxo.ingest.lock import acquire;"
        "acquire(Path(sys.argv[1]), timeout=0.3, on_wait=lambda pid: print('held by', pid))"
    )
    with acquire(ws.data_dir):
        done = subprocess.run(
            [sys.executable, "-c", code, str(ws.data_dir)], capture_output=True, text=True
        )
    assert done.returncode == 1
    assert f"held by {os.getpid()}" in done.stdout
    assert "WorkspaceBusy" in done.stderr
    assert WorkspaceBusy.exit_code == 1


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_scratch_folders_are_removed_live_ones_kept(ws: Workspace, tmp_path: Path) -> None:
    dead = ws.data_dir / "cxo-import-dead"
    dead.mkdir()
    (dead / OWNER_FILE).write_text(f"{_dead_pid()} -")
    (dead / "scratch.duckdb").write_bytes(b"x" * 100)
    live = ws.data_dir / "cxo-import-live"
    live.mkdir()
    (live / OWNER_FILE).write_text(f"{os.getpid()} -")
    unowned_old = ws.data_dir / "cxo-import-old"
    unowned_old.mkdir()
    os.utime(unowned_old, (time.time() - 7200, time.time() - 7200))
    unowned_new = ws.data_dir / "cxo-import-new"
    unowned_new.mkdir()
    path = tmp_path / "c.csv"
    path.write_text(CUSTOMERS)
    import_file(ws, "customers", path)
    left = sorted(p.name for p in ws.data_dir.glob("cxo-import-*"))
    assert left == ["cxo-import-live", "cxo-import-new"]
    assert clean_stale_scratch(ws.data_dir) == []


KILLED_WORKER = """
import sys, time
from pathlib import Path
from cxo.ingest.api import import_file
from cxo.workspace import Workspace

marker = Path(sys.argv[3])

def pause(*_args):
    marker.write_text("reading")
    time.sleep(120)

import_file(Workspace(Path(sys.argv[1])), "customers", sys.argv[2], progress=pause)
"""


@pytest.mark.slow
def test_killed_import_leaves_no_scratch_folder_after_the_next_run(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CUSTOMERS)
    marker = tmp_path / "marker"
    script = tmp_path / "worker.py"
    script.write_text(KILLED_WORKER)
    proc = subprocess.Popen([sys.executable, str(script), str(ws.root), str(path), str(marker)])
    deadline = time.monotonic() + 60
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists()
    proc.kill()
    proc.wait()
    assert list(ws.data_dir.glob("cxo-import-*")), "the killed import left its folder"
    batch = import_file(ws, "customers", path)
    assert batch.imported == 2
    assert list(ws.data_dir.glob("cxo-import-*")) == []


# --- text analyze, CSV injection ------------------------------------------------------------


def test_text_analyze_with_a_language_column_and_safe_csv(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        'id,text,language\n1,"Der Service war schlecht, niemand rief zurück.",de\n'
        '2,"=HYPERLINK(""http://x"") great support, thanks",en\n3,"@SUM(A1) +1 -1",en\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["text", "analyze", "-i", str(src), "-o", str(out)])
    assert done.exit_code == 0, done.output
    text = out.read_text("utf-8")
    header = text.splitlines()[0].split(",")
    assert "input_language" in header
    assert "language" in header
    assert "'=HYPERLINK" in text
    assert "'@SUM" in text
    assert "\n=" not in text
    assert ",=" not in text


def test_safe_cell_neutralises_every_formula_start(tmp_path: Path) -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("plain") == "plain"
    assert safe_cell(-3.5) == -3.5
    target = tmp_path / "x.csv"
    write_csv([{"a": "=cmd|' /C calc'!A0", "b": -1}], ["a", "b"], target)
    assert target.read_text() == "a,b\n'=cmd|' /C calc'!A0,-1\n"


# --- drivers on a raw file --------------------------------------------------------------------


def test_drivers_text_target_and_text_drivers_get_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    rows = ["churn,nps,friendly,speed,comment"]
    for i in range(20):
        rows.append(f"{'Yes' if i % 3 else 'No'},{i % 11},{1 + i % 5},{1 + (i * 7) % 5},text {i}")
    path.write_text("\n".join(rows) + "\n")
    done = runner.invoke(app, ["drivers", "--input", str(path), "--target", "churn"])
    assert done.exit_code == 2
    assert "the target column 'churn' holds text" in done.output
    done = runner.invoke(
        app, ["drivers", "--input", str(path), "--drivers", "friendly,comment", "--boot", "0"]
    )
    assert done.exit_code == 2
    assert "driver column(s) 'comment' hold text" in done.output
    done = runner.invoke(
        app, ["drivers", "--input", str(path), "--drivers", "friendly,speed", "--boot", "0"]
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["drivers", "--input", str(path), "--boot", "0"])
    assert "too few complete observations" not in done.output
    assert "hold text rather than numbers: churn, comment" in done.output


# --- churn without a survey ---------------------------------------------------------------------


def test_scorecard_without_survey_still_has_churn(ws: Workspace, tmp_path: Path) -> None:
    from cxo.engine.scorecard import scorecard

    customers = tmp_path / "c.csv"
    customers.write_text(
        "customer_id,signup_date,churn_date\nK1,2023-01-01,\nK2,2023-02-01,2024-06-01\n"
        "K3,2023-03-01,\nK4,2023-01-15,2024-02-01\n"
    )
    contracts = tmp_path / "k.csv"
    contracts.write_text(
        "contract_id,customer_id,product,start_date,monthly_price\n"
        "C1,K1,basic,2023-01-01,9.5\nC2,K2,basic,2023-02-01,9.5\n"
    )
    import_file(ws, "customers", customers)
    import_file(ws, "contracts", contracts)
    result = scorecard(ws)
    assert result.total.n == 0
    assert result.total.nps is None
    assert result.total.churn is not None
    assert result.total.churn.value == pytest.approx(0.5)
    assert result.churn_window == (dt.date(2023, 6, 2), dt.date(2024, 6, 1))
    assert [n.key for n in result.notes] == ["platforms.note.no_responses"]
    done = runner.invoke(app, ["scorecard", "-w", str(ws.root), "--json"])
    assert done.exit_code == 0, done.output


# --- start-up and one language ------------------------------------------------------------------


HEAVY = ("pandas", "ibis", "sqlglot", "duckdb", "scipy", "sklearn", "altair", "pydantic", "pyarrow")


def test_help_imports_no_heavy_module() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from cxo.cli.main import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        app(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_lazy_help_matches_the_registered_commands() -> None:
    import importlib

    import typer
    import typer.main

    from cxo.cli.lazy import read_entries
    from cxo.cli.main import COMMAND_MODULES

    for module in COMMAND_MODULES:
        entries = read_entries(module)
        assert entries is not None, f"cxo.cli.{module}.register cannot be read lazily"
        sub = typer.Typer()
        importlib.import_module(f"cxo.cli.{module}").register(sub)
        real = typer.main.get_group(sub).commands
        assert [e.name for e in entries] == list(real)
        for entry in entries:
            assert entry.help.split("\n\n")[0] == (real[entry.name].help or "").split("\n\n")[0]
            assert entry.group == isinstance(real[entry.name], typer.core.TyperGroup)


def test_every_command_runs_its_help() -> None:
    from cxo.cli.lazy import LazyGroup

    for name in LazyGroup.entries:
        done = runner.invoke(app, [name, "--help"])
        assert done.exit_code == 0, (name, done.output)


def test_tag_summary_speaks_the_workspace_language() -> None:
    from cxo.report.messages import text
    from cxo.text.workspace import TagResult

    res = TagResult(
        analysed=1200, skipped=3, theme_rows=2500, seconds=1.0, rate_per_s=1234.5, model=None
    )
    de = text(res.summary(), "de")
    assert de.startswith("1.200 Kommentare analysiert (3 leer")
    assert "comments" not in de
    assert text(res.summary(), "en").startswith("1,200 comments analysed")


def test_failed_open_gives_the_lock_back(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "image.csv"
    _png(path)
    with pytest.raises(InputError, match="not a text file"):
        import_file(ws, "customers", path)
    code = (
        "import sys; from pathlib import Path; from cxo.ingest.lock import acquire;"
        "acquire(Path(sys.argv[1]), timeout=0)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(ws.data_dir)], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert list(ws.data_dir.glob("cxo-import-*")) == []
