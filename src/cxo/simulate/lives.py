"""The customers' lives month by month: sessions, cases, churn and sends.

Everything is vectorised over the chunk's customers; the only Python loop is over calendar
months (about 60). Churn in a month depends on last month's sends and on the complaints of
the past 12 months.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from cxo.simulate.cases import case_mix, month_cases
from cxo.simulate.columns import Array, concat
from cxo.simulate.context import Context, band_of, month_start_day
from cxo.simulate.sends import month_sends, plan_sends
from cxo.simulate.sessions import month_sessions
from cxo.simulate.state import Customers, Events
from cxo.simulate.truth import Acc


def lives(ctx: Context, rng: np.random.Generator, cu: Customers, acc: Acc) -> Events:
    """Live every month of the history; set churn days and unsubscribes; return the events
    (and add the realised annual churn to the truth)."""
    cfg = ctx.cfg
    n = cu.n
    months = ctx.months
    starts = month_start_day(months)
    ends = np.minimum(month_start_day(months + 1), ctx.end_day)
    mix = case_mix(ctx)
    pain_churn = cu.affected.astype(float) @ np.array([c.churn_effect for c in ctx.pains])
    exp_churn = -cfg.churn_per_sd_experience * cu.u / cfg.experience_sd
    base = ctx.base_churn[cu.seg] + pain_churn + exp_churn
    ring = np.zeros((n, 12))
    plan = plan_sends(ctx, rng, cu)
    out: dict[str, list[Array]] = defaultdict(list)
    # annual churn counting for truth: active at start of the last 12 months
    year_start = ctx.as_of_day - 365

    sends_prev = np.zeros(n)  # sends delivered to each customer in the previous month
    for mi, m in enumerate(months):
        ms, me = int(starts[mi]), int(ends[mi])
        alive = (cu.signup < me) & (cu.churn_day < 0)
        lo = np.maximum(cu.signup, ms).astype(float)
        expo = np.where(alive, (me - lo) / 30.44, 0.0)
        if m >= ctx.window_first_month:
            month_sessions(ctx, rng, cu, alive, lo, me, expo, out, mix.phone, mix.chat)
            month_cases(ctx, rng, alive, lo, me, expo, out, mix)
        # churn this month: decided before this month's sends, from last month's sends
        draw = _churn(ctx, rng, cu, alive, ms, me, int(m), base, ring, sends_prev)
        sends_prev = np.zeros(n)
        if m >= ctx.window_first_month:
            # sends of this month end on the churn day, so every planned send is delivered
            hi = np.where(draw, cu.churn_day, me).astype(float)
            sends_prev = month_sends(ctx, rng, cu, plan, alive, lo, hi, ms, me, int(m), out)
        # complaint effects of this month's cases apply for the next 12 months
        slot = mi % 12
        ring[:, slot] = 0.0
        if m >= ctx.window_first_month and out["case_cust"]:
            cc, ce = out["case_cust"][-1], out["case_contacts"][-1]
            cdm = out["case_cd"][-1]
            ring[:, slot] = np.bincount(
                cc[cdm], weights=(ce[cdm] - 1) * cfg.churn_effect_per_extra_contact, minlength=n
            )
    for j in range(len(ctx.initiatives)):
        acc.add(f"init{j}_users", float(cu.uses[:, j].sum()))
    # truth: realised annual churn in the last 12 months
    active_then = (cu.signup < year_start) & ((cu.churn_day < 0) | (cu.churn_day >= year_start))
    acc.add("churn_base", float(active_then.sum()))
    acc.add("churn_events", float((active_then & (cu.churn_day >= year_start)).sum()))
    return _finish_events(cu, out, plan.campaigns)


def _churn(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    alive: Array,
    ms: int,
    me: int,
    month: int,
    base: Array,
    ring: Array,
    sends_prev: Array,
) -> Array:
    """Draw who churns in the month ``[ms, me)`` and on which day; return the churn mask.

    ``base`` is the annual churn of segment, pains and experience; ``ring`` the churn effects
    of the complaints of the past 12 months (one column per month); an initiative changes
    the churn of the customers who use its touchpoint, from the month of its start."""
    cfg = ctx.cfg
    n = cu.n
    at_risk = alive & (cu.signup < ms)
    tenure = month - cu.signup_month
    paying_more = ctx.penalty[band_of(tenure)] > 0
    p = base + cfg.loyalty_churn_effect * paying_more + ring.sum(axis=1)
    for j, ini in enumerate(ctx.initiatives):
        if ms >= ini.start_day:
            p = p + ini.churn_effect * cu.uses[:, j]
    p = np.clip(p, 0.002, 0.95)
    q = 1.0 - (1.0 - p) ** (1.0 / 12.0)
    q = np.clip(q + cfg.churn_effect_per_send / 12.0 * sends_prev, 0.0, 1.0)
    draw = at_risk & (rng.random(n) < q)
    k = int(draw.sum())
    cu.churn_day[draw] = ms + np.floor(rng.random(k) * (me - ms)).astype(np.int64)
    return np.asarray(draw)


def _finish_events(cu: Customers, out: dict[str, list[Array]], campaigns: list[str]) -> Events:
    """Concatenate the months' parts; drop what falls after a churn (win-back sends stay)."""
    churn = cu.churn_day.astype(float)

    def before_churn(cust: Array, t: Array) -> Array:
        c = churn[cust]
        return np.asarray((c < 0) | (t < c))

    case_cust = concat(out["case_cust"], np.int64)
    case_t = concat(out["case_t"], float)
    keep = before_churn(case_cust, case_t)
    sess_cust = concat(out["sess_cust"], np.int64)
    sess_t = concat(out["sess_t"], float)
    skeep = before_churn(sess_cust, sess_t)
    sv_cust = concat(out["survey_cust"], np.int64)
    sv_t = concat(out["survey_t"], float)
    vkeep = before_churn(sv_cust, sv_t)
    send_cust = concat(out["send_cust"], np.int64)
    send_t = concat(out["send_t"], float)
    send_stage = concat(out["send_stage"], np.int64)
    dkeep = (send_stage == 3) | before_churn(send_cust, send_t)
    flags = np.concatenate(out["send_flags"]) if out["send_flags"] else np.zeros((0, 5), bool)
    return Events(
        case_cust=case_cust[keep],
        case_t=case_t[keep],
        case_reason=concat(out["case_reason"], np.int64)[keep],
        case_channel=concat(out["case_channel"], np.int64)[keep],
        case_contacts=concat(out["case_contacts"], np.int64)[keep],
        case_switch=concat(out["case_switch"], bool)[keep],
        sess_cust=sess_cust[skeep],
        sess_t=sess_t[skeep],
        sess_task=concat(out["sess_task"], np.int64)[skeep],
        sess_ok=concat(out["sess_ok"], bool)[skeep],
        sess_anon=concat(out["sess_anon"], bool)[skeep],
        survey_cust=sv_cust[vkeep],
        survey_t=sv_t[vkeep],
        survey_ok=concat(out["survey_ok"], bool)[vkeep],
        send_cust=send_cust[dkeep],
        send_t=send_t[dkeep],
        send_kind=concat(out["send_kind"], np.int64)[dkeep],
        send_stage=send_stage[dkeep],
        send_campaign=concat(out["send_campaign"], np.int64)[dkeep],
        send_month=concat(out["send_month"], np.int64)[dkeep],
        send_flags=flags[dkeep],
        send_q_unsub=concat(out["send_q_unsub"], float)[dkeep],
        send_q_click=concat(out["send_q_click"], float)[dkeep],
        campaigns=campaigns,
    )
