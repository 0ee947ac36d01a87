"""Test oracle: the NumPy implementation of the mention histories (before issue 17).

``cxo.assess.exposure`` now computes the co-mentioned partners and the person time of the pain
cells in the engine (SQL); this is the former in-memory version, kept verbatim as the reference
the SQL must reproduce exactly (``tests/assess/test_exposure_sql.py``). Original docs:

Mention histories of the pain cells as arrays, and the person time of their churn models.

:func:`mention_lives` loads, per touchpoint, one row per customer × candidate theme with the
days that matter (first response at the touchpoint, first mention, churn or ``as_of``, the
tenure-band boundaries) from the assessment's working tables; :func:`partners` finds the
co-mentioned themes of a cell; :func:`person_time` splits the time at risk at each first
mention and tenure boundary into the aggregated rows of the excess-churn model.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxo.assess.data import BANDS, bands_long

if TYPE_CHECKING:
    import duckdb

PARTNER_SHARE = 0.10
"""A theme at the same touchpoint is a co-mentioned partner of a cell when at least this share of
either cell's customers mention both (e.g. one comment tagged with two themes)."""
MIN_PARTNER_CUSTOMERS = 10


def mention_lives(con: duckdb.DuckDBPyConnection, cand: pd.DataFrame) -> dict[str, Lives]:
    """Per touchpoint: one row per customer × candidate theme with the days that matter.

    Days since 1970: ``s`` first response at the touchpoint (index), ``m`` first mention of
    the theme, ``e`` churn or ``as_of``, ``b1``/``b2`` the tenure-band boundaries.
    """
    if cand.empty:
        return {}
    keys = cand[["touchpoint", "theme"]].drop_duplicates()
    con.register("_a_cand", keys)
    try:
        # Arrow, not pandas: millions of rows with three string columns convert ~3× faster
        # to dictionary codes than to Python string objects.
        table = con.sql(
            """with d as (select date '1970-01-01' as z, max(e) as e from _a_end)
               select a.touchpoint, a.theme, c.rowid as customer_id, c.segment, ct.dgrp as grp,
                      c.churn_date is not null as churned,
                      datediff('day', d.z, ct.idx)::integer as s,
                      datediff('day', d.z, a.m)::integer as m,
                      datediff('day', d.z, coalesce(c.churn_date, d.e))::integer as e,
                      datediff('day', d.z, (c.signup_date + interval 13 month)::date)::integer
                        as b1,
                      datediff('day', d.z, (c.signup_date + interval 25 month)::date)::integer
                        as b2
               from _a_aff a join _a_cand k using (touchpoint, theme)
               join _a_c c using (customer_id)
               join _a_ct ct using (customer_id, touchpoint)
               cross join d
               where ct.idx <= coalesce(c.churn_date, d.e)"""
        ).to_arrow_table()
    finally:
        con.unregister("_a_cand")
    if table.num_rows == 0:
        return {}
    tp_code, tp_names = _codes(table["touchpoint"])
    th_code, th_names = _codes(table["theme"])
    seg_code, seg_names = _codes(table["segment"])
    grp_names, grp_code = np.unique(table["grp"].to_numpy(), return_inverse=True)
    cols = {c: table[c].to_numpy() for c in ("customer_id", "churned", "s", "m", "e", "b1", "b2")}
    order = np.argsort(tp_code, kind="stable")
    bounds = np.searchsorted(tp_code[order], np.arange(len(tp_names) + 1))
    lives: dict[str, Lives] = {}
    for i, tp in enumerate(tp_names):
        at = order[bounds[i] : bounds[i + 1]]
        if not len(at):
            continue
        themes = th_code[at]
        by_theme = np.argsort(themes, kind="stable")
        starts = np.searchsorted(themes[by_theme], np.arange(len(th_names) + 1))
        lives[str(tp)] = Lives(
            customer=cols["customer_id"][at].astype(np.int64),
            segment=seg_code[at].astype(np.int32),
            segments=seg_names,
            grp_code=grp_code[at].astype(np.int32),
            grp_names=grp_names,
            churned=cols["churned"][at].astype(bool),
            # days since 1970 fit 32 bits: half the memory of these arrays (10M customers)
            days={c: cols[c][at].astype(np.int32) for c in ("s", "m", "e", "b1", "b2")},
            theme_rows={
                str(t): by_theme[starts[j] : starts[j + 1]]
                for j, t in enumerate(th_names)
                if starts[j + 1] > starts[j]
            },
        )
    return lives


