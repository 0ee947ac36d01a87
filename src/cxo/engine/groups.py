"""The scorecard's queries per grouping, memoised: response sums and churn counts per group.

:class:`GroupQueries` runs :func:`~cxo.engine.aggregates.response_aggregates` once for the
finest grouping asked for and rolls coarser groupings up from it; churn counts come from
:func:`~cxo.engine.aggregates.churn_aggregates` over the periods the responses span.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from cxo.engine.aggregates import PERIOD_DIMS, churn_aggregates, fetch, response_aggregates
from cxo.engine.periods import period_end, period_label
from cxo.engine.sums import GroupSums
from cxo.stats import ProportionEstimate, proportion

if TYPE_CHECKING:
    import ibis.expr.types as ir

Key = tuple[str | None, ...]
"""The values of a group's dimensions, in the order of the grouping."""


class GroupQueries:
    """Runs the aggregate queries (memoised per grouping) and the churn statistics."""

    def __init__(
        self,
        responses: ir.Table,
        customers: ir.Table | None,
        start: dt.datetime | None,
        end: dt.datetime | None,
        level: float,
    ) -> None:
        self.responses = responses
        self.customers = customers
        self.start, self.end = start, end
        self.level = level
        self._groups: dict[tuple[str, ...], dict[Key, GroupSums]] = {}
        self._churn: dict[tuple[str, ...], dict[Key, tuple[int, int]]] = {}
        self.bounds: dict[str, tuple[dt.date, dt.date]] = {}
        self.churn_window: tuple[dt.date, dt.date] | None = None

    def groups(self, dims: tuple[str, ...]) -> dict[Key, GroupSums]:
        """Sums per key of ``dims``, rolled up from a finer grouping when one exists."""
        if dims in self._groups:
            return self._groups[dims]
        for have, data in self._groups.items():
            if set(dims) <= set(have):
                idx = [have.index(d) for d in dims]
                out: dict[Key, GroupSums] = {}
                for fine, sums in data.items():
                    out.setdefault(tuple(fine[i] for i in idx), GroupSums()).add(sums)
                self._groups[dims] = out
                return out
        expr = response_aggregates(
            self.responses, dims, customers=self.customers, start=self.start, end=self.end
        )
        result: dict[Key, GroupSums] = {}
        for row in fetch(expr):
            if not row["n"]:
                continue
            parts: list[str | None] = []
            for d in dims:
                value = row[d]
                if d in PERIOD_DIMS:
                    first = value.date() if isinstance(value, dt.datetime) else value
                    label = period_label(d, first)
                    self.bounds[label] = (first, period_end(d, first))
                    parts.append(label)
                else:
                    parts.append(None if value is None else str(value))
            result[tuple(parts)] = GroupSums.from_row(row)
        self._groups[dims] = result
        return result

    def churn(self, dims: tuple[str, ...]) -> dict[Key, tuple[int, int]] | None:
        """``(at_risk, churned)`` per key of ``dims`` (segment and/or one period), else None."""
        if self.customers is None or self.churn_window is None:
            return None
        if any(d not in ("segment", *PERIOD_DIMS) for d in dims):
            return None
        if dims in self._churn:
            return self._churn[dims]
        pdims = [d for d in dims if d in PERIOD_DIMS]
        if pdims:
            idx = dims.index(pdims[0])
            labels = sorted({str(k[idx]) for k in self.groups(dims) if k[idx] is not None})
            periods = [(lab, *self.bounds[lab]) for lab in labels]
        else:
            periods = [("window", *self.churn_window)]
        if not periods:
            self._churn[dims] = {}
            return self._churn[dims]
        by_segment = "segment" in dims
        expr = churn_aggregates(self.customers, periods, by_segment=by_segment)
        out: dict[Key, tuple[int, int]] = {}
        for row in fetch(expr):
            parts = {"segment": row.get("segment")}
            if pdims:
                parts[pdims[0]] = row["period"]
            key = tuple(parts[d] for d in dims)
            out[key] = (int(row["at_risk"]), int(row["churned"]))
        self._churn[dims] = out
        return out

    def churn_estimate(self, dims: tuple[str, ...], key: Key) -> ProportionEstimate | None:
        """The churn share of group ``key`` with the Wilson interval; None without data."""
        data = self.churn(dims)
        if data is None or key not in data or data[key][0] == 0:
            return None
        at_risk, churned = data[key]
        return proportion(churned, at_risk, self.level)
