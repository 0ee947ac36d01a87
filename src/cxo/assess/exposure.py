"""Mention histories of the pain cells in the engine, and the person time of their churn models.

Everything runs as SQL through a :class:`~cxo.engine.sql.Runner` (DuckDB or Spark, the same
text) and only aggregates reach Python:

* :func:`mention_histories` materialises once the working table ``_a_lv``: one row per
  touchpoint × candidate theme × customer at risk, with the days that matter (days since 1970:
  ``s`` first response at the touchpoint, ``m`` first mention of the theme, ``e`` churn or
  ``as_of``, ``b1``/``b2`` the tenure-band boundaries), sorted by touchpoint and theme so that
  a cell's query reads only its blocks; and it counts, per touchpoint, theme and segment, the
  mentioning customers and the customers who also mention each other theme (co-mentions);
* :func:`partners` finds a cell's co-mentioned themes from those counts;
* :func:`person_time` splits, per cell, each mentioning customer's time at risk at the first
  mentions (the cell's theme and its partners) and at the tenure-band boundaries and sums the
  pieces per segment, disposition group, band and exposure flags: for the cells on their own
  one query for all of them (a customer's cut points lie on one row), for a cell with
  partners one query of its own (grouped by customer over the cell's themes).

The results equal those of the former NumPy version (``tests/assess/exposure_numpy.py``, the
test oracle); person years are integer day sums / 365.25.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from cxo.assess.data import BANDS, bands_long
from cxo.engine.sql import frame, temp_table

if TYPE_CHECKING:
    from cxo.engine.sql import Runner

PARTNER_SHARE = 0.10
"""A theme at the same touchpoint is a co-mentioned partner of a cell when at least this share of
either cell's customers mention both (e.g. one comment tagged with two themes)."""
MIN_PARTNER_CUSTOMERS = 10
YEAR_DAYS = 365.25
HISTORIES = "_a_lv"
"""The working table of the mention histories (see the module docs)."""
_STRATA = ["segment", "grp", "band"]


@dataclass
class Histories:
    """The mention histories in the engine (``_a_lv``) and their co-mention counts."""

    con: Runner
    themes: dict[str, list[str]]
    """The candidate themes with mentioning customers at risk, per touchpoint."""
    mentioners: pd.DataFrame
    """Mentioning customers per touchpoint, theme, segment (``customers``)."""
    pairs: pd.DataFrame
    """Customers mentioning both ``theme`` and ``other`` per touchpoint and segment (``n``)."""
    alone: pd.DataFrame | None = None
    """The summed pieces of every cell without partners (:func:`alone_sql`), once needed."""


def mention_histories(con: Runner, cand: pd.DataFrame) -> Histories | None:
    """Build ``_a_lv`` for the candidate cells ``cand`` (columns ``touchpoint``, ``theme``) and
    count mentioners and co-mentions (``None`` when no candidate has a customer at risk)."""
    if cand.empty:
        return None
    keys = cand[["touchpoint", "theme"]].drop_duplicates().astype(str).reset_index(drop=True)
    temp_table(con, "_a_cand", keys)
    try:
        con.execute(
            f"""create or replace temp table {HISTORIES} as
            with d as (select max(e) as e from _a_end)
            select a.touchpoint, a.theme, a.customer_id, c.segment, ct.dgrp as grp,
                   c.churn_date is not null as churned,
                   datediff('day', date '1970-01-01', ct.idx) as s,
                   datediff('day', date '1970-01-01', a.m) as m,
                   datediff('day', date '1970-01-01', coalesce(c.churn_date, d.e)) as e,
                   datediff('day', date '1970-01-01', (c.signup_date + interval 13 month)::date)
                     as b1,
                   datediff('day', date '1970-01-01', (c.signup_date + interval 25 month)::date)
                     as b2
            from _a_aff a
            join _a_cand k on k.touchpoint = a.touchpoint and k.theme = a.theme
            join _a_c c on c.customer_id = a.customer_id
            join _a_ct ct on ct.customer_id = a.customer_id and ct.touchpoint = a.touchpoint
            cross join d
            where ct.idx <= coalesce(c.churn_date, d.e)
            order by a.touchpoint, a.theme"""
        )
    finally:
        con.execute("drop table if exists _a_cand")
    mentioners = frame(
        con,
        f"""select touchpoint, theme, segment, count(*) as customers from {HISTORIES}
            group by touchpoint, theme, segment order by touchpoint, theme, segment""",
    )
    if mentioners.empty:
        return None
    themes = {
        str(tp): sorted(str(t) for t in grp["theme"].unique())
        for tp, grp in mentioners.groupby("touchpoint", sort=True)
    }
    # co-mentions one touchpoint at a time (each self-join's hash table holds one touchpoint),
    # each unordered pair once (a customer has one segment: the counts are symmetric)
    half = pd.concat(
        [
            frame(
                con,
                f"""select a.touchpoint, a.theme, b.theme as other, a.segment, count(*) as n
                    from {HISTORIES} a join {HISTORIES} b
                      on b.touchpoint = a.touchpoint and b.customer_id = a.customer_id
                     and b.theme > a.theme
                    where a.touchpoint = ? and b.touchpoint = ?
                    group by a.touchpoint, a.theme, b.theme, a.segment""",
                [tp, tp],
            )
            for tp in themes
        ],
        ignore_index=True,
    )
    mirror = half.rename(columns={"theme": "other", "other": "theme"})
    pairs = pd.concat([half, mirror[half.columns]], ignore_index=True)
    return Histories(con, themes, mentioners, pairs)