def _codes(column: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Integer codes and the distinct values of an Arrow string column."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column).combine_chunks()
    return (
        encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
        np.asarray(encoded.dictionary.to_pylist(), dtype=object),
    )


@dataclass
class Lives:
    """One touchpoint's mention histories as arrays: one row per customer × candidate theme.

    At 1M customers these are millions of rows, filtered once per pain cell: plain numpy
    arrays with the row numbers of each theme and segment precomputed keep that cheap.
    """

    customer: np.ndarray[Any, Any]
    segment: np.ndarray[Any, Any]
    """Segment codes into :attr:`segments`."""
    segments: np.ndarray[Any, Any]
    grp_code: np.ndarray[Any, Any]
    """Disposition group codes into :attr:`grp_names`."""
    grp_names: np.ndarray[Any, Any]
    churned: np.ndarray[Any, Any]
    days: dict[str, np.ndarray[Any, Any]]
    """``s``, ``m``, ``e``, ``b1``, ``b2`` (see :func:`mention_lives`)."""
    theme_rows: dict[str, np.ndarray[Any, Any]]

    @functools.cached_property
    def customer_end(self) -> int:
        """One past the largest customer row id (the size of a dense per-customer array;
        computed once, read by every pain cell of the touchpoint)."""
        return int(self.customer.max()) + 1 if len(self.customer) else 0

    def rows(self, theme: str, segs: list[str] | None) -> np.ndarray[Any, Any]:
        """Row numbers of ``theme``'s mentions (in segments ``segs``)."""
        rows = self.theme_rows.get(theme, np.empty(0, dtype=np.int64))
        if segs is not None:
            wanted = np.flatnonzero(np.isin(self.segments, segs))
            rows = rows[np.isin(self.segment[rows], wanted)]
        return rows


def partners(lives: Lives | None, th: str, segs: list[str] | None) -> list[str]:
    """Themes at the touchpoint mentioned by many of the same customers (see ``PARTNER_SHARE``)."""
    if lives is None:
        return []
    own = np.unique(lives.customer[lives.rows(th, segs)])
    if not len(own):
        return []
    shares: dict[str, float] = {}
    for other in lives.theme_rows:
        if other == th:
            continue
        theirs = lives.customer[lives.rows(other, segs)]  # unique: one row per customer
        n = int(np.isin(theirs, own, assume_unique=True).sum())
        if n >= MIN_PARTNER_CUSTOMERS:
            shares[other] = max(n / len(own), n / float(len(theirs)))
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    return [other for other, share in ranked if share >= PARTNER_SHARE]


def person_time(
    lives: Lives | None,
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
    strata = ["segment", "grp", "band"]
    flags = ["exposed", *[f"p{i}" for i in range(len(partners))]]
    total = bands_long(base, ["segment", "grp"]).groupby(strata)[["exposure", "events"]].sum()
    per_theme = [lives.rows(t, segs) for t in themes] if lives is not None else []
    if not sum(len(r) for r in per_theme):
        rest = total.reset_index()
        for f in flags:
            rest[f] = 0
        return rest
    assert lives is not None
    exposed, used = _sums(lives, _pieces(lives, per_theme), flags)
    used = used.set_index(strata)
    if segs is not None:
        total = total[total.index.get_level_values("segment").isin(segs)]
    rest = total.sub(used.reindex(total.index).fillna(0.0), fill_value=0.0).clip(lower=0.0)
    rest = rest.reset_index()
    for f in flags:
        rest[f] = 0
    return pd.concat([exposed, rest], ignore_index=True)


@dataclass
class _Pieces:
    """The mentioning customers' time at risk cut into pieces (one row per customer)."""

    first: np.ndarray[Any, Any]
    """A row of each customer in the :class:`Lives` arrays (the customer's touchpoint data)."""
    start: np.ndarray[Any, Any]
    """Start day of each piece, ``(customers, pieces)``."""
    length: np.ndarray[Any, Any]
    event: np.ndarray[Any, Any]
    """1 in the piece in which the customer churned."""
    band: np.ndarray[Any, Any]
    """Tenure band index of each piece."""
    mention: np.ndarray[Any, Any]
    """First mention day per customer and theme, ``(customers, themes)`` (huge = never)."""


def _pieces(lives: Lives, per_theme: list[np.ndarray[Any, Any]]) -> _Pieces:
    """Cut each mentioning customer's time at risk at the first mentions and band boundaries."""
    # one row per customer × theme (``_a_aff`` is unique on customer, touchpoint, theme); the
    # customers are found through a dense slot per customer row id (no sort of the rows)
    rows_all = np.concatenate(per_theme)
    slot = np.full(lives.customer_end, -1, dtype=np.int64)
    slot[lives.customer[rows_all]] = rows_all
    uniq = np.flatnonzero(slot >= 0)
    first = slot[uniq]  # a row of each customer: the customer's touchpoint data
    slot[uniq] = np.arange(len(uniq))
    big = np.iinfo(np.int64).max // 4
    mdays = np.full((len(uniq), len(per_theme)), big, dtype=np.int64)
    for j, rows in enumerate(per_theme):
        mdays[slot[lives.customer[rows]], j] = lives.days["m"][rows]
    s0 = lives.days["s"][first]
    e0 = lives.days["e"][first]
    b1 = lives.days["b1"][first]
    b2 = lives.days["b2"][first]
    cuts = np.column_stack([s0, e0, b1, b2, mdays])
    cuts = np.sort(np.clip(cuts, s0[:, None], e0[:, None]), axis=1)
    start, stop = cuts[:, :-1], cuts[:, 1:]
    length = stop - start
    # the churn event falls in the last piece of positive length
    pos = length > 0
    last = np.where(pos.any(axis=1), pos.shape[1] - 1 - np.argmax(pos[:, ::-1], axis=1), -1)
    churned = lives.churned[first]
    event = np.zeros(length.shape, dtype=np.int64)
    rows = np.flatnonzero(churned & (last >= 0))
    event[rows, last[rows]] = 1
    band = (start >= b1[:, None]).astype(np.int64) + (start >= b2[:, None]).astype(np.int64)
    return _Pieces(first, start, length, event, band, mdays)


def _sums(lives: Lives, pc: _Pieces, flags: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Person time and events per stratum and exposure flags, and per stratum alone.

    One integer code per piece — segment, disposition, band, then one bit per flag — and sums
    per code with bincount: the pieces are millions, the codes a few thousand.
    """
    n_flags = len(flags)
    n_seg, n_grp, n_band = len(lives.segments), len(lives.grp_names), len(BANDS)
    first = pc.first
    stratum = (lives.segment[first] * n_grp + lives.grp_code[first])[:, None] * n_band + pc.band
    bits = np.zeros(pc.length.shape, dtype=np.int64)
    for j in range(n_flags):
        bits |= (pc.start >= pc.mention[:, j][:, None]).astype(np.int64) << j
    keep = (pc.length > 0) | (pc.event > 0)
    code = ((stratum << n_flags) | bits)[keep]
    size = n_seg * n_grp * n_band << n_flags
    count = np.bincount(code, minlength=size)
    years = np.bincount(code, weights=pc.length[keep] / 365.25, minlength=size)
    events = np.bincount(code, weights=pc.event[keep].astype(float), minlength=size)
    nz = np.flatnonzero(count)
    exposed = _decode(lives, nz, years[nz], events[nz], flags)
    per_stratum = [a.reshape(-1, 1 << n_flags).sum(axis=1) for a in (count, years, events)]
    used_at = np.flatnonzero(per_stratum[0])
    used = _decode(lives, used_at, per_stratum[1][used_at], per_stratum[2][used_at], None)
    return exposed, used


def _decode(
    lives: Lives,
    codes: np.ndarray[Any, Any],
    ex: np.ndarray[Any, Any],
    ev: np.ndarray[Any, Any],
    flags: list[str] | None,
) -> pd.DataFrame:
    """Rows of segment, disposition group, band (and the flags' bits when ``flags``)."""
    n_grp, n_band = len(lives.grp_names), len(BANDS)
    st_ = codes >> len(flags) if flags is not None else codes
    out = {
        "segment": np.asarray(lives.segments, dtype=object)[st_ // (n_grp * n_band)],
        "grp": np.asarray(lives.grp_names, dtype=object)[st_ // n_band % n_grp],
        "band": np.asarray(BANDS, dtype=object)[st_ % n_band],
    }
    if flags is not None:
        out.update({f: (codes >> j) & 1 for j, f in enumerate(flags)})
    return pd.DataFrame({**out, "exposure": ex, "events": ev})
