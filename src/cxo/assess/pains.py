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

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxo.assess.data import fetch
from cxo.assess.exposure import (
    PARTNER_SHARE,
    Histories,
    mention_histories,
    partners,
    person_time,
)
from cxo.core.messages import Message, msg
from cxo.core.themes import THEME_KEYS, theme
from cxo.engine.sql import temp_table
from cxo.errors import InsufficientDataError
from cxo.stats.churn import ExcessChurn, RevenueAtRisk, excess_churn, revenue_at_risk
from cxo.stats.multiple import fdr_bh
from cxo.stats.nps import NpsDifference, nps_difference, nps_from_counts

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.engine.sql import Runner

MIN_MENTIONS = 20
FDR = 0.10
HETEROGENEITY_P = 0.05
ADJUST_DISPOSITION = True
MAX_PARTNERS = 4
__all__ = ["FDR", "PARTNER_SHARE", "Pain", "find_pains", "theme_label"]


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
    notes: list[Message] = field(default_factory=list)

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
            "note_messages": [n.to_dict() for n in self.notes],
        }


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def theme_label(key: str, charter: Charter, language: str) -> str:
    """Label of a comment theme or (rating-based) attribute."""
    if key in THEME_KEYS:
        t = theme(key)
        return t.de if language == "de" else t.en
    frame_label = _frame_theme_labels().get(key)
    if frame_label is not None:
        return frame_label[0] if language == "de" else frame_label[1]
    return charter.label("attribute", key, language)


@cache
def _frame_theme_labels() -> dict[str, tuple[str, str]]:
    """(German, English) labels of the themes of the other built-in code frames."""
    from cxo.text.codeframe import FRAMES, CodeFrame

    return {
        t.key: (t.label_de, t.label_en)
        for name in FRAMES
        if name != "cx"
        for t in CodeFrame.builtin(name).themes
    }


def find_pains(
    con: Runner,
    charter: Charter,
    *,
    currency: str = "EUR",
    has_revenue: bool = True,
    language: str = "en",
    seed: int = 0,
) -> list[Pain]:
    """All pain cells, ranked (see the module docs)."""
    _GROUPS.clear()
    tables = _aggregates(con)
    if tables is None:
        return []

    def make(tp: str, th: str, seg_list: list[str] | None, partners: list[str]) -> Pain:
        return _cell(
            tp,
            th,
            seg_list,
            partners,
            tables,
            charter,
            currency=currency,
            has_revenue=has_revenue,
            language=language,
            seed=seed,
        )

    pains = _measure(_cell_plan(tables), make, tables.lives)
    _GROUPS.clear()
    if not pains:
        return []
    _flag_and_rank(pains)
    return pains


@dataclass
class _Tables:
    """The aggregates every pain cell reads (see :func:`_aggregates`)."""

    mentioned: pd.DataFrame
    """Responses mentioning a theme per touchpoint, segment, theme: n, promoters, detractors."""
    totals: pd.DataFrame
    """All responses per touchpoint and segment: n, promoters, detractors."""
    aff: pd.DataFrame
    """The mentioning customers of the candidate cells per segment: count, active, revenue."""
    base: pd.DataFrame
    """Person time and churn of all customers who answered at the touchpoint."""
    candidates: pd.DataFrame
    """The rows of ``mentioned`` with at least ``MIN_MENTIONS`` mentions."""
    lives: Histories | None
    """The mention histories in the engine (co-mentions, person time of the cells)."""


def _aggregates(con: Runner) -> _Tables | None:
    """Counts and person time per touchpoint × theme × segment (``None`` without mentions)."""
    mentioned = fetch(
        con,
        """select r.touchpoint, r.segment, t.theme, count(*) as n,
                  sum(r.prom) as p, sum(r.det) as d
           from _a_r r join _a_t t using (response_id)
           where r.customer_id is not null group by r.touchpoint, r.segment, t.theme
           order by r.touchpoint, r.segment, t.theme""",
    )
    if mentioned.empty:
        return None
    totals = fetch(
        con,
        """select touchpoint, segment, count(*) as n, sum(prom) as p, sum(det) as d
           from _a_r where customer_id is not null group by touchpoint, segment
           order by touchpoint, segment""",
    )
    # Affected customers are exposed from their first mention on (a time-varying exposure:
    # counting the time before the mention as exposed would credit survival to the pain).
    con.execute(
        """create or replace temp table _a_aff as
           select r.customer_id, r.touchpoint, t.theme, min(r.responded_at)::date as m
           from _a_t t join _a_r r using (response_id) where r.customer_id is not null
           group by r.customer_id, r.touchpoint, t.theme"""
    )
    sums = """count(*) as customers, sum(active::int) as active,
              sum(case when active then mrr else 0 end) as mrr_active,
              sum(x0) as x0, sum(x1) as x1, sum(x2) as x2,
              sum(ev0) as ev0, sum(ev1) as ev1, sum(ev2) as ev2"""
    cand = mentioned[mentioned["n"] >= MIN_MENTIONS]
    aff = _affected(con, cand)
    base = fetch(
        con,
        f"""select touchpoint, segment, dgrp as grp, {sums} from _a_x
            group by touchpoint, segment, dgrp order by touchpoint, segment, grp""",
    )
    lives = mention_histories(con, cand)
    return _Tables(mentioned, totals, aff, base, cand, lives)


