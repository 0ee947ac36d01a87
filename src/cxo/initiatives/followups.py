"""Closed loop: detractors and complaints become follow-up tasks for the touchpoint's owner.

:func:`generate` turns every response since a date that is a detractor (NPS 0–6) or carries a
negative comment (``cxo text tag``) into one task, routed to the accountable person of its
touchpoint in the charter, due ``sla_hours`` after the customer answered (the customer's
clock, not the system's). Re-running adds only new responses (one task per response).
The task carries the *redacted* comment and its themes, never the raw text.

Owners move a task ``open`` → ``contacted`` → ``closed`` (:func:`update`); :func:`report`
measures the loop: the share of due tasks whose customer was contacted within the SLA (Wilson
interval), the share contacted at all, median hours to contact, open overdue tasks — overall
and per owner and touchpoint; tasks whose touchpoint has no accountable person are counted as
unrouted (an accountability gap for ``cxo charter check``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from cxo.core.jsonable import jsonable_dict
from cxo.errors import MissingDataError, UsageError
from cxo.initiatives.portfolio import ensure_store
from cxo.stats.proportions import proportion
from cxo.store.db import session_scope
from cxo.store.models import AuditEntry, FollowUpRow

if TYPE_CHECKING:
    from cxo.workspace import Workspace

STATUSES = ("open", "contacted", "closed")
DEFAULT_SLA_HOURS = 48
DEFAULT_DAYS = 30


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


def _now() -> dt.datetime:
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
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(dict(self.__dict__))


def generate(
    ws: Workspace,
    *,
    since: dt.date | None = None,
    sla_hours: float = DEFAULT_SLA_HOURS,
    author: str = "cxo",
) -> Generated:
    """Create a task for every new detractor or negative comment since ``since`` (default:
    the ``DEFAULT_DAYS`` days up to the newest response)."""
    if sla_hours <= 0:
        raise UsageError(f"the SLA must be a positive number of hours, not {sla_hours}")
    tables = ws.tables()
    if "responses" not in tables:
        raise MissingDataError(
            "follow-ups need table `responses`", hint="import it with `cxo import responses FILE`"
        )
    tagged = "response_text" in tables
    notes: list[str] = []
    if not tagged:
        notes.append(
            "comments are not tagged: tasks come from detractors only and carry no comment "
            "(run `cxo text tag` for negative comments and redacted text)"
        )
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
    charter = ws.charter()
    url = ws.app_database_url
    ensure_store(url)
    now = _now()
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
                    due_at=at + dt.timedelta(hours=sla_hours),
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
        notes.append(
            f"{unrouted} tasks have no owner: their touchpoints lack an accountable person "
            "in the charter (`cxo charter check`)"
        )
    return Generated(since, len(rows), created, unrouted, notes)


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
    when = at or _now()
    url = ws.app_database_url
    ensure_store(url)
    with session_scope(url) as session:
        row = session.get(FollowUpRow, task_id)
        if row is None:
            raise UsageError(f"no follow-up task {task_id}")
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
        session.add(AuditEntry(at=when, actor=by, action=f"followup.{status}", detail=str(task_id)))
        session.commit()
        return _from_row(row)


@dataclass(frozen=True)
class LoopStats:
    """How well one group of tasks was followed up."""

    group: str
    tasks: int
    due: int
    within_sla: float
    within_sla_ci: tuple[float, float]
    contacted: float
    median_hours_to_contact: float | None
    overdue_open: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(dict(self.__dict__))


def _stats(group: str, items: list[FollowUp], now: dt.datetime) -> LoopStats:
    due = [t for t in items if t.due_at <= now]
    ok = sum(1 for t in due if t.contacted_at is not None and t.contacted_at <= t.due_at)
    contacted = [t for t in items if t.contacted_at is not None]
    hours = [
        (t.contacted_at - t.responded_at).total_seconds() / 3600
        for t in contacted
        if t.contacted_at
    ]
    if due:
        est = proportion(ok, len(due))
        share, ci = est.value, (est.ci_low, est.ci_high)
    else:
        share, ci = float("nan"), (float("nan"), float("nan"))
    return LoopStats(
        group,
        len(items),
        len(due),
        share,
        ci,
        len(contacted) / len(items) if items else float("nan"),
        statistics.median(hours) if hours else None,
        sum(1 for t in items if t.overdue(now)),
    )


@dataclass
class LoopReport:
    """The closed loop overall, per owner and per touchpoint."""

    now: dt.datetime
    overall: LoopStats
    by_owner: list[LoopStats]
    by_touchpoint: list[LoopStats]
    unrouted: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "now": self.now,
                "overall": self.overall.to_dict(),
                "by_owner": [s.to_dict() for s in self.by_owner],
                "by_touchpoint": [s.to_dict() for s in self.by_touchpoint],
                "unrouted": self.unrouted,
            }
        )


def report(ws: Workspace, *, now: dt.datetime | None = None) -> LoopReport:
    """Follow-up rate within the SLA, time to contact and overdue tasks."""
    at = now or _now()
    items = tasks(ws)
    if not items:
        raise MissingDataError(
            "no follow-up tasks yet", hint="create them with `cxo followup generate`"
        )

    def grouped(key: str) -> list[LoopStats]:
        groups: dict[str, list[FollowUp]] = {}
        for t in items:
            groups.setdefault(getattr(t, key) or "(no owner)", []).append(t)
        return [_stats(k, v, at) for k, v in sorted(groups.items())]

    return LoopReport(
        at,
        _stats("all", items, at),
        grouped("owner"),
        grouped("touchpoint"),
        sum(1 for t in items if not t.owner),
    )


__all__ = [
    "DEFAULT_SLA_HOURS",
    "STATUSES",
    "FollowUp",
    "Generated",
    "LoopReport",
    "LoopStats",
    "generate",
    "report",
    "tasks",
    "update",
]
