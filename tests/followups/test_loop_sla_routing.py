"""The closed loop's SLA per touchpoint, re-routing on an owner change, and two writers at once.

The concurrency test runs two real OS processes (``multiprocessing``, spawn) against the same
tasks, on SQLite and on a real PostgreSQL on 127.0.0.1 (``CXO_TEST_POSTGRES_URL``, started by
``scripts/test``): every note both write must be there afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.core.charter import DEFAULT_SLA_HOURS, parse_charter
from cxo.errors import CharterError
from cxo.followups import add_note, generate, reroute, sla_status, tasks, update
from cxo.followups.routing import reroute_of_version
from cxo.store.db import migrate
from cxo.workspace import Workspace

T0 = dt.datetime(2026, 3, 1, 9, 0)
HOTLINE = "en: Hotline\n        department: Customer Service\n        accountable: Sabine Hoffmann"
ROWS = [
    ("r1", "c1", "hotline", 0, 2),
    ("r2", "c2", "billing", 1, 3),
    ("r3", "c3", "hotline", 2, 4),
    ("r4", "c4", "billing", 3, 5),
    ("r5", "c5", "hotline", 4, 6),
]


def _workspace(root: Path, store_url: str | None = None) -> Workspace:
    w = Workspace.create(root, "service", language="en")
    if store_url is not None:
        toml = root / "cxo.toml"
        settings = toml.read_text("utf-8")
        assert settings.count("[store]\n") == 1
        toml.write_text(settings.replace("[store]\n", f'[store]\nurl = "{store_url}"\n'), "utf-8")
        migrate(store_url)
        w = Workspace(root)
    with w.connect() as con:
        for rid, cid, tp, hours, nps in ROWS:
            con.execute(
                "insert into responses (response_id, customer_id, survey, touchpoint, "
                "responded_at, nps, language) values (?, ?, 's', ?, ?, ?, 'en')",
                [rid, cid, tp, T0 + dt.timedelta(hours=hours), nps],
            )
    return w


def _set_charter(w: Workspace, old: str, new: str) -> None:
    content = w.charter_path.read_text("utf-8")
    assert content.count(old) == 1
    w.charter_path.write_text(content.replace(old, new), "utf-8")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return _workspace(tmp_path / "ws")


def test_the_charter_sets_the_sla_per_touchpoint(ws: Workspace) -> None:
    _set_charter(ws, HOTLINE, HOTLINE + "\n        sla_hours: 4")
    assert ws.charter().sla_hours("hotline") == 4
    assert ws.charter().sla_hours("billing") == DEFAULT_SLA_HOURS == 48
    generate(ws)
    due = {t.response_id: t.due_at - t.responded_at for t in tasks(ws)}
    assert due["r1"] == dt.timedelta(hours=4)
    assert due["r2"] == dt.timedelta(hours=48)
    # the SLA status follows: a 4-hour SLA is "due" from its second half on, not from the start
    hotline = next(t for t in tasks(ws) if t.response_id == "r1")
    assert sla_status(hotline, hotline.responded_at + dt.timedelta(hours=1)) == "ok"
    assert sla_status(hotline, hotline.responded_at + dt.timedelta(hours=3)) == "due"
    assert sla_status(hotline, hotline.responded_at + dt.timedelta(hours=5)) == "overdue"
    billing = next(t for t in tasks(ws) if t.response_id == "r2")
    assert sla_status(billing, billing.responded_at + dt.timedelta(hours=5)) == "ok"
    assert sla_status(billing, billing.responded_at + dt.timedelta(hours=30)) == "due"


def test_an_explicit_sla_overrides_the_charter(ws: Workspace) -> None:
    _set_charter(ws, HOTLINE, HOTLINE + "\n        sla_hours: 4")
    generate(ws, sla_hours=10)
    assert {t.due_at - t.responded_at for t in tasks(ws)} == {dt.timedelta(hours=10)}


@pytest.mark.parametrize("bad", ["0", "-3", "5000", "many"])
def test_an_impossible_sla_is_a_charter_error_naming_line_and_field(
    ws: Workspace, bad: str
) -> None:
    content = ws.charter_path.read_text("utf-8").replace(
        HOTLINE, f"{HOTLINE}\n        sla_hours: {bad}"
    )
    with pytest.raises(CharterError) as err:
        parse_charter(content)
    assert "touchpoints[" in err.value.message
    assert ".sla_hours" in err.value.message
    line = content.splitlines().index(f"        sla_hours: {bad}") + 1
    assert f"charter.yaml:{line} " in err.value.message


def test_an_owner_change_moves_unfinished_tasks_and_says_so(ws: Workspace) -> None:
    generate(ws)
    first = tasks(ws)
    assert {t.owner for t in first if t.touchpoint == "hotline"} == {"Sabine Hoffmann"}
    done = next(t for t in first if t.touchpoint == "hotline")
    update(ws, done.id, "closed", by="Sabine Hoffmann")
    _set_charter(ws, HOTLINE, HOTLINE.replace("Sabine Hoffmann", "Jonas Weber"))
    # what `cxo charter save` prints
    result = CliRunner().invoke(app, ["charter", "save", "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "2 open follow-up tasks of touchpoint Hotline moved from Sabine Hoffmann to " in (
        " ".join(result.output.split())
    )
    after = {t.id: t for t in tasks(ws)}
    assert after[done.id].owner == "Sabine Hoffmann"  # closed: stays with who closed it
    open_hotline = [t for t in after.values() if t.touchpoint == "hotline" and t.id != done.id]
    assert {t.owner for t in open_hotline} == {"Jonas Weber"}
    assert {t.owner for t in after.values() if t.touchpoint == "billing"} == {"Petra Schmitt"}
    # a second save moves nothing more; the audit keeps what the first moved
    again = reroute(ws)
    assert again.tasks == 0
    assert again.moves == []
    history = CliRunner().invoke(app, ["charter", "history", "--json", "--workspace", str(ws.root)])
    last = json.loads(history.output)[-1]["version"]
    moved = reroute_of_version(ws, last)
    assert [(m.touchpoint, m.from_owner, m.to_owner, m.tasks) for m in moved.moves] == [
        ("hotline", "Sabine Hoffmann", "Jonas Weber", 2)
    ]


def test_a_touchpoint_without_an_owner_keeps_its_tasks(ws: Workspace) -> None:
    generate(ws)
    content = ws.charter_path.read_text("utf-8").replace("        accountable: Petra Schmitt\n", "")
    moved = reroute(ws, parse_charter(content))
    assert moved.tasks == 0
    assert {t.owner for t in tasks(ws) if t.touchpoint == "billing"} == {"Petra Schmitt"}


# ------------------------------------------------------------------------------------------
# two writers at once
# ------------------------------------------------------------------------------------------

NOTES_PER_WRITER = 6


def _writer(root: str, name: str, ids: list[int], start: mp.synchronize.Barrier) -> None:
    """One process: note every task NOTES_PER_WRITER times and move it back and forth (both
    processes begin together, once both have imported everything)."""
    w = Workspace(Path(root))
    tasks(w)  # connects and migrates before the start
    start.wait(300)
    for i in range(NOTES_PER_WRITER):
        for task_id in ids:
            if i % 3 == 0:
                update(
                    w, task_id, "contacted" if name == "A" else "open", note=f"{name}{i}", by=name
                )
            else:
                add_note(w, task_id, f"{name}{i}", by=name)


def _race(w: Workspace) -> None:
    generate(w)
    ids = [t.id for t in tasks(w)]
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [
        ctx.Process(target=_writer, args=(str(w.root), name, ids, start)) for name in ("A", "B")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(600)
        assert p.exitcode == 0
    for task in tasks(w):
        lines = task.note.split("\n")
        want = {f"{n}{i}" for n in ("A", "B") for i in range(NOTES_PER_WRITER)}
        assert sorted(lines) == sorted(want), f"task {task.id} lost updates"


@pytest.mark.slow
def test_two_processes_lose_no_update_on_sqlite(tmp_path: Path) -> None:
    _race(_workspace(tmp_path / "ws"))


@contextmanager
def _postgres() -> Iterator[str]:
    """A throwaway database of its own on the test PostgreSQL (127.0.0.1)."""
    base = os.environ.get("CXO_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must provide PostgreSQL (scripts/test starts a throwaway cluster)")
        pytest.skip("no PostgreSQL here: scripts/test starts one when the server binaries exist")
    assert make_url(base).host == "127.0.0.1"
    name = f"cxo_loop_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as con:
            con.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.mark.slow
def test_two_processes_lose_no_update_on_postgresql(tmp_path: Path) -> None:
    with _postgres() as url:
        _race(_workspace(tmp_path / "ws", url))


def test_the_migration_versions_tasks_of_an_older_store(tmp_path: Path) -> None:
    """A store at 0005 with a task gains ``version`` 0; a change then compares and sets it."""
    from cxo.store.db import session_scope
    from cxo.store.models import FollowUpRow

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url, "0005")
    eng = create_engine(url)
    with eng.begin() as con:
        con.execute(
            text(
                "insert into followups (response_id, touchpoint, owner, department, reason, "
                "themes, responded_at, due_at, status, closed_by, note, created_at) values "
                "('r1', 'hotline', 'A', 'D', 'detractor', '', '2026-01-01', '2026-01-03', "
                "'open', '', '', '2026-01-01')"
            )
        )
    eng.dispose()
    migrate(url)
    with session_scope(url) as session:
        row = session.scalars(select(FollowUpRow)).one()
        assert row.version == 0
        row.note = "first"
        session.commit()
        assert row.version == 1