def _counts(part: pd.DataFrame, key: str, value: str, segs: list[str] | None) -> dict[str, int]:
    """``value`` summed per ``key`` over the segments ``segs`` (all when ``None``)."""
    if segs is not None:
        part = part[part["segment"].isin(segs)]
    return {str(k): int(v) for k, v in part.groupby(key)[value].sum().items()}


def partners(hist: Histories | None, tp: str, th: str, segs: list[str] | None) -> list[str]:
    """Themes at the touchpoint mentioned by many of the same customers (see ``PARTNER_SHARE``)."""
    if hist is None or tp not in hist.themes:
        return []
    m = hist.mentioners
    counts = _counts(m[m["touchpoint"] == tp], "theme", "customers", segs)
    own = counts.get(th, 0)
    if not own:
        return []
    p = hist.pairs
    both = _counts(p[(p["touchpoint"] == tp) & (p["theme"] == th)], "other", "n", segs)
    shares: dict[str, float] = {}
    for other in hist.themes[tp]:
        n = both.get(other, 0)
        if other != th and n >= MIN_PARTNER_CUSTOMERS:
            shares[other] = max(n / own, n / float(counts[other]))
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    return [other for other, share in ranked if share >= PARTNER_SHARE]


def person_time(
    hist: Histories | None,
    tp: str,
    base: pd.DataFrame,
    th: str,
    partners: list[str],
    segs: list[str] | None,
) -> pd.DataFrame:
    """Aggregated person time for the excess-churn model of one cell.

    Customers who mention the cell's theme or a partner theme have their time at risk (from
    the first response at the touchpoint) split at each first mention and at the tenure-band
    boundaries: ``exposed`` = the cell's theme mentioned by then, ``p<i>`` = partner ``i``
    mentioned by then. Everybody else at the touchpoint is unexposed throughout: their time is
    the touchpoint's total (``base``) minus that of the mentioning customers.
    """
    themes = [th, *partners]
    flags = ["exposed", *[f"p{i}" for i in range(len(partners))]]
    total = bands_long(base, ["segment", "grp"]).groupby(_STRATA)[["exposure", "events"]].sum()
    pieces = pd.DataFrame()
    if hist is not None and tp in hist.themes:
        pieces = _cell_pieces(hist, tp, themes, segs)
    if pieces.empty:
        rest = total.reset_index()
        for f in flags:
            rest[f] = 0
        return rest
    pieces.columns = [*_STRATA, *flags, "days", "events"]
    pieces = pieces.sort_values([*_STRATA, *flags], ignore_index=True)
    used = pieces.groupby(_STRATA, sort=True)[["days", "events"]].sum()
    used = _years(used.reset_index(), []).set_index(_STRATA)
    if segs is not None:
        total = total[total.index.get_level_values("segment").isin(segs)]
    rest = total.sub(used.reindex(total.index).fillna(0.0), fill_value=0.0).clip(lower=0.0)
    rest = rest.reset_index()
    for f in flags:
        rest[f] = 0
    return pd.concat([_years(pieces, flags), rest], ignore_index=True)


def _cell_pieces(
    hist: Histories, tp: str, themes: list[str], segs: list[str] | None
) -> pd.DataFrame:
    """The summed pieces of one cell: from the all-cells query when the cell has no partners
    (run once, on first use), else from a query of its own."""
    if len(themes) == 1:
        if hist.alone is None:
            hist.alone = frame(hist.con, alone_sql())
        a = hist.alone
        part = a[(a["touchpoint"] == tp) & (a["theme"] == themes[0])]
        if segs is not None:
            part = part[part["segment"].isin(segs)]
        return part.drop(columns=["touchpoint", "theme"]).reset_index(drop=True)
    params = [*themes, tp, *themes, min(themes), max(themes), *(segs or [])]
    return frame(hist.con, pieces_sql(len(themes), segs), params)


