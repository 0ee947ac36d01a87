"""The scorecard's aggregates as ibis expressions, written once for every backend.

Only portable ibis operations are used (filters, ``count(where=…)``, sums, ``truncate``, joins on
column names, a memtable of period bounds), so the same expressions run on DuckDB (default) and on
the pyspark backend. The statistics (:mod:`cxo.stats`) then run on the few aggregate rows:

* NPS: promoters (9–10), detractors (0–6) and answers per group;
* CSAT: answers and top-2-box count (4–5 on 1–5);
* CES: answers, Σces and Σces²;
* churn: customers active at the start of a period (signed up on or before its first day, not
  churned before it) and how many of them churned inside the period ``[start, end)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cxo.errors import UsageError

PERIOD_DIMS = ("month", "quarter")
RESPONSE_DIMS = ("touchpoint", "channel")
DIMENSIONS = ("touchpoint", "segment", "channel", "month", "quarter")
_TRUNC = {"month": "M", "quarter": "Q"}


def check_dims(by: Sequence[str]) -> tuple[str, ...]:
    """Validate grouping dimensions: known names, no repeats, at most one period."""
    dims = tuple(by)
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise UsageError(
            f"unknown grouping {', '.join(unknown)!s}; choose from {', '.join(DIMENSIONS)}"
        )
    if len(set(dims)) != len(dims):
        raise UsageError(f"a grouping appears twice in {', '.join(dims)}")
    if sum(d in PERIOD_DIMS for d in dims) > 1:
        raise UsageError("group by month or by quarter, not both")
    return dims


def response_aggregates(
    responses: ir.Table,
    by: Sequence[str],
    *,
    customers: ir.Table | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> ir.Table:
    """Per group of ``by``: counts for NPS, CSAT, CES, plus the first and last response time.

    ``segment`` comes from ``customers`` (joined on ``customer_id``) unless ``responses`` has a
    ``segment`` column itself. ``start`` is inclusive, ``end`` exclusive.
    """
    dims = check_dims(by)
    t = responses
    if start is not None:
        t = t.filter(t.responded_at >= start)
    if end is not None:
        t = t.filter(t.responded_at < end)
    if "segment" in dims and "segment" not in t.columns:
        if customers is None:
            raise UsageError("grouping by segment needs the customers table")
        seg = customers.select("customer_id", "segment")
        t = t.left_join(seg, "customer_id")
    keys: dict[str, ir.Value] = {}
    for d in dims:
        keys[d] = t.responded_at.truncate(_TRUNC[d]) if d in PERIOD_DIMS else t[d]
    nps, csat, ces = t.nps, t.csat, t.ces
    metrics: dict[str, ir.Value] = {
        "n": t.count(),
        "n_nps": nps.count(),
        # SUM(CAST(cond AS BIGINT)) is faster than COUNT(*) FILTER (…) in DuckDB and portable.
        "promoters": (nps >= 9).cast("int64").sum(),
        "detractors": (nps <= 6).cast("int64").sum(),
        "n_csat": csat.count(),
        "csat_top2": (csat >= 4).cast("int64").sum(),
        "n_ces": ces.count(),
        "ces_sum": ces.sum(),
        "ces_sumsq": (ces * ces).sum(),
        "first_at": t.responded_at.min(),
        "last_at": t.responded_at.max(),
    }
    if not keys:
        return t.aggregate(**metrics)
    return t.group_by(**keys).aggregate(**metrics)


def period_table(periods: Sequence[tuple[str, dt.date, dt.date]]) -> ir.Table:
    """A memtable of ``(period, p_start, p_end)`` rows."""
    return ibis.memtable(
        pa.table(
            {
                "period": pa.array([p[0] for p in periods], pa.string()),
                "p_start": pa.array([p[1] for p in periods], pa.date32()),
                "p_end": pa.array([p[2] for p in periods], pa.date32()),
            }
        )
    )


def churn_aggregates(
    customers: ir.Table,
    periods: Sequence[tuple[str, dt.date, dt.date]],
    *,
    by_segment: bool = False,
) -> ir.Table:
    """Per period (and segment): customers at risk at the period start and churned inside it."""
    cols = ["signup_date", "churn_date"] + (["segment"] if by_segment else [])
    j = customers.select(*cols).cross_join(period_table(periods))
    at_risk = (j.signup_date <= j.p_start) & (j.churn_date.isnull() | (j.churn_date >= j.p_start))
    j = j.filter(at_risk)
    keys = ["period"] + (["segment"] if by_segment else [])
    return j.group_by(keys).aggregate(
        at_risk=j.count(), churned=j.count(where=j.churn_date < j.p_end)
    )


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence ibis 12's calls of DuckDB 2's deprecated ``fetch_arrow_table``."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning
        )
        yield


def to_arrow(expr: ir.Expr) -> Any:
    """``expr.to_pyarrow()`` (see :func:`quiet`)."""
    with quiet():
        return expr.to_pyarrow()


def fetch(expr: ir.Table) -> list[dict[str, Any]]:
    """Execute an aggregate expression and return its (few) rows as dicts, via Arrow."""
    table: pa.Table = to_arrow(expr)
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def count_rows(table: ir.Table) -> int:
    """The number of rows of ``table``."""
    return int(to_arrow(table.count()).as_py())
