"""The assessment's prepared data, for other analyses: questions answered, tables kept private.

:func:`prepared` builds the assessment's working tables on a connection (``cxo.assess.data``)
and returns a :class:`PreparedData` whose methods answer what other analyses (initiatives and
their proof) need from them: who answered at some touchpoints — active customers, their monthly
revenue, years at risk and churn events — and the detractor churn linkage per touchpoint. The
working tables themselves stay an implementation detail of :mod:`cxo.assess`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxo.assess.data import Prepared, prepare
from cxo.assess.linkage import Linkage, linkage

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.engine.sql import Runner


@dataclass(frozen=True)
class TouchpointReach:
    """Customers who answered at some touchpoints (each counted once)."""

    active_customers: int
    """Those still active at the assessment date (0 when nobody answered there)."""
    active_mrr: float
    """Their monthly contract revenue, summed."""
    years_at_risk: float
    """Years at risk of everyone who answered there (active or not), from the first answer at
    those touchpoints to churn or the assessment date."""
    churn_events: float
    """Churn events among them in that time."""


class PreparedData:
    """The working tables of one connection, read through questions (see the module docs)."""

    def __init__(self, con: Runner, info: Prepared) -> None:
        self._con = con
        self.info = info

    @property
    def has_revenue(self) -> bool:
        """Whether contracts (monthly revenue per customer) were imported."""
        return self.info.has_revenue

    @property
    def as_of(self) -> dt.date:
        """The assessment date."""
        return self.info.as_of

    def reach(self, touchpoints: list[str]) -> TouchpointReach:
        """Who answered at ``touchpoints``: active customers and their revenue, years at risk and
        churn events (a customer answering at several of them counts once, with the longest
        time at risk)."""
        if not touchpoints:
            return TouchpointReach(0, 0.0, 0.0, 0.0)
        # active and mrr are the customer's (the same on each of their rows): max picks it on
        # either engine; positional parameters, as the Spark runner binds them
        row = self._con.execute(
            f"""with c as (
                 select customer_id, max(active::int) as active, max(mrr) as mrr,
                        max(x0 + x1 + x2) as years, max(ev0 + ev1 + ev2) as ev
                 from _a_x where touchpoint in ({", ".join("?" * len(touchpoints))})
                 group by customer_id)
               select sum(active), sum(case when active = 1 then mrr else 0 end),
                      sum(years), sum(ev) from c""",
            list(touchpoints),
        ).fetchone()
        if row is None:
            return TouchpointReach(0, 0.0, 0.0, 0.0)
        return TouchpointReach(
            int(row[0] or 0),
            float(row[1] or 0.0),
            float(row[2] or 0.0),
            float(row[3] or 0.0),
        )

    def linkage(
        self,
        charter: Charter,
        *,
        currency: str = "EUR",
        has_revenue: bool = True,
        seed: int = 0,
    ) -> Linkage:
        """Churn by NPS group and the detractors' excess churn per touchpoint
        (:func:`cxo.assess.linkage.linkage` on these tables)."""
        return linkage(self._con, charter, currency=currency, has_revenue=has_revenue, seed=seed)


def prepared(con: Runner, as_of: dt.date | None = None) -> PreparedData:
    """Check what the workspace on ``con`` holds, build the working tables, and return the
    questions they answer (raises like :func:`cxo.assess.data.prepare` on missing data)."""
    return PreparedData(con, prepare(con, as_of))


__all__ = ["PreparedData", "TouchpointReach", "prepared"]