def _years(part: pd.DataFrame, flags: list[str]) -> pd.DataFrame:
    """Band labels, person years from the summed days, events as floats."""
    out = part[["segment", "grp"]].copy()
    out["band"] = [BANDS[int(b)] for b in part["band"]]
    for f in flags:
        out[f] = part[f].astype("int64")
    out["exposure"] = part["days"].astype(float) / YEAR_DAYS
    out["events"] = part["events"].astype(float)
    return out


def pieces_sql(n_themes: int, segs: list[str] | None) -> str:
    """SQL: the pieces of time at risk of one cell, summed per stratum and exposure flags.

    Parameters: the ``n_themes`` themes (the cell's first), the touchpoint, the themes again,
    their smallest and largest (the table is sorted by theme: a range its blocks' zone maps can
    skip by), then the segments (``segs``; none = all). One row per mentioning customer with
    the first mention of each theme (``m<j>``); see :func:`_pieces_sql` for the cutting.
    """
    firsts = ", ".join(f"max(case when theme = ? then m end) as m{j}" for j in range(n_themes))
    marks = ", ".join("?" for _ in range(n_themes))
    seg_filter = f" and segment in ({', '.join('?' for _ in segs)})" if segs is not None else ""
    customers = f"""
          select customer_id, max(segment) as segment, max(grp) as grp,
                 max(case when churned then 1 else 0 end) as churned,
                 max(s) as s, max(e) as e, max(b1) as b1, max(b2) as b2, {firsts}
          from {HISTORIES}
          where touchpoint = ? and theme in ({marks}) and theme >= ? and theme <= ?{seg_filter}
          group by customer_id"""
    return _pieces_sql(customers, [], n_themes)


def alone_sql() -> str:
    """SQL: the pieces of every candidate cell on its own (no partners) at once, summed per
    ``touchpoint, theme, segment, grp, band, f0``: with one theme a customer's cut points all
    lie on its row of ``_a_lv``, no grouping by customer is needed."""
    rows = f"""
          select touchpoint, theme, segment, grp, case when churned then 1 else 0 end as churned,
                 s, e, b1, b2, m as m0
          from {HISTORIES}"""
    return _pieces_sql(rows, ["touchpoint", "theme"], 1)


def _pieces_sql(customers: str, keys: list[str], n_themes: int) -> str:
    """Cut each customer's time at risk (one row of ``customers``) into pieces and sum them.

    The cut points — start ``s``, end ``e``, band boundaries, first mentions (a theme never
    mentioned cuts at ``e``) — are clipped to [s, e]; each distinct cut but the last starts a
    piece that ends at the next larger cut. The churn event falls in the piece ending at
    ``e``; a piece lies in band ``[start >= b1] + [start >= b2]``; flag ``j`` is set when theme
    ``j`` was mentioned by the piece's start. Result: ``keys…, segment, grp, band, f0.., days,
    events`` (integer day sums).
    """
    ms = ", ".join(f"m{j}" for j in range(n_themes))
    cuts = [
        "s",
        "e",
        "least(greatest(b1, s), e)",
        "least(greatest(b2, s), e)",
        *[f"least(greatest(coalesce(m{j}, e), s), e)" for j in range(n_themes)],
    ]
    n_cuts = len(cuts)
    named = ", ".join(f"{c} as c{i}" for i, c in enumerate(cuts))
    index = " union all ".join(f"select {i} as i" for i in range(n_cuts))
    pick = " ".join(f"when {i} then c{i}" for i in range(n_cuts))
    first = " ".join(
        f"when {i} then " + " and ".join(f"c{i} <> c{h}" for h in range(i))
        for i in range(1, n_cuts)
    )
    stop = ", ".join(f"case when c{i} > d then c{i} end" for i in range(n_cuts))
    flags = ", ".join(f"case when d >= m{j} then 1 else 0 end as f{j}" for j in range(n_themes))
    fs = ", ".join(f"f{j}" for j in range(n_themes))
    k = "".join(f"{key}, " for key in keys)
    return f"""
        with c as ({customers}),
        x as (select {k}segment, grp, churned, e, b1, b2, {ms}, {named} from c),
        p as (select x.*, case i {pick} end as d
              from x cross join ({index}) k
              where case i when 0 then true {first} end),
        q as (select {k}segment, grp, churned, e, b1, b2, {ms}, d, least({stop}) as stop
              from p),
        r as (select {k}segment, grp,
                     (case when d >= b1 then 1 else 0 end)
                       + (case when d >= b2 then 1 else 0 end) as band,
                     {flags}, stop - d as days,
                     case when churned = 1 and stop = e then 1 else 0 end as ev
              from q where stop is not null)
        select {k}segment, grp, band, {fs}, cast(sum(days) as bigint) as days,
               cast(sum(ev) as bigint) as events
        from r group by {k}segment, grp, band, {fs}"""
