"""Pain points: cells touchpoint × theme × segment, measured in customers, NPS points and money.

For every cell with at least ``MIN_MENTIONS`` theme mentions:

* **reach**: customers who mentioned the theme at the touchpoint (negative or neutral), and
  their share of the touchpoint's responding customers in the segment;
* **experience gap**: NPS of the mentioning responses minus the rest of the cell's responses
  (adjusted-Wald interval and two-sided p-value, ``cxo.stats.nps_difference``);
* **excess churn**: extra annual churn probability of the affected customers against the
  cell's other respondents — ``cxo.stats.churn.excess_churn``. Exposure is time-varying: a
  customer counts as affected from the first mention on (time at risk starts at the first
  response at the touchpoint). Adjusted for tenure band, segment (when pooled), the
  customer's **disposition** — quintile of the shrunken mean NPS the customer gave before
  the first response at this touchpoint, i.e. at other touchpoints (not the NPS at this
  touchpoint: the pain lowers that one, and stratifying on it would hide part of the pain's
  churn; nothing later either, as how much a customer answers later depends on survival) —
  and the **co-mentioned themes**
  at the touchpoint with a stronger churn signal of their own (up to ``MAX_PARTNERS`` themes
  that ≥ ``PARTNER_SHARE`` of either cell's customers also mention and whose unadjusted
  excess-churn z is larger, each as its own time-varying exposure), so a comment tagged with
  two themes does not count the same customers' churn twice — the stronger theme keeps it;
* **revenue at risk**: monthly contract revenue of the affected customers still active ×
  excess churn, with interval;
* **flag**: Benjamini–Hochberg over all cells' experience-gap p-values at FDR 10 %, reported
  as a pain when the gap is negative.

A theme present in several segments is pooled into one cell (segment "all") unless the
segments' gaps differ (Cochran's Q, p < 0.05) and at least one segment's gap is not clearly
negative (a segment-specific pain); then each segment is its own cell. A pooled
cell's gap is the inverse-variance weighted mean of the segments' gaps (segment-adjusted).
Cells are ranked by the revenue at risk one can be confident of, the lower end of its 95 %
interval (by reach × the smaller end of the gap interval when no contracts were imported):
with ~100 cells, ranking point estimates puts the luckiest noise on top. Point values and
intervals are reported as they are.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxo.assess.data import BANDS, bands_long
from cxo.core.themes import THEME_KEYS, theme
from cxo.errors import InsufficientDataError
from cxo.stats.churn import ExcessChurn, RevenueAtRisk, excess_churn, revenue_at_risk
from cxo.stats.multiple import fdr_bh
from cxo.stats.nps import NpsDifference, nps_difference, nps_from_counts

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

MIN_MENTIONS = 20
FDR = 0.10
HETEROGENEITY_P = 0.05
ADJUST_DISPOSITION = True
PARTNER_SHARE = 0.10
"""A theme at the same touchpoint is a co-mentioned partner of a cell when at least this share of
either cell's customers mention both (e.g. one comment tagged with two themes)."""
MIN_PARTNER_CUSTOMERS = 10
MAX_PARTNERS = 4


@dataclass
class Pain:
    """One cell touchpoint × theme × segment (``segment`` ``None`` = all segments)."""

    touchpoint: str
    theme: str
    segment: str | None
    label: str
    owner: dict[str, str | None]
    mentions: int
    responses: int
    reach: int
    reach_active: int
    respondents: int
    nps_affected: float
    nps_rest: float
    gap: float
    gap_low: float
    gap_high: float
    p_value: float
    churn: ExcessChurn | None
    revenue: RevenueAtRisk | None
    q_value: float = math.nan
    flagged: bool = False
    rank: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def share_affected(self) -> float:
        """Share of the cell's responding customers who are affected."""
        return self.reach / self.respondents if self.respondents else math.nan

    @property
    def impact(self) -> float:
        """Ranking key: the revenue at risk one can be confident of — the lower end of its
        interval — else reach × the smaller end of the NPS gap's interval (points × customers).

        Ranking ~100 cells on point estimates puts the cells with the luckiest noise on top;
        the lower bound ranks a well-measured pain above a noisy cell of similar size.
        """
        if self.revenue is not None:
            return self.revenue.ci_low
        return self.reach * max(0.0, -self.gap_high) / 100.0

    def key(self) -> tuple[str, str, str | None]:
        """``(touchpoint, theme, segment)``."""
        return (self.touchpoint, self.theme, self.segment)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "rank": self.rank,
            "touchpoint": self.touchpoint,
            "theme": self.theme,
            "segment": self.segment,
            "label": self.label,
            "owner": self.owner,
            "mentions": self.mentions,
            "responses": self.responses,
            "reach": self.reach,
            "reach_active": self.reach_active,
            "respondents": self.respondents,
            "share_affected": _clean(self.share_affected),
            "experience_gap": {
                "metric": "nps",
                "affected": _clean(self.nps_affected),
                "rest": _clean(self.nps_rest),
                "difference": _clean(self.gap),
                "ci_low": _clean(self.gap_low),
                "ci_high": _clean(self.gap_high),
                "p_value": _clean(self.p_value),
            },
            "excess_churn": self.churn.to_dict() if self.churn else None,
            "revenue_at_risk": self.revenue.to_dict() if self.revenue else None,
            "q_value": _clean(self.q_value),
            "flagged": self.flagged,
            "notes": self.notes,
        }


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def theme_label(key: str, charter: Charter, language: str) -> str:
    """Label of a comment theme or (rating-based) attribute."""
    if key in THEME_KEYS:
        t = theme(key)
        return t.de if language == "de" else t.en
    return charter.label("attribute", key, language)


