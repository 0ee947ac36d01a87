"""One chunk of customers: their lives month by month, then their responses.

Everything is vectorised over the chunk's customers; the only Python loop is over calendar
months (about 60). Truth accumulators are summed across chunks by :mod:`cxo.simulate.truth`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxo.core.contract import TABLES
from cxo.simulate import comments
from cxo.simulate.config import LATITUDE_LIMITS
from cxo.simulate.context import (
    CASE_CHANNELS,
    CASE_REASONS,
    REGIONS,
    RESOLUTIONS_CD,
    SALES_CHANNELS,
    Context,
    band_of,
    month_index,
    month_start_day,
)
from cxo.simulate.model import (
    CES_CUTS,
    CSAT_CUTS,
    NPS_CUTS,
    RATING_CUTS,
    cut,
    expected_nps,
)

Array = np.ndarray[Any, Any]
DAY_US = 86_400 * 1_000_000
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "boolean": pa.bool_(),
}
ID_PREFIX = {
    "customers": ("C", 7),
    "contracts": ("K", 8),
    "responses": ("R", 9),
    "cases": ("F", 9),
    "sends": ("S", 9),
    "sessions": ("P", 9),
}
SEND_KINDS = ("untargeted", "targeted", "personalized")
LIFECYCLE = ("active", "onboarding", "renewal", "winback")


def schema(table: str) -> pa.Schema:
    """The Arrow schema of a contract table (canonical names and types, in order)."""
    spec = TABLES[table]
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.type], nullable=not c.required) for c in spec.columns]
    )


def make_ids(table: str, numbers: Array) -> pa.Array:
    """String ids like ``C0000001`` for 1-based ``numbers``."""
    prefix, width = ID_PREFIX[table]
    text = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def _ts(days: Array, mask: Array | None = None) -> pa.Array:
    us = (np.floor(np.asarray(days) * 86_400.0).astype(np.int64)) * 1_000_000
    return pa.array(us, pa.timestamp("us"), mask=mask)


def _date(days: Array, mask: Array | None = None) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), pa.date32(), mask=mask)


def _strings(values: list[str], idx: Array, mask: Array | None = None) -> pa.Array:
    arr = pa.array(values, pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))
    if mask is not None and mask.any():
        arr = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)
    return arr


def _choice(rng: np.random.Generator, probs: Array, size: int) -> Array:
    cdf = np.cumsum(probs)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(probs) - 1)


class Acc:
    """Truth accumulators: sums of floats and arrays, added across chunks."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = defaultdict(float)

    def add(self, key: str, value: Any) -> None:
        """Add ``value`` (a number or an array) to ``key``."""
        cur = self.values.get(key)
        if cur is None or (isinstance(cur, float) and cur == 0.0 and not np.isscalar(value)):
            self.values[key] = np.array(value, dtype=float) if not np.isscalar(value) else value
        else:
            self.values[key] = cur + value

    def merge(self, other: Acc) -> None:
        """Add another accumulator into this one."""
        for k, v in other.values.items():
            self.add(k, v)

    def get(self, key: str, default: Any = 0.0) -> Any:
        """The accumulated value (``default`` if never added)."""
        return self.values.get(key, default)


