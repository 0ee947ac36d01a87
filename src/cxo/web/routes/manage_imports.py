"""The imports page: upload a CSV/TSV, XLSX, Parquet or JSON-lines file into a contract table.

The upload is stored under the workspace's ``data/uploads`` (refused beyond
:func:`max_upload_bytes`: ``CXO_MAX_UPLOAD_MB``, else ``[web] max_upload_mb`` in ``cxo.toml``,
else 200 MB) and imported by :func:`cxo.ingest.api.import_file` in a background thread; the
page polls the job (htmx) and shows its progress, then the reconciliation
``read = imported + quarantined`` and the quarantined rows with file, line, field and reason
(:func:`cxo.report.ingest.reason_text`). Jobs live in the server process (the last
:data:`KEEP_JOBS`). Only the CX lead and admins import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import threading
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from cxo.core.contract import TABLES
from cxo.errors import CxoError, NotFoundError, UsageError
from cxo.ingest.batch import BatchResult
from cxo.ingest.lock import clean_stale_scratch, mark_owner
from cxo.store.users import User
from cxo.web.deps import CurrentIdentity, CurrentWorkspace
from cxo.web.routes.manage_common import (
    Lead,
    Words,
    fragment,
    is_htmx,
    language,
    page,
    require_lead,
    see_other,
    sign_in,
    words,
)
from cxo.workspace import Workspace

router = APIRouter(prefix="/imports", include_in_schema=False)

DEFAULT_MAX_MB = 200
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".jsonl", ".ndjson", ".json")
KEEP_JOBS = 20
SHOW_QUARANTINE = 500
"""Quarantined rows shown on the page (the count is always complete)."""
_CHUNK = 1 << 20


class UploadTooLarge(CxoError):
    """The upload is larger than the workspace allows."""

    code = "too_large"
    exit_code = 2
    http_status = 413


def max_upload_bytes(ws: Workspace) -> int:
    """The largest upload accepted, in bytes."""
    raw: Any = os.environ.get("CXO_MAX_UPLOAD_MB")
    if raw is None:
        try:
            settings = tomllib.loads((ws.root / "cxo.toml").read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            settings = {}
        raw = settings.get("web", {}).get("max_upload_mb", DEFAULT_MAX_MB)
    try:
        megabytes = float(raw)
    except (TypeError, ValueError):
        raise UsageError(
            f"max_upload_mb must be a number of megabytes, not {raw!r}",
            hint="set CXO_MAX_UPLOAD_MB or [web] max_upload_mb in cxo.toml",
        ) from None
    return int(megabytes * 1_000_000)


@dataclass
class Job:
    """One import started from the page."""

    id: str
    table: str
    filename: str
    user: str
    started: dt.datetime
    state: str = "running"
    """``running``, ``done`` or ``failed``."""
    done: int = 0
    total: int | None = None
    batch: BatchResult | None = None
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None
    finished: dt.datetime | None = None

    def advance(self, step: int, total: int | None) -> None:
        """The importer's progress callback."""
        self.done += step
        if total is not None:
            self.total = total

    @property
    def share(self) -> float | None:
        """How much of the source was read (``None`` when the size is unknown)."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


def _jobs(request: Request) -> dict[str, Job]:
    state = request.app.state
    if not hasattr(state, "import_jobs"):
        state.import_jobs = {}
        state.import_jobs_lock = threading.Lock()
    jobs: dict[str, Job] = state.import_jobs
    return jobs


@router.get("")
def upload_form(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """The upload form and the imports started since the server started."""
    if who.user is None:
        return sign_in(request)
    require_lead(who.user)
    m = words(request, ws)
    jobs = sorted(_jobs(request).values(), key=lambda j: j.started, reverse=True)
    return page(
        request,
        ws,
        who,
        "imports.html",
        title=m("imports.title"),
        tables=sorted(TABLES),
        jobs=[_view(j, language(request, ws)) for j in jobs],
        max_mb=max_upload_bytes(ws) / 1_000_000,
        suffixes=", ".join(SUFFIXES),
    )


@router.post("")
async def upload(request: Request, ws: CurrentWorkspace, user: Lead) -> Response:
    """Store the upload and start its import; the job's progress (htmx) or its page."""
    limit = max_upload_bytes(ws)
    m = words(request, ws)
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit + 100_000:
        raise UploadTooLarge(m("imports.too_large", size=int(length) / 1e6, limit=limit / 1e6))
    form = await request.form(max_files=1, max_fields=10)
    try:
        job, target = await _receive(ws, form, user, limit, m)
    finally:
        await form.close()
    _start(request, ws, job, target, user)
    if is_htmx(request):
        return fragment(request, ws, "imports_job.html", job=_view(job, language(request, ws)))
    return see_other(f"/imports/jobs/{job.id}")