def find_pains(
    con: duckdb.DuckDBPyConnection,
    charter: Charter,
    *,
    currency: str = "EUR",
    has_revenue: bool = True,
    language: str = "en",
    seed: int = 0,
) -> list[Pain]:
    """All pain cells, ranked (see the module docs)."""
    _GROUPS.clear()
    mentioned = con.execute(
        """select r.touchpoint, r.segment, t.theme, count(*) as n,
                  sum(r.prom) as p, sum(r.det) as d
           from _a_r r join _a_t t using (response_id)
           where r.customer_id is not null group by all"""
    ).df()
    if mentioned.empty:
        return []
    totals = con.execute(
        """select touchpoint, segment, count(*) as n, sum(prom) as p, sum(det) as d
           from _a_r where customer_id is not null group by all"""
    ).df()
    # Affected customers are exposed from their first mention on (a time-varying exposure:
    # counting the time before the mention as exposed would credit survival to the pain).
    con.execute(
        """create or replace temp table _a_aff as
           select r.customer_id, r.touchpoint, t.theme, min(r.responded_at)::date as m
           from _a_t t join _a_r r using (response_id) where r.customer_id is not null
           group by all"""
    )
    sums = """count(*) as customers, sum(active::int) as active,
              sum(case when active then mrr else 0 end) as mrr_active,
              sum(x0) as x0, sum(x1) as x1, sum(x2) as x2,
              sum(ev0) as ev0, sum(ev1) as ev1, sum(ev2) as ev2"""
    aff = con.execute(
        f"""with b as (
              select a.touchpoint, a.theme, c.segment, c.mrr, c.active, a.m as s,
                     ct.dgrp as grp,
                     coalesce(c.churn_date, x.e) as e, c.churn_date is not null as churned,
                     (c.signup_date + interval 13 month)::date as b1,
                     (c.signup_date + interval 25 month)::date as b2
              from _a_aff a join _a_c c using (customer_id)
              join _a_ct ct using (customer_id, touchpoint)
              cross join (select max(e) as e from _a_end) x
              where a.m <= coalesce(c.churn_date, x.e))
            select touchpoint, theme, segment, grp, {sums} from (
              select touchpoint, theme, segment, grp, mrr, active,
                greatest(0, datediff('day', s, least(e, b1))) / 365.25 as x0,
                greatest(0, datediff('day', greatest(s, b1), least(e, b2))) / 365.25 as x1,
                greatest(0, datediff('day', greatest(s, b2), e)) / 365.25 as x2,
                (churned and e < b1)::int as ev0,
                (churned and e >= b1 and e < b2)::int as ev1,
                (churned and e >= b2)::int as ev2
              from b) group by all"""
    ).df()
    base = con.execute(
        f"select touchpoint, segment, dgrp as grp, {sums} from _a_x group by all"
    ).df()
    cand = mentioned[mentioned["n"] >= MIN_MENTIONS]
    lives = _mention_lives(con, cand)

    pains: list[Pain] = []
    todo: list[tuple[str, str, list[str] | None]] = []
    for (tp, th), grp in cand.groupby(["touchpoint", "theme"], sort=True):
        segs = sorted(grp["segment"].astype(str))
        pooled = False
        if len(segs) >= 2:
            gaps = []
            for seg in segs:
                gaps.append(
                    _gap(mentioned, totals, str(tp), str(th), [seg]),
                )
            est = np.array([g.difference for g in gaps])
            w = np.array([1.0 / g.se**2 if g.se > 0 else 0.0 for g in gaps])
            from scipy import stats as st

            mean = float(w @ est / w.sum()) if w.sum() > 0 else 0.0
            q = float(w @ (est - mean) ** 2)
            # Split only a segment-specific pain: the gaps differ (Cochran's Q) *and* some
            # segment shows no clear gap. A pain hurting every segment stays one cell even when
            # its size in NPS points differs (NPS is not linear: the same shift costs a
            # high-NPS segment fewer points), so it is not counted two or three times.
            same = bool(st.chi2.sf(q, len(segs) - 1) >= HETEROGENEITY_P)
            pooled = same or all(g.ci_high < 0 for g in gaps)
        groups: list[list[str] | None] = [None] if pooled else [[s] for s in segs]
        todo.extend((str(tp), str(th), seg_list) for seg_list in groups)

    def make(tp: str, th: str, seg_list: list[str] | None, partners: list[str]) -> Pain:
        return _cell(
            tp,
            th,
            seg_list,
            partners,
            mentioned,
            totals,
            aff,
            base,
            lives,
            charter,
            currency=currency,
            has_revenue=has_revenue,
            language=language,
            seed=seed,
        )

    # Pass 1: every cell on its own. Pass 2: a cell sharing many customers with themes at its
    # touchpoint whose own churn signal is stronger is adjusted for them (a comment tagged
    # with two themes: its customers' churn goes to the theme that explains churn better, and
    # the stronger theme is not adjusted for the weaker one, whose tags it causes).
    first = [make(tp, th, seg_list, []) for tp, th, seg_list in todo]
    strength: dict[tuple[str, str], float] = {}
    for pain in first:
        z = _churn_z(pain.churn)
        key = (pain.touchpoint, pain.theme)
        strength[key] = max(strength.get(key, -math.inf), z)
    for (tp, th, seg_list), pain in zip(todo, first, strict=True):
        own = _churn_z(pain.churn)
        stronger = [
            other
            for other in _partners(lives.get(tp), th, seg_list)
            if strength.get((tp, other), -math.inf) > own
        ][:MAX_PARTNERS]
        pains.append(make(tp, th, seg_list, stronger) if stronger else pain)
    _GROUPS.clear()
    if not pains:
        return []
    reject, qvals = fdr_bh([p.p_value for p in pains], alpha=FDR)
    for pain, rej, qv in zip(pains, reject, qvals, strict=True):
        pain.q_value = float(qv)
        pain.flagged = bool(rej) and pain.gap < 0
    # Nine significant digits: parallel sums differ in the last bits, and equal pains (two
    # themes tagged on the same comments) must not swap places from run to run.
    pains.sort(
        key=lambda p: (
            -float(f"{p.impact:.9g}"),
            float(f"{p.p_value:.9g}"),
            p.touchpoint,
            p.theme,
            p.segment or "",
        )
    )
    for i, pain in enumerate(pains, start=1):
        pain.rank = i
    return pains


