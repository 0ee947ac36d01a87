"""How well the loop closes: the share of due tasks contacted within the SLA, and more.

:func:`report` measures the loop: the share of due tasks whose customer was contacted within
the SLA (Wilson interval), the share contacted at all, median hours to contact, open overdue
tasks — overall and per owner and touchpoint; tasks whose touchpoint has no accountable person
are counted as unrouted (an accountability gap for ``cxo charter check``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cxo.core.jsonable import jsonable_dict
from cxo.errors import MissingDataError
from cxo.followups.tasks import FollowUp, tasks, utc_now
from cxo.stats import Estimate
from cxo.stats.proportions import proportion

if TYPE_CHECKING:
    from cxo.workspace import Workspace

NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class LoopStats:
    """How well one group of tasks was followed up."""

    group: str
    """The owner (``NO_OWNER`` for tasks nobody is accountable for), touchpoint or ``all``."""
    tasks: int
    due: int
    within_sla: Estimate
    """Share of the due tasks contacted within the SLA, with its Wilson interval (all NaN
    when no task is due yet)."""
    contacted: float
    median_hours_to_contact: float | None
    overdue_open: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "group": self.group,
                "tasks": self.tasks,
                "due": self.due,
                "within_sla": self.within_sla.value,
                "within_sla_ci": [self.within_sla.ci_low, self.within_sla.ci_high],
                "contacted": self.contacted,
                "median_hours_to_contact": self.median_hours_to_contact,
                "overdue_open": self.overdue_open,
            }
        )


def _stats(group: str, items: list[FollowUp], now: dt.datetime) -> LoopStats:
    due = [t for t in items if t.due_at <= now]
    ok = sum(1 for t in due if t.contacted_at is not None and t.contacted_at <= t.due_at)
    contacted = [t for t in items if t.contacted_at is not None]
    hours = [
        (t.contacted_at - t.responded_at).total_seconds() / 3600
        for t in contacted
        if t.contacted_at
    ]
    share = proportion(ok, len(due)) if due else Estimate.missing(0)
    return LoopStats(
        group,
        len(items),
        len(due),
        share,
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
    at = now or utc_now()
    items = tasks(ws)
    if not items:
        raise MissingDataError(
            "no follow-up tasks yet", hint="create them with `cxo followup generate`"
        )

    def grouped(key: str) -> list[LoopStats]:
        groups: dict[str, list[FollowUp]] = {}
        for t in items:
            groups.setdefault(getattr(t, key) or NO_OWNER, []).append(t)
        return [_stats(k, v, at) for k, v in sorted(groups.items())]

    return LoopReport(
        at,
        _stats("all", items, at),
        grouped("owner"),
        grouped("touchpoint"),
        sum(1 for t in items if not t.owner),
    )


__all__ = ["NO_OWNER", "LoopReport", "LoopStats", "report"]
