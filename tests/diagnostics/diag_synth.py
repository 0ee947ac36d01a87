"""Small, seeded, hand-made companies with known planted effects (vectorised numpy).

Used by the unit tests (each diagnostic on data whose truth is fixed by construction) and by
``bench/diagnostics.py`` (the same generator at the issue's sizes). Every function writes
contract tables straight into a workspace DuckDB connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

AS_OF = date(2026, 9, 30)
AS_OF_D = np.datetime64(AS_OF.isoformat(), "D")
SEGMENTS = np.array(["private", "business", "premium"])
PRODUCTS = np.array(["mobile_s", "mobile_m", "mobile_l", "dsl_100", "dsl_250", "tv_addon"])
LIST_PRICE = np.array([10.0, 20.0, 30.0, 35.0, 45.0, 15.0])
OLD_MOBILE_S = 12.0  # mobile_s cost 12 before 2026-01-01 (tests the as-of price lookup)
PRICE_CHANGE = np.datetime64("2026-01-01", "D")


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: dict[str, Any]) -> None:
    tbl = pa.table(data)
    con.register("_synth_in", tbl)
    cols = ", ".join(f'"{c}"' for c in data)
    con.execute(f'insert into "{table}" ({cols}) select {cols} from _synth_in')
    con.unregister("_synth_in")


def _ids(prefix: str, n: int, start: int = 0) -> np.ndarray[Any, Any]:
    return np.char.add(prefix, np.arange(start, start + n).astype(str))


def months_between(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Month boundaries crossed from a to b (= DuckDB ``datediff('month', a, b)``)."""
    return (b.astype("datetime64[M]") - a.astype("datetime64[M]")).astype(np.int64)


