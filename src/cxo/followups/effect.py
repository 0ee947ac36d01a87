"""Does following up help? Later NPS and churn of contacted against not-contacted detractors.

Design (observational, not an experiment): every customer's first detractor task (NPS 0–6,
linked to a customer) is one unit. *Contacted*: the task was contacted within
``window_days`` of the answer. Outcomes, counted from ``window_days`` after the answer so
that both groups start at the same time:

* **later NPS** — the customer's first NPS answer between ``window_days`` and
  ``horizon_days`` after the detractor answer, as +100/0/−100 (customers who did not answer
  again drop out of this outcome);
* **later churn** — the customer churned (``customers.churn_date``) within
  ``churn_days`` after the detractor answer; only units whose ``churn_days`` lie wholly
  before the end of the data count, and customers gone before ``window_days`` are left out.

Comparable scores: the difference contacted − not contacted is taken within each original
score (0, 1, …, 6) and averaged with the contacted units as weights (the effect on those
contacted); a score counts only where both groups have at least two units. Its standard error
is ``√Σ w_s² (s²_c/n_c + s²_n/n_n)`` (unequal variances, ``s²`` with ``n − 1``), the interval
normal at 95 %. With one score this is statsmodels' ``CompareMeans.zconfint_diff(usevar=
"unequal")`` (tested).

Limits, said with every result: owners choose whom they reach, and reachable customers may
differ from the rest in ways the score does not capture; later NPS is seen only for customers
who answer again. The difference is an association that matches the score, not a proven
effect.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.core.jsonable import jsonable_dict
from cxo.core.messages import Message, msg
from cxo.errors import MissingDataError, UsageError
from cxo.followups.tasks import tasks
from cxo.stats import Estimate

if TYPE_CHECKING:
    from cxo.workspace import Workspace

WINDOW_DAYS = 14
HORIZON_DAYS = 365
CHURN_DAYS = 180
MAX_DAYS = 3650
MIN_PER_GROUP = 10
"""Fewer units in either group (over the scores that count) and the outcome is not estimated."""


@dataclass(frozen=True)
class Outcome:
    """One outcome's difference contacted − not contacted, matched on the original score."""

    metric: str
    effect: Estimate
    """NPS points (``later_nps``) or a share (``later_churn``); all NaN when not estimated."""
    contacted: int
    not_contacted: int
    """Units behind the estimate (at the scores that count); when it was not made, all units
    with the outcome."""
    contacted_mean: float
    not_contacted_mean: float
    scores: list[int]
    """Original scores (0–6) where both groups had enough units."""

    @property
    def estimated(self) -> bool:
        """Both groups had enough units."""
        return math.isfinite(self.effect.value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return jsonable_dict(
            {
                "metric": self.metric,
                "effect": self.effect.value,
                "ci_low": self.effect.ci_low,
                "ci_high": self.effect.ci_high,
                "se": self.effect.se,
                "level": self.effect.level,
                "contacted": self.contacted,
                "not_contacted": self.not_contacted,
                "contacted_mean": self.contacted_mean,
                "not_contacted_mean": self.not_contacted_mean,
                "scores": self.scores,
            }
        )


@dataclass
class ContactEffect:
    """Later NPS and churn of contacted against not-contacted detractors."""

    units: int
    contacted: int
    window_days: int
    horizon_days: int
    churn_days: int
    later_nps: Outcome
    later_churn: Outcome | None
    """``None`` without a ``customers`` table with churn dates."""
    notes: list[Message] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (words as message keys with their parameters)."""
        return jsonable_dict(
            {
                "design": "observational: contacted vs not-contacted detractors, matched on "
                "their original score",
                "units": self.units,
                "contacted": self.contacted,
                "window_days": self.window_days,
                "horizon_days": self.horizon_days,
                "churn_days": self.churn_days,
                "later_nps": self.later_nps.to_dict(),
                "later_churn": None if self.later_churn is None else self.later_churn.to_dict(),
                "note_messages": [n.to_dict() for n in self.notes],
            }
        )


def stratified_difference(
    metric: str, groups: dict[int, tuple[list[float], list[float]]], level: float = 0.95
) -> Outcome:
    """Difference of means contacted − not contacted within each score, weighted by the
    contacted units; ``groups``: score → (contacted values, not-contacted values)."""
    used = sorted(s for s, (c, n) in groups.items() if len(c) >= 2 and len(n) >= 2)
    nc = sum(len(groups[s][0]) for s in used)
    nn = sum(len(groups[s][1]) for s in used)
    all_c = [v for s in used for v in groups[s][0]]
    all_n = [v for s in used for v in groups[s][1]]
    mean_c = float(np.mean(all_c)) if all_c else math.nan
    mean_n = float(np.mean(all_n)) if all_n else math.nan
    if nc < MIN_PER_GROUP or nn < MIN_PER_GROUP:  # say how many there were at all
        all_c = [v for c, _ in groups.values() for v in c]
        all_n = [v for _, n in groups.values() for v in n]
        mean_c = float(np.mean(all_c)) if all_c else math.nan
        mean_n = float(np.mean(all_n)) if all_n else math.nan
        missing = Estimate.missing(len(all_c) + len(all_n), level)
        return Outcome(metric, missing, len(all_c), len(all_n), mean_c, mean_n, used)
    value = var = 0.0
    for s in used:
        c, n = (np.asarray(x, dtype=float) for x in groups[s])
        w = len(c) / nc
        value += w * (c.mean() - n.mean())
        var += w * w * (c.var(ddof=1) / len(c) + n.var(ddof=1) / len(n))
    effect = Estimate.normal(value, math.sqrt(var), n=nc + nn, level=level)
    return Outcome(metric, effect, nc, nn, mean_c, mean_n, used)


def contact_effect(
    ws: Workspace,
    *,
    window_days: int = WINDOW_DAYS,
    horizon_days: int = HORIZON_DAYS,
    churn_days: int = CHURN_DAYS,
) -> ContactEffect:
    """Later NPS and churn of detractors contacted within ``window_days`` against those who
    were not, matched on their original score (see the module's design and limits)."""
    if (
        not 0 < window_days < horizon_days
        or not window_days < churn_days
        or max(horizon_days, churn_days) > MAX_DAYS
    ):
        raise UsageError(
            "the contact window must be positive and shorter than the NPS horizon and the "
            f"churn period, none longer than {MAX_DAYS} days (got {window_days}, "
            f"{horizon_days}, {churn_days} days)"
        )
    units = _units(ws, window_days)
    if not units:
        raise MissingDataError(
            "no detractor follow-up task is linked to a customer",
            hint="create tasks with `cxo followup generate` (responses need a customer_id)",
        )
    later = _later_nps(ws, units, window_days, horizon_days)
    nps_groups: dict[int, tuple[list[float], list[float]]] = {}
    for (_cid, score, _at, contacted), value in zip(units, later, strict=True):
        if value is not None:
            nps_groups.setdefault(score, ([], []))[0 if contacted else 1].append(value)
    nps = stratified_difference("later_nps", nps_groups)
    churn = _churn_outcome(ws, units, window_days, churn_days)
    notes = [msg("followups.effect.design")]
    for outcome in (nps, churn):
        if outcome is not None and not outcome.estimated:
            notes.append(
                msg(
                    f"followups.effect.too_few.{outcome.metric}",
                    contacted=outcome.contacted,
                    not_contacted=outcome.not_contacted,
                    minimum=MIN_PER_GROUP,
                )
            )
    if churn is None:
        notes.append(msg("followups.effect.no_churn"))
    return ContactEffect(
        len(units),
        sum(1 for u in units if u[3]),
        window_days,
        horizon_days,
        churn_days,
        nps,
        churn,
        notes,
    )


def _units(ws: Workspace, window_days: int) -> list[tuple[str, int, dt.datetime, bool]]:
    """(customer, original score, answered at, contacted within the window): each customer's
    first detractor task."""
    seen: set[str] = set()
    out = []
    window = dt.timedelta(days=window_days)
    for t in sorted(tasks(ws), key=lambda t: (t.responded_at, t.id)):
        if t.customer_id is None or t.nps is None or t.nps > 6 or t.customer_id in seen:
            continue
        seen.add(t.customer_id)
        contacted = t.contacted_at is not None and t.contacted_at <= t.responded_at + window
        out.append((t.customer_id, int(t.nps), t.responded_at, contacted))
    return out


def _later_nps(
    ws: Workspace,
    units: list[tuple[str, int, dt.datetime, bool]],
    window_days: int,
    horizon_days: int,
) -> list[float | None]:
    """Each unit's first NPS answer (as +100/0/−100) from ``window_days`` to
    ``horizon_days`` after its detractor answer."""
    import pandas as pd

    frame = pd.DataFrame(
        {"i": range(len(units)), "customer_id": [u[0] for u in units], "at": [u[2] for u in units]}
    )
    with ws.connect(read_only=True) as con:
        con.register("_units", frame)
        rows = con.execute(
            """select u.i, arg_min(case when r.nps >= 9 then 100 when r.nps <= 6 then -100
                                       else 0 end, r.responded_at)
               from _units u join responses r
                 on r.customer_id = u.customer_id and r.nps is not null
                and r.responded_at >= u."at" + to_days($w)
                and r.responded_at <= u."at" + to_days($h)
               group by u.i""",
            {"w": window_days, "h": horizon_days},
        ).fetchall()
        con.unregister("_units")
    found = {int(i): float(v) for i, v in rows}
    return [found.get(i) for i in range(len(units))]


def _churn_outcome(
    ws: Workspace,
    units: list[tuple[str, int, dt.datetime, bool]],
    window_days: int,
    churn_days: int,
) -> Outcome | None:
    """Churned within ``churn_days`` (1/0) of the units whose period ended before the data did;
    ``None`` without customers' churn dates."""
    if "customers" not in ws.tables():
        return None
    with ws.connect(read_only=True) as con:
        known = dict(con.execute("select customer_id, churn_date from customers").fetchall())
        end_row = con.execute(
            """select greatest((select max(responded_at)::date from responses),
                               (select max(churn_date) from customers))"""
        ).fetchone()
    end = end_row[0] if end_row else None
    if end is None:
        return None
    groups: dict[int, tuple[list[float], list[float]]] = {}
    for cid, score, at, contacted in units:
        if cid not in known or at.date() + dt.timedelta(days=churn_days) > end:
            continue
        churned = known[cid]
        if churned is not None and churned < at.date() + dt.timedelta(days=window_days):
            continue  # gone before anyone could follow up: neither group
        value = float(churned is not None and churned <= at.date() + dt.timedelta(days=churn_days))
        groups.setdefault(score, ([], []))[0 if contacted else 1].append(value)
    return stratified_difference("later_churn", groups)


__all__ = [
    "CHURN_DAYS",
    "HORIZON_DAYS",
    "MAX_DAYS",
    "MIN_PER_GROUP",
    "WINDOW_DAYS",
    "ContactEffect",
    "Outcome",
    "contact_effect",
    "stratified_difference",
]