@dataclass
class Counters:
    """Running id numbers per table (ids are global across chunks)."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ID_PREFIX, 0))

    def take(self, table: str, n: int) -> Array:
        """``n`` consecutive 1-based numbers for ``table``."""
        start = self.next[table]
        self.next[table] = start + n
        return np.arange(start + 1, start + n + 1, dtype=np.int64)


@dataclass
class Customers:
    """Per-customer state of a chunk."""

    n: int
    seg: Array
    de: Array
    signup: Array
    signup_month: Array
    u: Array
    affected: Array
    main: Array
    addons: Array
    churn_day: Array
    unsub: Array


def ramp(ctx: Context, t: Array) -> Array:
    """0 before the last 8 quarters, rising linearly to 1 at the as-of date."""
    span = ctx.end_day - ctx.trend_start_day
    return np.clip((np.asarray(t) - ctx.trend_start_day) / span, 0.0, 1.0)


def _ramp_integral(ctx: Context, t: Array) -> Array:
    span = ctx.end_day - ctx.trend_start_day
    x = np.asarray(t, dtype=float) - ctx.trend_start_day
    return np.where(x <= 0, 0.0, np.where(x <= span, x * x / (2 * span), span / 2 + (x - span)))


def generate_chunk(
    ctx: Context, index: int, n: int, counters: Counters
) -> tuple[dict[str, pa.Table], Acc]:
    """Simulate ``n`` customers of chunk ``index``; return the eight tables and truth sums."""
    cfg = ctx.cfg
    rng = np.random.default_rng([cfg.seed, index])
    acc = Acc()
    cu = _customers(ctx, rng, n)
    ev = _lives(ctx, rng, cu, acc)
    tables: dict[str, pa.Table] = {}
    cust_num = counters.take("customers", n)
    cust_ids = make_ids("customers", cust_num)
    tables["customers"] = _customers_table(ctx, rng, cu, cust_ids)
    tables["contracts"], tables["price_list"] = _contracts_table(
        ctx, rng, cu, cust_ids, counters, acc, index
    )
    tables["cases"] = _cases_table(ctx, rng, cu, ev, cust_ids, counters, acc)
    tables["sends"] = _sends_table(ctx, cu, ev, cust_ids, counters, acc)
    tables["sessions"] = _sessions_table(ctx, cu, ev, cust_ids, counters, acc)
    tables["responses"], tables["ratings"] = _responses(ctx, rng, cu, ev, cust_ids, counters, acc)
    tables[AFFECTED] = _affected_table(cu, cust_ids)
    return tables, acc


AFFECTED = "truth_affected"
"""Ground truth beside the contract tables: which customer each planted pain affects."""

AFFECTED_SCHEMA = pa.schema(
    [pa.field("customer_id", pa.string(), nullable=False), pa.field("pain", pa.int32(), False)]
)


def _affected_table(cu: Customers, cust_ids: pa.Array) -> pa.Table:
    """(customer_id, pain) for every affected customer; ``pain`` indexes ``truth["pains"]``."""
    cust, pain = np.nonzero(cu.affected)
    return pa.table(
        [cust_ids.take(pa.array(cust)), pa.array(pain.astype(np.int32))], schema=AFFECTED_SCHEMA
    )


# --- customers ---------------------------------------------------------------------------
def _customers(ctx: Context, rng: np.random.Generator, n: int) -> Customers:
    cfg = ctx.cfg
    seg = _choice(rng, ctx.seg_share, n)
    de = rng.random(n) < ctx.de_share
    signup = ctx.first_signup_day + np.floor(
        rng.random(n) * (ctx.as_of_day - ctx.first_signup_day + 1)
    ).astype(np.int64)
    u = rng.normal(0.0, cfg.experience_sd, n)
    affected = np.zeros((n, len(ctx.pains)), dtype=bool)
    for k, cell in enumerate(ctx.pains):
        in_seg = np.ones(n, bool) if cell.seg < 0 else seg == cell.seg
        affected[:, k] = in_seg & (rng.random(n) < cell.share)
    years = (ctx.as_of_day - signup) / 365.25
    conf = 1.0 if cfg.bundle_confounding else 0.0
    k_main = len(ctx.main_products)
    tiers = np.arange(k_main)[None, :]
    slope = conf * 0.45 * (years - 2.5) + 0.35 * (seg - 1.0)
    gumbel = -np.log(-np.log(rng.random((n, k_main))))
    tier = np.argmax(tiers * slope[:, None] + gumbel, axis=1)
    main = ctx.main_products[tier]
    addons = np.zeros((n, len(ctx.addon_products)), dtype=bool)
    for j in range(len(ctx.addon_products)):
        logit = -1.3 + conf * 0.6 * (years - 2.5) + 0.3 * (seg - 1.0)
        addons[:, j] = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    return Customers(
        n=n,
        seg=seg,
        de=de,
        signup=signup,
        signup_month=month_index(signup),
        u=u,
        affected=affected,
        main=main,
        addons=addons,
        churn_day=np.full(n, -1, dtype=np.int64),
        unsub=np.zeros(n, dtype=bool),
    )


# --- the monthly loop ----------------------------------------------------------------------
@dataclass
class Events:
    """Event arrays of a chunk (customer index, time in epoch days as float, attributes)."""

    case_cust: Array
    case_t: Array
    case_reason: Array
    case_channel: Array
    case_contacts: Array
    case_switch: Array
    sess_cust: Array
    sess_t: Array
    sess_task: Array
    sess_ok: Array
    sess_anon: Array
    survey_cust: Array
    survey_t: Array
    survey_ok: Array
    send_cust: Array
    send_t: Array
    send_kind: Array
    send_stage: Array
    send_campaign: Array
    send_month: Array
    send_flags: Array  # opened, clicked, unsubscribed, complained, converted
    send_q_unsub: Array
    send_q_click: Array
    campaigns: list[str]


def _lives(ctx: Context, rng: np.random.Generator, cu: Customers, acc: Acc) -> Events:
    cfg = ctx.cfg
    n = cu.n
    months = ctx.months
    starts = month_start_day(months)
    ends = np.minimum(month_start_day(months + 1), ctx.end_day)
    reasons = CASE_REASONS[cfg.company_type]
    reason_p = np.array([p for _, p in reasons])
    chans = CASE_CHANNELS[cfg.company_type]
    chan_names = [c for c, _ in chans]
    chan_p = np.array([p for _, p in chans])
    cd_reasons = np.array([r in ("complaint", "defect") for r, _ in reasons])
    phone, chat = chan_names.index("phone"), chan_names.index("chat")
    fcr = cfg.fcr_share
    extra_mean = max((cfg.contacts_per_case_without_latitude - fcr) / (1 - fcr) - 2.0, 0.0)
    pain_churn = cu.affected.astype(float) @ np.array([c.churn_effect for c in ctx.pains])
    exp_churn = -cfg.churn_per_sd_experience * cu.u / cfg.experience_sd
    base = ctx.base_churn[cu.seg] + pain_churn + exp_churn
    ring = np.zeros((n, 12))
    lam_send = rng.gamma(2.0, cfg.send_rate / 2.0, n)
    gaps = {(g["moment"], g["segment"]) for g in cfg.lifecycle_gaps}
    gap_mask = {
        m: np.isin(cu.seg, [i for i, s in enumerate(ctx.segments) if (m, s) in gaps])
        for m in ("onboarding", "renewal", "winback")
    }
    campaigns: list[str] = ["onboarding_welcome", "renewal_reminder", "winback_offer"]
    campaign_ix: dict[str, int] = {c: i for i, c in enumerate(campaigns)}
    out: dict[str, list[Array]] = defaultdict(list)
    open_p = np.array([cfg.open_rate[k] for k in SEND_KINDS])
    click_p = np.array(
        [
            cfg.click_rate,
            cfg.click_rate + cfg.click_uplift_personalized / 2,
            cfg.click_rate + cfg.click_uplift_personalized,
        ]
    )
    unsub_p = np.array(
        [
            cfg.unsubscribe_rate + cfg.unsubscribe_uplift_untargeted,
            cfg.unsubscribe_rate,
            cfg.unsubscribe_rate,
        ]
    )
    compl_p = np.array([cfg.complaint_rate[k] for k in SEND_KINDS])
    # annual churn counting for truth: active at start of the last 12 months
    year_start = ctx.as_of_day - 365

    sends_prev = np.zeros(n)  # sends delivered to each customer in the previous month
    for mi, m in enumerate(months):
        ms, me = int(starts[mi]), int(ends[mi])
        alive = (cu.signup < me) & (cu.churn_day < 0)
        lo = np.maximum(cu.signup, ms).astype(float)
        expo = np.where(alive, (me - lo) / 30.44, 0.0)
        if m >= ctx.window_first_month:
            _month_sessions(ctx, rng, cu, alive, lo, me, expo, out, phone, chat)
            _month_cases(
                ctx, rng, alive, lo, me, expo, out, reason_p, chan_p, cd_reasons, extra_mean
            )
        # churn this month: decided before this month's sends, from last month's sends
        at_risk = alive & (cu.signup < ms)
        tenure = int(m) - cu.signup_month
        paying_more = ctx.penalty[band_of(tenure)] > 0
        p = base + cfg.loyalty_churn_effect * paying_more + ring.sum(axis=1)
        for ini in ctx.initiatives:
            if ms >= ini.start_day:
                p = p + ini.churn_effect
        p = np.clip(p, 0.002, 0.95)
        q = 1.0 - (1.0 - p) ** (1.0 / 12.0)
        q = np.clip(q + cfg.churn_effect_per_send / 12.0 * sends_prev, 0.0, 1.0)
        draw = at_risk & (rng.random(n) < q)
        k = int(draw.sum())
        cu.churn_day[draw] = ms + np.floor(rng.random(k) * (me - ms)).astype(np.int64)
        sends_prev = np.zeros(n)
        if m >= ctx.window_first_month:
            # sends of this month end on the churn day, so every planned send is delivered
            hi = np.where(draw, cu.churn_day, me).astype(float)
            sends_prev = _month_sends(
                ctx,
                rng,
                cu,
                alive,
                lo,
                hi,
                ms,
                me,
                lam_send,
                gap_mask,
                campaigns,
                campaign_ix,
                int(m),
                out,
                open_p,
                click_p,
                unsub_p,
                compl_p,
            )
        # complaint effects of this month's cases apply for the next 12 months
        slot = mi % 12
        ring[:, slot] = 0.0
        if m >= ctx.window_first_month and out["case_cust"]:
            cc, ce = out["case_cust"][-1], out["case_contacts"][-1]
            cdm = out["case_cd"][-1]
            ring[:, slot] = np.bincount(
                cc[cdm], weights=(ce[cdm] - 1) * cfg.churn_effect_per_extra_contact, minlength=n
            )
    # truth: realised annual churn in the last 12 months
    active_then = (cu.signup < year_start) & ((cu.churn_day < 0) | (cu.churn_day >= year_start))
    acc.add("churn_base", float(active_then.sum()))
    acc.add("churn_events", float((active_then & (cu.churn_day >= year_start)).sum()))
    return _finish_events(ctx, cu, out, campaigns)


def _cat(parts: list[Array], dtype: Any) -> Array:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _month_sessions(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    alive: Array,
    lo: Array,
    me: int,
    expo: Array,
    out: dict[str, list[Array]],
    phone: int,
    chat: int,
) -> None:
    cfg = ctx.cfg
    cnt = rng.poisson(cfg.session_rate * expo)
    cust = np.repeat(np.arange(cu.n), cnt)
    k = len(cust)
    t = lo[cust] + rng.random(k) * (me - lo[cust])
    task = _choice(rng, ctx.task_weight, k)
    ok = rng.random(k) < ctx.task_success[task]
    anon = rng.random(k) < 0.04
    out["sess_cust"].append(cust)
    out["sess_t"].append(t)
    out["sess_task"].append(task)
    out["sess_ok"].append(ok)
    out["sess_anon"].append(anon)
    switch = ~ok & ~anon & (rng.random(k) < cfg.switch_to_call_within_48h)
    st = t[switch] + rng.random(int(switch.sum())) * 2.0
    keep = st < ctx.end_day
    sc = cust[switch][keep]
    out["case_cust"].append(sc)
    out["case_t"].append(st[keep])
    out["case_reason"].append(np.full(len(sc), -1))
    out["case_channel"].append(np.where(rng.random(len(sc)) < 0.6, phone, chat))
    out["case_contacts"].append(np.ones(len(sc)))
    out["case_cd"].append(np.zeros(len(sc), bool))
    out["case_switch"].append(np.ones(len(sc), bool))
    survey = ~anon & (rng.random(k) < cfg.session_survey_rate)
    vt = t[survey] + (1.0 + 23.0 * rng.random(int(survey.sum()))) / 24.0
    keep = vt < ctx.end_day
    out["survey_cust"].append(cust[survey][keep])
    out["survey_t"].append(vt[keep])
    out["survey_ok"].append(ok[survey][keep])


def _month_cases(
    ctx: Context,
    rng: np.random.Generator,
    alive: Array,
    lo: Array,
    me: int,
    expo: Array,
    out: dict[str, list[Array]],
    reason_p: Array,
    chan_p: Array,
    cd_reasons: Array,
    extra_mean: float,
) -> None:
    cfg = ctx.cfg
    cnt = rng.poisson(cfg.case_rate * expo)
    cust = np.repeat(np.arange(len(alive)), cnt)
    k = len(cust)
    t = lo[cust] + rng.random(k) * (me - lo[cust])
    reason = _choice(rng, reason_p, k)
    cd = cd_reasons[reason]
    contacts = np.where(
        cd,
        np.where(rng.random(k) < cfg.fcr_share, 1, 2 + rng.poisson(extra_mean, k)),
        1 + rng.poisson(0.3, k),
    ).astype(float)
    out["case_cust"].append(cust)
    out["case_t"].append(t)
    out["case_reason"].append(reason)
    out["case_channel"].append(_choice(rng, chan_p, k))
    out["case_contacts"].append(contacts)
    out["case_cd"].append(cd)
    out["case_switch"].append(np.zeros(k, bool))


def _stage(ctx: Context, cu: Customers, cust: Array, t: Array) -> Array:
    since = t - cu.signup[cust]
    years_next = np.floor(since / 365.25) + 1
    to_anniv = cu.signup[cust] + np.round(years_next * 365.25) - t
    stage = np.where(since < 90, 1, np.where((to_anniv <= 60) & (since >= 90), 2, 0))
    return np.asarray(stage, dtype=np.int64)


def _month_sends(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    alive: Array,
    lo: Array,
    hi: Array,
    ms: int,
    me: int,
    lam: Array,
    gap_mask: dict[str, Array],
    campaigns: list[str],
    campaign_ix: dict[str, int],
    month: int,
    out: dict[str, list[Array]],
    open_p: Array,
    click_p: Array,
    unsub_p: Array,
    compl_p: Array,
) -> Array:
    cfg = ctx.cfg
    n = cu.n
    subscribed = ~cu.unsub
    # regular sends to active customers, up to the end of the month or the churn day
    expo = np.where(alive, np.maximum(hi - lo, 0.0) / 30.44, 0.0)
    cnt = rng.poisson(lam * expo * subscribed)
    cust = np.repeat(np.arange(n), cnt)
    t = lo[cust] + rng.random(len(cust)) * (hi[cust] - lo[cust])
    r = rng.random(len(cust))
    kind = np.where(
        r < cfg.untargeted_share,
        0,
        np.where(r < cfg.untargeted_share + cfg.personalized_share, 2, 1),
    )
    stage = _stage(ctx, cu, cust, t)
    kind = np.where(stage > 0, 0, kind)
    lifecycle = np.full(len(cust), -1)
    # regular (untargeted) sends to customers in their win-back window
    churned = (cu.churn_day >= 0) & subscribed
    wlo = np.maximum(cu.churn_day + 1, ms).astype(float)
    whi = np.minimum(cu.churn_day + 90, me).astype(float)
    wexpo = np.where(churned & (whi > wlo), (whi - wlo) / 30.44, 0.0)
    wcnt = rng.poisson(lam * wexpo)
    wcust = np.repeat(np.arange(n), wcnt)
    wt = wlo[wcust] + rng.random(len(wcust)) * (whi[wcust] - wlo[wcust])
    parts_c, parts_t = [cust, wcust], [t, wt]
    parts_k, parts_s = [kind, np.zeros(len(wcust), np.int64)], [stage, np.full(len(wcust), 3)]
    parts_l = [lifecycle, np.full(len(wcust), -1)]
    # lifecycle sends (personalised), unless the (moment, segment) is a planned gap
    sched = (
        ("onboarding", 0, 1, (1, 14, 45), cu.signup, alive),
        ("winback", 2, 3, (14, 60), cu.churn_day, cu.churn_day >= 0),
    )
    for moment, camp_ix, st, offsets, anchor, ok in sched:
        for off in offsets:
            d = anchor + off
            end = hi if moment == "onboarding" else np.full(n, float(me))
            sel = ok & subscribed & ~gap_mask[moment] & (d >= ms) & (d < end) & (anchor >= 0)
            c = np.flatnonzero(sel)
            parts_c.append(c)
            parts_t.append(d[c] + rng.random(len(c)))
            parts_k.append(np.full(len(c), 2))
            parts_s.append(np.full(len(c), st))
            parts_l.append(np.full(len(c), camp_ix))
    for year in range(1, ctx.cfg.history_years + 1):
        d = cu.signup + np.round(year * 365.25).astype(np.int64) - 45
        sel = alive & subscribed & ~gap_mask["renewal"] & (d >= ms) & (d < hi)
        c = np.flatnonzero(sel)
        parts_c.append(c)
        parts_t.append(d[c] + rng.random(len(c)))
        parts_k.append(np.full(len(c), 2))
        parts_s.append(np.full(len(c), 2))
        parts_l.append(np.full(len(c), 1))
    cust = np.concatenate(parts_c)
    t = np.concatenate(parts_t)
    kind = np.concatenate(parts_k).astype(np.int64)
    stage = np.concatenate(parts_s).astype(np.int64)
    life = np.concatenate(parts_l).astype(np.int64)
    k = len(cust)
    # campaign names
    yyyy, mm = divmod(month, 12)
    quarter = f"{1970 + yyyy}_Q{mm // 3 + 1}"
    names = [f"newsletter_{quarter}"] + [
        f"{pre}_{s}_{1970 + yyyy}_{mm + 1:02d}" for pre in ("offer", "reco") for s in ctx.segments
    ]
    ids = []
    for name in names:
        if name not in campaign_ix:
            campaign_ix[name] = len(campaigns)
            campaigns.append(name)
        ids.append(campaign_ix[name])
    ns = len(ctx.segments)
    seg = cu.seg[cust]
    camp = np.where(
        life >= 0,
        life,
        np.where(
            kind == 0,
            ids[0],
            np.asarray(ids)[1 + np.where(kind == 2, ns, 0) + seg],
        ),
    )
    # outcomes
    per_cust = np.bincount(cust, minlength=n)
    nmonth = per_cust[cust]
    u = rng.random((k, 5))
    opened = u[:, 0] < open_p[kind]
    q_click = click_p[kind]
    clicked = opened & (u[:, 1] < q_click / open_p[kind])
    q_unsub = np.clip(unsub_p[kind] + cfg.fatigue_slope * (nmonth - 1), 0.0, 1.0)
    unsub = u[:, 2] < q_unsub
    complained = u[:, 3] < compl_p[kind]
    converted = clicked & (u[:, 4] < cfg.conversion_given_click)
    cu.unsub[cust[unsub]] = True
    out["send_cust"].append(cust)
    out["send_t"].append(t)
    out["send_kind"].append(kind)
    out["send_stage"].append(stage)
    out["send_campaign"].append(camp)
    out["send_month"].append(np.full(k, month))
    out["send_flags"].append(np.stack([opened, clicked, unsub, complained, converted], axis=1))
    out["send_q_unsub"].append(q_unsub)
    out["send_q_click"].append(q_click)
    # every send of the month is delivered: sends stop on the churn day, and an unsubscribe
    # takes effect from the next month (this month's sends are already scheduled)
    return np.bincount(cust, minlength=n).astype(float)


def _finish_events(
    ctx: Context, cu: Customers, out: dict[str, list[Array]], campaigns: list[str]
) -> Events:
    churn = cu.churn_day.astype(float)

    def before_churn(cust: Array, t: Array) -> Array:
        c = churn[cust]
        return np.asarray((c < 0) | (t < c))

    case_cust = _cat(out["case_cust"], np.int64)
    case_t = _cat(out["case_t"], float)
    keep = before_churn(case_cust, case_t)
    sess_cust = _cat(out["sess_cust"], np.int64)
    sess_t = _cat(out["sess_t"], float)
    skeep = before_churn(sess_cust, sess_t)
    sv_cust = _cat(out["survey_cust"], np.int64)
    sv_t = _cat(out["survey_t"], float)
    vkeep = before_churn(sv_cust, sv_t)
    send_cust = _cat(out["send_cust"], np.int64)
    send_t = _cat(out["send_t"], float)
    send_stage = _cat(out["send_stage"], np.int64)
    dkeep = (send_stage == 3) | before_churn(send_cust, send_t)
    flags = np.concatenate(out["send_flags"]) if out["send_flags"] else np.zeros((0, 5), bool)
    return Events(
        case_cust=case_cust[keep],
        case_t=case_t[keep],
        case_reason=_cat(out["case_reason"], np.int64)[keep],
        case_channel=_cat(out["case_channel"], np.int64)[keep],
        case_contacts=_cat(out["case_contacts"], np.int64)[keep],
        case_switch=_cat(out["case_switch"], bool)[keep],
        sess_cust=sess_cust[skeep],
        sess_t=sess_t[skeep],
        sess_task=_cat(out["sess_task"], np.int64)[skeep],
        sess_ok=_cat(out["sess_ok"], bool)[skeep],
        sess_anon=_cat(out["sess_anon"], bool)[skeep],
        survey_cust=sv_cust[vkeep],
        survey_t=sv_t[vkeep],
        survey_ok=_cat(out["survey_ok"], bool)[vkeep],
        send_cust=send_cust[dkeep],
        send_t=send_t[dkeep],
        send_kind=_cat(out["send_kind"], np.int64)[dkeep],
        send_stage=send_stage[dkeep],
        send_campaign=_cat(out["send_campaign"], np.int64)[dkeep],
        send_month=_cat(out["send_month"], np.int64)[dkeep],
        send_flags=flags[dkeep],
        send_q_unsub=_cat(out["send_q_unsub"], float)[dkeep],
        send_q_click=_cat(out["send_q_click"], float)[dkeep],
        campaigns=campaigns,
    )


# --- tables ----------------------------------------------------------------------------------
def _customers_table(
    ctx: Context, rng: np.random.Generator, cu: Customers, ids: pa.Array
) -> pa.Table:
    churned = cu.churn_day >= 0
    since = ctx.as_of_day - cu.signup
    years_next = np.floor(since / 365.25) + 1
    to_anniv = cu.signup + np.round(years_next * 365.25) - ctx.as_of_day
    stage = np.where(
        churned,
        np.where(ctx.as_of_day - cu.churn_day <= 90, 3, 4),
        np.where(since < 90, 1, np.where(to_anniv <= 60, 2, 0)),
    )
    region = _choice(rng, np.ones(len(REGIONS)), cu.n)
    return pa.table(
        {
            "customer_id": ids,
            "segment": _strings(ctx.segments, cu.seg),
            "region": _strings(list(REGIONS), region),
            "language": _strings(["en", "de"], cu.de.astype(np.int64)),
            "signup_date": _date(cu.signup),
            "churn_date": _date(np.where(churned, cu.churn_day, 0), mask=~churned),
            "lifecycle_stage": _strings([*LIFECYCLE, "churned"], stage),
        },
        schema=schema("customers"),
    )


def _contracts_table(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    cust_ids: pa.Array,
    counters: Counters,
    acc: Acc,
    index: int,
) -> tuple[pa.Table, pa.Table]:
    cust = [np.arange(cu.n)] + [np.flatnonzero(cu.addons[:, j]) for j in range(cu.addons.shape[1])]
    prod = [cu.main] + [np.full(len(c), ctx.addon_products[j]) for j, c in enumerate(cust[1:])]
    c = np.concatenate(cust)
    p = np.concatenate(prod).astype(np.int64)
    order = np.lexsort((p, c))
    c, p = c[order], p[order]
    churned = cu.churn_day[c] >= 0
    ref = np.where(churned, cu.churn_day[c], ctx.as_of_day)
    tenure = month_index(ref) - cu.signup_month[c]
    band = band_of(tenure)
    listp = ctx.list_price(p, ref)
    prem = ctx.penalty[band] * rng.uniform(0.5, 1.5, len(c))
    price = np.round(listp * (1.0 + prem), 2)
    sales = _choice(rng, np.array([w for _, w in SALES_CHANNELS]), cu.n)[c]
    nums = counters.take("contracts", len(c))
    table = pa.table(
        {
            "contract_id": make_ids("contracts", nums),
            "customer_id": cust_ids.take(pa.array(c)),
            "product": _strings(ctx.products, p),
            "start_date": _date(cu.signup[c]),
            "end_date": _date(np.where(churned, cu.churn_day[c], 0), mask=~churned),
            "monthly_price": pa.array(price, pa.float64()),
            "channel": _strings([s for s, _ in SALES_CHANNELS], sales),
        },
        schema=schema("contracts"),
    )
    # loyalty truth over running contracts
    run = ~churned
    rel = price[run] / listp[run] - 1.0
    for b in range(3):
        m = band[run] == b
        acc.add(f"loy_n_{b}", float(m.sum()))
        acc.add(f"loy_rel_{b}", float(rel[m].sum()))
        acc.add(f"loy_price_{b}", float(price[run][m].sum()))
    acc.add("loy_tax", float(np.maximum(price[run] - listp[run], 0.0).sum()))
    cust_price = np.bincount(c[run], weights=price[run], minlength=cu.n)
    cust_list = np.bincount(c[run], weights=listp[run], minlength=cu.n)
    running_cust = np.bincount(c[run], minlength=cu.n) > 0
    acc.add("loy_customers", float(running_cust.sum()))
    acc.add("loy_paying_more", float((running_cust & (cust_price > cust_list * 1.01)).sum()))
    acc.add("loy_mrr", float(price[run].sum()))
    price_list = _price_list_table(ctx) if index == 0 else schema("price_list").empty_table()
    return table, price_list


def _price_list_table(ctx: Context) -> pa.Table:
    prod, vf, vt, price = [], [], [], []
    for p, name in enumerate(ctx.products):
        days, values = ctx.price_days[p], ctx.price_values[p]
        for i in range(len(days)):
            prod.append(name)
            vf.append(int(days[i]))
            vt.append(int(days[i + 1]) - 1 if i + 1 < len(days) else -1)
            price.append(float(values[i]))
    vt_arr = np.array(vt)
    return pa.table(
        {
            "product": pa.array(prod, pa.string()),
            "valid_from": _date(np.array(vf)),
            "valid_to": _date(np.where(vt_arr < 0, 0, vt_arr), mask=vt_arr < 0),
            "new_customer_price": pa.array(price, pa.float64()),
        },
        schema=schema("price_list"),
    )


def _order(cust: Array, t: Array) -> Array:
    """Sort by customer, then time (one float key: customer · 10⁶ + epoch day)."""
    return np.argsort(cust.astype(float) * 1e6 + t, kind="stable")


def _cases_table(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    ev: Events,
    cust_ids: pa.Array,
    counters: Counters,
    acc: Acc,
) -> pa.Table:
    cfg = ctx.cfg
    o = _order(ev.case_cust, ev.case_t)
    cust, t = ev.case_cust[o], ev.case_t[o]
    reason, chan = ev.case_reason[o], ev.case_channel[o]
    contacts, switch = ev.case_contacts[o], ev.case_switch[o]
    ev.case_cust, ev.case_t, ev.case_contacts = cust, t, contacts
    reasons = [r for r, _ in CASE_REASONS[cfg.company_type]]
    chans = [c for c, _ in CASE_CHANNELS[cfg.company_type]]
    cd = np.isin(reason, [i for i, r in enumerate(reasons) if r in ("complaint", "defect")])
    ev.case_reason = np.where(cd, 1, 0)  # reused by responses: 1 = complaint/defect
    k = len(cust)
    extra = contacts - 1
    days = np.where(
        cd,
        rng.gamma(2.0, (0.5 + 2.5 * extra) / 2.0, k),
        np.where(switch, rng.gamma(2.0, 0.1, k), rng.gamma(2.0, 0.75, k)),
    )
    closed = t + days
    is_open = closed >= ctx.end_day
    res = _choice(rng, np.array([p for _, p in RESOLUTIONS_CD]), k)
    res_names = [r for r, _ in RESOLUTIONS_CD] + ["open"]
    resolution = np.where(is_open, len(RESOLUTIONS_CD), np.where(cd, res, 0))
    value = rng.lognormal(np.log(cfg.settlement_median), cfg.settlement_sigma, k)
    revealed = cd & ~is_open & np.isin(resolution, [2, 4])
    transfers = rng.binomial(extra.astype(np.int64), 0.45)
    escalated = rng.random(k) < np.where(cd, np.minimum(0.02 + 0.07 * extra, 0.6), 0.01)
    reason_idx = np.where(reason < 0, reasons.index("request"), reason)
    nums = counters.take("cases", k)
    table = pa.table(
        {
            "case_id": make_ids("cases", nums),
            "customer_id": cust_ids.take(pa.array(cust)),
            "opened_at": _ts(t),
            "closed_at": _ts(np.where(is_open, t, closed), mask=is_open),
            "channel": _strings(chans, chan),
            "reason": _strings(reasons, reason_idx),
            "product": _strings(ctx.products, cu.main[cust]),
            "contacts": pa.array(contacts.astype(np.int64), pa.int64()),
            "transfers": pa.array(transfers.astype(np.int64), pa.int64()),
            "escalated": pa.array(escalated, pa.bool_()),
            "resolution": _strings(res_names, resolution),
            "goodwill_amount": pa.array(np.round(value, 2), pa.float64(), mask=~revealed),
        },
        schema=schema("cases"),
    )
    # complaint truth over closed complaint/defect cases
    base = cd & ~is_open
    acc.add("cd_cases", float(base.sum()))
    acc.add("cd_contacts", float(contacts[cd].sum()))
    acc.add("cd_all", float(cd.sum()))
    acc.add("cd_revealed", float(revealed.sum()))
    lim = np.array(LATITUDE_LIMITS)
    closable = base[:, None] & (extra[:, None] > 0) & (value[:, None] <= lim[None, :])
    rev = closable & revealed[:, None]
    for key, m in (("lat", closable), ("latrev", rev)):
        acc.add(f"{key}_cases", m.sum(axis=0).astype(float))
        acc.add(f"{key}_contacts", (m * extra[:, None]).sum(axis=0))
        acc.add(f"{key}_days", (m * days[:, None]).sum(axis=0))
        acc.add(f"{key}_cost", (m * value[:, None]).sum(axis=0))
    # self-service truth: cases after sessions
    acc.add("switch_cases", float(switch.sum()))
    return table


def _sends_table(
    ctx: Context, cu: Customers, ev: Events, cust_ids: pa.Array, counters: Counters, acc: Acc
) -> pa.Table:
    o = _order(ev.send_cust, ev.send_t)
    cust, t, kind = ev.send_cust[o], ev.send_t[o], ev.send_kind[o]
    flags = ev.send_flags[o]
    nums = counters.take("sends", len(cust))
    table = pa.table(
        {
            "send_id": make_ids("sends", nums),
            "customer_id": cust_ids.take(pa.array(cust)),
            "campaign": _strings(ev.campaigns, ev.send_campaign[o]),
            "sent_at": _ts(t),
            "personalized": pa.array(kind == 2, pa.bool_()),
            "lifecycle_stage": _strings(list(LIFECYCLE), ev.send_stage[o]),
            "opened": pa.array(flags[:, 0], pa.bool_()),
            "clicked": pa.array(flags[:, 1], pa.bool_()),
            "unsubscribed": pa.array(flags[:, 2], pa.bool_()),
            "complained": pa.array(flags[:, 3], pa.bool_()),
            "converted": pa.array(flags[:, 4], pa.bool_()),
        },
        schema=schema("sends"),
    )
    for i, name in enumerate(SEND_KINDS):
        m = kind == i
        acc.add(f"send_n_{name}", float(m.sum()))
        acc.add(f"send_qunsub_{name}", float(ev.send_q_unsub[o][m].sum()))
        acc.add(f"send_qclick_{name}", float(ev.send_q_click[o][m].sum()))
    return table


def _sessions_table(
    ctx: Context, cu: Customers, ev: Events, cust_ids: pa.Array, counters: Counters, acc: Acc
) -> pa.Table:
    o = _order(ev.sess_cust, ev.sess_t)
    cust, t, task, ok, anon = (
        ev.sess_cust[o],
        ev.sess_t[o],
        ev.sess_task[o],
        ev.sess_ok[o],
        ev.sess_anon[o],
    )
    k = len(cust)
    # steps and duration are derived deterministically from the session index (no extra rng)
    h = (np.arange(k, dtype=np.uint64) * np.uint64(2654435761) + np.uint64(cu.n)) % np.uint64(97)
    steps = np.where(ok, 3 + h % 5, 6 + h % 11).astype(np.int64)
    duration = steps * (15.0 + (h % 23).astype(float))
    nums = counters.take("sessions", k)
    ids = cust_ids.take(pa.array(cust))
    ids = pc.if_else(pa.array(anon), pa.scalar(None, pa.string()), ids)
    table = pa.table(
        {
            "session_id": make_ids("sessions", nums),
            "customer_id": ids,
            "started_at": _ts(t),
            "task": _strings(ctx.tasks, task),
            "succeeded": pa.array(ok, pa.bool_()),
            "steps": pa.array(steps, pa.int64()),
            "duration_s": pa.array(duration, pa.float64()),
        },
        schema=schema("sessions"),
    )
    ident = ~anon
    acc.add("sess_failed_identified", float((ident & ~ok).sum()))
    acc.add("sess_n", float(k))
    return table


# --- responses ---------------------------------------------------------------------------------
def _responses(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    ev: Events,
    cust_ids: pa.Array,
    counters: Counters,
    acc: Acc,
) -> tuple[pa.Table, pa.Table]:
    cfg = ctx.cfg
    n = cu.n
    lo = np.maximum(ctx.window_start_day, cu.signup).astype(float)
    hi = np.where(cu.churn_day >= 0, cu.churn_day, ctx.end_day).astype(float)
    valid = hi > lo
    boost = np.where(cu.seg == ctx.low_segment, ctx.mix_boost, 0.0)
    weight = np.where(
        valid, (hi - lo) + boost * (_ramp_integral(ctx, hi) - _ramp_integral(ctx, lo)), 0.0
    )
    lam = cfg.responses_per_customer * n / max(float(weight.sum()), 1e-9)
    cnt = rng.poisson(np.where(valid, lam * (1.0 + boost) * (hi - lo), 0.0))
    cust = np.repeat(np.arange(n), cnt)
    t = lo[cust] + rng.random(len(cust)) * (hi[cust] - lo[cust])
    accept = rng.random(len(cust)) < (1.0 + boost[cust] * ramp(ctx, t)) / (1.0 + boost[cust])
    cust, t = cust[accept], t[accept]
    tp = _choice(rng, ctx.tp_weight, len(cust))
    # session-triggered responses at the self-service touchpoint
    sv = len(ev.survey_cust)
    cust = np.concatenate([cust, ev.survey_cust])
    t = np.concatenate([t, ev.survey_t])
    tp = np.concatenate([tp, np.full(sv, ctx.selfservice_tp)])
    from_session = np.concatenate([np.zeros(len(cust) - sv, bool), np.ones(sv, bool)])
    sess_ok = np.concatenate([np.zeros(len(cust) - sv, bool), ev.survey_ok])
    o = _order(cust, t)
    cust, t, tp, from_session, sess_ok = cust[o], t[o], tp[o], from_session[o], sess_ok[o]
    k = len(cust)
    seg = cu.seg[cust]
    r = ramp(ctx, t)
    eta = ctx.tp_offset[tp] + ctx.seg_offset[seg] + cu.u[cust] + ctx.within_shift * r
    pain_hit = np.zeros((k, len(ctx.pains)), dtype=bool)
    for j, cell in enumerate(ctx.pains):
        pain_hit[:, j] = cu.affected[cust, j] & (tp == cell.tp)
        eta = eta + cell.shift * pain_hit[:, j]
    init_hit = np.zeros((k, len(ctx.initiatives)), dtype=bool)
    for j, ini in enumerate(ctx.initiatives):
        init_hit[:, j] = (tp == ini.tp) & (t >= ini.start_day)
        eta = eta + ini.shift * init_hit[:, j]
    extra = _recent_extra_contacts(ev, cust, t)
    eta = eta - cfg.nps_shift_per_extra_contact * extra
    z = rng.standard_normal((k, len(ctx.attributes)))
    latent = eta + z @ ctx.beta + rng.normal(0.0, ctx.noise_sd, k)
    nps = cut(latent, NPS_CUTS)
    side = latent + rng.normal(0.0, 0.4, k)
    csat = cut(side, CSAT_CUTS) + 1
    ces = 7 - cut(side, CES_CUTS)
    ces_ss = np.where(
        sess_ok,
        _choice_rows(rng, ctx.ces_probs["succeeded"], k),
        _choice_rows(rng, ctx.ces_probs["failed"], k),
    )
    ces = np.where(from_session, ces_ss, ces)
    nps_missing = rng.random(k) < 0.05
    csat_missing = rng.random(k) < 0.30
    ces_missing = ~from_session & (~ctx.tp_ces[tp] | (rng.random(k) < 0.25))
    anon = rng.random(k) < cfg.anonymous_share
    lang_en = ~cu.de[cust]
    # comments
    theme = np.full(k, -2)  # −2 = no comment, −1 = off-topic
    sentiment = np.zeros(k, dtype=np.int64)
    mention = np.zeros((k, len(ctx.pains)), dtype=bool)
    for j, cell in enumerate(ctx.pains):
        m = pain_hit[:, j] & (theme == -2) & (rng.random(k) < cfg.pain_mention_rate)
        theme[m] = cell.theme_idx
        mention[:, j] = m
    null_in = np.zeros((k, len(ctx.nulls)), dtype=bool)
    null_mention = np.zeros((k, len(ctx.nulls)), dtype=bool)
    for j, cell in enumerate(ctx.nulls):
        null_in[:, j] = (tp == cell.tp) & ((seg == cell.seg) if cell.seg >= 0 else True)
        m = null_in[:, j] & (theme == -2) & (rng.random(k) < cfg.null_mention_share)
        theme[m] = cell.theme_idx
        null_mention[:, j] = m
    planted = theme >= 0
    rand = (theme == -2) & (rng.random(k) < cfg.comment_rate)
    off = rand & (rng.random(k) < cfg.offtopic_share)
    theme[off] = -1
    topical = rand & ~off
    sizes = np.array([len(c) for c in ctx.theme_candidates])
    pick = np.floor(rng.random(k) * sizes[tp]).astype(np.int64)
    cand_flat = np.concatenate(ctx.theme_candidates)
    cand_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    random_theme = cand_flat[cand_start[tp] + pick]
    theme[topical] = random_theme[topical]
    sentiment = np.where(
        nps >= 9, comments.POS, np.where(nps <= 6, comments.NEG, (rng.random(k) < 0.5) * 1)
    )
    sentiment = np.where(nps_missing & topical, (rng.random(k) < 0.5) * 1, sentiment)
    sentiment = np.where(planted, comments.NEG, sentiment)
    has_comment = theme >= -1
    pick2 = np.floor(rng.random(k) * sizes[tp]).astype(np.int64)
    second = cand_flat[cand_start[tp] + pick2]
    mixed = (theme >= 0) & (sentiment == comments.NEG) & (rng.random(k) < cfg.mixed_share)
    second = np.where(mixed & (second != theme), second, -1)
    pii = has_comment & (rng.random(k) < cfg.pii_share)
    ci = np.flatnonzero(has_comment)
    text = comments.assemble(
        rng, theme[ci], sentiment[ci], lang_en[ci].astype(np.int64), second[ci], pii[ci]
    )
    comment = pa.nulls(k, pa.string())
    if len(ci):
        positions = np.full(k, -1, dtype=np.int64)
        positions[ci] = np.arange(len(ci))
        comment = text.take(pa.array(np.where(positions < 0, 0, positions), mask=positions < 0))
    survey = np.where(from_session, 2, np.where(rng.random(k) < 0.15, 1, 0))
    nums = counters.take("responses", k)
    resp_ids = make_ids("responses", nums)
    ids = cust_ids.take(pa.array(cust))
    ids = pc.if_else(pa.array(anon), pa.scalar(None, pa.string()), ids)
    responses = pa.table(
        {
            "response_id": resp_ids,
            "customer_id": ids,
            "survey": _strings(["transactional", "relationship", "task_survey"], survey),
            "touchpoint": _strings(ctx.touchpoints, tp),
            "channel": _strings(ctx.tp_channel, tp),
            "responded_at": _ts(t),
            "nps": pa.array(nps, pa.int64(), mask=nps_missing),
            "csat": pa.array(csat, pa.int64(), mask=csat_missing),
            "ces": pa.array(ces, pa.int64(), mask=ces_missing),
            "comment": comment,
            "language": _strings(["de", "en"], lang_en.astype(np.int64)),
        },
        schema=schema("responses"),
    )
    # ratings for a share of responses: every attribute
    rated = np.flatnonzero(rng.random(k) < cfg.ratings_share)
    na = len(ctx.attributes)
    perf = z[rated] + ctx.attr_offset[None, :] + rng.normal(0.0, 0.5, (len(rated), na))
    scores = (cut(perf.ravel(), RATING_CUTS) + 1).astype(float)
    ratings = pa.table(
        {
            "response_id": resp_ids.take(pa.array(np.repeat(rated, na))),
            "attribute": _strings(ctx.attributes, np.tile(np.arange(na), len(rated))),
            "score": pa.array(scores, pa.float64()),
            "scale_min": pa.array(np.ones(len(scores)), pa.float64()),
            "scale_max": pa.array(np.full(len(scores), 5.0), pa.float64()),
        },
        schema=schema("ratings"),
    )
    _response_truth(
        ctx,
        acc,
        eta,
        tp,
        seg,
        t,
        pain_hit,
        mention,
        null_in,
        null_mention,
        init_hit,
        extra,
        from_session,
        sess_ok,
    )
    return responses, ratings


def _choice_rows(rng: np.random.Generator, probs: Array, k: int) -> Array:
    return _choice(rng, probs, k) + 1


def _recent_extra_contacts(ev: Events, cust: Array, t: Array) -> Array:
    """Extra contacts of the customer's latest complaint/defect case in the 90 days before t."""
    cd = ev.case_reason == 1
    if not cd.any() or len(cust) == 0:
        return np.zeros(len(cust))
    key_c = ev.case_cust[cd].astype(float) * 1e6 + ev.case_t[cd]
    order = np.argsort(key_c, kind="stable")
    key_c = key_c[order]
    contacts = ev.case_contacts[cd][order]
    key_r = cust.astype(float) * 1e6 + t
    pos = np.searchsorted(key_c, key_r, side="right") - 1
    ok = pos >= 0
    pos = np.maximum(pos, 0)
    same = ok & (np.floor(key_c[pos] / 1e6) == cust) & (key_r - key_c[pos] <= 90.0)
    return np.where(same, contacts[pos] - 1.0, 0.0)


