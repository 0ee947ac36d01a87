"""Service cases: drawn month by month, then the cases table with the complaint truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

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
from cxo.simulate.config import LATITUDE_LIMITS
from cxo.simulate.context import CASE_CHANNELS, CASE_REASONS, RESOLUTIONS_CD, Context
from cxo.simulate.state import Customers, Events
from cxo.simulate.truth import Acc


@dataclass(frozen=True)
class CaseMix:
    """The company type's case reasons and channels as draw weights; the mean number of extra
    contacts beyond the second of a complaint/defect case not closed at first contact."""

    reason_p: Array
    chan_p: Array
    cd_reasons: Array
    extra_mean: float
    phone: int
    chat: int


def case_mix(ctx: Context) -> CaseMix:
    """Resolve the case mix of ``ctx``'s company type."""
    cfg = ctx.cfg
    reasons = CASE_REASONS[cfg.company_type]
    reason_p = np.array([p for _, p in reasons])
    chans = CASE_CHANNELS[cfg.company_type]
    chan_names = [c for c, _ in chans]
    chan_p = np.array([p for _, p in chans])
    cd_reasons = np.array([r in ("complaint", "defect") for r, _ in reasons])
    phone, chat = chan_names.index("phone"), chan_names.index("chat")
    fcr = cfg.fcr_share
    extra_mean = max((cfg.contacts_per_case_without_latitude - fcr) / (1 - fcr) - 2.0, 0.0)
    return CaseMix(reason_p, chan_p, cd_reasons, extra_mean, phone, chat)


def month_cases(
    ctx: Context,
    rng: np.random.Generator,
    alive: Array,
    lo: Array,
    me: int,
    expo: Array,
    out: dict[str, list[Array]],
    mix: CaseMix,
) -> None:
    """Draw one month's service cases (reason, channel, contacts) into ``out``."""
    cfg = ctx.cfg
    reason_p, chan_p, cd_reasons, extra_mean = (
        mix.reason_p,
        mix.chan_p,
        mix.cd_reasons,
        mix.extra_mean,
    )
    cnt = rng.poisson(cfg.case_rate * expo)
    cust = np.repeat(np.arange(len(alive)), cnt)
    k = len(cust)
    t = lo[cust] + rng.random(k) * (me - lo[cust])
    reason = choice(rng, reason_p, k)
    cd = cd_reasons[reason]
    contacts = np.where(
        cd,
        np.where(rng.random(k) < cfg.fcr_share, 1, 2 + rng.poisson(extra_mean, k)),
        1 + rng.poisson(0.3, k),
    ).astype(float)
    out["case_cust"].append(cust)
    out["case_t"].append(t)
    out["case_reason"].append(reason)
    out["case_channel"].append(choice(rng, chan_p, k))
    out["case_contacts"].append(contacts)
    out["case_cd"].append(cd)
    out["case_switch"].append(np.zeros(k, bool))


def cases_table(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    ev: Events,
    cust_ids: pa.Array,
    counters: Counters,
    acc: Acc,
) -> pa.Table:
    """The cases table (closing times, resolutions, goodwill); adds the complaint truth.

    Sorts the case events in place and recodes ``ev.case_reason`` to 1 = complaint/defect
    for the responses."""
    cfg = ctx.cfg
    o = order(ev.case_cust, ev.case_t)
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
    res = choice(rng, np.array([p for _, p in RESOLUTIONS_CD]), k)
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
            "opened_at": timestamps(t),
            "closed_at": timestamps(np.where(is_open, t, closed), mask=is_open),
            "channel": strings(chans, chan),
            "reason": strings(reasons, reason_idx),
            "product": strings(ctx.products, cu.main[cust]),
            "contacts": pa.array(contacts.astype(np.int64), pa.int64()),
            "transfers": pa.array(transfers.astype(np.int64), pa.int64()),
            "escalated": pa.array(escalated, pa.bool_()),
            "resolution": strings(res_names, resolution),
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
