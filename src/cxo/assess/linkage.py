"""Churn and revenue linkage: NPS groups and touchpoints against churn, in money.

* **By NPS group**: each customer's first answered response is the index; time at risk from
  there to churn or ``as_of`` (split by tenure band) is modelled with the piecewise-exponential
  model adjusted for segment and tenure band (``cxo.stats.churn``). Reported: standardised
  annual churn per group, and the detractors' excess churn over promoters with the monthly
  revenue at risk of the active detractors.
* **By touchpoint**: the same comparison restricted to the customers who answered at the
  touchpoint (detractor there vs. not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxo.assess.data import bands_long, fetch
from cxo.core.messages import Message, msg
from cxo.errors import InsufficientDataError
from cxo.stats.churn import (
    ExcessChurn,
    GroupChurn,
    RevenueAtRisk,
    churn_by_group,
    excess_churn,
    revenue_at_risk,
)

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.engine.sql import Runner

GROUPS = ["promoter", "passive", "detractor"]


@dataclass
class TouchpointLinkage:
    """Detractors at one touchpoint: excess churn and revenue at risk."""

    touchpoint: str
    owner: dict[str, str | None]
    detractors: int
    churn: ExcessChurn | None
    revenue: RevenueAtRisk | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "touchpoint": self.touchpoint,
            "owner": self.owner,
            "detractors": self.detractors,
            "excess_churn": self.churn.to_dict() if self.churn else None,
            "revenue_at_risk": self.revenue.to_dict() if self.revenue else None,
        }


@dataclass
class Linkage:
    """Churn by NPS group, the detractor effect in money, and the same per touchpoint."""

    by_group: GroupChurn | None
    detractor_excess: ExcessChurn | None
    detractor_revenue: RevenueAtRisk | None
    touchpoints: list[TouchpointLinkage] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "churn_by_nps_group": self.by_group.to_dict() if self.by_group else None,
            "detractor_vs_promoter": self.detractor_excess.to_dict()
            if self.detractor_excess
            else None,
            "detractor_revenue_at_risk": self.detractor_revenue.to_dict()
            if self.detractor_revenue
            else None,
            "touchpoints": [t.to_dict() for t in self.touchpoints],
            "note_messages": [n.to_dict() for n in self.notes],
        }


_SUMS = """count(*) as customers, sum(active::int) as active,
    sum(case when active then mrr else 0 end) as mrr_active,
    sum(x0) as x0, sum(x1) as x1, sum(x2) as x2,
    sum(ev0) as ev0, sum(ev1) as ev1, sum(ev2) as ev2"""


def linkage(
    con: Runner,
    charter: Charter,
    *,
    currency: str = "EUR",
    has_revenue: bool = True,
    seed: int = 0,
) -> Linkage:
    """Churn by NPS group overall and per touchpoint (see the module docs)."""
    notes: list[Message] = []
    # overall: index = first answered response of the customer (any touchpoint; same-day ties
    # go to the first touchpoint key, so the result does not depend on the scan order)
    frame = fetch(
        con,
        f"""with firsts as (
              select customer_id,
                     arg_min(touchpoint, strftime(idx, '%Y-%m-%d') || touchpoint) as touchpoint
              from _a_ct group by customer_id)
            select case when x.det = 1 then 'detractor' when x.prom = 1 then 'promoter'
                        else 'passive' end as grp, x.segment, {_SUMS}
            from _a_x x join firsts f using (customer_id, touchpoint)
            group by 1, x.segment order by 1, x.segment""",
    )
    by_group: GroupChurn | None = None
    det_ex: ExcessChurn | None = None
    det_rev: RevenueAtRisk | None = None
    if not frame.empty:
        cells = bands_long(frame, ["grp", "segment"])
        try:
            by_group = churn_by_group(cells, "grp", ["segment", "band"], levels=GROUPS, seed=seed)
            dp = cells[cells["grp"].isin(["promoter", "detractor"])].copy()
            dp["exposed"] = (dp["grp"] == "detractor").astype(int)
            det_ex = excess_churn(dp, "exposed", ["segment", "band"], seed=seed)
            dets = frame[frame["grp"] == "detractor"]
            if has_revenue:
                det_rev = revenue_at_risk(
                    det_ex,
                    float(dets["mrr_active"].sum()),
                    int(dets["active"].sum()),
                    currency=currency,
                )
        except InsufficientDataError as exc:
            notes.append(msg("assess.linkage.by_group_not_estimated", reason=exc.message))
    tps = fetch(
        con,
        f"""select touchpoint, det, segment, {_SUMS} from _a_x
            group by touchpoint, det, segment order by touchpoint, det, segment""",
    )
    per_tp: list[TouchpointLinkage] = []
    for tp, grp in tps.groupby("touchpoint", sort=True):
        g = grp.rename(columns={"det": "exposed"})
        cells = bands_long(g, ["exposed", "segment"])
        dets = g[g["exposed"] == 1]
        churn: ExcessChurn | None = None
        rev: RevenueAtRisk | None = None
        try:
            churn = excess_churn(cells, "exposed", ["segment", "band"], seed=seed)
            if has_revenue:
                rev = revenue_at_risk(
                    churn,
                    float(dets["mrr_active"].sum()),
                    int(dets["active"].sum()),
                    currency=currency,
                )
        except InsufficientDataError:
            pass
        per_tp.append(
            TouchpointLinkage(
                str(tp), charter.owner_of(str(tp)), int(dets["customers"].sum()), churn, rev
            )
        )
    return Linkage(by_group, det_ex, det_rev, per_tp, notes)