def _response_truth(
    ctx: Context,
    acc: Acc,
    eta: Array,
    tp: Array,
    seg: Array,
    t: Array,
    pain_hit: Array,
    mention: Array,
    null_in: Array,
    null_mention: Array,
    init_hit: Array,
    extra: Array,
    from_session: Array,
    sess_ok: Array,
) -> None:
    sigma = ctx.sigma
    f = expected_nps(eta, sigma)
    for j, cell in enumerate(ctx.pains):
        inc = (tp == cell.tp) & ((seg == cell.seg) if cell.seg >= 0 else True)
        without = eta - cell.shift * pain_hit[:, j]
        ate = expected_nps(without + cell.shift, sigma) - expected_nps(without, sigma)
        acc.add(f"pain{j}_n", float(inc.sum()))
        acc.add(f"pain{j}_ate", float(ate[inc].sum()))
        acc.add(f"pain{j}_aff", float((inc & pain_hit[:, j]).sum()))
        men = inc & mention[:, j]
        acc.add(f"pain{j}_men", float(men.sum()))
        acc.add(f"pain{j}_f_men", float(f[men].sum()))
        acc.add(f"pain{j}_f_rest", float(f[inc & ~men].sum()))
    for j in range(len(ctx.nulls)):
        acc.add(f"null{j}_n", float(null_in[:, j].sum()))
        acc.add(f"null{j}_men", float(null_mention[:, j].sum()))
    for j, ini in enumerate(ctx.initiatives):
        h = init_hit[:, j]
        d = f[h] - expected_nps(eta[h] - ini.shift, sigma)
        acc.add(f"init{j}_n", float(h.sum()))
        acc.add(f"init{j}_ate", float(d.sum()))
    e = extra > 0
    g = ctx.cfg.nps_shift_per_extra_contact
    acc.add("cmp_resp", float(e.sum()))
    acc.add("cmp_extra", float(extra[e].sum()))
    acc.add("cmp_effect", float((f[e] - expected_nps(eta[e] + g * extra[e], sigma)).sum()))
    # trend: expected NPS per quarter × segment over the window
    q = (month_index(np.floor(t)) - ctx.window_first_month) // 3
    nq = ctx.cfg.window_months // 3
    ok = (q >= 0) & (q < nq)
    ns = len(ctx.segments)
    qcell = q[ok] * ns + seg[ok]
    acc.add("trend_n", np.bincount(qcell, minlength=nq * ns).astype(float))
    acc.add("trend_f", np.bincount(qcell, weights=f[ok], minlength=nq * ns))
    acc.add("ss_resp", float(from_session.sum()))
    acc.add("ss_resp_ok", float((from_session & sess_ok).sum()))