def _affected(con: Runner, cand: pd.DataFrame) -> pd.DataFrame:
    """The customers mentioning a candidate cell's theme at its touchpoint, per segment: how
    many (at risk at their first mention: on or before churn or ``as_of``), how many are still
    active, and their monthly revenue. Candidate cells only: the rows fetched grow with the
    cells measured, not with all touchpoint × theme × segment combinations."""
    columns = ["touchpoint", "theme", "segment", "customers", "active", "mrr_active"]
    if cand.empty:
        return pd.DataFrame(columns=columns)
    keys = cand[["touchpoint", "theme"]].drop_duplicates().astype(str).reset_index(drop=True)
    temp_table(con, "_a_keys", keys)
    try:
        return fetch(
            con,
            """select a.touchpoint, a.theme, c.segment, count(*) as customers,
                      sum(c.active::int) as active,
                      sum(case when c.active then c.mrr else 0 end) as mrr_active
               from _a_aff a
               join _a_keys k on k.touchpoint = a.touchpoint and k.theme = a.theme
               join _a_c c on c.customer_id = a.customer_id
               join _a_ct ct on ct.customer_id = a.customer_id and ct.touchpoint = a.touchpoint
               cross join (select max(e) as e from _a_end) x
               where a.m <= coalesce(c.churn_date, x.e)
               group by a.touchpoint, a.theme, c.segment
               order by a.touchpoint, a.theme, c.segment""",
        )
    finally:
        con.execute("drop table if exists _a_keys")


def _cell_plan(tables: _Tables) -> list[tuple[str, str, list[str] | None]]:
    """The cells to measure: ``(touchpoint, theme, segments)``, ``None`` = pooled."""
    from scipy import stats as st

    todo: list[tuple[str, str, list[str] | None]] = []
    for (tp, th), grp in tables.candidates.groupby(["touchpoint", "theme"], sort=True):
        segs = sorted(grp["segment"].astype(str))
        pooled = False
        if len(segs) >= 2:
            gaps = [_gap(tables.mentioned, tables.totals, str(tp), str(th), [s]) for s in segs]
            est = np.array([g.difference for g in gaps])
            w = np.array([1.0 / g.se**2 if g.se > 0 else 0.0 for g in gaps])
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
    return todo


def _measure(
    todo: list[tuple[str, str, list[str] | None]],
    make: Callable[[str, str, list[str] | None, list[str]], Pain],
    lives: Histories | None,
) -> list[Pain]:
    """Every planned cell, adjusted for its stronger co-mentioned themes.

    Pass 1: every cell on its own. Pass 2: a cell sharing many customers with themes at its
    touchpoint whose own churn signal is stronger is adjusted for them (a comment tagged with
    two themes: its customers' churn goes to the theme that explains churn better, and the
    stronger theme is not adjusted for the weaker one, whose tags it causes).
    """
    first = [make(tp, th, seg_list, []) for tp, th, seg_list in todo]
    strength: dict[tuple[str, str], float] = {}
    for pain in first:
        z = _churn_z(pain.churn)
        key = (pain.touchpoint, pain.theme)
        strength[key] = max(strength.get(key, -math.inf), z)
    pains: list[Pain] = []
    for (tp, th, seg_list), pain in zip(todo, first, strict=True):
        own = _churn_z(pain.churn)
        stronger = [
            other
            for other in partners(lives, tp, th, seg_list)
            if strength.get((tp, other), -math.inf) > own
        ][:MAX_PARTNERS]
        pains.append(make(tp, th, seg_list, stronger) if stronger else pain)
    return pains


def _flag_and_rank(pains: list[Pain]) -> None:
    """Benjamini–Hochberg flags over all cells, then the ranking by impact (in place)."""
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
    tables: _Tables,
    charter: Charter,
    *,
    currency: str,
    has_revenue: bool,
    language: str,
    seed: int,
) -> Pain:
    diff = _gap(tables.mentioned, tables.totals, tp, th, segs)
    m = _select(tables.mentioned, tp, th, segs)
    t = _select(tables.totals, tp, None, segs)
    a = _select(tables.aff, tp, th, segs)
    b = _select(tables.base, tp, None, segs)
    notes: list[Message] = []
    churn: ExcessChurn | None = None
    revenue: RevenueAtRisk | None = None
    # person time of the affected and of the rest, per segment, disposition and tenure band,
    # with the co-mentioned themes at the touchpoint as further time-varying exposures
    cells = person_time(tables.lives, tp, b, th, partners, segs)
    adjust = ["band"] if segs is not None and len(segs) == 1 else ["band", "segment"]
    if ADJUST_DISPOSITION:
        adjust.append("grp")
    adjust.extend(f"p{i}" for i in range(len(partners)))
    if partners:
        names = ", ".join(theme_label(p, charter, language) for p in partners)
        notes.append(msg("assess.pain.adjusted_for_partners", themes=names))
    try:
        churn = excess_churn(cells, "exposed", adjust, seed=seed)
    except InsufficientDataError as exc:
        notes.append(msg("assess.pain.churn_not_estimated", reason=exc.message))
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
