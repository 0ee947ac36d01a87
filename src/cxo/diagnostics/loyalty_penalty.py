"""Loyalty penalty: existing customers paying more than today's new-customer price.

Definitions (also in the result's ``assumptions``):

* **As-of date**: a parameter, else the latest date in the data (contract starts, price-list
  validity starts, sign-ups and churn dates; contract *ends* are ignored because they may lie
  in the future).
* **Gap** of a contract: ``monthly_price`` minus the ``new_customer_price`` of the *same
  product* valid at the reference date (as-of date for running contracts, end date for ended
  ones). A customer *pays more* when the sum of their prices exceeds the sum of the list prices
  of their products by more than ``tolerance`` (default 1 %).
* **Loyalty tax**: Σ of positive gaps over running contracts, per month, in currency.
* **Penalty by tenure band**: naive = mean price paid in the band ÷ mean price paid in the
  first band − 1 (ignores which product); adjusted = mean over the band's contracts of
  price ÷ list price of the same product − 1 (compares within product, weights = the band's
  product mix).
* **Churn and NPS association** (:mod:`.loyalty_association`, where the estimand is written
  out): the difference in annual churn between customers paying more than the new-customer
  price and those who do not, **within the same bundle and tenure band** (adjusted: direct
  standardisation to the exposed customer-months, normal interval), next to the crude
  (naive) difference; NPS likewise.
* **Intervals**: Poisson bootstrap over customers for the tax and the band penalties, vectorised
  on the tenure bands: each resample's band sums are drawn from their exact bootstrap moments
  (:func:`cxo.stats.bootstrap.poisson_boot_normal`).
* **Retention offer**: lowering every paying-more customer to the new-customer price costs the
  loyalty tax; it keeps (customers paying more) × (adjusted churn difference) × their annual
  revenue at the new price (a negative difference puts that revenue at risk instead).
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.core.messages import Finding, msg
from cxo.core.verdicts import verdict
from cxo.diagnostics._common import first_owner, has_values, require, share
from cxo.diagnostics.loyalty_association import association, offer
from cxo.diagnostics.result import DiagnosticResult, Table
from cxo.engine.sql import months_between
from cxo.stats import Estimate
from cxo.stats.bootstrap import moment_sql, percentile_estimate, poisson_boot_normal

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.engine.sql import Runner

LOYALTY_TOUCHPOINTS = ("renewal", "contract_change", "billing", "checkout")
DEFAULT_BANDS = (12, 24)
"""Upper edges (months, inclusive) of the tenure bands: 0-12, 13-24, 25+."""
BOOT_STATS = ("p", "r", "n")
"""Per-band statistics of the bootstrap: Σ price, Σ relative premium, contracts."""


def band_labels(edges: tuple[int, ...]) -> list[str]:
    """Labels of the tenure bands for ``edges``, e.g. ``["0-12", "13-24", "25+"]``."""
    labels, lo = [], 0
    for e in edges:
        labels.append(f"{lo}-{e}")
        lo = e + 1
    labels.append(f"{lo}+")
    return labels


def _band_sql(expr: str, edges: tuple[int, ...]) -> str:
    labels = band_labels(edges)
    parts = [f"when {expr} <= {e} then '{labels[i]}'" for i, e in enumerate(edges)]
    return f"case {' '.join(parts)} else '{labels[-1]}' end"


def as_of_date(con: Runner) -> date:
    """The latest date in the data relevant to the loyalty diagnostic."""
    parts = ["select max(start_date) as d from contracts", "select max(valid_from) from price_list"]
    if has_values(con, "customers", "signup_date"):
        parts.append("select max(signup_date) from customers")
    if has_values(con, "customers", "churn_date"):
        parts.append("select max(churn_date) from customers")
    row = con.execute(f"select max(d) from ({' union all '.join(parts)})").fetchone()
    if row is None or row[0] is None:
        raise ValueError("no dates in contracts")
    value: date = row[0]
    return value


def run(
    con: Runner,
    charter: Charter,
    *,
    language: str = "de",
    currency: str = "EUR",
    as_of: date | None = None,
    bands: tuple[int, ...] = DEFAULT_BANDS,
    tolerance: float = 0.01,
    n_boot: int = 400,
    seed: int = 0,
    window_months: int = 36,
) -> DiagnosticResult:
    """The loyalty-penalty diagnostic over an open connection."""
    require(con, "loyalty", "contracts", ("customer_id", "product", "start_date", "monthly_price"))
    require(con, "loyalty", "price_list", ("product", "valid_from", "new_customer_price"))
    have_customers = has_values(con, "customers", "signup_date")
    as_of = as_of or as_of_date(con)
    owner = first_owner(charter, LOYALTY_TOUCHPOINTS)
    res = DiagnosticResult("loyalty", owner, language=language, currency=currency)
    res.figures["as_of"] = as_of.isoformat()
    res.assumptions += [
        msg("diagnostics.loyalty.assumption.as_of", as_of=as_of),
        msg("diagnostics.loyalty.assumption.paying_more", tolerance=tolerance),
        msg("diagnostics.loyalty.assumption.adjusted"),
        msg("diagnostics.loyalty.assumption.churn", window_months=window_months),
        msg("diagnostics.loyalty.assumption.intervals", n_boot=n_boot, seed=seed),
    ]
    _prepare(con, as_of, bands, tolerance, have_customers)
    unmatched = con.execute("select count(*) from _ly_contract where list_price is null").fetchone()
    res.figures["contracts_without_list_price"] = int(unmatched[0]) if unmatched else 0
    rng = np.random.default_rng(seed)
    penalized = _penalty(con, res, bands, n_boot, rng, tolerance)
    if have_customers:
        labels = band_labels(bands)
        association(con, res, as_of, labels, bands, penalized, window_months, tolerance)
    offer(res)
    for t in ("_ly_contract", "_ly_customer"):
        con.execute(f"drop table if exists {t}")
    return res


def _prepare(
    con: Runner,
    as_of: date,
    bands: tuple[int, ...],
    tolerance: float,
    have_customers: bool,
) -> None:
    d = f"DATE '{as_of.isoformat()}'"
    join = "left join customers cu using (customer_id)" if have_customers else ""
    since = "coalesce(cu.signup_date, k.start_date)" if have_customers else "k.start_date"
    seg = "coalesce(cu.segment, '(none)')" if has_values(con, "customers", "segment") else "'(all)'"
    churn = "cu.churn_date" if have_customers else "null::date"
    tenure = months_between("k.since", "k.ref_date")
    con.execute(
        f"""
        create or replace temp table _ly_contract as
        with k as (
            select k.customer_id, k.product, k.start_date, k.monthly_price,
                   {seg} as segment, {since} as since, {churn} as churn_date,
                   case when k.end_date is not null and k.end_date <= {d}
                        then k.end_date else {d} end as ref_date,
                   (k.start_date <= {d} and (k.end_date is null or k.end_date > {d})) as running
            from contracts k {join}
            where k.start_date <= {d}
        ), p as (
            select product, valid_from, coalesce(valid_to, DATE '9999-12-31') as valid_to,
                   new_customer_price
            from price_list
        ), kp as (
            select distinct product, ref_date from k
        ), pick as (
            -- the price-list row in force at the reference date: the latest valid_from on or
            -- before it (an ASOF join, written as a window so every engine runs it)
            select kp.product, kp.ref_date, p.valid_to, p.new_customer_price,
                   row_number() over (
                       partition by kp.product, kp.ref_date
                       order by p.valid_from desc, p.valid_to desc, p.new_customer_price
                   ) as rn
            from kp join p on kp.product = p.product and kp.ref_date >= p.valid_from
        )
        select k.*, {tenure} as tenure_months,
               {_band_sql(tenure, bands)} as band,
               case when p.valid_to >= k.ref_date then p.new_customer_price end as list_price
        from k left join pick p
          on k.product = p.product and k.ref_date = p.ref_date and p.rn = 1
        """
    )
    con.execute(
        f"""
        create or replace temp table _ly_customer as
        select customer_id, any_value(segment) as segment, any_value(since) as since,
               any_value(churn_date) as churn_date, bool_or(running) as running,
               string_agg(product, '+' order by product) as bundle,
               sum(monthly_price) as price, sum(list_price) as list_price,
               sum(greatest(monthly_price - list_price, 0)) as tax,
               sum(monthly_price) > sum(list_price) * (1 + {tolerance}) as pays_more,
               arg_max(band, ref_date) as band
        from _ly_contract where list_price is not null
        group by customer_id
        """
    )


def _share_paying_more(con: Runner, res: DiagnosticResult, labels: list[str]) -> None:
    """Share of running customers paying more, by band × segment, and overall."""
    share_rows = con.execute(
        """
        select band, segment, count(*), sum(case when pays_more then 1 else 0 end), sum(tax)
        from _ly_customer where running group by all order by band, segment
        """
    ).fetchall()
    table_rows = [
        [b, s, int(n), share(float(x), float(n)), float(t)] for b, s, n, x, t in share_rows
    ]
    table_rows.sort(key=lambda r: (labels.index(r[0]) if r[0] in labels else 99, r[1]))
    n_all = sum(int(r[2]) for r in share_rows)
    x_all = sum(int(r[3]) for r in share_rows)
    res.figures["share_customers_paying_more"] = share(x_all, n_all).to_dict()
    res.tables.append(
        Table(
            "share_paying_more",
            msg("diagnostics.loyalty.table.share_paying_more"),
            ["tenure_band", "segment", "customers", "share_paying_more", "loyalty_tax_per_month"],
            table_rows,
        )
    )


def _band_sums(
    con: Runner, labels: list[str], n_boot: int, rng: np.random.Generator
) -> tuple[list[str], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Point sums and bootstrap draws of the band statistics (``p{i}``, ``r{i}``, ``n{i}``)
    and the tax.

    Poisson bootstrap over running customers: per band, the moments of the customer-level
    statistics (price, relative premium, contracts, tax) give each resample's band sums. The
    bands are drawn in a fixed order (label descending, the order DuckDB's hash aggregate
    usually returned them in), so the seeded intervals are reproducible.
    """
    k = len(labels)
    stat_cols = [f"{p}{i}" for i in range(k) for p in BOOT_STATS] + ["tax"]
    moments = con.execute(
        f"""
        with c as (
            select customer_id, any_value(band) as band, sum(monthly_price) as price,
                   sum(monthly_price / nullif(list_price, 0) - 1) as rel, count(*) as n,
                   sum(greatest(monthly_price - list_price, 0)) as tax
            from _ly_contract where running and list_price is not null
            group by customer_id
        )
        select band, {moment_sql(["price", "rel", "n", "tax"])} from c group by band
        order by band desc
        """
    )
    cols = [d[0] for d in moments.description]
    moment_rows = [dict(zip(cols, r, strict=True)) for r in moments.fetchall()]
    if not moment_rows:
        raise _missing_running()
    band_draws = poisson_boot_normal(moment_rows, 4, n_boot, rng)
    point = np.zeros(len(stat_cols))
    draws = np.zeros((n_boot, len(stat_cols)))
    for g, r in enumerate(moment_rows):
        i = labels.index(r["band"])
        for j, p in enumerate(BOOT_STATS):
            point[stat_cols.index(f"{p}{i}")] = float(r[f"s{j}"])
            draws[:, stat_cols.index(f"{p}{i}")] = band_draws[:, g, j]
        point[-1] += float(r["s3"])
        draws[:, -1] += band_draws[:, g, 3]
    return stat_cols, point, draws


