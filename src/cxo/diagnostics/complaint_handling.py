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

from cxo.diagnostics._common import (
    DiagnosticResult,
    Estimate,
    Finding,
    Table,
    design,
    first_owner,
    fmt_int,
    grouped_ols,
    has_values,
    mean_ci,
    moment_sql,
    money,
    pct,
    percentile_interval,
    poisson_boot_normal,
    require,
    wilson,
)

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

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


def run(
    con: duckdb.DuckDBPyConnection,
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
    res = DiagnosticResult(
        "complaints",
        "Complaints without latitude",
        "Reklamationen ohne Handlungsspielraum",
        owner,
        language=language,
        currency=currency,
    )
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
        f"Complaint cases: reason in {', '.join(COMPLAINT_REASONS)}.",
        "First-contact resolution: one contact.",
        "Churn effect: customers' first complaint case, churn within 365 days, linear "
        "probability model with segment and tenure band, HC1 errors.",
        "Latitude: a multi-contact case settled for at most X would have closed at the first "
        "contact, paying the same amount then.",
    ]
    _prepare(con, as_of, have_customers, reasons)
    _handling(con, res)
    churn = _effects(con, res, as_of, have_customers)
    _latitude(con, res, churn, latitudes, n_boot, seed)
    con.execute("drop table if exists _cp_cases")
    return res


def _prepare(
    con: duckdb.DuckDBPyConnection, as_of: date, have_customers: bool, reasons: str
) -> None:
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


def _handling(con: duckdb.DuckDBPyConnection, res: DiagnosticResult) -> None:
    de = res.language == "de"
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
        contacts = mean_ci(float(r[2]), float(r[3]), n)
        transfers = mean_ci(float(r[5] or 0), float(r[6] or 0), float(r[4])) if r[4] else None
        escal = wilson(float(r[8] or 0), float(r[7])) if r[7] else None
        days = mean_ci(float(r[10] or 0), float(r[11] or 0), float(r[9])) if r[9] else None
        fcr = wilson(float(r[12]), n)
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
            "Complaint and defect cases: handling",
            "Reklamations- und Defektfälle: Bearbeitung",
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
    total = figures["(all)"]
    c = total["contacts_per_case"]
    f = total["first_contact_resolution"]
    d = total["days_to_resolution"]
    days_en = f", {d['value']:.1f} days to resolution" if d else ""
    days_de = f", {d['value']:.1f} Tage bis zur Lösung".replace(".", ",") if d else ""
    res.findings.append(
        Finding(
            "handling",
            f"{total['cases']:,} complaint/defect cases need {c['value']:.2f} contacts each "
            f"(95 % CI {c['ci_low']:.2f} to {c['ci_high']:.2f}); only {pct(f['value'])} are "
            f"solved at the first contact{days_en}.",
            f"{fmt_int(total['cases'], True)} Reklamations-/Defektfälle brauchen je "
            f"{_de2(c['value'])} Kontakte (95-%-KI {_de2(c['ci_low'])} bis "
            f"{_de2(c['ci_high'])}); nur {pct(f['value'], True)} werden beim ersten Kontakt "
            f"gelöst{days_de}.",
            c["value"] > 1,
            Estimate(c["value"], c["ci_low"], c["ci_high"], total["cases"]),
            "contacts",
        )
    )
    _ = de


def _de2(x: float) -> str:
    """Two decimals with a decimal comma."""
    return f"{x:.2f}".replace(".", ",")


def _tenure_band(expr: str) -> str:
    parts = " ".join(f"when {expr} <= {e} then '{lb}'" for e, lb in TENURE_BANDS)
    return f"case when {expr} is null then '(unknown)' {parts} else '25+' end"


