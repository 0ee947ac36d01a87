"""Marketing sends: regular newsletters and offers, lifecycle mails, their outcomes; the
sends table with the marketing truth."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from cxo.simulate.columns import Array, Counters, make_ids, order, schema, strings, timestamps
from cxo.simulate.context import Context
from cxo.simulate.state import LIFECYCLE, Customers, Events
from cxo.simulate.truth import Acc

SEND_KINDS = ("untargeted", "targeted", "personalized")


@dataclass
class SendPlan:
    """What a chunk's monthly sends share: send rates, planned gaps, outcome probabilities by
    kind, and the campaign names met so far (grown month by month)."""

    lam: Array
    gap_mask: dict[str, Array]
    campaigns: list[str]
    campaign_ix: dict[str, int]
    open_p: Array
    click_p: Array
    unsub_p: Array
    compl_p: Array


def plan_sends(ctx: Context, rng: np.random.Generator, cu: Customers) -> SendPlan:
    """Draw each customer's send rate; resolve the lifecycle gaps and the outcome rates."""
    cfg = ctx.cfg
    lam_send = rng.gamma(2.0, cfg.send_rate / 2.0, cu.n)
    gaps = {(g["moment"], g["segment"]) for g in cfg.lifecycle_gaps}
    gap_mask = {
        m: np.isin(cu.seg, [i for i, s in enumerate(ctx.segments) if (m, s) in gaps])
        for m in ("onboarding", "renewal", "winback")
    }
    campaigns: list[str] = ["onboarding_welcome", "renewal_reminder", "winback_offer"]
    campaign_ix: dict[str, int] = {c: i for i, c in enumerate(campaigns)}
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
    return SendPlan(
        lam=lam_send,
        gap_mask=gap_mask,
        campaigns=campaigns,
        campaign_ix=campaign_ix,
        open_p=open_p,
        click_p=click_p,
        unsub_p=unsub_p,
        compl_p=compl_p,
    )


@dataclass
class _Batch:
    """A month's sends in parts: customer, time, kind, stage, lifecycle campaign (−1 = none)."""

    cust: list[Array] = field(default_factory=list)
    t: list[Array] = field(default_factory=list)
    kind: list[Array] = field(default_factory=list)
    stage: list[Array] = field(default_factory=list)
    life: list[Array] = field(default_factory=list)

    def add(self, cust: Array, t: Array, kind: Array, stage: Array, life: Array) -> None:
        self.cust.append(cust)
        self.t.append(t)
        self.kind.append(kind)
        self.stage.append(stage)
        self.life.append(life)


def _stage(ctx: Context, cu: Customers, cust: Array, t: Array) -> Array:
    since = t - cu.signup[cust]
    years_next = np.floor(since / 365.25) + 1
    to_anniv = cu.signup[cust] + np.round(years_next * 365.25) - t
    stage = np.where(since < 90, 1, np.where((to_anniv <= 60) & (since >= 90), 2, 0))
    return np.asarray(stage, dtype=np.int64)


def month_sends(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    plan: SendPlan,
    alive: Array,
    lo: Array,
    hi: Array,
    ms: int,
    me: int,
    month: int,
    out: dict[str, list[Array]],
) -> Array:
    """Draw one month's sends and their outcomes into ``out``; sends per customer."""
    n = cu.n
    subscribed = ~cu.unsub
    batch = _regular_sends(ctx, rng, cu, plan.lam, alive, lo, hi, ms, me, subscribed)
    _lifecycle_sends(ctx, rng, cu, plan.gap_mask, alive, hi, ms, me, subscribed, batch)
    cust = np.concatenate(batch.cust)
    t = np.concatenate(batch.t)
    kind = np.concatenate(batch.kind).astype(np.int64)
    stage = np.concatenate(batch.stage).astype(np.int64)
    life = np.concatenate(batch.life).astype(np.int64)
    k = len(cust)
    ids = _campaign_ids(ctx, plan, month)
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
    _outcomes(ctx, rng, cu, plan, cust, t, kind, stage, camp, month, k, out)
    # every send of the month is delivered: sends stop on the churn day, and an unsubscribe
    # takes effect from the next month (this month's sends are already scheduled)
    return np.bincount(cust, minlength=n).astype(float)


