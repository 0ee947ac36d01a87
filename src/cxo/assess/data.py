"""The assessment's data layer: every heavy aggregation runs in DuckDB, Python sees aggregates.

Temporary tables built on one connection (all names start with ``_a_``):

* ``_a_c``: customers with segment, sign-up, churn and monthly contract revenue at ``as_of``
  (sum of ``monthly_price`` of the contracts running that day);
* ``_a_r``: responses with an NPS answer, their customer's segment and promoter/detractor flags;
* ``_a_t``: (response, theme) pairs — negative or neutral theme mentions from
  ``response_themes`` when the text analysis has run, else low attribute ratings (the bottom
  quarter of the scale, 1–2 on 1–5) with the attribute as the theme;
* ``_a_ct``: per customer and touchpoint the first answered response (the index date) and
  ``dgrp``, the customer's disposition: quintile (per touchpoint) of the mean NPS the customer
  gave *before* the index date (necessarily at other touchpoints, so a pain at this
  touchpoint cannot have lowered it, and nothing after the start of the time at risk —
  whose amount depends on survival — enters), shrunk towards the overall mean by
  ``n/(n + k)`` with ``k`` = within- / between-customer variance of NPS (one-way ANOVA
  moments); 0 = no earlier answers;
* ``_a_x``: time at risk from that index date to churn or ``as_of``, split by tenure band
  (0–12, 13–24, 25+ months since sign-up), with churn events, for survival models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from cxo.core.messages import Message, msg
from cxo.errors import InsufficientDataError, MissingDataError

if TYPE_CHECKING:
    from cxo.engine.sql import Runner

MIN_NPS_RESPONSES = 200
BANDS = ("0-12", "13-24", "25+")
DISPOSITION_BINS = 5
"""Quantile bins of a customer's disposition (shrunken mean NPS at the *other* touchpoints)."""
LOW_RATING_SHARE = 0.25
"""A rating counts as a complaint about its attribute when it lies in the bottom quarter of its
scale (1–2 on a 1–5 scale)."""

IMPORT_HINT = {
    "customers": "cxo import customers FILE",
    "responses": "cxo import responses FILE",
    "contracts": "cxo import contracts FILE",
    "ratings": "cxo import ratings FILE",
}


@dataclass
class Prepared:
    """What :func:`prepare` found: date, theme source, counts and notes."""

    as_of: dt.date
    theme_source: str
    responses: int
    customers: int
    has_revenue: bool
    has_ratings: bool
    notes: list[Message]


