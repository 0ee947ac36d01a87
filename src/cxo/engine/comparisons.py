"""Difference tests between periods and between segments, for every metric of a group.

``previous`` tests the last period against the one before (by quarter unless the grouping has
a month or quarter); ``segments`` tests every pair of segments. The scorecard corrects all
tests of one run together (Benjamini–Hochberg); a test that cannot be run is left out and the
reason, where it concerns the whole comparison, becomes a note.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cxo.core.messages import Message, msg
from cxo.engine.aggregates import PERIOD_DIMS
from cxo.engine.sums import clean
from cxo.stats import nps_difference, two_proportion_test, welch_t_from_sums

if TYPE_CHECKING:
    from cxo.engine.groups import GroupQueries
    from cxo.engine.sums import GroupSums

COMPARISONS = ("previous", "segments")


@dataclass(frozen=True)
class Comparison:
    """One difference test (``a − b``) with its BH-adjusted p-value."""

    kind: str  # previous | segments
    metric: str
    group: dict[str, str | None]
    a: str
    b: str
    value_a: float
    value_b: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    n_a: int
    n_b: int
    p_adjusted: float = math.nan
    significant: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {k: clean(v) for k, v in self.__dict__.items()}


def _tests(
    kind: str,
    group: dict[str, str | None],
    a: str,
    b: str,
    sums_a: GroupSums,
    sums_b: GroupSums,
    churn_a: tuple[int, int] | None,
    churn_b: tuple[int, int] | None,
    level: float,
) -> Iterable[Comparison]:
    results: list[tuple[str, Any]] = []
    ea, eb = sums_a.nps(level), sums_b.nps(level)
    if ea is not None and eb is not None:
        results.append(("nps", nps_difference(ea, eb, level)))
    if sums_a.n_csat and sums_b.n_csat:
        results.append(
            (
                "csat",
                two_proportion_test(
                    sums_a.csat_top2, sums_a.n_csat, sums_b.csat_top2, sums_b.n_csat, level
                ),
            )
        )
    if sums_a.n_ces >= 2 and sums_b.n_ces >= 2:
        welch = welch_t_from_sums(
            sums_a.n_ces, sums_a.ces_sum, sums_a.ces_sumsq,
            sums_b.n_ces, sums_b.ces_sum, sums_b.ces_sumsq, level,
        )  # fmt: skip
        if not math.isnan(welch.p_value):
            results.append(("ces", welch))
    if churn_a and churn_b and churn_a[0] and churn_b[0]:
        results.append(
            ("churn", two_proportion_test(churn_a[1], churn_a[0], churn_b[1], churn_b[0], level))
        )
    for metric, r in results:
        yield Comparison(
            kind=kind,
            metric=metric,
            group=group,
            a=a,
            b=b,
            value_a=float(r.value_a),
            value_b=float(r.value_b),
            difference=float(r.difference),
            ci_low=float(r.ci_low),
            ci_high=float(r.ci_high),
            p_value=float(r.p_value),
            n_a=int(r.n_a),
            n_b=int(r.n_b),
        )


def compare_previous(
    queries: GroupQueries, dims: tuple[str, ...], notes: list[Message]
) -> list[Comparison]:
    """The last period against the one before, within every group of the other dimensions."""
    pdim = next((d for d in dims if d in PERIOD_DIMS), "quarter")
    other = tuple(d for d in dims if d not in PERIOD_DIMS)
    full = (*other, pdim)
    data = queries.groups(full)
    labels = sorted({str(k[-1]) for k in data if k[-1] is not None})
    if len(labels) < 2:
        notes.append(msg(f"scorecard.note.fewer_{pdim}s"))
        return []
    last, prev = labels[-1], labels[-2]
    churn = queries.churn(full)
    out: list[Comparison] = []
    for okey in sorted({k[:-1] for k in data}, key=lambda k: [str(x) for x in k]):
        sums_a, sums_b = data.get((*okey, last)), data.get((*okey, prev))
        if sums_a is None or sums_b is None:
            continue
        group = dict(zip(other, okey, strict=True))
        ca = churn.get((*okey, last)) if churn else None
        cb = churn.get((*okey, prev)) if churn else None
        out.extend(_tests("previous", group, last, prev, sums_a, sums_b, ca, cb, queries.level))
    return out


def compare_segments(
    queries: GroupQueries, dims: tuple[str, ...], notes: list[Message]
) -> list[Comparison]:
    """Every pair of segments, within every group of the other dimensions."""
    other = tuple(d for d in dims if d != "segment")
    full = (*other, "segment")
    data = queries.groups(full)
    churn = queries.churn(full)
    level = queries.level
    out: list[Comparison] = []
    for okey in sorted({k[:-1] for k in data}, key=lambda k: [str(x) for x in k]):
        segments = sorted(str(k[-1]) for k in data if k[:-1] == okey and k[-1] is not None)
        group = dict(zip(other, okey, strict=True))
        for sa, sb in itertools.combinations(segments, 2):
            ca = churn.get((*okey, sa)) if churn else None
            cb = churn.get((*okey, sb)) if churn else None
            out.extend(
                _tests(
                    "segments", group, sa, sb, data[(*okey, sa)], data[(*okey, sb)], ca, cb, level
                )
            )
    if not out:
        notes.append(msg("scorecard.note.fewer_segments"))
    return out