def _regular_sends(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    lam: Array,
    alive: Array,
    lo: Array,
    hi: Array,
    ms: int,
    me: int,
    subscribed: Array,
) -> _Batch:
    """Regular sends to active customers, then untargeted ones in the win-back window."""
    cfg = ctx.cfg
    n = cu.n
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
    batch = _Batch()
    batch.add(cust, t, kind, stage, lifecycle)
    batch.add(
        wcust, wt, np.zeros(len(wcust), np.int64), np.full(len(wcust), 3), np.full(len(wcust), -1)
    )
    return batch


def _lifecycle_sends(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    gap_mask: dict[str, Array],
    alive: Array,
    hi: Array,
    ms: int,
    me: int,
    subscribed: Array,
    batch: _Batch,
) -> None:
    """Lifecycle sends (personalised), unless the (moment, segment) is a planned gap."""
    n = cu.n
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
            batch.add(
                c,
                d[c] + rng.random(len(c)),
                np.full(len(c), 2),
                np.full(len(c), st),
                np.full(len(c), camp_ix),
            )
    for year in range(1, ctx.cfg.history_years + 1):
        d = cu.signup + np.round(year * 365.25).astype(np.int64) - 45
        sel = alive & subscribed & ~gap_mask["renewal"] & (d >= ms) & (d < hi)
        c = np.flatnonzero(sel)
        batch.add(
            c,
            d[c] + rng.random(len(c)),
            np.full(len(c), 2),
            np.full(len(c), 2),
            np.full(len(c), 1),
        )


def _campaign_ids(ctx: Context, plan: SendPlan, month: int) -> list[int]:
    """Indices of this month's newsletter, offer and recommendation campaigns (registered in
    ``plan`` on first use): newsletter, then offers by segment, then recommendations."""
    yyyy, mm = divmod(month, 12)
    quarter = f"{1970 + yyyy}_Q{mm // 3 + 1}"
    names = [f"newsletter_{quarter}"] + [
        f"{pre}_{s}_{1970 + yyyy}_{mm + 1:02d}" for pre in ("offer", "reco") for s in ctx.segments
    ]
    ids = []
    for name in names:
        if name not in plan.campaign_ix:
            plan.campaign_ix[name] = len(plan.campaigns)
            plan.campaigns.append(name)
        ids.append(plan.campaign_ix[name])
    return ids


def _outcomes(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    plan: SendPlan,
    cust: Array,
    t: Array,
    kind: Array,
    stage: Array,
    camp: Array,
    month: int,
    k: int,
    out: dict[str, list[Array]],
) -> None:
    """Draw opens, clicks, unsubscribes (with fatigue), complaints and conversions."""
    cfg = ctx.cfg
    n = cu.n
    open_p, click_p, unsub_p, compl_p = plan.open_p, plan.click_p, plan.unsub_p, plan.compl_p
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


def sends_table(
    ctx: Context, cu: Customers, ev: Events, cust_ids: pa.Array, counters: Counters, acc: Acc
) -> pa.Table:
    """The sends table in customer and time order; adds the marketing truth."""
    o = order(ev.send_cust, ev.send_t)
    cust, t, kind = ev.send_cust[o], ev.send_t[o], ev.send_kind[o]
    flags = ev.send_flags[o]
    nums = counters.take("sends", len(cust))
    table = pa.table(
        {
            "send_id": make_ids("sends", nums),
            "customer_id": cust_ids.take(pa.array(cust)),
            "campaign": strings(ev.campaigns, ev.send_campaign[o]),
            "sent_at": timestamps(t),
            "personalized": pa.array(kind == 2, pa.bool_()),
            "lifecycle_stage": strings(list(LIFECYCLE), ev.send_stage[o]),
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
