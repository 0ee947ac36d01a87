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
* **Churn and NPS association**: strata = *bundle* (the set of products held) × segment. A
  customer-month (last ``window_months``, default 36) is *exposed* when the customer pays more
  (at the reference date) and the month falls in a tenure band that pays more (adjusted
  penalty above the tolerance, interval above zero). Monthly churn hazards of exposed and
  unexposed months become annual probabilities; their difference is computed within each
  stratum and averaged with exposed-month weights (standardised difference). NPS: responses
  in the window, exposed likewise at the response date, difference in NPS points within
  stratum, averaged with exposed-response weights. Naive = the same without strata.
* **Intervals**: Poisson bootstrap over customers for the tax and the band penalties, vectorised
  on the tenure bands: each resample's band sums are drawn from their exact bootstrap moments
  (:func:`cxo.stats.bootstrap.poisson_boot_normal`); normal intervals from within-stratum
  variances for the
  standardised differences.
* **Retention offer**: lowering every paying-more customer to the new-customer price costs the
  loyalty tax; it keeps (customers paying more) × (adjusted churn difference) × their annual
  revenue at the new price.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.core.messages import Finding, msg
from cxo.diagnostics._common import first_owner, has_values, require, share
from cxo.diagnostics.result import DiagnosticResult, Table
from cxo.stats import Estimate
from cxo.stats.bootstrap import moment_sql, percentile_estimate, poisson_boot_normal

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

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


def as_of_date(con: duckdb.DuckDBPyConnection) -> date:
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
    con: duckdb.DuckDBPyConnection,
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
        _association(con, res, as_of, bands, penalized, window_months, tolerance)
    _offer(res)
    for t in ("_ly_contract", "_ly_customer"):
        con.execute(f"drop table if exists {t}")
    return res


