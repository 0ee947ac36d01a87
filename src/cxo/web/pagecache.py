"""Rendered page bodies and signed-in users, kept per *state* of the workspace.

The state (:func:`stamp`) is what a cached page depends on, read cheaply on every request:

* the analytic database (``data/cxo.duckdb`` and its WAL) and, when analyses read the lake,
  the lake's manifest: imports, tagging, publishing;
* the operational store: for SQLite its file, WAL and journal (users, sign-ins, initiatives,
  follow-ups, charter versions); for another database (PostgreSQL) one query over the row
  counts and newest changes of those tables, asked at most once per :data:`STORE_TTL`;
* the charter, the settings file and the folder of saved assessments.

A file is read by its inode, size and modification time. A file changed less than
:data:`SETTLE` seconds ago is *unsettled*: file times are coarse, so a second write within the
same tick could go unseen; while anything is unsettled nothing is cached (every request
renders afresh), and the first request after that caches against the final state. A change by
anyone (this process, another worker, the CLI) changes the stamp, so nothing is served stale.

Keys hold the page, its parameters, the reader's language and currency and their *scope* (an
owner's touchpoints): a page an owner sees is never served to anyone with another scope.
:class:`Warmer` precomputes the pages at server start and after every change (a daemon
thread per app), so the first reader after an import does not wait; it then freezes the
garbage collector's view of what is cached (:func:`gc.freeze`), so full collections stay short.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from cxo.web.lru import SingleFlightLRU
from cxo.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")

SETTLE = 1.0
"""Seconds after its last change before a file's state is trusted as a cache key."""
STORE_TTL = 1.0
"""Seconds a fingerprint of a non-SQLite operational store is reused."""
MAX_PAGES = 256
WATCH_EVERY = 2.0
"""Seconds between two looks at the stamp by the warming thread."""

_pages = SingleFlightLRU(MAX_PAGES)
_users: dict[Hashable, Any] = {}
_lock = threading.Lock()
_store_fp: dict[str, tuple[float, Hashable]] = {}
_engines: dict[str, Any] = {}


class Unsettled(Exception):
    """Something the pages depend on changed a moment ago: do not cache now."""


def _file(path: Path, now: float) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    if now - st.st_mtime < SETTLE:
        raise Unsettled(str(path))
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _sqlite_path(url: str) -> Path | None:
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix):
            rest = url[len(prefix) :].split("?", 1)[0]
            return Path(rest) if rest and rest != ":memory:" else None
    return None


_STORE_QUERY = (
    "SELECT (SELECT count(*) FROM users), (SELECT max(updated_at) FROM users), "
    "(SELECT count(*) FROM api_tokens), "
    "(SELECT count(*) FROM initiatives), (SELECT max(updated_at) FROM initiatives), "
    "(SELECT count(*) FROM followups), (SELECT sum(version) FROM followups), "
    "(SELECT max(id) FROM followups), (SELECT max(id) FROM charter_versions), "
    "(SELECT max(id) FROM assessment_runs), (SELECT max(id) FROM audit_log)"
)


def _store_fingerprint(url: str) -> Hashable:
    """Row counts and newest changes of the tables the pages read (another database)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    now = time.monotonic()
    found = _store_fp.get(url)
    if found is not None and now - found[0] < STORE_TTL:
        return found[1]
    engine = _engines.get(url)
    if engine is None:
        engine = _engines.setdefault(url, create_engine(url, pool_size=2, max_overflow=2))
    try:
        with engine.connect() as con:
            row = con.execute(text(_STORE_QUERY)).one()
    except SQLAlchemyError as exc:  # an older schema, or the database is away: no caching
        raise Unsettled(f"operational store: {exc}") from None
    value = tuple(str(v) for v in row)
    _store_fp[url] = (now, value)
    return value


def store_stamp(ws: Workspace) -> Hashable:
    """The state of the operational store (raises :class:`Unsettled`)."""
    url = ws.app_database_url
    path = _sqlite_path(url)
    if path is None:
        return _store_fingerprint(url)
    now = time.time()
    return tuple(_file(Path(f"{path}{end}"), now) for end in ("", "-wal", "-journal"))


def data_stamp(ws: Workspace) -> Hashable:
    """The state of the analytic data, charter, settings and saved assessments (raises
    :class:`Unsettled`)."""
    now = time.time()
    files = [
        ws.duckdb_path,
        Path(f"{ws.duckdb_path}.wal"),
        ws.charter_path,
        ws.root / "cxo.toml",
        ws.root / "reports",
    ]
    if ws.reads_lake:
        from cxo.lake import lake_path

        files.append(lake_path(ws) / "_cxo_lake.json")
    return tuple(_file(p, now) for p in files)


def stamp(ws: Workspace) -> Hashable | None:
    """Everything a cached page depends on, or ``None`` while something is unsettled."""
    try:
        return (str(ws.root), data_stamp(ws), store_stamp(ws))
    except Unsettled:
        return None


def cached(ws: Workspace, name: str, params: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per workspace state, ``name`` and ``params`` (LRU, bounded);
    concurrent requests for one key wait for the first. Computed afresh while unsettled."""
    state = stamp(ws)
    if state is None:
        return compute()
    return _pages.get((state, name, params), compute)


def user(ws: Workspace, name: str, lookup: Callable[[], Any]) -> Any:
    """The user ``name`` (``lookup()``), kept while the operational store is unchanged."""
    try:
        state = (ws.app_database_url, store_stamp(ws))
    except Unsettled:
        return lookup()
    key = (state, name)
    with _lock:
        if key in _users:
            return _users[key]
    found = lookup()
    with _lock:
        if len(_users) > 4 * MAX_PAGES:
            _users.clear()
        _users[key] = found
    return found


def clear() -> None:
    """Forget every cached page and user (tests)."""
    _pages.clear()
    with _lock:
        _users.clear()
        _store_fp.clear()


class Warmer(threading.Thread):
    """Renders the pages in advance: at start, then whenever the stamp changes."""

    def __init__(self, ws: Workspace, warm: Callable[[Workspace], None]) -> None:
        super().__init__(name="cxo-warm", daemon=True)
        self.ws = ws
        self.warm = warm
        self.stop = threading.Event()
        self.done = threading.Event()
        """Set after the first warm-up (``/api/health`` says ``warm``)."""
        self.last: Hashable | None = None
        self.runs = 0

    def run(self) -> None:
        while not self.stop.is_set():
            state = stamp(self.ws)
            if state is not None and state != self.last:
                gc.unfreeze()  # what the last warm-up froze may be garbage now
                try:
                    self.warm(self.ws)
                except Exception:  # a page that fails renders its error on request
                    log.exception("warming the pages of %s failed", self.ws.root)
                # The cached analyses are long-lived: out of the collector's sight, a full
                # collection no longer walks them (at 1M customers 200 ms → 1 ms, a pause
                # every request in flight would wait for).
                gc.collect()
                gc.freeze()
                self.last = stamp(self.ws)
                self.runs += 1
                self.done.set()
            self.stop.wait(WATCH_EVERY if self.done.is_set() else 0.2)