def band_of(months: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.where(months <= 12, 0, np.where(months <= 24, 1, 2))


@dataclass
class Customers:
    ids: np.ndarray[Any, Any]
    segment: np.ndarray[Any, Any]
    signup: np.ndarray[Any, Any]
    churn: np.ndarray[Any, Any]  # datetime64[D] with NaT
    stage: np.ndarray[Any, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, con: duckdb.DuckDBPyConnection) -> None:
        churn = pa.array(self.churn, type=pa.date32(), from_pandas=True)
        _insert(
            con,
            "customers",
            {
                "customer_id": self.ids,
                "segment": self.segment,
                "signup_date": pa.array(self.signup, type=pa.date32()),
                "churn_date": churn,
                "lifecycle_stage": self.stage,
            },
        )


def make_customers(
    n: int,
    rng: np.random.Generator,
    *,
    tenure_months: tuple[int, int] = (0, 72),
    segment_p: tuple[float, float, float] = (0.6, 0.25, 0.15),
) -> Customers:
    lo, hi = tenure_months
    days = rng.integers(lo * 30 + 16, hi * 30 + 14, size=n)
    signup = AS_OF_D - days.astype("timedelta64[D]")
    seg = SEGMENTS[rng.choice(3, size=n, p=segment_p)]
    tenure = months_between(signup, np.full(n, AS_OF_D))
    stage = np.where(tenure <= 3, "onboarding", np.where(tenure % 12 >= 10, "renewal", "active"))
    churn = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    return Customers(_ids("C", n), seg, signup, churn, stage)


# --- loyalty -------------------------------------------------------------------------------
def write_price_list(con: duckdb.DuckDBPyConnection) -> None:
    prods = [*PRODUCTS.tolist(), "mobile_s"]
    valid_from = [date(2015, 1, 1)] * len(PRODUCTS) + [date(2026, 1, 1)]
    valid_to: list[date | None] = [None] * len(PRODUCTS) + [None]
    prices = [*LIST_PRICE.tolist(), 10.0]
    valid_from[0] = date(2015, 1, 1)
    valid_to[0] = date(2025, 12, 31)
    prices[0] = OLD_MOBILE_S
    _insert(
        con,
        "price_list",
        {
            "product": prods,
            "valid_from": pa.array(valid_from, type=pa.date32()),
            "valid_to": pa.array(valid_to, type=pa.date32()),
            "new_customer_price": prices,
        },
    )


def list_price_at(
    product_idx: np.ndarray[Any, Any], ref: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    price = LIST_PRICE[product_idx].copy()
    old = (product_idx == 0) & (ref < PRICE_CHANGE)
    price[old] = OLD_MOBILE_S
    return price


def make_loyalty(
    con: duckdb.DuckDBPyConnection,
    n: int,
    seed: int,
    *,
    penalty: tuple[float, float, float] = (0.0, 0.08, 0.15),
    repriced_share: float = 0.0,
    tenure_months: tuple[int, int] = (0, 72),
    confounded: bool = False,
    base_churn: float = 0.10,
    churn_delta: float = 0.0,
    nps_delta: float = 0.0,
    response_share: float = 0.5,
    bundle_churn: bool = False,
    base_churn_by_band: tuple[float, float, float] | None = None,
) -> dict[str, Any]:
    """Customers with contracts priced at list × (1 + penalty of their tenure band).

    ``repriced_share`` of customers pay the list price whatever their tenure (they renegotiated).
    Annual churn probability (applied as a monthly hazard over the last 36 months) =
    ``base_churn`` + ``churn_delta`` while paying more;
    NPS points lower by ``nps_delta`` for those paying more. ``confounded``: no penalty at all,
    but long-tenure customers hold bigger, pricier bundles. ``bundle_churn``: exposure is random,
    but churn depends on the bundle only and exposure is likelier in big bundles.
    ``base_churn_by_band``: the base annual churn of each tenure band (of the month) instead
    of ``base_churn`` — churn falling with tenure, as in most real businesses.
    """
    rng = np.random.default_rng(seed)
    cu = make_customers(n, rng, tenure_months=tenure_months)
    tenure_asof = months_between(cu.signup, np.full(n, AS_OF_D))
    # bundle: number of products and which
    if confounded:
        k = np.where(tenure_asof > 24, 3, np.where(tenure_asof > 12, 2, 1))
    else:
        k = rng.integers(1, 3, size=n)
    big = k >= 2
    # churn month by month over the last 36 months (monthly hazard from the annual probability)
    repriced = rng.random(n) < repriced_share
    if bundle_churn:
        repriced = rng.random(n) < np.where(big, 0.2, 0.8)
    pen = np.asarray(penalty)
    churned = np.zeros(n, dtype=bool)
    pot = np.full(n, AS_OF_D)
    month_last = AS_OF_D.astype("datetime64[M]")
    for back in range(35, -1, -1):
        m = month_last - back
        mstart = m.astype("datetime64[D]")
        mend = (m + 1).astype("datetime64[D]") - 1
        at_risk = (~churned) & (cu.signup <= mstart)
        band_m = band_of(months_between(cu.signup, np.full(n, mstart)))
        exposed = (~repriced) & (pen[band_m] > 0.01)
        base = base_churn if base_churn_by_band is None else np.asarray(base_churn_by_band)[band_m]
        p_year = base + churn_delta * exposed
        if bundle_churn:
            p_year = np.where(big, 0.05, 0.25)
        q = 1 - (1 - p_year) ** (1 / 12)
        new_churn = at_risk & (rng.random(n) < q)
        day = mstart + rng.integers(0, (mend - mstart).astype(int) + 1, size=n).astype(
            "timedelta64[D]"
        )
        pot = np.where(new_churn, np.minimum(day, AS_OF_D), pot)
        churned |= new_churn
    cu.churn = np.where(churned, pot, np.datetime64("NaT"))
    cu.write(con)
    ref = np.where(churned, pot, AS_OF_D)
    band_ref = band_of(months_between(cu.signup, ref))
    # contracts
    cust_idx = np.repeat(np.arange(n), k)
    slot = np.concatenate([np.arange(x) for x in k]) if n else np.zeros(0, int)
    if confounded:
        # slot 0 is a cheap mobile, slots 1, 2 add dsl_250 and tv_addon
        prod = np.choose(
            np.minimum(slot, 2), [np.zeros_like(slot), np.full_like(slot, 4), np.full_like(slot, 5)]
        )
    else:
        prod = np.where(
            slot == 0, rng.integers(0, 3, size=len(slot)), rng.integers(3, 6, size=len(slot))
        )
    ref_c = ref[cust_idx]
    lp = list_price_at(prod, ref_c)
    pen_c = np.where(repriced[cust_idx], 0.0, pen[band_ref[cust_idx]])
    if confounded:
        pen_c = np.zeros_like(lp)
    price = np.round(lp * (1 + pen_c), 2)
    end = np.where(churned[cust_idx], ref_c, np.datetime64("NaT"))
    start = cu.signup[cust_idx] + (slot * 30).astype("timedelta64[D]")
    start = np.minimum(start, ref_c)
    _insert(
        con,
        "contracts",
        {
            "contract_id": _ids("K", len(cust_idx)),
            "customer_id": cu.ids[cust_idx],
            "product": PRODUCTS[prod],
            "start_date": pa.array(start, type=pa.date32()),
            "end_date": pa.array(end, type=pa.date32(), from_pandas=True),
            "monthly_price": price,
        },
    )
    write_price_list(con)
    # responses (relationship NPS)
    resp = rng.random(n) < response_share
    ridx = np.flatnonzero(resp)
    pays_more_ref = (~repriced) & (pen[band_ref] > 0.01) & (not confounded)
    shift = nps_delta / 200.0 * pays_more_ref[ridx]
    u = rng.random(len(ridx))
    p_prom, p_det = 0.40 - shift, 0.20 + shift
    nps = np.where(
        u < p_prom,
        9 + rng.integers(0, 2, len(ridx)),
        np.where(
            u < p_prom + p_det, rng.integers(0, 7, len(ridx)), 7 + rng.integers(0, 2, len(ridx))
        ),
    )
    when = ref[ridx] - rng.integers(1, 60, len(ridx)).astype("timedelta64[D]")
    _insert(
        con,
        "responses",
        {
            "response_id": _ids("R", len(ridx)),
            "customer_id": cu.ids[ridx],
            "survey": np.full(len(ridx), "relationship"),
            "touchpoint": np.full(len(ridx), "billing"),
            "responded_at": pa.array(when.astype("datetime64[us]"), type=pa.timestamp("us")),
            "nps": nps.astype(np.int64),
        },
    )
    running = ~churned
    tax = float(np.sum((price - lp)[running[cust_idx]].clip(min=0)))
    band_c = band_ref[cust_idx]
    return {
        "customers": cu,
        "tax_per_month": tax,
        "expected_penalty_by_band": {
            lbl: (1 - repriced_share) * penalty[i] for i, lbl in enumerate(("0-12", "13-24", "25+"))
        },
        "running_contracts_by_band": np.bincount(band_c[running[cust_idx]], minlength=3).tolist(),
    }


# --- marketing ------------------------------------------------------------------------------
def make_marketing(
    con: duckdb.DuckDBPyConnection,
    n: int,
    seed: int,
    *,
    months: int = 12,
    unsub: dict[str, float] | None = None,
    fatigue: float = 0.0,
    open_rate: dict[str, float] | None = None,
    onboarding_segments: tuple[str, ...] = ("private", "premium"),
    write_customers: bool = True,
) -> dict[str, Any]:
    """Sends over ``months`` months: a monthly newsletter to everyone (untargeted), segment
    promotions (targeted), personalised offers, onboarding mails for new customers of
    ``onboarding_segments`` only. Unsubscribe probability per send = ``unsub[kind]`` +
    ``fatigue`` × (sends that customer-month − 1)."""
    unsub = unsub or {"personalised": 0.004, "targeted": 0.006, "untargeted": 0.012}
    open_rate = open_rate or {"personalised": 0.35, "targeted": 0.25, "untargeted": 0.15}
    rng = np.random.default_rng(seed)
    cu = make_customers(n, rng, tenure_months=(0, 60))
    if write_customers:
        cu.write(con)
    month0 = AS_OF_D.astype("datetime64[M]") - months + 1
    parts: list[dict[str, Any]] = []
    intensity = rng.gamma(2.0, 1.0, size=n)  # customer-level appetite → varying sends/month
    for m in range(months):
        mstart = (month0 + m).astype("datetime64[D]")
        # newsletter: everyone
        idx = np.arange(n)
        parts.append({"c": idx, "camp": f"newsletter_{m}", "kind": "untargeted", "t": mstart})
        # segment promos: per segment, a targeted campaign
        for s in SEGMENTS:
            idx = np.flatnonzero((cu.segment == s) & (rng.random(n) < 0.5))
            parts.append({"c": idx, "camp": f"promo_{s}_{m}", "kind": "targeted", "t": mstart + 10})
        # personalised: Poisson(intensity) per customer
        k = rng.poisson(intensity * 0.8)
        idx = np.repeat(np.arange(n), k)
        parts.append({"c": idx, "camp": f"personal_{m}", "kind": "personalised", "t": mstart + 5})
    # onboarding mails within 30 days after signup (only some segments)
    new = np.flatnonzero(
        np.isin(cu.segment, onboarding_segments) & (cu.signup >= month0.astype("datetime64[D]"))
    )
    c_idx = np.concatenate([p["c"] for p in parts] + [new])
    kinds = np.concatenate(
        [np.full(len(p["c"]), p["kind"]) for p in parts] + [np.full(len(new), "onboarding")]
    )
    camps = np.concatenate(
        [np.full(len(p["c"]), p["camp"]) for p in parts] + [np.full(len(new), "welcome")]
    )
    base_t = np.concatenate(
        [np.full(len(p["c"]), p["t"]) for p in parts] + [cu.signup[new] + 7]
    ).astype("datetime64[D]")
    t = base_t + rng.integers(0, 15, size=len(c_idx)).astype("timedelta64[D]")
    t = np.where(kinds == "onboarding", base_t, t)
    keep = t <= AS_OF_D
    c_idx, kinds, camps, t = c_idx[keep], kinds[keep], camps[keep], t[keep]
    personalised = (kinds == "personalised") | (kinds == "onboarding")
    stage = np.where(kinds == "onboarding", "onboarding", cu.stage[c_idx])
    # sends per customer-month for fatigue
    cm = c_idx.astype(np.int64) * 1000 + (t.astype("datetime64[M]") - month0).astype(np.int64)
    _, inv, cnt = np.unique(cm, return_inverse=True, return_counts=True)
    k_month = cnt[inv]
    kind_key = np.where(kinds == "onboarding", "personalised", kinds)
    p_u = np.vectorize(unsub.get)(kind_key) + fatigue * (k_month - 1)
    p_o = np.vectorize(open_rate.get)(kind_key)
    opened = rng.random(len(c_idx)) < p_o
    clicked = opened & (rng.random(len(c_idx)) < 0.2)
    unsubscribed = rng.random(len(c_idx)) < p_u
    complained = rng.random(len(c_idx)) < 0.001
    _insert(
        con,
        "sends",
        {
            "send_id": _ids("S", len(c_idx)),
            "customer_id": cu.ids[c_idx],
            "campaign": camps,
            "sent_at": pa.array(t.astype("datetime64[us]"), type=pa.timestamp("us")),
            "personalized": personalised,
            "lifecycle_stage": stage,
            "opened": opened,
            "clicked": clicked,
            "unsubscribed": unsubscribed,
            "complained": complained,
        },
    )
    return {
        "customers": cu,
        "sends": len(c_idx),
        "untargeted_share": float(np.mean(kinds == "untargeted")),
        "unsub": unsub,
    }


# --- complaints -----------------------------------------------------------------------------
def make_complaints(
    con: duckdb.DuckDBPyConnection,
    n: int,
    seed: int,
    *,
    churn_per_contact: float = 0.02,
    nps_per_contact: float = -5.0,
    mean_extra_contacts: float = 2.4,
    settle_scale: float = 80.0,
    premium_extra: float = 1.0,
    with_contracts: bool = True,
) -> dict[str, Any]:
    """One complaint/defect case per customer in the two years before the as-of date.

    Extra contacts ~ Poisson(mean_extra_contacts), more for premium (confounder: premium
    churns less). Churn within 365 days = base(segment) + churn_per_contact × extra contacts.
    NPS points shift by nps_per_contact per extra contact. Settled amount ~ Exponential
    (``settle_scale``) for goodwill/refund cases.
    """
    rng = np.random.default_rng(seed)
    cu = make_customers(n, rng, tenure_months=(30, 90))
    is_prem = cu.segment == "premium"
    extra = rng.poisson(np.where(is_prem, mean_extra_contacts + premium_extra, mean_extra_contacts))
    contacts = 1 + extra
    opened = AS_OF_D - rng.integers(380, 730, size=n).astype("timedelta64[D]")
    opened_ts = opened.astype("datetime64[s]") + rng.integers(8 * 3600, 18 * 3600, size=n).astype(
        "timedelta64[s]"
    )
    base = np.where(is_prem, 0.04, np.where(cu.segment == "business", 0.08, 0.12))
    p = np.clip(base + churn_per_contact * np.minimum(extra, 9), 0, 1)
    churned = rng.random(n) < p
    cu.churn = np.where(
        churned,
        opened + rng.integers(1, 365, size=n).astype("timedelta64[D]"),
        np.datetime64("NaT"),
    )
    cu.write(con)
    days = np.round(extra * 2.5 + rng.exponential(1.0, size=n), 2)
    closed = opened_ts + (days * 86400).astype("timedelta64[s]")
    settled = rng.random(n) < 0.6
    amount = np.where(settled, np.round(rng.exponential(settle_scale, size=n) + 5, 2), np.nan)
    resolution = np.where(settled, np.where(rng.random(n) < 0.5, "goodwill", "refund"), "resolved")
    reason = np.where(rng.random(n) < 0.5, "complaint", "defect")
    transfers = rng.binomial(np.maximum(extra, 0), 0.4)
    escalated = rng.random(n) < 0.05 + 0.03 * extra
    _insert(
        con,
        "cases",
        {
            "case_id": _ids("K", n),
            "customer_id": cu.ids,
            "opened_at": pa.array(opened_ts.astype("datetime64[us]"), type=pa.timestamp("us")),
            "closed_at": pa.array(closed.astype("datetime64[us]"), type=pa.timestamp("us")),
            "channel": np.where(rng.random(n) < 0.5, "phone", "chat"),
            "reason": reason,
            "contacts": contacts.astype(np.int64),
            "transfers": transfers.astype(np.int64),
            "escalated": escalated,
            "resolution": resolution,
            "goodwill_amount": pa.array(amount, type=pa.float64(), from_pandas=True),
        },
    )
    annual = np.where(is_prem, 600.0, 300.0)
    if with_contracts:
        _insert(
            con,
            "contracts",
            {
                "contract_id": _ids("V", n),
                "customer_id": cu.ids,
                "product": np.full(n, "mobile_m"),
                "start_date": pa.array(cu.signup, type=pa.date32()),
                "monthly_price": annual / 12,
            },
        )
    # NPS within 90 days after the case for 60 %
    r = rng.random(n) < 0.6
    ridx = np.flatnonzero(r)
    shift = -nps_per_contact / 200.0 * np.minimum(extra[ridx], 9)
    u = rng.random(len(ridx))
    p_prom = np.clip(0.45 - shift, 0, 1)
    p_det = np.clip(0.15 + shift, 0, 1)
    nps = np.where(u < p_prom, 10, np.where(u < p_prom + p_det, 3, 8))
    when = opened_ts[ridx] + rng.integers(1, 80 * 86400, len(ridx)).astype("timedelta64[s]")
    _insert(
        con,
        "responses",
        {
            "response_id": _ids("R", len(ridx)),
            "customer_id": cu.ids[ridx],
            "survey": np.full(len(ridx), "transactional"),
            "touchpoint": np.full(len(ridx), "hotline"),
            "responded_at": pa.array(when.astype("datetime64[us]"), type=pa.timestamp("us")),
            "nps": nps.astype(np.int64),
        },
    )
    return {
        "customers": cu,
        "extra": extra,
        "amount": amount,
        "days": days,
        "annual": annual,
        "settled": settled,
    }


# --- self-service ---------------------------------------------------------------------------
TASKS = {"change_address": 0.9, "download_invoice": 0.8, "change_tariff": 0.55, "cancel": 0.4}


def make_sessions(
    con: duckdb.DuckDBPyConnection,
    n: int,
    seed: int,
    *,
    sessions_per_customer: float = 3.0,
    switch: float = 0.35,
    background: float = 0.03,
    task_success: dict[str, float] | None = None,
    write_customers: bool = True,
) -> dict[str, Any]:
    """Sessions with planted task success; a failed session is followed by a phone/chat case
    within 48 h with probability ``switch``; independently, any session is followed by one with
    probability ``background`` (the baseline)."""
    task_success = task_success or TASKS
    rng = np.random.default_rng(seed)
    cu = make_customers(n, rng, tenure_months=(1, 60))
    if write_customers:
        cu.write(con)
    k = rng.poisson(sessions_per_customer, size=n)
    cidx = np.repeat(np.arange(n), k)
    m = len(cidx)
    names = np.array(list(task_success))
    tix = rng.integers(0, len(names), size=m)
    ok = rng.random(m) < np.array(list(task_success.values()))[tix]
    # sessions far apart (one per 10 days) so 48-h windows of one customer do not overlap
    order = np.concatenate([np.arange(x) for x in k]) if n else np.zeros(0, int)
    start = (AS_OF_D - 365).astype("datetime64[s]") + (order * 10 * 86400).astype("timedelta64[s]")
    start = start + rng.integers(0, 86400 * 3, size=m).astype("timedelta64[s]")
    _insert(
        con,
        "sessions",
        {
            "session_id": _ids("X", m),
            "customer_id": cu.ids[cidx],
            "started_at": pa.array(start.astype("datetime64[us]"), type=pa.timestamp("us")),
            "task": names[tix],
            "succeeded": ok,
            "steps": rng.integers(3, 20, size=m).astype(np.int64),
        },
    )
    caused = (~ok) & (rng.random(m) < switch)
    bg = rng.random(m) < background
    call = caused | bg
    ci = np.flatnonzero(call)
    lag = rng.integers(60, 47 * 3600, size=len(ci)).astype("timedelta64[s]")
    _insert(
        con,
        "cases",
        {
            "case_id": _ids("Q", len(ci)),
            "customer_id": cu.ids[cidx[ci]],
            "opened_at": pa.array(
                (start[ci] + lag).astype("datetime64[us]"), type=pa.timestamp("us")
            ),
            "channel": np.where(rng.random(len(ci)) < 0.7, "phone", "chat"),
            "reason": np.full(len(ci), "portal_help"),
            "contacts": np.ones(len(ci), dtype=np.int64),
        },
    )
    # CES responses at the portal 1 h after 30 % of sessions
    r = np.flatnonzero(rng.random(m) < 0.3)
    ces = np.clip(np.where(ok[r], 2, 5) + rng.integers(-1, 2, size=len(r)), 1, 7)
    _insert(
        con,
        "responses",
        {
            "response_id": _ids("P", len(r)),
            "customer_id": cu.ids[cidx[r]],
            "survey": np.full(len(r), "portal"),
            "touchpoint": np.full(len(r), "portal"),
            "responded_at": pa.array(
                (start[r] + np.timedelta64(3600, "s")).astype("datetime64[us]"),
                type=pa.timestamp("us"),
            ),
            "ces": ces.astype(np.int64),
        },
    )
    return {
        "customers": cu,
        "sessions": m,
        "task_success": task_success,
        "switch": switch,
        "background": background,
    }
