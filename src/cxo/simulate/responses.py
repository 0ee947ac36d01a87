"""Survey responses: who answers when and where, their scores and comments, the attribute
ratings; the responses and ratings tables with the response truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxo.errors import UsageError
from cxo.simulate import comments
from cxo.simulate.columns import (
    Array,
    Counters,
    choice,
    make_ids,
    order,
    schema,
    strings,
    timestamps,
)
from cxo.simulate.context import Context, month_index
from cxo.simulate.model import (
    CES_CUTS,
    CSAT_CUTS,
    NPS_CUTS,
    RATING_CUTS,
    cut,
    expected_nps,
)
from cxo.simulate.state import Customers, Events
from cxo.simulate.truth import Acc

PRE_TREND_DAYS = 365.0
"""A planted pre-trend rises over this many days before the initiative's start."""


def ramp(ctx: Context, t: Array) -> Array:
    """0 before the last 8 quarters, rising linearly to 1 at the as-of date."""
    span = ctx.end_day - ctx.trend_start_day
    return np.clip((np.asarray(t) - ctx.trend_start_day) / span, 0.0, 1.0)


def _ramp_integral(ctx: Context, t: Array) -> Array:
    span = ctx.end_day - ctx.trend_start_day
    x = np.asarray(t, dtype=float) - ctx.trend_start_day
    return np.where(x <= 0, 0.0, np.where(x <= span, x * x / (2 * span), span / 2 + (x - span)))


@dataclass
class Respondents:
    """The chunk's responses in customer and time order: who, when, at which touchpoint."""

    cust: Array
    t: Array
    tp: Array
    from_session: Array
    sess_ok: Array


@dataclass
class Scores:
    """Structural latent, planted hits, the scores and what is missing, per response."""

    seg: Array
    eta: Array
    pain_hit: Array
    init_hit: Array
    extra: Array
    z: Array
    nps: Array
    csat: Array
    ces: Array
    nps_missing: Array
    csat_missing: Array
    ces_missing: Array
    anon: Array
    lang_en: Array


@dataclass
class Mentions:
    """The comment of each response (null without one) and which cells it mentions."""

    comment: pa.Array
    mention: Array
    null_in: Array
    null_mention: Array


def responses_tables(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    ev: Events,
    cust_ids: pa.Array,
    counters: Counters,
    acc: Acc,
) -> tuple[pa.Table, pa.Table]:
    """The responses and ratings tables; adds the response truth."""
    cfg = ctx.cfg
    r = _respondents(ctx, rng, cu, ev)
    k = len(r.cust)
    s = _scores(ctx, rng, cu, ev, r)
    c = _comments(ctx, rng, r, s)
    survey = np.where(r.from_session, 2, np.where(rng.random(k) < 0.15, 1, 0))
    nums = counters.take("responses", k)
    resp_ids = make_ids("responses", nums)
    ids = cust_ids.take(pa.array(r.cust))
    ids = pc.if_else(pa.array(s.anon), pa.scalar(None, pa.string()), ids)
    responses = pa.table(
        {
            "response_id": resp_ids,
            "customer_id": ids,
            "survey": strings(["transactional", "relationship", "task_survey"], survey),
            "touchpoint": strings(ctx.touchpoints, r.tp),
            "channel": strings(ctx.tp_channel, r.tp),
            "responded_at": timestamps(r.t),
            "nps": pa.array(s.nps, pa.int64(), mask=s.nps_missing),
            "csat": pa.array(s.csat, pa.int64(), mask=s.csat_missing),
            "ces": pa.array(s.ces, pa.int64(), mask=s.ces_missing),
            "comment": c.comment,
            "language": strings(["de", "en"], s.lang_en.astype(np.int64)),
        },
        schema=schema("responses"),
    )
    # ratings for a share of responses: every attribute
    rated = np.flatnonzero(rng.random(k) < cfg.ratings_share)
    na = len(ctx.attributes)
    perf = s.z[rated] + ctx.attr_offset[None, :] + rng.normal(0.0, 0.5, (len(rated), na))
    scores = (cut(perf.ravel(), RATING_CUTS) + 1).astype(float)
    ratings = pa.table(
        {
            "response_id": resp_ids.take(pa.array(np.repeat(rated, na))),
            "attribute": strings(ctx.attributes, np.tile(np.arange(na), len(rated))),
            "score": pa.array(scores, pa.float64()),
            "scale_min": pa.array(np.ones(len(scores)), pa.float64()),
            "scale_max": pa.array(np.full(len(scores), 5.0), pa.float64()),
        },
        schema=schema("ratings"),
    )
    _response_truth(ctx, acc, r, s, c)
    return responses, ratings


