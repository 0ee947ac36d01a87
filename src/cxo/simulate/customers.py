"""Who the customers are: segment, language, signup, experience, pains, bundle; the customers
table and the ground truth of which customer each planted pain affects."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cxo.simulate.columns import choice, dates, schema, strings
from cxo.simulate.context import REGIONS, Context, month_index
from cxo.simulate.state import LIFECYCLE, Customers

AFFECTED = "truth_affected"
"""Ground truth beside the contract tables: which customer each planted pain affects."""

AFFECTED_SCHEMA = pa.schema(
    [pa.field("customer_id", pa.string(), nullable=False), pa.field("pain", pa.int32(), False)]
)


def draw_customers(
    ctx: Context, rng: np.random.Generator, n: int, urng: np.random.Generator
) -> Customers:
    """Draw the per-customer state of ``n`` customers (churn and unsubscribes still open);
    who uses the initiatives' touchpoints comes from ``urng``."""
    cfg = ctx.cfg
    seg = choice(rng, ctx.seg_share, n)
    de = rng.random(n) < ctx.de_share
    signup = ctx.first_signup_day + np.floor(
        rng.random(n) * (ctx.as_of_day - ctx.first_signup_day + 1)
    ).astype(np.int64)
    u = rng.normal(0.0, cfg.experience_sd, n)
    uses = np.zeros((n, len(ctx.initiatives)), dtype=bool)
    for j, ini in enumerate(ctx.initiatives):
        uses[:, j] = urng.random(n) < ini.users_share
    affected = np.zeros((n, len(ctx.pains)), dtype=bool)
    for k, cell in enumerate(ctx.pains):
        in_seg = np.ones(n, bool) if cell.seg < 0 else seg == cell.seg
        # A pain at an initiative's touchpoint can only hurt who uses it: it affects
        # ``share`` of all customers, drawn among the users (same draws as without users).
        user, q = tp_users(ctx, uses, cell.tp)
        affected[:, k] = in_seg & user & (rng.random(n) < cell.share / q)
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
        uses=uses,
        urng=urng,
    )


def tp_users(ctx: Context, uses: np.ndarray, tp: int) -> tuple[np.ndarray, float]:
    """Who may use touchpoint ``tp`` (the users of every initiative there; everyone at other
    touchpoints) and the share of customers they make up."""
    user = np.ones(len(uses), dtype=bool)
    q = 1.0
    for j, ini in enumerate(ctx.initiatives):
        if ini.tp == tp:
            user &= uses[:, j]
            q *= ini.users_share
    return user, q


def customers_table(
    ctx: Context, rng: np.random.Generator, cu: Customers, ids: pa.Array
) -> pa.Table:
    """The customers table as of the as-of date (lifecycle stage from signup and churn)."""
    churned = cu.churn_day >= 0
    since = ctx.as_of_day - cu.signup
    years_next = np.floor(since / 365.25) + 1
    to_anniv = cu.signup + np.round(years_next * 365.25) - ctx.as_of_day
    stage = np.where(
        churned,
        np.where(ctx.as_of_day - cu.churn_day <= 90, 3, 4),
        np.where(since < 90, 1, np.where(to_anniv <= 60, 2, 0)),
    )
    region = choice(rng, np.ones(len(REGIONS)), cu.n)
    return pa.table(
        {
            "customer_id": ids,
            "segment": strings(ctx.segments, cu.seg),
            "region": strings(list(REGIONS), region),
            "language": strings(["en", "de"], cu.de.astype(np.int64)),
            "signup_date": dates(cu.signup),
            "churn_date": dates(np.where(churned, cu.churn_day, 0), mask=~churned),
            "lifecycle_stage": strings([*LIFECYCLE, "churned"], stage),
        },
        schema=schema("customers"),
    )


def affected_table(cu: Customers, cust_ids: pa.Array) -> pa.Table:
    """(customer_id, pain) for every affected customer; ``pain`` indexes ``truth["pains"]``."""
    cust, pain = np.nonzero(cu.affected)
    return pa.table(
        [cust_ids.take(pa.array(cust)), pa.array(pain.astype(np.int32))], schema=AFFECTED_SCHEMA
    )
