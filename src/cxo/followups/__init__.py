"""The closed loop: detractors and complaints become follow-up tasks for the touchpoint's owner.

* :mod:`cxo.followups.tasks` — :func:`generate` routes every new detractor (NPS 0–6) and
  negative comment to the accountable person of its touchpoint, due ``sla_hours`` after the
  customer answered; :func:`tasks` lists them; :func:`update` moves a task ``open`` →
  ``contacted`` → ``closed``;
* :mod:`cxo.followups.loop` — :func:`report` measures the loop: the share of due tasks
  contacted within the SLA (Wilson interval), the share contacted at all, median hours to
  contact, open overdue tasks — overall, per owner and per touchpoint; unrouted tasks are an
  accountability gap;
* :mod:`cxo.followups.work` — :func:`add_note` notes a task without moving it;
  :func:`sla_status` says whether it is overdue, due soon, ok or was contacted late.

Results are data; :mod:`cxo.report.followups` puts them in words.
"""

from __future__ import annotations

from cxo.followups.loop import NO_OWNER, LoopReport, LoopStats, report
from cxo.followups.tasks import (
    DEFAULT_DAYS,
    DEFAULT_SLA_HOURS,
    STATUSES,
    FollowUp,
    Generated,
    generate,
    tasks,
    update,
)
from cxo.followups.work import SLA_STATUSES, SlaStatus, add_note, sla_status

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_SLA_HOURS",
    "NO_OWNER",
    "SLA_STATUSES",
    "STATUSES",
    "FollowUp",
    "Generated",
    "LoopReport",
    "LoopStats",
    "SlaStatus",
    "add_note",
    "generate",
    "report",
    "sla_status",
    "tasks",
    "update",
]
