"""Loyalty penalty, part two: is paying more associated with churn and NPS, and does closing
the gap pay?

**Estimand (churn).** The difference in annual churn probability between customers paying
above today's new-customer price for the same products (*exposed*) and customers who do not,
**within the same bundle (set of products held) and the same tenure band**:

* unit: a customer-month of the last ``window_months`` months (default 36) in which the
  customer was active; its tenure band is the band of *that month*;
* exposed: the customer pays more at the reference date and the month lies in a tenure band
  that pays more (adjusted penalty above the tolerance); every other month is unexposed;
* outcome: monthly churn hazard q = churns / months, reported as the annual probability
  1 − (1 − q)¹²;
* **adjusted** = direct standardisation to the exposed: the within-stratum differences
  (stratum = bundle × tenure band) averaged with the exposed months of each stratum as
  weights; strata without both groups drop out (``exposed_months_compared`` says how much of
  the exposed time is compared). Variance Σ w² (v₁ + v₀) / (Σ w)² with delta-method variances
  v = (12 (1 − q)¹¹)² q (1 − q) / months; normal 95 % interval.
* **naive** = the same difference over all months, without strata.

Why the strata include the tenure band: churn falls with tenure in most businesses, and
paying more is a long-tenure phenomenon. Without the band, the exposed months (long tenure,
low baseline churn) are compared with unexposed months that include every customer's
high-churn first year, and the association comes out negative even when, in every tenure
band, customers paying more churn more (the sign reversal of issue 16).

NPS: responses in the window, exposed likewise at the response date, difference in NPS
points within bundle × tenure band at the response, averaged with exposed-response weights.

**Retention offer**: lowering every paying-more customer to the new-customer price costs the
loyalty tax; by the adjusted churn difference it keeps (or, if paying more goes with *lower*
churn, puts at risk) their annual revenue at the new price × the difference.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

from cxo.core.messages import Finding, msg
from cxo.core.verdicts import money_sign, verdict
from cxo.diagnostics._common import has_values
from cxo.diagnostics.result import DiagnosticResult, Table
from cxo.engine.sql import months_between
from cxo.stats import Estimate

if TYPE_CHECKING:
    from cxo.engine.sql import Runner

ESTIMAND = {
    "outcome": "annual_churn_probability",
    "contrast": "paying_more_minus_not",
    "strata": ["bundle", "tenure_band"],
    "adjustment": "direct_standardisation",
    "weights": "exposed_customer_months",
    "interval": "normal_delta_method",
}
"""The churn estimand as data (the words are ``diagnostics.loyalty.assumption.estimand``)."""


def _annual(events: float, months: float) -> tuple[float, float]:
    """Annual churn probability from a monthly hazard, and its delta-method variance."""
    q = events / months
    g = 12 * (1 - q) ** 11
    return 1 - (1 - q) ** 12, g * g * q * (1 - q) / months


def hazard_difference(rows: list[tuple[Any, ...]]) -> tuple[Estimate, Estimate]:
    """Naive and directly standardised difference in *annual* churn probability.

    ``rows``: (stratum, exposed months, exposed churns, unexposed months, unexposed churns).
    Naive: pooled hazards of all exposed vs all unexposed months. Adjusted: within each
    stratum with both groups, d = p₁ − p₀ (annual probabilities); weighted mean of d with the
    exposed months as weights; se = √(Σ w² (v₁ + v₀)) / Σ w.

    >>> naive, adj = hazard_difference([("a", 100, 2, 100, 1)])
    >>> round(adj.value, 4) == round(naive.value, 4)
    True
    """
    tot = [0.0, 0.0, 0.0, 0.0]
    num = var = wsum = 0.0
    for _, m1, e1, m0, e0 in rows:
        m1, e1, m0, e0 = float(m1), float(e1), float(m0), float(e0)
        for j, v in enumerate((m1, e1, m0, e0)):
            tot[j] += v
        if m1 > 0 and m0 > 0:
            p1, v1 = _annual(e1, m1)
            p0, v0 = _annual(e0, m0)
            num += m1 * (p1 - p0)
            var += m1 * m1 * (v1 + v0)
            wsum += m1
    nan = Estimate.missing(0)
    if tot[0] == 0 or tot[2] == 0:
        return nan, nan
    p1, v1 = _annual(tot[1], tot[0])
    p0, v0 = _annual(tot[3], tot[2])
    naive = Estimate.normal(p1 - p0, math.sqrt(v1 + v0), int(tot[0] + tot[2]))
    if wsum == 0:
        return naive, nan
    return naive, Estimate.normal(num / wsum, math.sqrt(var) / wsum, int(tot[0] + tot[2]))


def std_difference(rows: list[tuple[Any, ...]]) -> tuple[Estimate, Estimate]:
    """Naive and stratum-standardised difference (exposed − unexposed) of a mean.

    ``rows``: (stratum, exposed, n, Σy, Σy²). The adjusted difference averages the
    within-stratum differences with the exposed counts as weights (strata without both groups
    drop out); its variance is Σ w² (s1²/n1 + s0²/n0) / (Σ w)².
    """
    strata: dict[Any, dict[bool, tuple[float, float, float]]] = {}
    tot = {True: [0.0, 0.0, 0.0], False: [0.0, 0.0, 0.0]}
    for s, e, n, sy, syy in rows:
        strata.setdefault(s, {})[bool(e)] = (float(n), float(sy), float(syy))
        for j, v in enumerate((n, sy, syy)):
            tot[bool(e)][j] += float(v)

    def mv(n: float, sy: float, syy: float) -> tuple[float, float]:
        m = sy / n
        return m, max(syy / n - m * m, 0.0) * n / max(n - 1, 1) / n

    if tot[True][0] == 0 or tot[False][0] == 0:
        nan = Estimate.missing(0)
        return nan, nan
    m1, v1 = mv(*tot[True])
    m0, v0 = mv(*tot[False])
    naive = Estimate.normal(m1 - m0, math.sqrt(v1 + v0), int(tot[True][0] + tot[False][0]))
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
    return naive, Estimate.normal(num / wsum, math.sqrt(var) / wsum, n_used)


def penalized_bands(
    con: Runner, labels: list[str], penalized: list[int], tolerance: float
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


def _bands_sql(labels: list[str], ranges: list[tuple[int, int]], penalized: list[int]) -> str:
    """SQL ``values`` list of the bands: label, first and last tenure month, pays more."""
    rows = [
        f"('{lb}', {lo}, {hi}, {'true' if i in penalized else 'false'})"
        for i, (lb, (lo, hi)) in enumerate(zip(labels, ranges, strict=True))
    ]
    return f"(values {', '.join(rows)}) as b(band, blo, bhi, pen)"


def churn_rows(
    con: Runner,
    as_of: date,
    labels: list[str],
    ranges: list[tuple[int, int]],
    penalized: list[int],
    window_months: int,
) -> list[tuple[Any, ...]]:
    """Per bundle × tenure band (of the month): band, exposed months, exposed churns,
    unexposed months, unexposed churns (months of the window in which the customer was
    active; the churn month counts)."""
    d = f"DATE '{as_of.isoformat()}'"
    mw = f"(year({d}) * 12 + month({d}) - {window_months - 1})"
    return con.execute(
        f"""
        with c as (
            select bundle, pays_more, year(since) * 12 + month(since) as ms,
                   case when churn_date is not null and churn_date <= {d}
                        then year(churn_date) * 12 + month(churn_date)
                        else year({d}) * 12 + month({d}) end as me,
                   churn_date is not null and churn_date <= {d} as churned
            from _ly_customer
        ), w as (
            select *, greatest(ms, {mw}) as lo from c
        ), x as (
            select w.bundle, b.band, w.pays_more and b.pen as exposed,
                   greatest(0, least(w.ms + b.bhi, w.me) - greatest(w.ms + b.blo, w.lo) + 1)
                       as months,
                   w.churned and (w.me - w.ms) between b.blo and b.bhi as event
            from w cross join {_bands_sql(labels, ranges, penalized)}
            where w.me >= w.lo
        )
        select bundle || ' | ' || band, band,
               sum(case when exposed then months else 0 end),
               sum(case when exposed and event then 1 else 0 end),
               sum(case when not exposed then months else 0 end),
               sum(case when not exposed and event then 1 else 0 end)
        from x where months > 0 group by all order by all
        """
    ).fetchall()


def nps_rows(
    con: Runner,
    as_of: date,
    labels: list[str],
    ranges: list[tuple[int, int]],
    penalized: list[int],
    window_months: int,
) -> list[tuple[Any, ...]]:
    """Per bundle × tenure band at the response × exposed: responses, Σ NPS points, Σ points²."""
    d = f"DATE '{as_of.isoformat()}'"
    return con.execute(
        f"""
        with r as (
            select customer_id, responded_at,
                   case when nps >= 9 then 100.0 when nps <= 6 then -100.0 else 0.0 end as pts
            from responses
            where nps is not null and customer_id is not null
              and responded_at >= {d} - interval {window_months} month
        )
        select c.bundle || ' | ' || b.band, c.pays_more and b.pen as exposed,
               count(*), sum(r.pts), sum(r.pts * r.pts)
        from r join _ly_customer c using (customer_id)
        join {_bands_sql(labels, ranges, penalized)}
          on {months_between("c.since", "r.responded_at::date")} between b.blo and b.bhi
        group by all
        """
    ).fetchall()


def _by_band(rows: list[tuple[Any, ...]], labels: list[str]) -> list[list[Any]]:
    """Per tenure band: months of both groups, their annual churn and the difference within
    the band (standardised over bundles)."""
    out: list[list[Any]] = []
    for lb in labels:
        sub = [r for r in rows if r[1] == lb]
        m1, e1 = sum(float(r[2]) for r in sub), sum(float(r[3]) for r in sub)
        m0, e0 = sum(float(r[4]) for r in sub), sum(float(r[5]) for r in sub)
        if m1 == 0 and m0 == 0:
            continue
        p1 = Estimate.normal(*_rate(e1, m1), n=int(m1)) if m1 else Estimate.missing(0)
        p0 = Estimate.normal(*_rate(e0, m0), n=int(m0)) if m0 else Estimate.missing(0)
        _, adj = hazard_difference([(r[0], *r[2:]) for r in sub])
        out.append([lb, int(m1), int(m0), p1, p0, adj])
    return out


def _rate(events: float, months: float) -> tuple[float, float]:
    p, v = _annual(events, months)
    return p, math.sqrt(v)


def association(
    con: Runner,
    res: DiagnosticResult,
    as_of: date,
    labels: list[str],
    bands: tuple[int, ...],
    penalized: list[int],
    window_months: int,
    tolerance: float,
) -> None:
    """Churn and NPS of customers paying more vs not: naive and within bundle × tenure band."""
    penalized = penalized_bands(con, labels, penalized, tolerance)
    edges = [0, *[e + 1 for e in bands]]  # first tenure month of each band
    ranges = [
        (edges[i], (edges[i + 1] - 1) if i + 1 < len(edges) else 10**6) for i in range(len(edges))
    ]
    crows = churn_rows(con, as_of, labels, ranges, penalized, window_months)
    naive_c, adj_c = hazard_difference([(r[0], *r[2:]) for r in crows])
    res.figures["churn_difference_naive"] = naive_c.to_dict()
    res.figures["churn_difference_adjusted"] = adj_c.to_dict()
    exposed = sum(float(r[2]) for r in crows)
    compared = sum(float(r[2]) for r in crows if float(r[2]) > 0 and float(r[4]) > 0)
    res.figures["churn_association"] = {
        **ESTIMAND,
        "window_months": window_months,
        "naive": naive_c.to_dict(),
        "adjusted": adj_c.to_dict(),
        "exposed_months": int(exposed),
        "exposed_months_compared": int(compared),
    }
    res.assumptions.append(msg("diagnostics.loyalty.assumption.estimand"))
    res.tables.append(
        Table(
            "churn_by_band",
            msg("diagnostics.loyalty.table.churn_by_band"),
            [
                "tenure_band",
                "months_paying_more",
                "months_not",
                "annual_churn_paying_more",
                "annual_churn_not",
                "difference_within_bundle",
            ],
            _by_band(crows, labels),
        )
    )
    table_rows: list[list[Any]] = [["annual_churn", naive_c, adj_c]]
    nps_est: tuple[Estimate, Estimate] | None = None
    if has_values(con, "responses", "nps"):
        nrows = nps_rows(con, as_of, labels, ranges, penalized, window_months)
        if nrows:
            nps_est = std_difference(nrows)
            res.figures["nps_difference_naive"] = nps_est[0].to_dict()
            res.figures["nps_difference_adjusted"] = nps_est[1].to_dict()
            table_rows.append(["nps_points", nps_est[0], nps_est[1]])
    res.tables.append(
        Table(
            "association",
            msg("diagnostics.loyalty.table.association"),
            ["outcome", "naive_difference", "adjusted_difference"],
            table_rows,
        )
    )
    res.findings.append(churn_finding(naive_c, adj_c))
    if nps_est is not None and math.isfinite(nps_est[1].value):
        res.findings.append(nps_finding(*nps_est))
    row = con.execute(
        "select count(*), sum(tax), sum(list_price) from _ly_customer where running and pays_more"
    ).fetchone()
    n_more, tax_more, list_more = row or (0, 0.0, 0.0)
    res.figures["_offer_inputs"] = {
        "customers_paying_more": int(n_more or 0),
        "tax_per_month": float(tax_more or 0.0),
        "revenue_per_month_at_list": float(list_more or 0.0),
    }


def churn_key(naive: Estimate, adj: Estimate) -> str:
    """Catalogue key of the churn finding: paying more goes with more churn (``evidence``),
    with less (``opposite``), no evidence either way (``none``), or no comparison within
    bundle × tenure band (``no_groups``; ``no_groups_naive`` when the crude one exists)."""
    v = verdict(adj, expected=1)
    if v == "missing":
        return "diagnostics.loyalty.churn.no_groups" + (
            "_naive" if verdict(naive, expected=1) != "missing" else ""
        )
    return f"diagnostics.loyalty.churn.{v}"


def churn_finding(naive: Estimate, adj: Estimate) -> Finding:
    """The churn finding: adjusted and naive side by side."""
    key = churn_key(naive, adj)
    if key.endswith("no_groups"):
        return Finding("churn", msg(key), False)
    if key.endswith("no_groups_naive"):
        params = {"naive": naive.value, "naive_low": naive.ci_low, "naive_high": naive.ci_high}
        return Finding("churn", msg(key, **params), False)
    params = {
        "value": adj.value,
        "low": adj.ci_low,
        "high": adj.ci_high,
        "naive": naive.value,
        "naive_low": naive.ci_low,
        "naive_high": naive.ci_high,
    }
    return Finding("churn", msg(key, **params), key.endswith("evidence"), adj, "share")


def nps_key(adj: Estimate) -> str:
    """Catalogue key of the NPS finding (the expected direction is *lower* NPS)."""
    v = verdict(adj, expected=-1)
    return "diagnostics.loyalty.nps." + ("none" if v == "missing" else v)


def nps_finding(naive: Estimate, adj: Estimate) -> Finding:
    """The NPS finding: adjusted and naive side by side."""
    key = nps_key(adj)
    params = {"value": adj.value, "low": adj.ci_low, "high": adj.ci_high, "naive": naive.value}
    return Finding("nps", msg(key, **params), key.endswith("evidence"), adj, "NPS points")


def offer_key(kept: Estimate, net: Estimate) -> str:
    """Catalogue key of the retention offer: how the revenue moves (kept, put at risk,
    unclear) and whether the offer pays for itself on churn alone."""
    pays = "pays" if net.ci_low > 0 else "does_not_pay" if net.ci_high < 0 else "may_pay"
    sign = money_sign(kept)
    if sign == "gain":
        return f"diagnostics.loyalty.offer.{pays}"
    if sign == "loss":
        return "diagnostics.loyalty.offer.loses"
    return f"diagnostics.loyalty.offer.unclear.{'does_not_pay' if pays != 'may_pay' else pays}"


def offer(res: DiagnosticResult) -> None:
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
    params = {
        "customers": n,
        "cost": cost,
        "kept": kept.value,
        "kept_low": kept.ci_low,
        "kept_high": kept.ci_high,
    }
    key = offer_key(kept, net)
    res.findings.append(
        Finding("retention_offer", msg(key, **params), net.ci_low > 0, net, res.currency)
    )