@router.get("/jobs/{job_id}")
def job_status(
    request: Request, ws: CurrentWorkspace, who: CurrentIdentity, job_id: str
) -> Response:
    """One import: its progress while it runs, then the reconciliation and the quarantine."""
    if who.user is None:
        return sign_in(request)
    require_lead(who.user)
    job = _jobs(request).get(job_id)
    if job is None:
        raise NotFoundError(f"no import job {job_id}", hint="jobs are kept until the server stops")
    view = _view(job, language(request, ws))
    if is_htmx(request):
        return fragment(request, ws, "imports_job.html", job=view)
    m = words(request, ws)
    return page(request, ws, who, "imports_result.html", title=m("imports.title"), job=view)


# --- the work --------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _safe_name(filename: str) -> str:
    """The file's base name with only harmless characters (no paths)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return cleaned[-120:]


async def _receive(
    ws: Workspace, form: FormData, user: User, limit: int, m: Words
) -> tuple[Job, Path]:
    """Check the form and store its file under ``data/uploads/<job>/``."""
    table, upload = form.get("table"), form.get("file")
    if not isinstance(table, str) or table not in TABLES:
        raise UsageError(m("imports.bad_table", tables=", ".join(sorted(TABLES))))
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UsageError(m("imports.no_file"))
    name = _safe_name(upload.filename)
    if not name.lower().endswith(SUFFIXES):
        raise UsageError(m("imports.bad_suffix", suffixes=", ".join(SUFFIXES)))
    job = Job(uuid.uuid4().hex[:12], table, name, user.name, _now())
    folder = ws.data_dir / "uploads" / job.id
    folder.mkdir(parents=True)
    mark_owner(folder)  # a server killed mid-import leaves it; the next upload removes it
    clean_stale_scratch(folder.parent, keep=folder, prefix="")
    target = folder / name
    too_large = m("imports.too_large", size=(limit + 1) / 1e6, limit=limit / 1e6)
    try:
        await _store(upload, target, limit, too_large)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job, target


async def _store(upload: UploadFile, target: Path, limit: int, too_large: str) -> None:
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge(too_large)
            out.write(chunk)


def _start(request: Request, ws: Workspace, job: Job, path: Path, user: User) -> None:
    jobs = _jobs(request)
    lock: threading.Lock = request.app.state.import_jobs_lock
    with lock:
        jobs[job.id] = job
        for old in sorted(jobs.values(), key=lambda j: j.started)[:-KEEP_JOBS]:
            if old.state != "running":
                del jobs[old.id]
    thread = threading.Thread(
        target=_run, args=(ws, job, path), name=f"cxo-import-{job.id}", daemon=True
    )
    thread.start()


def _run(ws: Workspace, job: Job, path: Path) -> None:
    """Import ``path`` for ``job`` (in a thread) and keep the quarantined rows to show."""
    from cxo.ingest.api import import_file
    from cxo.store.audit import set_actor

    set_actor(job.user)  # this thread's changes are the uploader's in the audit log
    outcome = job.state
    try:
        batch = import_file(ws, job.table, path, progress=job.advance)
        job.quarantine = _quarantine(ws, batch.batch_id)
        job.batch = dataclasses.replace(batch, source=job.filename)
        outcome = "done"
    except CxoError as exc:
        job.error, job.hint, outcome = exc.message, exc.hint, "failed"
    except Exception as exc:
        job.error, outcome = f"{type(exc).__name__}: {exc}", "failed"
    finally:
        # the upload is removed before the job says it ended: a reader who sees "done"
        # finds no leftover (removing a 1 GB upload takes a moment)
        shutil.rmtree(path.parent, ignore_errors=True)
        job.finished = _now()
        job.state = outcome


def _quarantine(ws: Workspace, batch_id: str) -> list[dict[str, Any]]:
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "select line, field, reason from quarantine where batch_id = ? "
            "order by line nulls last limit ?",
            [batch_id, SHOW_QUARANTINE],
        ).fetchall()
    return [{"line": r[0], "field": r[1], "reason": r[2]} for r in rows]


def _view(job: Job, lang: str) -> dict[str, Any]:
    """What the templates show of ``job``, in ``lang``."""
    from cxo.report import ingest as say

    out: dict[str, Any] = {"job": job, "share": job.share}
    batch = job.batch
    if batch is not None:
        out["summary"] = say.summary(batch, lang)
        out["notes"] = say.notes(batch, lang) + say.details(batch, lang)
        out["rows"] = [
            {
                "file": job.filename,
                "line": "?" if q["line"] is None else q["line"],
                "field": q["field"] or "",
                "reason": say.reason_text(q["reason"], lang) or "",
            }
            for q in job.quarantine
        ]
    return out


__all__ = ["DEFAULT_MAX_MB", "Job", "UploadTooLarge", "max_upload_bytes", "router"]
