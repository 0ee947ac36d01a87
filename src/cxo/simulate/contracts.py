"""What the customers pay: the contracts and the price list (loyalty penalty by tenure band)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cxo.simulate.columns import Counters, choice, dates, make_ids, schema, strings
from cxo.simulate.context import SALES_CHANNELS, Context, band_of, month_index
from cxo.simulate.state import Customers
from cxo.simulate.truth import Acc


def contracts_table(
    ctx: Context,
    rng: np.random.Generator,
    cu: Customers,
    cust_ids: pa.Array,
    counters: Counters,
    acc: Acc,
    index: int,
) -> tuple[pa.Table, pa.Table]:
    """The contracts (main product and add-ons) with loyalty-priced monthly prices, and the
    price list (written by chunk 0 only); adds the loyalty truth."""
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
    sales = choice(rng, np.array([w for _, w in SALES_CHANNELS]), cu.n)[c]
    nums = counters.take("contracts", len(c))
    table = pa.table(
        {
            "contract_id": make_ids("contracts", nums),
            "customer_id": cust_ids.take(pa.array(c)),
            "product": strings(ctx.products, p),
            "start_date": dates(cu.signup[c]),
            "end_date": dates(np.where(churned, cu.churn_day[c], 0), mask=~churned),
            "monthly_price": pa.array(price, pa.float64()),
            "channel": strings([s for s, _ in SALES_CHANNELS], sales),
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
    price_list = price_list_table(ctx) if index == 0 else schema("price_list").empty_table()
    return table, price_list


def price_list_table(ctx: Context) -> pa.Table:
    """Every product's new-customer price history."""
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
            "valid_from": dates(np.array(vf)),
            "valid_to": dates(np.where(vt_arr < 0, 0, vt_arr), mask=vt_arr < 0),
            "new_customer_price": pa.array(price, pa.float64()),
        },
        schema=schema("price_list"),
    )
