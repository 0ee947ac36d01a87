"""Pain points: cells touchpoint × theme × segment, measured in customers, NPS points and money.

For every cell with at least ``MIN_MENTIONS`` theme mentions:

* **reach**: customers who mentioned the theme at the touchpoint (negative or neutral), and
  their share of the touchpoint's responding customers in the segment;
* **experience gap**: NPS of the mentioning responses minus the rest of the cell's responses
  (adjusted-Wald interval and two-sided p-value, ``cxo.stats.nps_difference``);
* **excess churn**: extra annual churn probability of the affected customers against the
  cell's other respondents, from their first response at the touchpoint on, adjusted for tenure
  band (and segment when pooled) — ``cxo.stats.churn.excess_churn``;
* **revenue at risk**: monthly contract revenue of the affected customers still active ×
  excess churn, with interval;
* **flag**: Benjamini–Hochberg over all cells' experience-gap p-values at FDR 10 %, reported
  as a pain when the gap is negative.

A theme present in several segments is pooled into one cell (segment "all") unless the
segments' gaps differ (Cochran's Q, p < 0.05); then each segment is its own cell. Cells are
ranked by revenue at risk (by reach × gap when no contracts were imported).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxo.assess.data import bands_long
from cxo.core.themes import THEME_KEYS, theme
from cxo.errors import InsufficientDataError
from cxo.stats.churn import ExcessChurn, RevenueAtRisk, excess_churn, revenue_at_risk
from cxo.stats.multiple import fdr_bh
from cxo.stats.nps import nps_difference, nps_from_counts

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

MIN_MENTIONS = 20
FDR = 0.10
HETEROGENEITY_P = 0.05
ADJUST_INDEX_NPS = True


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
        """Ranking key: revenue at risk, else reach × NPS gap (points × customers)."""
        if self.revenue is not None:
            return self.revenue.value
        return self.reach * max(0.0, -self.gap) / 100.0

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
                     ct.det * 2 + ct.prom as grp,
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
        f"select touchpoint, segment, det * 2 + prom as grp, {sums} from _a_x group by all"
    ).df()

    cand = mentioned[mentioned["n"] >= MIN_MENTIONS]
    pains: list[Pain] = []
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
            pooled = bool(st.chi2.sf(q, len(segs) - 1) >= HETEROGENEITY_P)
        groups: list[list[str] | None] = [None] if pooled else [[s] for s in segs]
        for seg_list in groups:
            pains.append(
                _cell(
                    str(tp),
                    str(th),
                    seg_list,
                    mentioned,
                    totals,
                    aff,
                    base,
                    charter,
                    currency=currency,
                    has_revenue=has_revenue,
                    language=language,
                    seed=seed,
                )
            )
    _GROUPS.clear()
    if not pains:
        return []
    reject, qvals = fdr_bh([p.p_value for p in pains], alpha=FDR)
    for pain, rej, qv in zip(pains, reject, qvals, strict=True):
        pain.q_value = float(qv)
        pain.flagged = bool(rej) and pain.gap < 0
    pains.sort(key=lambda p: (-p.impact, p.p_value))
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
) -> Any:
    m = _select(mentioned, tp, th, segs)
    t = _select(totals, tp, None, segs)
    mp, md, mn = int(m["p"].sum()), int(m["d"].sum()), int(m["n"].sum())
    tp_, td, tn = int(t["p"].sum()), int(t["d"].sum()), int(t["n"].sum())
    a = nps_from_counts(mp, mn - mp - md, md)
    rp, rd, rn = tp_ - mp, td - md, tn - mn
    b = nps_from_counts(rp, rn - rp - rd, rd)
    return nps_difference(a, b)


def _cell(
    tp: str,
    th: str,
    segs: list[str] | None,
    mentioned: pd.DataFrame,
    totals: pd.DataFrame,
    aff: pd.DataFrame,
    base: pd.DataFrame,
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
    # person time of the affected and of the rest, per segment and tenure band
    cols = ["x0", "x1", "x2", "ev0", "ev1", "ev2"]
    strata = ["segment", "grp"] if ADJUST_INDEX_NPS else ["segment"]
    a_seg = a.groupby(strata)[cols].sum()
    b_seg = b.groupby(strata)[cols].sum()
    rest = b_seg.sub(a_seg.reindex(b_seg.index).fillna(0.0), fill_value=0.0).clip(lower=0.0)
    a_seg = a_seg.reset_index()
    a_seg["exposed"] = 1
    rest = rest.reset_index()
    rest["exposed"] = 0
    cells = bands_long(pd.concat([a_seg, rest], ignore_index=True), [*strata, "exposed"])
    adjust = ["band"] if segs is not None and len(segs) == 1 else ["band", "segment"]
    if ADJUST_INDEX_NPS:
        adjust.append("grp")
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
