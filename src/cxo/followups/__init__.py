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
  :func:`sla_status` says whether it is overdue, due soon, ok or was contacted late;
* :mod:`cxo.followups.routing` — :func:`reroute` moves unfinished tasks to the new owner when
  the charter changes a touchpoint's accountable person;
* :mod:`cxo.followups.effect` — :func:`contact_effect`: later NPS and churn of contacted
  against not-contacted detractors (observational, with intervals).

Every change of a task compares and sets its ``version``: two writers lose no update.

Results are data; :mod:`cxo.report.followups` puts them in words.
"""

from __future__ import annotations

from cxo.followups.effect import ContactEffect, contact_effect
from cxo.followups.loop import NO_OWNER, LoopReport, LoopStats, report
from cxo.followups.routing import Move, Rerouted, reroute, reroute_of_version
from cxo.followups.tasks import (
    DEFAULT_DAYS,
    DEFAULT_SLA_HOURS,
    STATUSES,
    FollowUp,
    Generated,
    TaskConflict,
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
    "ContactEffect",
    "FollowUp",
    "Generated",
    "LoopReport",
    "LoopStats",
    "Move",
    "Rerouted",
    "SlaStatus",
    "TaskConflict",
    "add_note",
    "contact_effect",
    "generate",
    "report",
    "reroute",
    "reroute_of_version",
    "sla_status",
    "tasks",
    "update",
]