def _respondents(ctx: Context, rng: np.random.Generator, cu: Customers, ev: Events) -> Respondents:
    """Response times over each customer's window (the lowest segment answering more and more
    over the last 8 quarters), their touchpoints, and the task surveys of sessions."""
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
    tp = route_to_users(ctx, cu, cust, choice(rng, ctx.tp_weight, len(cust)))
    # session-triggered responses at the self-service touchpoint
    sv = len(ev.survey_cust)
    cust = np.concatenate([cust, ev.survey_cust])
    t = np.concatenate([t, ev.survey_t])
    tp = np.concatenate([tp, np.full(sv, ctx.selfservice_tp)])
    from_session = np.concatenate([np.zeros(len(cust) - sv, bool), np.ones(sv, bool)])
    sess_ok = np.concatenate([np.zeros(len(cust) - sv, bool), ev.survey_ok])
    o = order(cust, t)
    return Respondents(cust[o], t[o], tp[o], from_session[o], sess_ok[o])


def route_to_users(ctx: Context, cu: Customers, cust: Array, tp: Array) -> Array:
    """Move answers so that only the users of an initiative's touchpoint answer there, with
    every touchpoint's share of answers unchanged (draws from ``cu.urng``).

    Touchpoint ``j`` of an initiative has weight ``w_j`` and users' share ``q_j`` (the users
    of every initiative there); the other touchpoints are free (weight ``F``). A non-user's
    answer at ``j`` is redrawn among the free touchpoints; then a user's answer at a free
    touchpoint moves to ``j`` with probability ``r_j = (1 − q_j)·w_j / (q_j·M_j)``, where
    ``M_j = F + Σ_{k≠j} (1 − q_k)·w_k`` is a user of ``j``'s expected free share after the
    redraw — so ``q_j·(w_j + r_j·M_j) = w_j`` (one uniform draw per free answer picks at most
    one destination; the shares hold in expectation, independent draws of use assumed).
    """
    from cxo.simulate.customers import tp_users

    weight = ctx.tp_weight / ctx.tp_weight.sum()
    sites = sorted({ini.tp for ini in ctx.initiatives})
    if not sites:
        return tp
    tp = tp.copy()
    users = {j: tp_users(ctx, cu.uses, j) for j in sites}
    free_w = weight.copy()
    free_w[sites] = 0.0
    free_mass = float(free_w.sum())
    # non-users' answers at an initiative's touchpoint go to the free touchpoints
    for j in sites:
        user, _ = users[j]
        bad = np.flatnonzero((tp == j) & ~user[cust])
        tp[bad] = choice(cu.urng, free_w, len(bad))
    # users' answers at free touchpoints move in
    rates = []
    for j in sites:
        user, q = users[j]
        others = sum((1.0 - users[k][1]) * float(weight[k]) for k in sites if k != j)
        rates.append((j, user, (1.0 - q) * float(weight[j]) / (q * (free_mass + others))))
    if sum(r for _, _, r in rates) > 1.0:
        raise UsageError(
            "the initiatives' users are too few for their touchpoints' share of answers: "
            "raise users_share"
        )
    free = np.flatnonzero(~np.isin(tp, sites))
    draw = cu.urng.random(len(free))
    low = 0.0
    for j, user, r in rates:
        hit = (draw >= low) & (draw < low + r) & user[cust[free]]
        tp[free[hit]] = j
        low += r
    return tp