_GROUPS: dict[int, dict[Any, pd.DataFrame]] = {}


def _select(frame: pd.DataFrame, tp: str, th: str | None, segs: list[str] | None) -> pd.DataFrame:
    keys = ["touchpoint", "theme"] if th is not None else ["touchpoint"]
    index = _GROUPS.get(id(frame))
    if index is None:
        index = dict(iter(frame.groupby(keys, sort=False)))
        _GROUPS[id(frame)] = index
    key = (tp, th) if th is not None else (tp,)
    part = index.get(key)
    if part is None:
        return frame.iloc[0:0]
    if segs is not None:
        part = part[part["segment"].isin(segs)]
    return part


def _gap(
    mentioned: pd.DataFrame, totals: pd.DataFrame, tp: str, th: str, segs: list[str] | None
) -> NpsDifference:
    """NPS of the mentioning responses minus the rest of the cell (segment-adjusted if pooled)."""
    m = _select(mentioned, tp, th, segs)
    if segs is None and m["segment"].nunique() > 1:
        return _pooled_gap(mentioned, totals, tp, th, sorted(m["segment"].astype(str).unique()))
    return _crude_gap(mentioned, totals, tp, th, segs)


def _crude_gap(
    mentioned: pd.DataFrame, totals: pd.DataFrame, tp: str, th: str, segs: list[str] | None
) -> NpsDifference:
    m = _select(mentioned, tp, th, segs)
    t = _select(totals, tp, None, segs)
    mp, md, mn = int(m["p"].sum()), int(m["d"].sum()), int(m["n"].sum())
    tp_, td, tn = int(t["p"].sum()), int(t["d"].sum()), int(t["n"].sum())
    a = nps_from_counts(mp, mn - mp - md, md)
    rp, rd, rn = tp_ - mp, td - md, tn - mn
    b = nps_from_counts(rp, rn - rp - rd, rd)
    return nps_difference(a, b)


