"""The aggregates are plain ibis expressions: portable SQL, identical to hand-written SQL."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from cxo.engine.aggregates import churn_aggregates, fetch, quiet, response_aggregates
from cxo.workspace import Workspace

RESPONSES = ibis.table(
    {
        "response_id": "string",
        "customer_id": "string",
        "touchpoint": "string",
        "channel": "string",
        "responded_at": "timestamp",
        "nps": "int64",
        "csat": "int64",
        "ces": "int64",
    },
    name="responses",
)
CUSTOMERS = ibis.table(
    {"customer_id": "string", "segment": "string", "signup_date": "date", "churn_date": "date"},
    name="customers",
)


@pytest.mark.parametrize("dialect", ["trino", "postgres", "bigquery", "datafusion", "snowflake"])
def test_expressions_compile_for_other_engines(dialect: str) -> None:
    # No DuckDB-only SQL strings in the analytic path: the same expressions compile elsewhere.
    expr = response_aggregates(
        RESPONSES, ["segment", "quarter", "channel"], customers=CUSTOMERS,
        start=dt.datetime(2026, 1, 1), end=dt.datetime(2026, 7, 1),
    )  # fmt: skip
    churn = churn_aggregates(
        CUSTOMERS, [("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 4, 1))], by_segment=True
    )
    assert "GROUP BY" in ibis.to_sql(expr, dialect=dialect).upper()
    assert "GROUP BY" in ibis.to_sql(churn, dialect=dialect).upper()


def test_engine_matches_hand_written_sql(tiny: Workspace) -> None:
    with quiet():
        con = tiny.ibis()
        responses, customers = con.table("responses"), con.table("customers")
    try:
        rows = fetch(response_aggregates(responses, ["touchpoint", "month"], customers=customers))
    finally:
        con.disconnect()
    # SUM(CAST(...)) is NULL for a group without answers; the statistics read that as 0.
    got = {
        (r["touchpoint"], r["month"].date()): tuple(
            r[k] or 0
            for k in (
                "n", "promoters", "detractors", "n_csat", "csat_top2", "n_ces", "ces_sum",
                "ces_sumsq",
            )
        )
        for r in rows
    }  # fmt: skip
    with tiny.connect(read_only=True) as duck:
        ref = duck.execute(
            """select touchpoint, cast(date_trunc('month', responded_at) as date),
                      count(*), count(*) filter (where nps >= 9), count(*) filter (where nps <= 6),
                      count(csat), count(*) filter (where csat >= 4), count(ces),
                      coalesce(sum(ces), 0), coalesce(sum(ces * ces), 0)
               from responses group by all"""
        ).fetchall()
    assert got == {(r[0], r[1]): tuple(r[2:]) for r in ref}
    assert got[("hotline", dt.date(2026, 3, 1))] == (1, 1, 0, 1, 1, 1, 1, 1)