def _scores(
    ctx: Context, rng: np.random.Generator, cu: Customers, ev: Events, r: Respondents
) -> Scores:
    """The latent of each response (touchpoint, segment, experience, trend, planted pains and
    initiatives and their planted pre-trends, recent extra contacts) cut into NPS, CSAT and
    CES; what is left blank."""
    cfg = ctx.cfg
    cust, t, tp, from_session, sess_ok = r.cust, r.t, r.tp, r.from_session, r.sess_ok
    k = len(cust)
    seg = cu.seg[cust]
    ramp_t = ramp(ctx, t)
    eta = ctx.tp_offset[tp] + ctx.seg_offset[seg] + cu.u[cust] + ctx.within_shift * ramp_t
    pain_hit = np.zeros((k, len(ctx.pains)), dtype=bool)
    for j, cell in enumerate(ctx.pains):
        pain_hit[:, j] = cu.affected[cust, j] & (tp == cell.tp)
        eta = eta + cell.shift * pain_hit[:, j]
    init_hit = np.zeros((k, len(ctx.initiatives)), dtype=bool)
    for j, ini in enumerate(ctx.initiatives):
        init_hit[:, j] = (tp == ini.tp) & (t >= ini.start_day)
        eta = eta + ini.shift * init_hit[:, j]
        if ini.pre_trend:
            drift = np.clip((t - ini.start_day + PRE_TREND_DAYS) / PRE_TREND_DAYS, 0.0, 1.0)
            eta = eta + ini.pre_trend * drift * (tp == ini.tp)
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
    return Scores(
        seg=seg,
        eta=eta,
        pain_hit=pain_hit,
        init_hit=init_hit,
        extra=extra,
        z=z,
        nps=nps,
        csat=csat,
        ces=ces,
        nps_missing=nps_missing,
        csat_missing=csat_missing,
        ces_missing=ces_missing,
        anon=anon,
        lang_en=lang_en,
    )


def _comments(ctx: Context, rng: np.random.Generator, r: Respondents, s: Scores) -> Mentions:
    """Comments: planted pains and null cells first, then random topical or off-topic ones;
    sentiment from the NPS, a second theme for mixed comments, PII for some."""
    cfg = ctx.cfg
    tp, seg, nps, nps_missing, lang_en = r.tp, s.seg, s.nps, s.nps_missing, s.lang_en
    k = len(tp)
    theme = np.full(k, -2)  # −2 = no comment, −1 = off-topic
    sentiment = np.zeros(k, dtype=np.int64)
    mention = np.zeros((k, len(ctx.pains)), dtype=bool)
    for j, cell in enumerate(ctx.pains):
        m = s.pain_hit[:, j] & (theme == -2) & (rng.random(k) < cfg.pain_mention_rate)
        theme[m] = cell.theme_idx
        mention[:, j] = m
    null_in = np.zeros((k, len(ctx.nulls)), dtype=bool)
    null_mention = np.zeros((k, len(ctx.nulls)), dtype=bool)
    for j, null in enumerate(ctx.nulls):
        null_in[:, j] = (tp == null.tp) & ((seg == null.seg) if null.seg >= 0 else True)
        m = null_in[:, j] & (theme == -2) & (rng.random(k) < cfg.null_mention_share)
        theme[m] = null.theme_idx
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
    return Mentions(comment, mention, null_in, null_mention)


def _choice_rows(rng: np.random.Generator, probs: Array, k: int) -> Array:
    """``k`` draws of 1-based categories with weights ``probs``."""
    return choice(rng, probs, k) + 1


def _recent_extra_contacts(ev: Events, cust: Array, t: Array) -> Array:
    """Extra contacts of the customer's latest complaint/defect case in the 90 days before t."""
    cd = ev.case_reason == 1
    if not cd.any() or len(cust) == 0:
        return np.zeros(len(cust))
    key_c = ev.case_cust[cd].astype(float) * 1e6 + ev.case_t[cd]
    by_key = np.argsort(key_c, kind="stable")
    key_c = key_c[by_key]
    contacts = ev.case_contacts[cd][by_key]
    key_r = cust.astype(float) * 1e6 + t
    pos = np.searchsorted(key_c, key_r, side="right") - 1
    ok = pos >= 0
    pos = np.maximum(pos, 0)
    same = ok & (np.floor(key_c[pos] / 1e6) == cust) & (key_r - key_c[pos] <= 90.0)
    return np.where(same, contacts[pos] - 1.0, 0.0)


def _response_truth(ctx: Context, acc: Acc, r: Respondents, s: Scores, c: Mentions) -> None:
    """Add the response truth: planted and observable effects, null cells, initiatives, the
    complaint effect, the expected NPS per quarter × segment, the task surveys."""
    eta, tp, seg, t = s.eta, r.tp, s.seg, r.t
    pain_hit, mention, null_in, null_mention = s.pain_hit, c.mention, c.null_in, c.null_mention
    init_hit, extra, from_session, sess_ok = s.init_hit, s.extra, r.from_session, r.sess_ok
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