def _prepare(
    con: duckdb.DuckDBPyConnection,
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
        )
        select k.*, datediff('month', k.since, k.ref_date) as tenure_months,
               {_band_sql("datediff('month', k.since, k.ref_date)", bands)} as band,
               case when p.valid_to >= k.ref_date then p.new_customer_price end as list_price
        from k asof left join p on k.product = p.product and k.ref_date >= p.valid_from
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
               any_value(band) as band
        from _ly_contract where list_price is not null
        group by customer_id
        """
    )


def _share_paying_more(
    con: duckdb.DuckDBPyConnection, res: DiagnosticResult, labels: list[str]
) -> None:
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
    con: duckdb.DuckDBPyConnection, labels: list[str], n_boot: int, rng: np.random.Generator
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
    con: duckdb.DuckDBPyConnection,
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
    evidence = e.excludes_zero and e.value > 0 and tax.ci_low > 0
    res.findings.append(
        Finding(
            "loyalty_tax",
            msg(
                f"diagnostics.loyalty.tax.{'evidence' if evidence else 'none'}",
                band=b,
                value=e.value,
                low=e.ci_low,
                high=e.ci_high,
                tax=tax.value,
                tax_low=tax.ci_low,
                tax_high=tax.ci_high,
            ),
            evidence,
            e,
            "share",
        )
    )
    last = labels[-1]
    if last in naive and last in adjusted and first != len(labels) - 1:
        nv, adj = naive[last], adjusted[last]
        distorted = not nv.covers(adj.value)
        key = "diagnostics.loyalty.mix." + ("distorted" if distorted else "plain")
        res.findings.append(
            Finding("mix", msg(key, band=last, naive=nv.value, adjusted=adj.value), False)
        )
    return [labels.index(b) for b, e in adjusted.items() if e.value > tolerance and e.ci_low > 0]


def _missing_running() -> Exception:
    from cxo.errors import MissingDataError

    return MissingDataError(
        "the loyalty diagnostic needs running contracts whose product has a price-list row "
        "valid at the as-of date",
        hint="import the current price list with `cxo import price_list FILE`",
    )


def _std_difference(
    rows: list[tuple[Any, ...]],
) -> tuple[Estimate, Estimate]:
    """Naive and stratum-standardised difference (exposed − unexposed) of a mean.

    ``rows``: (stratum, exposed, n, Σy, Σy²). The adjusted difference averages the
    within-stratum differences with the exposed counts as weights (strata without both groups
    drop out); its variance is Σ w² (s1²/n1 + s0²/n0).
    """
    strata: dict[Any, dict[bool, tuple[float, float, float]]] = {}
    tot = {True: [0.0, 0.0, 0.0], False: [0.0, 0.0, 0.0]}
    for s, e, n, sy, syy in rows:
        strata.setdefault(s, {})[bool(e)] = (float(n), float(sy), float(syy))
        for j, v in enumerate((n, sy, syy)):
            tot[bool(e)][j] += float(v)

    def mv(n: float, sy: float, syy: float) -> tuple[float, float]:
        m = sy / n
        var = max(syy / n - m * m, 0.0) * n / max(n - 1, 1)
        return m, var / n

    if tot[True][0] == 0 or tot[False][0] == 0:
        nan = Estimate.missing(0)
        return nan, nan
    m1, v1 = mv(*tot[True])
    m0, v0 = mv(*tot[False])
    d = m1 - m0
    se = math.sqrt(v1 + v0)
    naive = Estimate.normal(d, se, int(tot[True][0] + tot[False][0]))
    num = var = wsum = 0.0
    n_used = 0
    for groups in strata.values():
        if True not in groups or False not in groups:
            continue
        a, b = mv(*groups[True]), mv(*groups[False])
        w = groups[True][0]
        num += w * (a[0] - b[0])
        var += w * w * (a[1] + b[1])
        wsum += w
        n_used += int(groups[True][0] + groups[False][0])
    if wsum == 0:
        return naive, Estimate.missing(0)
    d = num / wsum
    se = math.sqrt(var) / wsum
    return naive, Estimate.normal(d, se, n_used)


def _hazard_difference(
    rows: list[tuple[Any, ...]],
) -> tuple[Estimate, Estimate]:
    """Naive and stratum-standardised difference in *annual* churn probability.

    ``rows``: (stratum, exposed months, exposed churns, unexposed months, unexposed churns).
    Monthly hazards q = churns / months become annual probabilities 1 − (1 − q)^12; the
    adjusted difference averages the within-stratum differences weighted by exposed months,
    with delta-method variances (d p / d q = 12 (1 − q)^11, var q = q (1 − q) / months).
    """

    def annual(e: float, m: float) -> tuple[float, float]:
        q = e / m
        p = 1 - (1 - q) ** 12
        g = 12 * (1 - q) ** 11
        return p, g * g * q * (1 - q) / m

    tot = [0.0, 0.0, 0.0, 0.0]
    num = var = wsum = 0.0
    n_used = 0
    for _, m1, e1, m0, e0 in rows:
        m1, e1, m0, e0 = float(m1), float(e1), float(m0), float(e0)
        for j, v in enumerate((m1, e1, m0, e0)):
            tot[j] += v
        if m1 > 0 and m0 > 0:
            p1, v1 = annual(e1, m1)
            p0, v0 = annual(e0, m0)
            num += m1 * (p1 - p0)
            var += m1 * m1 * (v1 + v0)
            wsum += m1
            n_used += 1
    nan = Estimate.missing(0)
    if tot[0] == 0 or tot[2] == 0:
        return nan, nan
    p1, v1 = annual(tot[1], tot[0])
    p0, v0 = annual(tot[3], tot[2])
    se = math.sqrt(v1 + v0)
    naive = Estimate.normal(p1 - p0, se, int(tot[0] + tot[2]))
    if wsum == 0:
        return naive, nan
    d, se = num / wsum, math.sqrt(var) / wsum
    return naive, Estimate.normal(d, se, int(tot[0] + tot[2]))


def _penalized_bands(
    con: duckdb.DuckDBPyConnection, labels: list[str], penalized: list[int], tolerance: float
) -> list[int]:
    """Bands that pay more, judged on every contract at its reference date (running and
    ended), so a band without running contracts still counts."""
    for band, rel, n in con.execute(
        "select band, avg(monthly_price / nullif(list_price, 0) - 1), count(*) "
        "from _ly_contract where list_price is not null group by band"
    ).fetchall():
        i = labels.index(band)
        if i not in penalized and n >= 30 and rel is not None and rel > tolerance:
            penalized = [*penalized, i]
    return penalized


def _in_bands(template: str, ranges: list[tuple[int, int]], penalized: list[int], join: str) -> str:
    """SQL: ``template`` (with ``{lo}``/``{hi}``) for every penalized band, joined."""
    return f" {join} ".join(
        template.format(lo=lo, hi=hi) for i, (lo, hi) in enumerate(ranges) if i in penalized
    )


def _churn_rows(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    ranges: list[tuple[int, int]],
    penalized: list[int],
    window_months: int,
) -> list[tuple[Any, ...]]:
    """Per stratum: exposed months, exposed churns, unexposed months, unexposed churns."""
    d = f"DATE '{as_of.isoformat()}'"
    months_in_band = "greatest(0, least(ms + {hi}, me) - greatest(ms + {lo}, lo) + 1)"
    pen_months = _in_bands(months_in_band, ranges, penalized, "+") or "0"
    pen_at_end = _in_bands("(me - ms between {lo} and {hi})", ranges, penalized, "or") or "false"
    mw = f"(year({d}) * 12 + month({d}) - {window_months - 1})"
    return con.execute(
        f"""
        with c as (
            select bundle, segment, pays_more,
                   year(since) * 12 + month(since) as ms,
                   case when churn_date is not null and churn_date <= {d}
                        then year(churn_date) * 12 + month(churn_date)
                        else year({d}) * 12 + month({d}) end as me,
                   churn_date is not null and churn_date <= {d} as churned
            from _ly_customer
        ), w as (
            select *, greatest(ms, {mw}) as lo from c
        ), x as (
            select bundle || ' | ' || segment as stratum, churned and me >= lo as event,
                   greatest(me - lo + 1, 0) as months,
                   case when pays_more then {pen_months} else 0 end as exp_months,
                   pays_more and ({pen_at_end}) as exp_event
            from w where me >= lo
        )
        select stratum, sum(exp_months),
               sum(case when event and exp_event then 1 else 0 end),
               sum(months - exp_months),
               sum(case when event and not exp_event then 1 else 0 end)
        from x group by stratum
        """
    ).fetchall()


def _nps_rows(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    ranges: list[tuple[int, int]],
    penalized: list[int],
    window_months: int,
) -> list[tuple[Any, ...]]:
    """Per stratum × exposed: responses, Σ NPS points, Σ points²."""
    d = f"DATE '{as_of.isoformat()}'"
    in_band = "(datediff('month', c.since, r.responded_at::date) between {lo} and {hi})"
    band_at = _in_bands(in_band, ranges, penalized, "or") or "false"
    return con.execute(
        f"""
        with r as (
            select customer_id, responded_at,
                   case when nps >= 9 then 100.0 when nps <= 6 then -100.0 else 0.0 end as pts
            from responses
            where nps is not null and customer_id is not null
              and responded_at >= {d} - interval {window_months} month
        )
        select c.bundle || ' | ' || c.segment, c.pays_more and ({band_at}) as exposed,
               count(*), sum(r.pts), sum(r.pts * r.pts)
        from r join _ly_customer c using (customer_id)
        group by all
        """
    ).fetchall()


def _association(
    con: duckdb.DuckDBPyConnection,
    res: DiagnosticResult,
    as_of: date,
    bands: tuple[int, ...],
    penalized: list[int],
    window_months: int,
    tolerance: float,
) -> None:
    """Churn and NPS of customers paying more vs not, naive and within bundle × segment."""
    labels = band_labels(bands)
    penalized = _penalized_bands(con, labels, penalized, tolerance)
    edges = [0, *[e + 1 for e in bands]]  # first tenure month of each band
    ranges = [
        (edges[i], (edges[i + 1] - 1) if i + 1 < len(edges) else 10**6) for i in range(len(edges))
    ]
    naive_c, adj_c = _hazard_difference(_churn_rows(con, as_of, ranges, penalized, window_months))
    res.figures["churn_difference_naive"] = naive_c.to_dict()
    res.figures["churn_difference_adjusted"] = adj_c.to_dict()
    table_rows: list[list[Any]] = [["annual churn probability", naive_c, adj_c]]
    nps_est: tuple[Estimate, Estimate] | None = None
    if has_values(con, "responses", "nps"):
        nps_rows = _nps_rows(con, as_of, ranges, penalized, window_months)
        if nps_rows:
            nps_est = _std_difference(nps_rows)
            res.figures["nps_difference_naive"] = nps_est[0].to_dict()
            res.figures["nps_difference_adjusted"] = nps_est[1].to_dict()
            table_rows.append(["NPS (points)", nps_est[0], nps_est[1]])
    res.tables.append(
        Table(
            "association",
            msg("diagnostics.loyalty.table.association"),
            ["outcome", "naive_difference", "adjusted_difference"],
            table_rows,
        )
    )
    res.findings.append(_churn_finding(naive_c, adj_c))
    if nps_est is not None and math.isfinite(nps_est[1].value):
        res.findings.append(_nps_finding(*nps_est))
    # inputs for the retention offer: running customers paying more
    row = con.execute(
        "select count(*), sum(tax), sum(list_price) from _ly_customer where running and pays_more"
    ).fetchone()
    n_more, tax_more, list_more = row or (0, 0.0, 0.0)
    res.figures["_offer_inputs"] = {
        "customers_paying_more": int(n_more or 0),
        "tax_per_month": float(tax_more or 0.0),
        "revenue_per_month_at_list": float(list_more or 0.0),
    }


def _churn_finding(naive: Estimate, adj: Estimate) -> Finding:
    if not math.isfinite(adj.value):
        return Finding("churn", msg("diagnostics.loyalty.churn.no_groups"), False)
    evidence = adj.excludes_zero and adj.value > 0
    return Finding(
        "churn",
        msg(
            f"diagnostics.loyalty.churn.{'evidence' if evidence else 'none'}",
            value=adj.value,
            low=adj.ci_low,
            high=adj.ci_high,
            naive=naive.value,
        ),
        evidence,
        adj,
        "share",
    )


def _nps_finding(naive: Estimate, adj: Estimate) -> Finding:
    evidence = adj.excludes_zero and adj.value < 0
    return Finding(
        "nps",
        msg(
            f"diagnostics.loyalty.nps.{'evidence' if evidence else 'none'}",
            value=adj.value,
            low=adj.ci_low,
            high=adj.ci_high,
            naive=naive.value,
        ),
        evidence,
        adj,
        "NPS points",
    )


def _offer(res: DiagnosticResult) -> None:
    """The retention offer closing the gap: its annual cost against the revenue it keeps."""
    inputs = res.figures.pop("_offer_inputs", None)
    churn = res.figures.get("churn_difference_adjusted")
    if not inputs or not churn or churn.get("value") is None or churn.get("ci_low") is None:
        return
    n = inputs["customers_paying_more"]
    cost = 12 * inputs["tax_per_month"]
    annual_rev = 12 * inputs["revenue_per_month_at_list"]
    kept = Estimate(
        value=annual_rev * churn["value"],
        ci_low=annual_rev * churn["ci_low"],
        ci_high=annual_rev * churn["ci_high"],
    )
    net = kept.shifted(-cost)
    res.figures["retention_offer"] = {
        "customers": n,
        "cost_per_year": cost,
        "revenue_kept_per_year": kept.to_dict(),
        "net_per_year": net.to_dict(),
    }
    res.tables.append(
        Table(
            "retention_offer",
            msg("diagnostics.loyalty.table.retention_offer"),
            ["customers_paying_more", "cost_per_year", "revenue_kept_per_year", "net_per_year"],
            [[n, cost, kept, net]],
        )
    )
    verdict = "pays" if net.ci_low > 0 else "does_not_pay" if net.ci_high < 0 else "may_pay"
    res.findings.append(
        Finding(
            "retention_offer",
            msg(
                f"diagnostics.loyalty.offer.{verdict}",
                customers=n,
                cost=cost,
                kept=kept.value,
                kept_low=kept.ci_low,
                kept_high=kept.ci_high,
            ),
            net.ci_low > 0,
            net,
            res.currency,
        )
    )