def _band_penalties(
    labels: list[str],
    stat_cols: list[str],
    point: np.ndarray[Any, Any],
    draws: np.ndarray[Any, Any],
) -> tuple[int, dict[str, Estimate], dict[str, Estimate], list[list[Any]]]:
    """Adjusted (within product) and naive (vs the first band) penalty of each band.

    Returns the index of the first band with contracts, the two dicts and the table rows.
    """

    def col(name: str) -> int:
        return stat_cols.index(name)

    first = next((i for i in range(len(labels)) if point[col(f"n{i}")] > 0), 0)
    base_mean = point[col(f"p{first}")] / point[col(f"n{first}")]
    base_n = draws[:, col(f"n{first}")]
    base_draw = draws[:, col(f"p{first}")] / np.where(base_n > 0, base_n, np.nan)
    band_rows: list[list[Any]] = []
    adjusted: dict[str, Estimate] = {}
    naive: dict[str, Estimate] = {}
    for i, lb in enumerate(labels):
        n = point[col(f"n{i}")]
        if n == 0:
            continue
        nd = np.where(draws[:, col(f"n{i}")] > 0, draws[:, col(f"n{i}")], np.nan)
        adj = percentile_estimate(
            float(point[col(f"r{i}")] / n), draws[:, col(f"r{i}")] / nd, int(n)
        )
        nv_point = float(point[col(f"p{i}")] / n / base_mean - 1) if base_mean else math.nan
        nv = percentile_estimate(nv_point, draws[:, col(f"p{i}")] / nd / base_draw - 1, int(n))
        adjusted[lb], naive[lb] = adj, nv
        band_rows.append([lb, int(n), nv, adj])
    return first, adjusted, naive, band_rows