def _effects(
    con: duckdb.DuckDBPyConnection, res: DiagnosticResult, as_of: date, have_customers: bool
) -> Estimate | None:
    if not have_customers:
        return None
    d = f"DATE '{as_of.isoformat()}'"
    band = _tenure_band("datediff('month', signup_date, opened_at::date)")
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
            table_rows.append(["churn (12 months)", churn])
    nps: Estimate | None = None
    if has_values(con, "responses", "nps"):
        nps_rows = con.execute(
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
        if len(nps_rows) >= 3:
            nps = _fit(nps_rows, binary=False)
            if nps is not None:
                res.figures["nps_effect_per_extra_contact"] = nps.to_dict()
                table_rows.append(["NPS points", nps])
    if table_rows:
        res.tables.append(
            Table(
                "effects",
                "Effect of each extra contact (controlled for segment and tenure)",
                "Wirkung jedes zusätzlichen Kontakts (bereinigt um Segment und Kundendauer)",
                ["outcome", "per_extra_contact"],
                table_rows,
            )
        )
    for key, est, unit in (("churn_effect", churn, "share"), ("nps_effect", nps, "NPS points")):
        if est is None:
            continue
        if unit == "share":
            v_en = (
                f"{100 * est.value:+.2f} pp (95 % CI {100 * est.low:+.2f} to {100 * est.high:+.2f})"
            )
            name_en, name_de = "annual churn", "die jährliche Abwanderung"
            ev = est.excludes_zero and est.value > 0
        else:
            v_en = f"{est.value:+.1f} points (95 % CI {est.low:+.1f} to {est.high:+.1f})"
            name_en, name_de = "NPS", "den NPS"
            ev = est.excludes_zero and est.value < 0
        v_de = (
            v_en.replace(".", ",")
            .replace("pp", "Pp.")
            .replace("points", "Punkte")
            .replace("95 % CI", "95-%-KI")
            .replace(" to ", " bis ")
        )
        if ev:
            en = f"Each extra contact on a complaint moves {name_en} by {v_en}."
            ger = f"Jeder zusätzliche Kontakt bei einer Reklamation verändert {name_de} um {v_de}."
        else:
            en = f"No evidence that extra contacts on complaints change {name_en}: {v_en}."
            ger = (
                f"Kein Nachweis, dass zusätzliche Kontakte bei Reklamationen {name_de} "
                f"verändern: {v_de}."
            )
        res.findings.append(Finding(key, en, ger, ev, est, unit))
    return churn


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


def _latitude(
    con: duckdb.DuckDBPyConnection,
    res: DiagnosticResult,
    churn: Estimate | None,
    latitudes: tuple[float, ...],
    n_boot: int,
    seed: int,
) -> None:
    if not has_values(con, "cases", "goodwill_amount"):
        res.findings.append(
            Finding(
                "latitude",
                "Latitude simulator not run: it needs `cases.goodwill_amount` (the amount a case "
                "was finally settled for).",
                "Spielraum-Simulation nicht möglich: dafür fehlt `cases.goodwill_amount` "
                "(der Betrag, mit dem ein Fall abgeschlossen wurde).",
                False,
            )
        )
        return
    closed_filter = "closed_at is not null" if has_values(con, "cases", "closed_at") else "true"
    # The settlement is visible only where a payment was made. Assuming it is unrelated to
    # whether it was paid (given the number of contacts), each visible case stands for
    # N(closed, c contacts) / N(closed, c contacts, amount visible) cases.
    lat = np.asarray(sorted(latitudes), dtype=float)
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
    groups = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    rng = np.random.default_rng(seed)
    b = churn.value if churn is not None else 0.0
    se = (churn.high - churn.low) / (2 * 1.959963984540054) if churn is not None else 0.0
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
    curve: list[dict[str, Any]] = []
    for j, x in enumerate(lat):
        closed, contacts, dsaved, goodwill, revsaved, extra = point[j]
        kept_draw = draws[:, j, 4] * beta
        net_draw = kept_draw - draws[:, j, 3]
        est = {
            "cases_closed_first_contact": Estimate(closed, *percentile_interval(draws[:, j, 0])),
            "contacts_saved": Estimate(contacts, *percentile_interval(draws[:, j, 1])),
            "days_saved": Estimate(dsaved, *percentile_interval(draws[:, j, 2])),
            "goodwill_cost": Estimate(goodwill, *percentile_interval(draws[:, j, 3])),
            "revenue_kept": Estimate(revsaved * b, *percentile_interval(kept_draw)),
            "net": Estimate(revsaved * b - goodwill, *percentile_interval(net_draw)),
            "churn_reduction_customers": Estimate(
                extra * b, *percentile_interval(draws[:, j, 5] * beta)
            ),
        }
        rows.append([float(x), *est.values()])
        curve.append({"latitude": float(x), **{k: v.to_dict() for k, v in est.items()}})
    res.tables.append(
        Table(
            "latitude",
            "If agents may settle up to X at the first contact",
            "Wenn Mitarbeitende bis X beim ersten Kontakt regulieren dürfen",
            [
                "latitude",
                "cases_closed_first_contact",
                "contacts_saved",
                "days_saved",
                "goodwill_cost",
                "revenue_kept",
                "net",
                "churn_reduction_customers",
            ],
            rows,
        )
    )
    res.figures["latitude_curve"] = curve
    nonzero = [r for r in rows if r[0] > 0]
    if not nonzero:
        return
    pick = max(nonzero, key=lambda r: r[6].value)
    x, closed, contacts = pick[0], pick[1], pick[2]
    c = res.currency
    if contacts.low > 0:
        res.findings.append(
            Finding(
                "latitude",
                f"With latitude up to {money(x, c)} at the first contact, {closed.value:,.0f} "
                f"cases would close at once, saving {contacts.value:,.0f} contacts (95 % CI "
                f"{contacts.low:,.0f} to {contacts.high:,.0f}); goodwill "
                f"{money(pick[4].value, c)} against revenue kept {money(pick[5].value, c)} "
                f"(95 % CI {money(pick[5].low, c)} to {money(pick[5].high, c)}).",
                f"Mit Spielraum bis {money(x, c, True)} beim ersten Kontakt würden "
                f"{fmt_int(round(closed.value), True)} Fälle sofort abgeschlossen und "
                f"{fmt_int(round(contacts.value), True)} Kontakte gespart (95-%-KI "
                f"{fmt_int(round(contacts.low), True)} bis {fmt_int(round(contacts.high), True)}); "
                f"Kulanz {money(pick[4].value, c, True)} gegenüber gehaltenem Umsatz "
                f"{money(pick[5].value, c, True)} (95-%-KI {money(pick[5].low, c, True)} bis "
                f"{money(pick[5].high, c, True)}).",
                True,
                contacts,
                "contacts",
            )
        )
    else:
        res.findings.append(
            Finding(
                "latitude",
                "No evidence that latitude at the first contact would save contacts: no "
                "multi-contact complaint was settled for an amount within the simulated limits.",
                "Kein Nachweis, dass Spielraum beim ersten Kontakt Kontakte spart: keine "
                "Reklamation mit mehreren Kontakten wurde innerhalb der simulierten Grenzen "
                "reguliert.",
                False,
                contacts,
                "contacts",
            )
        )
