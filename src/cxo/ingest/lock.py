"""One import at a time per workspace, and no scratch folder left behind by a killed one.

An import holds an exclusive ``flock`` on ``data/import.lock`` from opening its source to
its commit; a second import waits for it (saying so once) and gives up after
``CXO_IMPORT_WAIT`` seconds (default 600) with :class:`WorkspaceBusy`. Each import's
scratch folder ``data/cxo-import-*`` records its owner (process id and start time); the
next import removes the folders whose owner is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cxo.errors import CxoError

LOCK_NAME = "import.lock"
SCRATCH_PREFIX = "cxo-import-"
OWNER_FILE = ".owner"
WAIT_ENV = "CXO_IMPORT_WAIT"
DEFAULT_WAIT = 600.0
AFTER_WAIT = 0.5
UNOWNED_AGE = 3600.0
"""A scratch folder without an owner file (written by an older cxo) is stale after this."""

WaitFn = Callable[[int | None], None]
"""Called once when the lock is held by another process (its id, if known)."""


class WorkspaceBusy(CxoError):
    """Another import into the same workspace did not finish in time."""

    code = "workspace_busy"
    exit_code = 1
    http_status = 409


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (Linux ``/proc``), None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def _alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if start is not None:
        now = _start_time(pid)
        return now is None or now == start
    return True


def _me() -> str:
    pid = os.getpid()
    return f"{pid} {_start_time(pid) or '-'}"


def mark_owner(folder: Path) -> None:
    """Record this process as the owner of scratch folder ``folder``."""
    with contextlib.suppress(OSError):
        (folder / OWNER_FILE).write_text(_me())


def _owner_gone(folder: Path) -> bool:
    try:
        pid_text, start = (folder / OWNER_FILE).read_text().split()[:2]
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > UNOWNED_AGE
        except OSError:
            return False
    except (OSError, ValueError):
        return False
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    return not _alive(pid, None if start == "-" else start)


def clean_stale_scratch(
    data_dir: Path, *, keep: Path | None = None, prefix: str = SCRATCH_PREFIX
) -> list[Path]:
    """Remove ``cxo-import-*`` (``prefix``) folders of ``data_dir`` whose owner is gone."""
    removed: list[Path] = []
    try:
        folders = [p for p in data_dir.glob(prefix + "*") if p.is_dir()]
    except OSError:
        return removed
    for folder in folders:
        if keep is not None and folder.resolve() == keep.resolve():
            continue
        if _owner_gone(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


_held: dict[str, list[int]] = {}
"""Lock path → [file descriptor, holders in this process] (the lock is re-entrant)."""
_guard = threading.Lock()


class ImportLock:
    """A held workspace import lock; released by :meth:`release` or when collected."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self._released = False

    def release(self) -> None:
        """Give the lock up (the last holder in this process unlocks the file)."""
        with _guard:
            if self._released:
                return
            self._released = True
            entry = _held.get(self.path)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] <= 0:
                del _held[self.path]
                with contextlib.suppress(OSError):
                    os.close(entry[0])

    def __enter__(self) -> ImportLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


_pending: dict[str, ImportLock] = {}
"""Scratch folder → the lock its import took when opening its source (see :func:`hold_for`)."""


def hold_for(workdir: Path, lock: ImportLock) -> None:
    """Keep ``lock`` until :func:`release_for` ``workdir`` (the batch's end)."""
    with _guard:
        old = _pending.pop(str(workdir), None)
        _pending[str(workdir)] = lock
    if old is not None:
        old.release()


def release_for(workdir: Path) -> None:
    """Give up the lock taken for ``workdir``, and those of scratch folders already gone."""
    with _guard:
        done = [k for k in _pending if k == str(workdir) or not Path(k).exists()]
        locks = [_pending.pop(k) for k in done]
    for lock in locks:
        lock.release()


Notifier = Callable[[Path, int | None], None]
"""``(data_dir, holder pid)``: says, in the user's language, that an import waits."""
_notifier: list[Notifier] = []


def set_notifier(notifier: Notifier) -> None:
    """How waiting is announced when the caller gives no ``on_wait`` (the CLI sets one)."""
    _notifier[:] = [notifier]


def _say_waiting(data_dir: Path, pid: int | None) -> None:
    if _notifier:
        _notifier[0](data_dir, pid)
        return
    who = f" (process {pid})" if pid else ""
    sys.stderr.write(f"waiting for another import into this workspace{who} to finish …\n")
    sys.stderr.flush()


def _holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").split()
        return int(text[0]) if text else None
    except (OSError, ValueError):
        return None


def wait_seconds() -> float:
    """How long to wait for another import: ``CXO_IMPORT_WAIT`` seconds, default 600."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


def acquire(
    data_dir: Path, *, timeout: float | None = None, on_wait: WaitFn | None = None
) -> ImportLock:
    """Take the workspace's import lock, waiting up to ``timeout`` seconds for another import."""
    import fcntl

    path = data_dir / LOCK_NAME
    key = str(path)
    release_for(data_dir / "-")  # locks of imports whose scratch folder is gone
    with _guard:
        if key in _held:
            _held[key][1] += 1
            return ImportLock(path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    limit = wait_seconds() if timeout is None else timeout
    deadline = time.monotonic() + limit
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = _holder(fd)
            if not told:
                if on_wait is not None:
                    on_wait(holder)
                else:
                    _say_waiting(data_dir, holder)
                told = True
            if time.monotonic() >= deadline:
                os.close(fd)
                who = f" (process {holder})" if holder else ""
                raise WorkspaceBusy(
                    f"another import into {data_dir.parent} is still running{who}; "
                    f"gave up waiting after {limit:.0f} s and imported nothing",
                    hint=f"try again when it has finished, or wait longer with {WAIT_ENV}=SECONDS",
                ) from None
            time.sleep(0.2)
    if told:  # the previous import closes its database connection just after unlocking
        time.sleep(AFTER_WAIT)
    os.ftruncate(fd, 0)
    os.pwrite(fd, _me().encode(), 0)
    with _guard:
        _held[key] = [fd, 1]
    return ImportLock(path)
