"""Complaints without latitude: contacts, transfers, escalations, days, and what latitude buys.

Definitions (also in the result's ``assumptions``):

* **Complaint cases**: ``reason`` is one of :data:`COMPLAINT_REASONS` (complaint, defect and
  their German names), case-insensitive.
* **First-contact resolution (FCR)**: the case needed one contact.
* **Effect on churn and NPS**: one row per customer (their first complaint case); extra
  contacts = contacts − 1 (capped at :data:`CONTACT_CAP` − 1). Churn = churned within 365 days
  after the case opened (cases opened at least 365 days before the as-of date). NPS = the
  customer's first response with an NPS within 90 days after the case opened, as points
  (promoter +100, passive 0, detractor −100). Linear models with segment and tenure band as
  controls, fitted exactly on aggregated groups, HC1 errors (= statsmodels OLS on the rows).
* **Latitude simulator** "agents may settle up to X at first contact": a closed complaint case
  that took more than one contact and was settled with a payment (``goodwill_amount``) of at
  most X would have been closed at the first contact by paying that amount then. Where no
  payment was made the amount the customer would have accepted is unknown; cases with a
  visible amount are weighted up to all closed cases with the same number of contacts
  (assumes the amount is unrelated to whether it was paid). It saves
  contacts − 1 contacts and the days it stayed open; the goodwill is paid at first contact
  (cost). Revenue kept = Σ saved contacts × churn effect per extra contact × the customer's
  annual contract revenue. Uncertainty: Poisson bootstrap over cases (vectorised on amount
  buckets between the limits, each bucket's resampled sums drawn from their exact bootstrap
  moments) combined with draws of the churn effect from its sampling distribution.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.core.messages import Finding, msg
from cxo.core.verdicts import verdict
from cxo.diagnostics._common import first_owner, has_values, require, share
from cxo.diagnostics.result import DiagnosticResult, Table
from cxo.engine.sql import months_between
from cxo.stats import Estimate
from cxo.stats.bootstrap import moment_sql, percentile_estimate, poisson_boot_normal
from cxo.stats.estimate import z_value
from cxo.stats.means import mean_normal_from_sums
from cxo.stats.ols import design, grouped_ols

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.engine.sql import Runner

SERVICE_TOUCHPOINTS = ("hotline", "support", "service", "chat")
COMPLAINT_REASONS = (
    "complaint",
    "defect",
    "defective",
    "reklamation",
    "beschwerde",
    "defekt",
    "mangel",
)
CONTACT_CAP = 10
DEFAULT_LATITUDES = (0.0, 25.0, 50.0, 100.0, 200.0, 500.0)
TENURE_BANDS = ((12, "0-12"), (24, "13-24"))
LATITUDE_COLUMNS = (
    "cases_closed_first_contact",
    "contacts_saved",
    "days_saved",
    "goodwill_cost",
    "revenue_kept",
    "net",
    "churn_reduction_customers",
)


def run(
    con: Runner,
    charter: Charter,
    *,
    language: str = "de",
    currency: str = "EUR",
    as_of: date | None = None,
    latitudes: tuple[float, ...] = DEFAULT_LATITUDES,
    n_boot: int = 400,
    seed: int = 0,
) -> DiagnosticResult:
    """The complaint-handling diagnostic over an open connection."""
    require(con, "complaints", "cases", ("customer_id", "opened_at", "reason", "contacts"))
    reasons = ", ".join(f"'{r}'" for r in COMPLAINT_REASONS)
    n_row = con.execute(
        f"select count(*) from cases where lower(trim(reason)) in ({reasons})"
    ).fetchone()
    if not n_row or n_row[0] == 0:
        from cxo.errors import MissingDataError

        raise MissingDataError(
            "the complaints diagnostic needs cases with reason complaint or defect "
            "(found none among the values of `cases.reason`; accepted: "
            f"{', '.join(COMPLAINT_REASONS)})",
            hint="import them with `cxo import cases FILE`",
        )
    owner = first_owner(charter, SERVICE_TOUCHPOINTS)
    res = DiagnosticResult("complaints", owner, language=language, currency=currency)
    have_customers = has_values(con, "customers", "signup_date")
    if as_of is None:
        row = con.execute("select max(opened_at)::date from cases").fetchone()
        as_of = row[0] if row and row[0] else date.today()
        if have_customers:
            row = con.execute("select max(churn_date) from customers").fetchone()
            if row and row[0] and row[0] > as_of:
                as_of = row[0]
    assert as_of is not None
    res.figures["as_of"] = as_of.isoformat()
    res.assumptions += [
        msg("diagnostics.complaints.assumption.cases", reasons=list(COMPLAINT_REASONS)),
        msg("diagnostics.complaints.assumption.fcr"),
        msg("diagnostics.complaints.assumption.churn"),
        msg("diagnostics.complaints.assumption.latitude"),
    ]
    _prepare(con, as_of, have_customers, reasons)
    _handling(con, res)
    churn = _effects(con, res, as_of, have_customers)
    _latitude(con, res, churn, latitudes, n_boot, seed)
    con.execute("drop table if exists _cp_cases")
    return res


def _prepare(con: Runner, as_of: date, have_customers: bool, reasons: str) -> None:
    have = {
        c
        for c in ("transfers", "escalated", "closed_at", "resolution", "goodwill_amount")
        if has_values(con, "cases", c)
    }
    transfers = "k.transfers" if "transfers" in have else "null::bigint"
    escalated = "k.escalated" if "escalated" in have else "null::boolean"
    closed = "k.closed_at" if "closed_at" in have else "null::timestamp"
    resolution = "k.resolution" if "resolution" in have else "null::varchar"
    goodwill = "k.goodwill_amount" if "goodwill_amount" in have else "null::double"
    seg = "coalesce(cu.segment, '(none)')" if has_values(con, "customers", "segment") else "'(all)'"
    cust = (
        f"{seg} as segment, cu.signup_date, cu.churn_date"
        if have_customers
        else "'(all)' as segment, null::date as signup_date, null::date as churn_date"
    )
    join = "left join customers cu using (customer_id)" if have_customers else ""
    revenue = "0.0"
    rev_join = ""
    if has_values(con, "contracts", "monthly_price"):
        rev_join = f"""left join (
            select customer_id, sum(monthly_price) * 12 as annual_revenue from contracts
            where end_date is null or end_date > DATE '{as_of.isoformat()}'
               or end_date >= start_date
            group by customer_id) rv using (customer_id)"""
        revenue = "coalesce(rv.annual_revenue, 0.0)"
    con.execute(
        f"""
        create or replace temp table _cp_cases as
        select k.case_id, k.customer_id, lower(trim(k.reason)) as reason, k.opened_at,
               {closed} as closed_at, k.contacts, {transfers} as transfers,
               {escalated} as escalated, {resolution} as resolution, {goodwill} as goodwill,
               date_diff('second', k.opened_at, {closed}) / 86400.0 as days,
               {cust}, {revenue} as annual_revenue
        from cases k {join} {rev_join}
        where lower(trim(k.reason)) in ({reasons})
        """
    )


def _handling(con: Runner, res: DiagnosticResult) -> None:
    """Contacts, transfers, escalations, days and first-contact resolution, by reason."""
    rows = con.execute(
        """
        select coalesce(reason, '(all)') as reason, count(*) as n,
               sum(contacts), sum(contacts * contacts),
               count(transfers), sum(transfers), sum(transfers * transfers),
               count(escalated), sum(case when escalated then 1 else 0 end),
               count(days), sum(days), sum(days * days),
               sum(case when contacts = 1 then 1 else 0 end)
        from _cp_cases group by rollup (reason) order by reason nulls last
        """
    ).fetchall()
    out: list[list[Any]] = []
    figures: dict[str, Any] = {}
    for r in rows:
        reason, n = str(r[0]), float(r[1])
        contacts = mean_normal_from_sums(n, float(r[2]), float(r[3]))
        transfers = _mean(r[4], r[5], r[6]) if r[4] else None
        escal = share(float(r[8] or 0), float(r[7])) if r[7] else None
        days = _mean(r[9], r[10], r[11]) if r[9] else None
        fcr = share(float(r[12]), n)
        out.append([reason, int(n), contacts, transfers, escal, days, fcr])
        figures[reason] = {
            "cases": int(n),
            "contacts_per_case": contacts.to_dict(),
            "transfers_per_case": transfers.to_dict() if transfers else None,
            "escalation_rate": escal.to_dict() if escal else None,
            "days_to_resolution": days.to_dict() if days else None,
            "first_contact_resolution": fcr.to_dict(),
        }
    res.tables.append(
        Table(
            "handling",
            msg("diagnostics.complaints.table.handling"),
            [
                "reason",
                "cases",
                "contacts_per_case",
                "transfers_per_case",
                "escalation_rate",
                "days_to_resolution",
                "first_contact_resolution",
            ],
            out,
        )
    )
    res.figures["handling"] = figures
    _, cases, contacts, _, _, days, fcr = next(r for r in out if r[0] == "(all)")
    params: dict[str, Any] = {
        "cases": cases,
        "value": contacts.value,
        "low": contacts.ci_low,
        "high": contacts.ci_high,
        "fcr": fcr.value,
    }
    key = "diagnostics.complaints.handling"
    if days is not None:
        key, params["days"] = f"{key}_days", days.value
    res.findings.append(
        Finding("handling", msg(key, **params), contacts.value > 1, contacts, "contacts")
    )


def _mean(n: Any, total: Any, total_sq: Any) -> Estimate:
    return mean_normal_from_sums(float(n), float(total or 0), float(total_sq or 0))


def _tenure_band(expr: str) -> str:
    parts = " ".join(f"when {expr} <= {e} then '{lb}'" for e, lb in TENURE_BANDS)
    return f"case when {expr} is null then '(unknown)' {parts} else '25+' end"


def _effects(
    con: Runner, res: DiagnosticResult, as_of: date, have_customers: bool
) -> Estimate | None:
    """Effect of each extra contact on churn and NPS; returns the churn effect."""
    if not have_customers:
        return None
    d = f"DATE '{as_of.isoformat()}'"
    band = _tenure_band(months_between("signup_date", "opened_at::date"))
    first = """
        select * from (
            select *, row_number() over (partition by customer_id order by opened_at, case_id) as rn
            from _cp_cases) where rn = 1
    """
    churn_rows = con.execute(
        f"""
        with f as ({first})
        select least(contacts, {CONTACT_CAP}) - 1 as extra, segment, {band} as band, count(*) as n,
               sum(case when churn_date is not null and churn_date >= opened_at::date
                         and churn_date < opened_at::date + 365 then 1 else 0 end) as y
        from f where opened_at::date <= {d} - 365
          and (churn_date is null or churn_date >= opened_at::date)
        group by all
        """
    ).fetchall()
    churn: Estimate | None = None
    table_rows: list[list[Any]] = []
    if len(churn_rows) >= 3:
        churn = _fit(churn_rows, binary=True)
        if churn is not None:
            res.figures["churn_effect_per_extra_contact"] = churn.to_dict()
            table_rows.append(["churn_12_months", churn])
    nps: Estimate | None = None
    if has_values(con, "responses", "nps"):
        nps_rows = _nps_rows(con, first, band)
        if len(nps_rows) >= 3:
            nps = _fit(nps_rows, binary=False)
            if nps is not None:
                res.figures["nps_effect_per_extra_contact"] = nps.to_dict()
                table_rows.append(["nps_points", nps])
    if table_rows:
        res.tables.append(
            Table(
                "effects",
                msg("diagnostics.complaints.table.effects"),
                ["outcome", "per_extra_contact"],
                table_rows,
            )
        )
    if churn is not None:
        res.findings.append(effect_finding("churn_effect", churn))
    if nps is not None:
        res.findings.append(effect_finding("nps_effect", nps))
    return churn


def effect_finding(kind: str, est: Estimate) -> Finding:
    """The finding on the effect of an extra contact (``churn_effect`` as a share, shown in
    points; ``nps_effect`` in NPS points)."""
    key = effect_key(kind, est)
    ev = key.endswith(".evidence")
    if kind == "churn_effect":
        pp = est.scaled(100)
        params = {"value_pp": pp.value, "low_pp": pp.ci_low, "high_pp": pp.ci_high}
        return Finding(kind, msg(key, **params), ev, est, "share")
    params = {"value": est.value, "low": est.ci_low, "high": est.ci_high}
    return Finding(kind, msg(key, **params), ev, est, "NPS points")


def effect_key(kind: str, est: Estimate) -> str:
    """Catalogue key of the effect of an extra contact: ``churn_effect`` is expected to rise
    (``evidence``), ``nps_effect`` to fall; the other side is ``opposite``, an interval
    covering zero ``none``."""
    v = verdict(est, expected=1 if kind == "churn_effect" else -1)
    return f"diagnostics.complaints.{kind}.{'none' if v == 'missing' else v}"


def _nps_rows(con: Runner, first: str, band: str) -> list[tuple[Any, ...]]:
    """NPS points of the first response within 90 days after the customer's first case."""
    return con.execute(
        f"""
        with f as ({first}), r as (
            select f.*, resp.nps,
                   row_number() over (partition by f.customer_id order by resp.responded_at)
                     as k
            from f join responses resp on resp.customer_id = f.customer_id
             and resp.nps is not null and resp.responded_at >= f.opened_at
             and resp.responded_at < f.opened_at + interval 90 day
        ), p as (
            select *, case when nps >= 9 then 100.0 when nps <= 6 then -100.0 else 0.0 end
              as pts from r where k = 1
        )
        select least(contacts, {CONTACT_CAP}) - 1 as extra, segment, {band} as band,
               count(*), sum(pts), sum(pts * pts)
        from p group by all
        """
    ).fetchall()