def _pooled_gap(
    mentioned: pd.DataFrame, totals: pd.DataFrame, tp: str, th: str, segs: list[str]
) -> NpsDifference:
    """Segment-adjusted gap of a pooled cell: inverse-variance weighted mean of the segments'
    gaps (segments differ in NPS and in how many mention the theme, so the crude pooled
    difference would compare one segment's mentioners with another segment's rest)."""
    from scipy import stats as st

    parts = [_gap(mentioned, totals, tp, th, [seg]) for seg in segs]
    parts = [g for g in parts if g.se > 0 and math.isfinite(g.se)]
    crude = _crude_gap(mentioned, totals, tp, th, None)
    if not parts:
        return crude
    w = np.array([1.0 / g.se**2 for g in parts])
    est = float(w @ np.array([g.difference for g in parts]) / w.sum())
    se = float(1.0 / math.sqrt(w.sum()))
    z = float(st.norm.ppf(0.5 + crude.level / 2))
    return NpsDifference(
        difference=est,
        ci_low=est - z * se,
        ci_high=est + z * se,
        se=se,
        z=est / se,
        p_value=float(2 * st.norm.sf(abs(est / se))),
        value_a=crude.value_a,
        value_b=crude.value_a - est,
        n_a=crude.n_a,
        n_b=crude.n_b,
        level=crude.level,
    )


def _churn_z(churn: ExcessChurn | None) -> float:
    """Signed Wald z of the excess-churn coefficient (−inf when not estimated)."""
    from scipy import stats as st

    if churn is None or not math.isfinite(churn.p_value) or churn.hazard_ratio <= 0:
        return -math.inf
    z = float(st.norm.isf(max(churn.p_value, 1e-300) / 2))
    return z if churn.hazard_ratio >= 1 else -z


def _cell(
    tp: str,
    th: str,
    segs: list[str] | None,
    partners: list[str],
    mentioned: pd.DataFrame,
    totals: pd.DataFrame,
    aff: pd.DataFrame,
    base: pd.DataFrame,
    lives: dict[str, Lives],
    charter: Charter,
    *,
    currency: str,
    has_revenue: bool,
    language: str,
    seed: int,
) -> Pain:
    diff = _gap(mentioned, totals, tp, th, segs)
    m = _select(mentioned, tp, th, segs)
    t = _select(totals, tp, None, segs)
    a = _select(aff, tp, th, segs)
    b = _select(base, tp, None, segs)
    notes: list[str] = []
    churn: ExcessChurn | None = None
    revenue: RevenueAtRisk | None = None
    # person time of the affected and of the rest, per segment, disposition and tenure band,
    # with the co-mentioned themes at the touchpoint as further time-varying exposures
    cells = _cells(lives.get(tp), b, th, partners, segs)
    adjust = ["band"] if segs is not None and len(segs) == 1 else ["band", "segment"]
    if ADJUST_DISPOSITION:
        adjust.append("grp")
    adjust.extend(f"p{i}" for i in range(len(partners)))
    if partners:
        names = ", ".join(theme_label(p, charter, language) for p in partners)
        notes.append(f"excess churn adjusted for co-mentioned themes: {names}")
    try:
        churn = excess_churn(cells, "exposed", adjust, seed=seed)
    except InsufficientDataError as exc:
        notes.append(f"excess churn not estimated: {exc.message}")
    reach = int(a["customers"].sum())
    reach_active = int(a["active"].sum())
    if churn is not None and has_revenue:
        revenue = revenue_at_risk(
            churn, float(a["mrr_active"].sum()), reach_active, currency=currency
        )
    seg_label = None if segs is None else segs[0]
    label = (
        f"{charter.label('touchpoint', tp, language)} · {theme_label(th, charter, language)}"
        + (f" · {charter.label('segment', seg_label, language)}" if seg_label else "")
    )
    return Pain(
        touchpoint=tp,
        theme=th,
        segment=seg_label,
        label=label,
        owner=charter.owner_of(tp),
        mentions=int(m["n"].sum()),
        responses=int(t["n"].sum()),
        reach=reach,
        reach_active=reach_active,
        respondents=int(b["customers"].sum()),
        nps_affected=diff.value_a,
        nps_rest=diff.value_b,
        gap=diff.difference,
        gap_low=diff.ci_low,
        gap_high=diff.ci_high,
        p_value=diff.p_value,
        churn=churn,
        revenue=revenue,
        notes=notes,
    )


