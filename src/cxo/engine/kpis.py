"""The charter's touchpoint KPIs against their targets, aware of the direction.

Every KPI of the charter gets a status over the whole window: ``met``, ``missed``,
``no data``, ``no target``, or ``not measured`` for metrics the scorecard does not compute
(fcr, task_success). Churn is the overall churn share (a company KPI).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cxo.engine.sums import GroupSums, MetricEstimate, clean

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.engine.groups import GroupQueries
    from cxo.stats import ProportionEstimate

METRICS = ("nps", "csat", "ces", "churn")
MEASURED = frozenset(METRICS)
STATUSES = ("met", "missed", "no data", "not measured", "no target")


@dataclass(frozen=True)
class KpiStatus:
    """A charter KPI of a touchpoint against its target."""

    touchpoint: str
    label: str
    department: str | None
    accountable: str | None
    metric: str
    target: float | None
    direction: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    status: str  # met | missed | no data | not measured | no target

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {k: clean(v) for k, v in self.__dict__.items()}


def kpi_status(value: float | None, target: float | None, direction: str) -> str:
    """``met``/``missed`` by the KPI's direction, ``no data`` or ``no target``."""
    if value is None or math.isnan(value):
        return "no data"
    if target is None:
        return "no target"
    ok = value >= target if direction == "higher" else value <= target
    return "met" if ok else "missed"


def kpis(
    queries: GroupQueries,
    charter: Charter,
    total_churn: ProportionEstimate | None,
    language: str,
) -> list[KpiStatus]:
    """The status of every touchpoint KPI of ``charter`` (labels in ``language``)."""
    per_tp = queries.groups(("touchpoint",))
    level = queries.level
    out: list[KpiStatus] = []
    for tp in charter.touchpoints:
        sums = per_tp.get((tp.key,), GroupSums())
        owner = charter.owner_of(tp.key)
        for kpi in tp.kpis:
            est: MetricEstimate | None = None
            if kpi.metric == "nps":
                est = sums.nps(level)
            elif kpi.metric == "csat":
                est = sums.csat(level)
            elif kpi.metric == "ces":
                est = sums.ces(level)
            elif kpi.metric == "churn":
                est = total_churn
            if kpi.metric in MEASURED:
                status = kpi_status(None if est is None else est.value, kpi.target, kpi.direction)
            else:
                status = "not measured"
            out.append(
                KpiStatus(
                    touchpoint=tp.key,
                    label=tp.label(language),
                    department=owner["department"],
                    accountable=owner["accountable"],
                    metric=kpi.metric,
                    target=kpi.target,
                    direction=kpi.direction,
                    value=None if est is None else clean(est.value),
                    ci_low=None if est is None else clean(est.ci_low),
                    ci_high=None if est is None else clean(est.ci_high),
                    n=0 if est is None else est.n,
                    status=status,
                )
            )
    return out