def _count(con: Runner, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def table_names(con: Runner) -> set[str]:
    """Names of the workspace tables: the connection's main schema on DuckDB, the published
    lake's tables on Spark."""
    from cxo.engine.sql import SparkRunner

    if isinstance(con, SparkRunner):
        return con.table_names()
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    return {str(r[0]) for r in rows}


def require(con: Runner, table: str, why: str) -> int:
    """Row count of ``table``; ``MissingDataError`` naming the import when it is empty."""
    if table not in table_names(con) or _count(con, f'select count(*) from "{table}"') == 0:
        raise MissingDataError(
            f"the assessment needs table `{table}` ({why}); it is empty",
            hint=f"import it with `{IMPORT_HINT.get(table, 'cxo import ' + table + ' FILE')}`",
        )
    return _count(con, f'select count(*) from "{table}"')


def prepare(con: Runner, as_of: dt.date | None = None) -> Prepared:
    """Check what the workspace holds and build the temporary tables."""
    notes: list[Message] = []
    n_customers = _check_inputs(con)
    as_of = as_of if as_of is not None else _latest_date(con)
    tables = table_names(con)
    has_revenue = "contracts" in tables and _count(con, "select count(*) from contracts") > 0
    if not has_revenue:
        notes.append(msg("assess.note.no_contracts"))
    _customers_and_responses(con, as_of, has_revenue)
    has_ratings = "ratings" in tables and _count(con, "select count(*) from ratings") > 0
    theme_source = _themes(con, tables, has_ratings, notes)
    con.execute(f"create or replace temp table _a_end as select date '{as_of.isoformat()}' as e")
    _index_responses(con)
    _time_at_risk(con, as_of)
    n_resp = _count(con, "select count(*) from _a_r")
    return Prepared(as_of, theme_source, n_resp, n_customers, has_revenue, has_ratings, notes)


def _check_inputs(con: Runner) -> int:
    """The number of customers; an error naming what is missing when the data is too thin."""
    n_customers = require(con, "customers", "segments, sign-up and churn dates")
    require(con, "responses", "NPS answers per touchpoint")
    n_nps = _count(con, "select count(*) from responses where nps is not null")
    if n_nps < MIN_NPS_RESPONSES:
        raise InsufficientDataError(
            f"only {n_nps} responses carry an NPS answer; the assessment needs at least "
            f"{MIN_NPS_RESPONSES}",
            hint="import more survey responses (column `nps`, 0–10)",
        )
    linked = _count(
        con,
        "select count(*) from responses r join customers c using (customer_id) "
        "where r.nps is not null",
    )
    if linked < MIN_NPS_RESPONSES:
        raise InsufficientDataError(
            f"only {linked} NPS answers can be linked to a customer (column `customer_id` of "
            "responses matching customers); pains and churn need that link",
        )
    return n_customers


def _latest_date(con: Runner) -> dt.date:
    """The last date in the data: newest response, sign-up or churn."""
    row = con.execute(
        """select greatest(
             (select max(responded_at)::date from responses),
             (select max(signup_date) from customers),
             coalesce((select max(churn_date) from customers), date '1900-01-01'))"""
    ).fetchone()
    as_of = row[0] if row else None
    if not isinstance(as_of, dt.date):
        raise InsufficientDataError("no dates in responses or customers")
    return as_of


def _customers_and_responses(con: Runner, as_of: dt.date, has_revenue: bool) -> None:
    """``_a_c`` (customers with revenue at ``as_of``) and ``_a_r`` (answered responses)."""
    d = as_of.isoformat()
    revenue_sql = (
        f"""left join (select customer_id, sum(monthly_price) as mrr from contracts
             where start_date <= date '{d}' and (end_date is null or end_date > date '{d}')
             group by customer_id) m using (customer_id)"""
        if has_revenue
        else "left join (select null::varchar as customer_id, 0.0 as mrr) m using (customer_id)"
    )
    con.execute(
        f"""create or replace temp table _a_c as
        select c.customer_id, coalesce(c.segment, '(none)') as segment, c.signup_date,
               case when c.churn_date <= date '{d}' then c.churn_date end as churn_date,
               coalesce(m.mrr, 0.0) as mrr,
               (c.churn_date is null or c.churn_date > date '{d}') as active
        from customers c {revenue_sql}"""
    )
    con.execute(
        f"""create or replace temp table _a_r as
        select r.response_id, r.customer_id, r.touchpoint, r.responded_at,
               coalesce(c.segment, '(none)') as segment, r.nps,
               (r.nps >= 9)::int as prom, (r.nps <= 6)::int as det
        from responses r left join _a_c c using (customer_id)
        where r.nps is not null and r.responded_at::date <= date '{d}'"""
    )


def _untagged_note(con: Runner, tables: set[str], notes: list[Message]) -> None:
    """A note with the share of analysed comments that no theme of the code frame fits."""
    if "response_text" not in tables:
        return
    row = con.execute(
        """select count(*) filter (where not exists (
                 select 1 from response_themes th where th.response_id = t.response_id)),
               count(*)
        from response_text t
        where t.skip_reason is null or t.skip_reason not in ('empty', 'binary', 'no_letters')"""
    ).fetchone()
    if row and row[1]:
        n, total = int(row[0]), int(row[1])
        notes.append(msg("codeframes.note.untagged", untagged=n, total=total, share=n / total))


def _themes(con: Runner, tables: set[str], has_ratings: bool, notes: list[Message]) -> str:
    """``_a_t`` (response, theme) pairs from comment themes, else low ratings; the source."""
    if "response_themes" in tables and _count(con, "select count(*) from response_themes") > 0:
        con.execute(
            """create or replace temp table _a_t as
            select distinct response_id, theme from response_themes
            where sentiment is null or sentiment <> 'positive'"""
        )
        _untagged_note(con, tables, notes)
        return "comments"
    if has_ratings:
        notes.append(msg("assess.note.themes_from_ratings"))
        con.execute(
            f"""create or replace temp table _a_t as
            select distinct response_id, attribute as theme from ratings
            where score >= scale_min and score <= scale_max and scale_max > scale_min
              and (score - scale_min) / (scale_max - scale_min) <= {LOW_RATING_SHARE}"""
        )
        return "ratings"
    notes.append(msg("assess.note.no_themes"))
    con.execute(
        "create or replace temp table _a_t as "
        "select null::varchar as response_id, null::varchar as theme where false"
    )
    return "none"


def _index_responses(con: Runner) -> None:
    """``_a_ct``: each customer's first answer per touchpoint and disposition group."""
    con.execute(
        """create or replace temp table _a_ct0 as
        with r as (
          select customer_id, touchpoint, responded_at, det, prom, nps,
                 row_number() over (partition by customer_id, touchpoint
                                    order by responded_at, response_id) as k,
                 count(*) over w as n_o, coalesce(sum(nps) over w, 0) as s_o
          from _a_r where customer_id is not null
          window w as (partition by customer_id order by responded_at, response_id
                       rows between unbounded preceding and 1 preceding))
        select customer_id, touchpoint, responded_at::date as idx, det, prom, n_o, s_o
        from r where k = 1"""
    )
    k = _shrinkage(con)
    con.execute(
        f"""create or replace temp table _a_ct as
        with m as (select avg(nps) as mu from _a_r where customer_id is not null),
        d as (
          select ct.*, case when n_o > 0 then (s_o / n_o - m.mu) * n_o / (n_o + {k}) end as disp
          from _a_ct0 ct cross join m)
        select customer_id, touchpoint, idx, det, prom,
               case when disp is null then 0
                    else ntile({DISPOSITION_BINS}) over (
                      partition by touchpoint, disp is null order by disp, customer_id)
               end as dgrp
        from d"""
    )
    con.execute("drop table if exists _a_ct0")


def _time_at_risk(con: Runner, as_of: dt.date) -> None:
    """``_a_x``: time at risk from the index date by tenure band, with churn events."""
    d = as_of.isoformat()
    con.execute(
        f"""create or replace temp table _a_x as
        with b as (
          select ct.customer_id, ct.touchpoint, ct.det, ct.prom, ct.dgrp, c.segment, c.mrr,
                 c.active,
                 ct.idx as s, coalesce(c.churn_date, date '{d}') as e,
                 c.churn_date is not null as churned,
                 (c.signup_date + interval 13 month)::date as b1,
                 (c.signup_date + interval 25 month)::date as b2
          from _a_ct ct join _a_c c using (customer_id)
          where ct.idx <= coalesce(c.churn_date, date '{d}')
        )
        select customer_id, touchpoint, segment, det, prom, dgrp, mrr, active,
          greatest(0, datediff('day', s, least(e, b1))) / 365.25 as x0,
          greatest(0, datediff('day', greatest(s, b1), least(e, b2))) / 365.25 as x1,
          greatest(0, datediff('day', greatest(s, b2), e)) / 365.25 as x2,
          (churned and e < b1)::int as ev0,
          (churned and e >= b1 and e < b2)::int as ev1,
          (churned and e >= b2)::int as ev2
        from b"""
    )


def _shrinkage(con: Runner) -> float:
    """``k = σ²_within / τ²_between`` of NPS answers by customer (one-way ANOVA moments)."""
    row = con.execute(
        """with c as (select count(*) as n, sum(nps) as s, sum(nps * nps) as ss
                      from _a_r where customer_id is not null group by customer_id)
           select sum(ss - s * s / n) / nullif(sum(n) - count(*), 0) as within,
                  var_pop(s / n) as between_raw, avg(1.0 / n) as inv_n
           from c"""
    ).fetchone()
    if row is None or row[0] is None or row[1] is None:
        return 1.0
    within, between_raw, inv_n = float(row[0]), float(row[1]), float(row[2])
    tau2 = between_raw - within * inv_n
    if tau2 <= 0:
        return 1e6
    return within / tau2


def fetch(con: Runner, query: str) -> pd.DataFrame:
    """The aggregate ``query`` as a pandas frame on either engine (:func:`cxo.engine.sql.frame`).
    ``query`` must end in ``order by`` its keys: the statistics add rows up in the order
    fetched, and both engines must hand them over in the same order."""
    from cxo.engine.sql import frame

    return frame(con, query)


def bands_long(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Reshape columns ``x0..x2``/``ev0..ev2`` into rows with ``band``, ``exposure``, ``events``."""
    parts = []
    for i, band in enumerate(BANDS):
        part = frame[keys].copy()
        part["band"] = band
        part["exposure"] = frame[f"x{i}"].astype(float)
        part["events"] = frame[f"ev{i}"].astype(float)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
