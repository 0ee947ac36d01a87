"""Additive sufficient statistics of one scorecard group, and the estimates they give.

A group's NPS, CSAT top-2-box and CES need only counts and sums, so groups roll up by adding
their :class:`GroupSums` — a coarser grouping never needs another query.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from cxo.core.contract import get_table
from cxo.stats import (
    MeanEstimate,
    NpsEstimate,
    ProportionEstimate,
    mean_t_from_sums,
    nps_from_counts,
    proportion,
)

_CES = get_table("responses").column("ces")
CES_SCALE = (
    float(_CES.min if _CES.min is not None else 1),
    float(_CES.max if _CES.max is not None else 7),
)
"""The CES answer scale (from the data contract): its mean's interval is clipped to it."""


def clean(value: Any) -> Any:
    """NaN → None (JSON has no NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


MetricEstimate = NpsEstimate | ProportionEstimate | MeanEstimate
"""The estimate of one scorecard metric."""


@dataclass
class GroupSums:
    """Additive sufficient statistics of one group (so groups roll up by summing)."""

    n: int = 0
    n_nps: int = 0
    promoters: int = 0
    detractors: int = 0
    n_csat: int = 0
    csat_top2: int = 0
    n_ces: int = 0
    ces_sum: float = 0.0
    ces_sumsq: float = 0.0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> GroupSums:
        """From one row of :func:`cxo.engine.aggregates.response_aggregates`."""
        return cls(
            n=int(row["n"]),
            n_nps=int(row["n_nps"]),
            promoters=int(row["promoters"] or 0),
            detractors=int(row["detractors"] or 0),
            n_csat=int(row["n_csat"]),
            csat_top2=int(row["csat_top2"] or 0),
            n_ces=int(row["n_ces"]),
            ces_sum=float(row["ces_sum"] or 0),
            ces_sumsq=float(row["ces_sumsq"] or 0),
            first_at=row["first_at"],
            last_at=row["last_at"],
        )

    def add(self, other: GroupSums) -> None:
        """Add ``other``'s counts and sums to these (in place)."""
        for name in ("n", "n_nps", "promoters", "detractors", "n_csat", "csat_top2", "n_ces"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ces_sum += other.ces_sum
        self.ces_sumsq += other.ces_sumsq
        firsts = [x for x in (self.first_at, other.first_at) if x is not None]
        lasts = [x for x in (self.last_at, other.last_at) if x is not None]
        self.first_at = min(firsts) if firsts else None
        self.last_at = max(lasts) if lasts else None

    def nps(self, level: float) -> NpsEstimate | None:
        """NPS with the adjusted-Wald interval; None without NPS answers."""
        if not self.n_nps:
            return None
        passives = self.n_nps - self.promoters - self.detractors
        return nps_from_counts(self.promoters, passives, self.detractors, level)

    def csat(self, level: float) -> ProportionEstimate | None:
        """CSAT top-2-box share with the Wilson interval; None without CSAT answers."""
        return proportion(self.csat_top2, self.n_csat, level) if self.n_csat else None

    def ces(self, level: float) -> MeanEstimate | None:
        """CES mean with the t interval (clipped to the scale); None without CES answers."""
        if not self.n_ces:
            return None
        return mean_t_from_sums(self.n_ces, self.ces_sum, self.ces_sumsq, level, bounds=CES_SCALE)
