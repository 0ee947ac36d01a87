"""Key drivers on a workspace: attribute ratings (pivoted wide in DuckDB) against NPS.

``ratings`` is long (response, attribute, score); DuckDB pivots it to one row per response
and joins the response's target (``nps``, ``csat`` or ``ces``), touchpoint and segment. Scores
outside ``scale_min…scale_max`` (e.g. 0 = "not applicable") are missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxo.assess.data import table_names
from cxo.core.messages import Message, msg
from cxo.errors import InsufficientDataError, MissingDataError, UsageError
from cxo.stats.drivers import (
    QUADRANTS,
    DriverResult,
    Method,
    Missing,
    drivers_from_array,
    quadrant,
)

if TYPE_CHECKING:
    import duckdb

TARGETS = ("nps", "csat", "ces")
MIN_ROWS_PER_DRIVER = 20
MAX_DRIVER_ROWS = 4_000_000
"""Above about this many rated responses the assessment's key drivers use a random sample of
them (chosen by a hash of ``response_id``: the same sample run after run). The pivoted frame
and its copies cost ~0.65 GB of peak memory per million rated responses at 8 attributes
(measured: 2.0 GB at 2.9M, 1.1 GB on a 0.94M sample with weights within 0.2 points); 4M rows
stay near 2.6 GB, where the ~29M rated responses of 10M customers would need ~19 GB. The
bootstrap intervals are those of the sample."""


def ratings_wide(
    con: duckdb.DuckDBPyConnection,
    target: str = "nps",
    attributes: list[str] | None = None,
    *,
    share: float = 1.0,
) -> tuple[pd.DataFrame, list[str]]:
    """One row per rated response: target, touchpoint, segment and one column per attribute.

    ``share < 1``: only the responses whose ``hash(response_id)`` falls in the lowest
    ``share`` of the hash range (a seeded-by-construction random sample).
    """
    if target not in TARGETS:
        raise UsageError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    tables = table_names(con)
    if "ratings" not in tables or not con.execute("select count(*) from ratings").fetchone()[0]:  # type: ignore[index]
        raise MissingDataError(
            "key drivers need table `ratings` (attribute ratings); it is empty",
            hint="import it with `cxo import ratings FILE`",
        )
    present = [
        str(r[0])
        for r in con.execute("select distinct attribute from ratings order by 1").fetchall()
    ]
    if attributes is None:
        attributes = present
    unknown = [a for a in attributes if a not in present]
    if unknown:
        raise UsageError(
            f"no ratings for driver(s) {', '.join(unknown)}; present: {', '.join(present)}"
        )
    cols = ", ".join(
        f"""max(case when g.attribute = '{a.replace("'", "''")}'
                 and g.score between g.scale_min and g.scale_max then g.score end) as "{a}" """
        for a in attributes
    )
    has_cust = "customers" in tables
    seg = "coalesce(c.segment, '(none)')" if has_cust else "'(none)'"
    join = "left join customers c on c.customer_id = r.customer_id" if has_cust else ""
    # Pivot the ratings on the response id alone, then join the response's fields (grouping on
    # the joined string columns as well is twice as slow at 3M rated responses). A fixed row
    # order: the seeded bootstrap resamples rows by position.
    sample = ""
    if share < 1.0:
        sample = f"where hash(g.response_id) <= {int(share * _HASH_MAX)}::ubigint"
    frame = con.execute(
        f"""with w as (select g.response_id, {cols} from ratings g {sample}
                       group by g.response_id)
            select r.touchpoint, {seg} as segment, r.{target} as target,
                   w.* exclude (response_id)
            from w join responses r using (response_id) {join}
            order by w.response_id"""
    ).df()
    return frame, list(attributes)


_HASH_MAX = 2**64 - 1


def driver_sample_share(con: duckdb.DuckDBPyConnection, max_rows: int = MAX_DRIVER_ROWS) -> float:
    """The share of rated responses the key drivers use: 1 unless there are over ``max_rows``.

    Counted approximately (HyperLogLog: one streaming pass, constant memory).
    """
    row = con.execute("select approx_count_distinct(response_id) from ratings").fetchone()
    n = int(row[0]) if row and row[0] else 0
    return 1.0 if n <= max_rows else max_rows / n


@dataclass
class IpaCell:
    """One attribute in one touchpoint × segment: importance, performance, quadrant."""

    touchpoint: str
    segment: str
    attribute: str
    importance: float
    performance: float
    quadrant: str
    n: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "touchpoint": self.touchpoint,
            "segment": self.segment,
            "attribute": self.attribute,
            "importance_percent": self.importance,
            "performance": self.performance,
            "quadrant": self.quadrant,
            "n": self.n,
        }


@dataclass
class DriverAnalysis:
    """Overall drivers (relative weights and LMG) plus the importance–performance matrix."""

    target: str
    relative_weights: DriverResult
    lmg: DriverResult | None
    performance: dict[str, float]
    ipa: list[IpaCell] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "target": self.target,
            "relative_weights": self.relative_weights.to_dict(),
            "lmg": self.lmg.to_dict() if self.lmg else None,
            "performance": self.performance,
            "importance_performance": [c.to_dict() for c in self.ipa],
            "note_messages": [n.to_dict() for n in self.notes],
        }

    def overall_quadrants(self) -> dict[str, str]:
        """Quadrant of each attribute on the overall importance and performance."""
        imp = self.relative_weights.rescaled_
        perf = pd.Series(self.performance)
        out: dict[str, str] = {}
        for attr in imp.index:
            out[str(attr)] = quadrant(
                float(imp[attr]), float(perf[attr]), float(imp.mean()), float(perf.mean())
            )
        return out


def _performance(
    frame: pd.DataFrame, attrs: list[str], scales: dict[str, tuple[float, float]]
) -> dict[str, float]:
    out = {}
    for a in attrs:
        lo, hi = scales.get(a, (1.0, 5.0))
        mean = float(frame[a].mean())
        out[a] = 100.0 * (mean - lo) / (hi - lo) if hi > lo and not math.isnan(mean) else math.nan
    return out


def analyse_drivers(
    con: duckdb.DuckDBPyConnection,
    *,
    target: str = "nps",
    attributes: list[str] | None = None,
    missing: Missing = "listwise",
    n_boot: int = 200,
    seed: int = 0,
    ipa: bool = True,
    max_rows: int = MAX_DRIVER_ROWS,
) -> DriverAnalysis:
    """Relative weights (+ LMG up to 15 drivers) with bootstrap, and the IPA matrix.

    With more than ``max_rows`` rated responses, a fixed random sample of about that many
    (see :data:`MAX_DRIVER_ROWS`; a note says so).
    """
    share = driver_sample_share(con, max_rows)
    frame, attrs = ratings_wide(con, target, attributes, share=share)
    frame = frame[frame["target"].notna()]
    if len(frame) < MIN_ROWS_PER_DRIVER * len(attrs):
        raise InsufficientDataError(
            f"only {len(frame)} rated responses with {target}; key drivers need at least "
            f"{MIN_ROWS_PER_DRIVER * len(attrs)} for {len(attrs)} drivers"
        )
    scales = {
        str(r[0]): (float(r[1]), float(r[2]))
        for r in con.execute(
            "select attribute, min(scale_min), max(scale_max) from ratings group by 1"
        ).fetchall()
    }
    data = frame[[*attrs, "target"]].to_numpy(dtype=float, na_value=np.nan)
    rw = drivers_from_array(
        data,
        attrs,
        target=target,
        method="relative_weights",
        missing=missing,
        n_boot=n_boot,
        seed=seed,
    )
    notes: list[Message] = []
    if share < 1.0:
        notes.append(msg("assess.drivers.sampled", rows=len(frame), share=share))
    lmg: DriverResult | None = None
    if len(attrs) <= 15:
        lmg = drivers_from_array(
            data,
            attrs,
            target=target,
            method="lmg",
            missing=missing,
            n_boot=n_boot if len(attrs) <= 12 else 0,
            seed=seed,
        )
    else:
        notes.append(msg("assess.drivers.lmg_skipped", limit=15))
    perf = _performance(frame, attrs, scales)
    analysis = DriverAnalysis(target, rw, lmg, perf, notes=notes)
    if ipa:
        for (tp, seg), grp in frame.groupby(["touchpoint", "segment"], sort=True):
            if len(grp) < MIN_ROWS_PER_DRIVER * len(attrs):
                continue
            sub = grp[[*attrs, "target"]].to_numpy(dtype=float, na_value=np.nan)
            try:
                res = drivers_from_array(sub, attrs, target=target, missing=missing)
            except (InsufficientDataError, UsageError):
                continue
            p = _performance(grp, attrs, scales)
            imp = res.rescaled_
            imp_cut = float(imp.mean())
            perf_cut = float(np.nanmean(list(p.values())))
            for a in attrs:
                analysis.ipa.append(
                    IpaCell(
                        str(tp),
                        str(seg),
                        a,
                        float(imp[a]),
                        p[a],
                        quadrant(float(imp[a]), p[a], imp_cut, perf_cut),
                        len(grp),
                    )
                )
    return analysis


__all__ = [
    "QUADRANTS",
    "DriverAnalysis",
    "IpaCell",
    "Method",
    "analyse_drivers",
    "ratings_wide",
]
