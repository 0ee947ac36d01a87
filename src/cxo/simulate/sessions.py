"""Self-service sessions: drawn month by month, then the sessions table."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
from cxo.simulate.context import Context
from cxo.simulate.state import Customers, Events
from cxo.simulate.truth import Acc


def month_sessions(
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
    """Draw one month's self-service sessions into ``out``, with the calls that follow a
    failed session and the task surveys they trigger."""
    cfg = ctx.cfg
    cnt = rng.poisson(cfg.session_rate * expo * _users_weight(ctx, cu))
    cust = np.repeat(np.arange(cu.n), cnt)
    k = len(cust)
    t = lo[cust] + rng.random(k) * (me - lo[cust])
    task = choice(rng, ctx.task_weight, k)
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


def _users_weight(ctx: Context, cu: Customers) -> Array:
    """Session propensity per customer: when an initiative changes the self-service
    touchpoint only its users have sessions there (as many in total as without it)."""
    w = np.ones(cu.n)
    for j, ini in enumerate(ctx.initiatives):
        if ini.tp == ctx.selfservice_tp:
            w = w * cu.uses[:, j] / ini.users_share
    return w


def sessions_table(
    ctx: Context, cu: Customers, ev: Events, cust_ids: pa.Array, counters: Counters, acc: Acc
) -> pa.Table:
    """The sessions table (steps and duration derived, not drawn); adds the session truth."""
    o = order(ev.sess_cust, ev.sess_t)
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
            "started_at": timestamps(t),
            "task": strings(ctx.tasks, task),
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
