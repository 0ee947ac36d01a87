"""Follow-up tasks: detractors and complaints become tasks for the touchpoint's owner.

:func:`generate` turns every response since a date that is a detractor (NPS 0–6) or carries a
negative comment (``cxo text tag``) into one task, routed to the accountable person of its
touchpoint in the charter, due after the touchpoint's SLA (``sla_hours`` in the charter,
48 hours where it sets none; ``sla_hours=`` overrides it for every touchpoint) counted from
the customer's answer (the customer's clock, not the system's). Re-running adds only new
responses (one task per response).
The task carries the *redacted* comment and its themes, never the raw text.

Owners move a task ``open`` → ``contacted`` → ``closed`` (:func:`update`); :func:`tasks` lists
them. Two writers at once lose no update: every change compares and sets the task's
``version`` (:func:`change`): when another process changed the task in between, the change is
re-applied to the fresh task (up to :data:`ATTEMPTS` times), else :class:`TaskConflict`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from cxo.core.charter import DEFAULT_SLA_HOURS
from cxo.core.jsonable import jsonable_dict
from cxo.core.messages import Message, msg
from cxo.errors import CxoError, MissingDataError, NotFoundError, UsageError
from cxo.initiatives.portfolio import ensure_store
from cxo.store.db import session_scope
from cxo.store.models import AuditEntry, FollowUpRow

if TYPE_CHECKING:
    from cxo.workspace import Workspace

STATUSES = ("open", "contacted", "closed")
DEFAULT_DAYS = 30
ATTEMPTS = 20
"""How often a change is re-applied when other writers changed the task in between."""


class TaskConflict(CxoError):
    """A task kept changing under this change (other writers): nothing was written."""

    code = "conflict"
    exit_code = 1
    http_status = 409


@dataclass
class FollowUp:
    """One follow-up task."""

    id: int
    response_id: str
    customer_id: str | None
    touchpoint: str
    owner: str
    department: str
    reason: str
    nps: int | None
    comment: str | None
    themes: list[str]
    responded_at: dt.datetime
    due_at: dt.datetime
    status: str
    contacted_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by: str
    note: str

    def overdue(self, now: dt.datetime) -> bool:
        """Not contacted and past its due time."""
        return self.contacted_at is None and self.status == "open" and now > self.due_at

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(dict(self.__dict__))


def utc_now() -> dt.datetime:
    """Now in UTC without a time zone (as the store keeps times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _from_row(row: FollowUpRow) -> FollowUp:
    return FollowUp(
        row.id,
        row.response_id,
        row.customer_id,
        row.touchpoint,
        row.owner,
        row.department,
        row.reason,
        row.nps,
        row.comment,
        [t for t in row.themes.split(",") if t],
        row.responded_at,
        row.due_at,
        row.status,
        row.contacted_at,
        row.closed_at,
        row.closed_by,
        row.note,
    )


@dataclass
class Generated:
    """What :func:`generate` did."""

    since: dt.date
    candidates: int
    created: int
    unrouted: int
    notes: list[Message] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (notes as message keys with their parameters)."""
        return jsonable_dict(
            {
                "since": self.since,
                "candidates": self.candidates,
                "created": self.created,
                "unrouted": self.unrouted,
                "note_messages": [n.to_dict() for n in self.notes],
            }
        )


def generate(
    ws: Workspace,
    *,
    since: dt.date | None = None,
    sla_hours: float | None = None,
    author: str = "cxo",
) -> Generated:
    """Create a task for every new detractor or negative comment since ``since`` (default:
    the ``DEFAULT_DAYS`` days up to the newest response), due after its touchpoint's SLA in
    the charter (``sla_hours``: the same SLA for every touchpoint instead)."""
    if sla_hours is not None and not sla_hours > 0:
        raise UsageError(f"the SLA must be a positive number of hours, not {sla_hours}")
    tables = ws.tables()
    if "responses" not in tables:
        raise MissingDataError(
            "follow-ups need table `responses`", hint="import it with `cxo import responses FILE`"
        )
    tagged = "response_text" in tables
    notes: list[Message] = []
    if not tagged:
        notes.append(msg("followups.generate.untagged"))
    since, rows = _candidates(ws, since, tagged)
    charter = ws.charter()
    url = ws.app_database_url
    ensure_store(url)
    now = utc_now()
    created = unrouted = 0
    with session_scope(url) as session:
        known = set(session.scalars(select(FollowUpRow.response_id)).all())
        for rid, cid, tp, at, nps, text, sentiment, themes in rows:
            if rid in known:
                continue
            owner = charter.owner_of(str(tp))
            reasons = []
            if nps is not None and nps <= 6:
                reasons.append("detractor")
            if sentiment == "negative":
                reasons.append("complaint")
            if not owner["accountable"]:
                unrouted += 1
            session.add(
                FollowUpRow(
                    response_id=str(rid),
                    customer_id=None if cid is None else str(cid),
                    touchpoint=str(tp),
                    owner=owner["accountable"] or "",
                    department=owner["department"] or "",
                    reason=",".join(reasons),
                    nps=None if nps is None else int(nps),
                    comment=text,
                    themes=themes or "",
                    responded_at=at,
                    due_at=at + dt.timedelta(hours=sla_hours or charter.sla_hours(str(tp))),
                    status="open",
                    closed_by="",
                    note="",
                    created_at=now,
                )
            )
            created += 1
        session.add(
            AuditEntry(at=now, actor=author, action="followup.generate", detail=f"{created} tasks")
        )
        session.commit()
    if unrouted:
        notes.append(msg("followups.generate.unrouted", tasks=unrouted))
    return Generated(since, len(rows), created, unrouted, notes)


def _candidates(
    ws: Workspace, since: dt.date | None, tagged: bool
) -> tuple[dt.date, list[tuple[Any, ...]]]:
    """Detractors and negative comments since ``since`` (default: the ``DEFAULT_DAYS`` days up
    to the newest response), oldest first, with the redacted comment and negative themes."""
    with ws.connect(read_only=True) as con:
        if since is None:
            last = con.execute("select max(responded_at)::date from responses").fetchone()
            if last is None or last[0] is None:
                raise MissingDataError("table `responses` is empty: nothing to follow up")
            since = last[0] - dt.timedelta(days=DEFAULT_DAYS)
        text_cols = "t.redacted_text, t.sentiment, th.themes" if tagged else "null, null, null"
        text_join = (
            """left join response_text t using (response_id)
               left join (select response_id, string_agg(theme, ',' order by theme) as themes
                          from response_themes where sentiment = 'negative' group by 1) th
               using (response_id)"""
            if tagged
            else ""
        )
        negative = "or t.sentiment = 'negative'" if tagged else ""
        rows = con.execute(
            f"""select r.response_id, r.customer_id, r.touchpoint, r.responded_at, r.nps,
                       {text_cols}
                from responses r {text_join}
                where r.responded_at >= $since and (r.nps <= 6 {negative})
                order by r.responded_at, r.response_id""",
            {"since": since},
        ).fetchall()
    return since, rows


def tasks(
    ws: Workspace,
    *,
    owner: str | None = None,
    status: str | None = None,
    touchpoint: str | None = None,
) -> list[FollowUp]:
    """Tasks, oldest due first, filtered by owner, status and touchpoint."""
    if status is not None and status not in STATUSES:
        raise UsageError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    url = ws.app_database_url
    ensure_store(url)
    with session_scope(url) as session:
        q = select(FollowUpRow)
        if owner is not None:
            q = q.where(FollowUpRow.owner == owner)
        if status is not None:
            q = q.where(FollowUpRow.status == status)
        if touchpoint is not None:
            q = q.where(FollowUpRow.touchpoint == touchpoint)
        rows = session.scalars(q.order_by(FollowUpRow.due_at, FollowUpRow.id)).all()
        return [_from_row(r) for r in rows]


def update(
    ws: Workspace,
    task_id: int,
    status: str,
    *,
    note: str = "",
    by: str = "cxo",
    at: dt.datetime | None = None,
) -> FollowUp:
    """Move task ``task_id`` to ``status`` (``contacted`` or ``closed``; ``open`` reopens)."""
    if status not in STATUSES:
        raise UsageError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    when = at or utc_now()

    def apply(row: FollowUpRow) -> None:
        if status in ("contacted", "closed") and row.contacted_at is None:
            row.contacted_at = when
        if status == "closed":
            row.closed_at = when
            row.closed_by = by
        if status == "open":
            row.closed_at = None
        row.status = status
        if note:
            row.note = (row.note + "\n" if row.note else "") + note

    audit = AuditEntry(at=when, actor=by, action=f"followup.{status}", detail=str(task_id))
    return change(ws, task_id, apply, audit=audit, missing=UsageError)


def change(
    ws: Workspace,
    task_id: int,
    apply: Callable[[FollowUpRow], None],
    *,
    audit: AuditEntry,
    missing: type[CxoError] = NotFoundError,
) -> FollowUp:
    """Apply ``apply`` to task ``task_id`` and write it with ``audit`` in one transaction,
    compare-and-set on the task's ``version``: when another writer changed the task (or held
    the database, SQLite) in between, read the fresh task and apply again, up to
    :data:`ATTEMPTS` times with a short random pause; then :class:`TaskConflict`."""
    url = ws.app_database_url
    ensure_store(url)
    for attempt in range(ATTEMPTS):
        with session_scope(url) as session:
            row = session.get(FollowUpRow, task_id)
            if row is None:
                raise missing(f"no follow-up task {task_id}")
            apply(row)
            session.add(
                AuditEntry(at=audit.at, actor=audit.actor, action=audit.action, detail=audit.detail)
            )
            try:
                session.commit()
            except (StaleDataError, OperationalError) as exc:
                if isinstance(exc, OperationalError) and not _busy(exc):
                    raise
                session.rollback()
                time.sleep(random.uniform(0.001, 0.01 * (attempt + 1)))
                continue
            return _from_row(row)
    raise TaskConflict(
        f"follow-up task {task_id} kept changing under this change: nothing was written",
        hint="try again",
    )


def _busy(exc: OperationalError) -> bool:
    """A lock another writer holds (SQLite ``database is locked``, PostgreSQL serialization
    or deadlock), which a retry gets past."""
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or "deadlock" in text or "serializ" in text


__all__ = [
    "ATTEMPTS",
    "DEFAULT_DAYS",
    "DEFAULT_SLA_HOURS",
    "STATUSES",
    "FollowUp",
    "Generated",
    "TaskConflict",
    "change",
    "generate",
    "tasks",
    "update",
    "utc_now",
]