def _mention_lives(con: duckdb.DuckDBPyConnection, cand: pd.DataFrame) -> dict[str, Lives]:
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
                      datediff('day', d.z, ct.idx) as s,
                      datediff('day', d.z, a.m) as m,
                      datediff('day', d.z, coalesce(c.churn_date, d.e)) as e,
                      datediff('day', d.z, (c.signup_date + interval 13 month)::date) as b1,
                      datediff('day', d.z, (c.signup_date + interval 25 month)::date) as b2
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
            segment=seg_code[at],
            segments=seg_names,
            grp_code=grp_code[at],
            grp_names=grp_names,
            churned=cols["churned"][at].astype(bool),
            days={c: cols[c][at].astype(np.int64) for c in ("s", "m", "e", "b1", "b2")},
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
    """``s``, ``m``, ``e``, ``b1``, ``b2`` (see :func:`_mention_lives`)."""
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


def _partners(lives: Lives | None, th: str, segs: list[str] | None) -> list[str]:
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


def _cells(
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
    # one row per customer × theme (``_a_aff`` is unique on customer, touchpoint, theme); the
    # customers are found through a dense slot per customer row id (no sort of the rows)
    rows_all = np.concatenate(per_theme)
    slot = np.full(lives.customer_end, -1, dtype=np.int64)
    slot[lives.customer[rows_all]] = rows_all
    uniq = np.flatnonzero(slot >= 0)
    first = slot[uniq]  # a row of each customer: the customer's touchpoint data
    slot[uniq] = np.arange(len(uniq))
    big = np.iinfo(np.int64).max // 4
    mdays = np.full((len(uniq), len(themes)), big, dtype=np.int64)
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
    # One integer code per piece — segment, disposition, band, then one bit per flag — and
    # sums per code with bincount: the pieces are millions, the codes a few thousand.
    n_flags = len(flags)
    n_seg, n_grp, n_band = len(lives.segments), len(lives.grp_names), len(BANDS)
    stratum = (lives.segment[first] * n_grp + lives.grp_code[first])[:, None] * n_band + band
    bits = np.zeros(length.shape, dtype=np.int64)
    for j in range(n_flags):
        bits |= (start >= mdays[:, j][:, None]).astype(np.int64) << j
    keep = pos | (event > 0)
    code = ((stratum << n_flags) | bits)[keep]
    size = n_seg * n_grp * n_band << n_flags
    count = np.bincount(code, minlength=size)
    years = np.bincount(code, weights=length[keep] / 365.25, minlength=size)
    events = np.bincount(code, weights=event[keep].astype(float), minlength=size)
    seg_names = np.asarray(lives.segments, dtype=object)
    grp_names = np.asarray(lives.grp_names, dtype=object)
    bands = np.asarray(BANDS, dtype=object)

    def frame(
        codes: np.ndarray[Any, Any],
        ex: np.ndarray[Any, Any],
        ev: np.ndarray[Any, Any],
        with_flags: bool,
    ) -> pd.DataFrame:
        st_ = codes >> n_flags if with_flags else codes
        out = {
            "segment": seg_names[st_ // (n_grp * n_band)],
            "grp": grp_names[st_ // n_band % n_grp],
            "band": bands[st_ % n_band],
        }
        if with_flags:
            out.update({f: (codes >> j) & 1 for j, f in enumerate(flags)})
        return pd.DataFrame({**out, "exposure": ex, "events": ev})

    nz = np.flatnonzero(count)
    exposed = frame(nz, years[nz], events[nz], True)
    per_stratum = [a.reshape(-1, 1 << n_flags).sum(axis=1) for a in (count, years, events)]
    used_at = np.flatnonzero(per_stratum[0])
    used = frame(used_at, per_stratum[1][used_at], per_stratum[2][used_at], False)
    used = used.set_index(strata)
    if segs is not None:
        total = total[total.index.get_level_values("segment").isin(segs)]
    rest = total.sub(used.reindex(total.index).fillna(0.0), fill_value=0.0).clip(lower=0.0)
    rest = rest.reset_index()
    for f in flags:
        rest[f] = 0
    return pd.concat([exposed, rest], ignore_index=True)