def _penalty(
    con: Runner,
    res: DiagnosticResult,
    bands: tuple[int, ...],
    n_boot: int,
    rng: np.random.Generator,
    tolerance: float,
) -> list[int]:
    """Band penalties and the tax; returns the indices of the bands that pay more."""
    labels = band_labels(bands)
    _share_paying_more(con, res, labels)
    stat_cols, point, draws = _band_sums(con, labels, n_boot, rng)
    tax = percentile_estimate(float(point[-1]), draws[:, -1])
    res.figures["loyalty_tax_per_month"] = tax.to_dict()
    res.figures["loyalty_tax_per_year"] = tax.scaled(12).to_dict()
    first, adjusted, naive, band_rows = _band_penalties(labels, stat_cols, point, draws)
    res.tables.append(
        Table(
            "penalty_by_band",
            msg("diagnostics.loyalty.table.penalty_by_band"),
            ["tenure_band", "contracts", "naive_vs_first_band", "adjusted_within_product"],
            band_rows,
        )
    )
    res.figures["penalty_by_tenure_band"] = {b: e.to_dict() for b, e in adjusted.items()}
    res.figures["naive_penalty_by_tenure_band"] = {b: e.to_dict() for b, e in naive.items()}
    b, e = max(adjusted.items(), key=lambda kv: kv[1].value)
    res.findings.append(tax_finding(b, e, tax))
    last = labels[-1]
    if last in naive and last in adjusted and first != len(labels) - 1:
        nv, adj = naive[last], adjusted[last]
        distorted = not nv.covers(adj.value)
        key = "diagnostics.loyalty.mix." + ("distorted" if distorted else "plain")
        res.findings.append(
            Finding("mix", msg(key, band=last, naive=nv.value, adjusted=adj.value), False)
        )
    return [labels.index(b) for b, e in adjusted.items() if e.value > tolerance and e.ci_low > 0]


def tax_finding(band: str, highest: Estimate, tax: Estimate) -> Finding:
    """The headline: the tenure band paying most above the new-customer price, and the tax."""
    key = tax_key(highest)
    params = {
        "band": band,
        "value": highest.value,
        "low": highest.ci_low,
        "high": highest.ci_high,
        "tax": tax.value,
        "tax_low": tax.ci_low,
        "tax_high": tax.ci_high,
    }
    return Finding("loyalty_tax", msg(key, **params), key.endswith("evidence"), highest, "share")


def tax_key(highest: Estimate) -> str:
    """Catalogue key of the headline: the band paying most pays more than new customers
    (``evidence``), even it pays less (``opposite``), or no band differs clearly (``none``)."""
    v = verdict(highest, expected=1)
    return "diagnostics.loyalty.tax." + ("none" if v == "missing" else v)


def _missing_running() -> Exception:
    from cxo.errors import MissingDataError

    return MissingDataError(
        "the loyalty diagnostic needs running contracts whose product has a price-list row "
        "valid at the as-of date",
        hint="import the current price list with `cxo import price_list FILE`",
    )