def _fit(rows: list[tuple[Any, ...]], *, binary: bool) -> Estimate | None:
    """Grouped OLS of the outcome on extra contacts + segment + tenure band."""
    recs = [{"extra": r[0], "segment": r[1], "band": r[2]} for r in rows]
    n = np.array([float(r[3]) for r in rows])
    sy = np.array([float(r[4]) for r in rows])
    syy = sy.copy() if binary else np.array([float(r[5]) for r in rows])
    if len({r["extra"] for r in recs}) < 2:
        return None
    levels = {
        "segment": sorted({str(r["segment"]) for r in recs}),
        "band": sorted({str(r["band"]) for r in recs}),
    }
    x, names = design(levels, recs, ["extra"])
    fit = grouped_ols(x, n, sy, syy, names)
    est = fit.estimate("extra")
    return est if math.isfinite(est.value) else None


def _latitude_groups(con: Runner, lat: np.ndarray[Any, Any]) -> list[dict[str, Any]]:
    """Moments of the weighted per-case statistics in each amount bucket between the limits.

    The settlement is visible only where a payment was made. Assuming it is unrelated to
    whether it was paid (given the number of contacts), each visible case stands for
    N(closed, c contacts) / N(closed, c contacts, amount visible) cases.
    """
    closed_filter = "closed_at is not null" if has_values(con, "cases", "closed_at") else "true"
    # bucket = index of the smallest limit X that covers the amount (len(lat) = none does)
    bucket = " ".join(f"when k.goodwill <= {float(x)!r} then {j}" for j, x in enumerate(lat))
    stats = [
        "1.0",
        "k.contacts - 1",
        "coalesce(k.days, 0)",
        "k.goodwill",
        "(k.contacts - 1) * k.annual_revenue",
        "k.contacts - 1",
    ]
    weighted = [f"w.weight * ({e})" for e in stats]
    cur = con.execute(
        f"""
        with k as (select * from _cp_cases where contacts > 1 and {closed_filter}),
        w as (
            select contacts, count(*)::double / nullif(count(goodwill), 0) as weight
            from k group by contacts
        )
        select case {bucket} else {len(lat)} end as bucket, {moment_sql(weighted)}
        from k join w using (contacts)
        where k.goodwill is not null and k.goodwill > 0
        group by 1 order by 1
        """
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _latitude_curve(
    groups: list[dict[str, Any]],
    lat: np.ndarray[Any, Any],
    churn: Estimate | None,
    n_boot: int,
    seed: int,
) -> list[list[Any]]:
    """One row per limit X: the limit and the estimates of :data:`LATITUDE_COLUMNS`.

    Poisson bootstrap over cases (bucket sums drawn from their moments, cumulated over the
    limits) combined with draws of the churn effect from its sampling distribution.
    """
    rng = np.random.default_rng(seed)
    b = churn.value if churn is not None else 0.0
    se = (churn.ci_high - churn.ci_low) / (2 * z_value(0.95)) if churn is not None else 0.0
    beta = rng.normal(b, se, size=n_boot) if se > 0 else np.full(n_boot, b)
    # statistics per bucket: closed, contacts saved, days saved, goodwill, rev·saved, saved
    g_point = np.zeros((len(lat) + 1, 6))
    g_draws = np.zeros((n_boot, len(lat) + 1, 6))
    if groups:
        d = poisson_boot_normal(groups, 6, n_boot, rng)
        for g, r in enumerate(groups):
            g_point[int(r["bucket"])] = [float(r[f"s{i}"]) for i in range(6)]
            g_draws[:, int(r["bucket"])] = d[:, g]
    point = np.cumsum(g_point, axis=0)[: len(lat)]
    draws = np.cumsum(g_draws, axis=1)[:, : len(lat)]
    rows: list[list[Any]] = []
    for j, x in enumerate(lat):
        closed, contacts, dsaved, goodwill, revsaved, extra = (float(v) for v in point[j])
        kept_draw = draws[:, j, 4] * beta
        net_draw = kept_draw - draws[:, j, 3]
        rows.append(
            [
                float(x),
                percentile_estimate(closed, draws[:, j, 0]),
                percentile_estimate(contacts, draws[:, j, 1]),
                percentile_estimate(dsaved, draws[:, j, 2]),
                percentile_estimate(goodwill, draws[:, j, 3]),
                percentile_estimate(revsaved * b, kept_draw),
                percentile_estimate(revsaved * b - goodwill, net_draw),
                percentile_estimate(extra * b, draws[:, j, 5] * beta),
            ]
        )
    return rows


def _latitude(
    con: Runner,
    res: DiagnosticResult,
    churn: Estimate | None,
    latitudes: tuple[float, ...],
    n_boot: int,
    seed: int,
) -> None:
    """The latitude simulator: what settling up to X at the first contact would do."""
    if not has_values(con, "cases", "goodwill_amount"):
        res.findings.append(
            Finding("latitude", msg("diagnostics.complaints.latitude.not_run"), False)
        )
        return
    lat = np.asarray(sorted(latitudes), dtype=float)
    rows = _latitude_curve(_latitude_groups(con, lat), lat, churn, n_boot, seed)
    res.tables.append(
        Table(
            "latitude",
            msg("diagnostics.complaints.table.latitude"),
            ["latitude", *LATITUDE_COLUMNS],
            rows,
        )
    )
    res.figures["latitude_curve"] = [
        {"latitude": r[0], **{k: v.to_dict() for k, v in zip(LATITUDE_COLUMNS, r[1:], strict=True)}}
        for r in rows
    ]
    nonzero = [r for r in rows if r[0] > 0]
    if not nonzero:
        return
    pick = max(nonzero, key=lambda r: r[6].value)
    x, closed, contacts, goodwill, kept = pick[0], pick[1], pick[2], pick[4], pick[5]
    if contacts.ci_low > 0:
        params = {
            "latitude": x,
            "cases": closed.value,
            "contacts": contacts.value,
            "contacts_low": contacts.ci_low,
            "contacts_high": contacts.ci_high,
            "goodwill": goodwill.value,
            "kept": kept.value,
            "kept_low": kept.ci_low,
            "kept_high": kept.ci_high,
        }
        finding = msg("diagnostics.complaints.latitude.evidence", **params)
    else:
        finding = msg("diagnostics.complaints.latitude.none")
    res.findings.append(Finding("latitude", finding, contacts.ci_low > 0, contacts, "contacts"))
