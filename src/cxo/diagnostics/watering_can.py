"""Watering-can marketing: untargeted sends, their relevance, fatigue, unserved moments.

Definitions (also in the result's ``assumptions``):

* A **campaign is untargeted** when none of its sends is personalised and it reached every
  segment and every lifecycle stage present in the send data (the same message to everyone).
  A send is *personalised* when ``personalized`` is true, *untargeted* when it is not
  personalised and belongs to an untargeted campaign, and *targeted* otherwise (segment- or
  stage-specific, but not personalised).
* Rates (open, click, unsubscribe, complaint) are per send, with Wilson intervals; differences
  untargeted − personalised with Newcombe's hybrid score interval.
* **Fatigue** is measured per customer-month with at least one send: the sends received that
  month against (a) the unsubscribe probability of each of those sends (message kind held
  fixed) and (b) churn in the *next* month among customers still active when it starts
  (lifecycle stages of the month's sends and segment held fixed; monthly slope × 12 = annual).
  Churn is taken from the next month because the sends of the month a customer leaves end on
  the churn day, so a same-month comparison is cut short by the outcome itself. The slopes
  (change in the probability per additional send) come from linear probability models fitted
  exactly on the aggregated customer-months, with HC1 errors.
* **Lifecycle moments**: onboarding (first 90 days after sign-up), renewal (60 days before each
  12-month anniversary of the sign-up) and win-back (90 days after churn). A customer in the
  moment is *served* when a send of a campaign dedicated to that lifecycle stage (≥ 80 % of the
  campaign's sends carry that stage; without stage data: a personalised send) reached them in
  that window. A moment × segment with customers in it and nobody served gets no communication
  at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxo.diagnostics._common import (
    DiagnosticResult,
    Estimate,
    Finding,
    Table,
    design,
    fmt_int,
    grouped_ols,
    has_values,
    newcombe_diff,
    pct,
    require,
    wilson,
)

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

OUTCOMES = ("opened", "clicked", "unsubscribed", "complained")
MOMENTS = {
    "onboarding": ("onboarding", "welcome", "new", "onboard", "willkommen", "neukunde"),
    "renewal": ("renewal", "renew", "verlaengerung", "verlängerung", "retention"),
    "winback": ("winback", "win_back", "reactivation", "lapsed", "churned", "rueckgewinnung"),
}
MOMENT_LABELS = {
    "onboarding": ("onboarding", "Onboarding"),
    "renewal": ("renewal", "Verlängerung"),
    "winback": ("win-back", "Rückgewinnung"),
}
FATIGUE_CAP = 12


def run(
    con: duckdb.DuckDBPyConnection,
    charter: Charter,
    *,
    language: str = "de",
    currency: str = "EUR",
) -> DiagnosticResult:
    """The watering-can diagnostic over an open connection."""
    require(con, "marketing", "sends", ("customer_id", "campaign", "sent_at", "personalized"))
    have_customers = has_values(con, "customers", "customer_id")
    have_segment = have_customers and has_values(con, "customers", "segment")
    have_stage = has_values(con, "sends", "lifecycle_stage") or (
        have_customers and has_values(con, "customers", "lifecycle_stage")
    )
    owner: dict[str, str | None] = {
        "touchpoint": "marketing",
        "department": None,
        "accountable": None,
    }
    if charter.marketing is not None:
        owner = {
            "touchpoint": "marketing",
            "department": charter.marketing.owner.department,
            "accountable": charter.marketing.owner.accountable,
        }
    res = DiagnosticResult(
        "marketing",
        "Watering-can marketing",
        "Marketing nach dem Gießkannenprinzip",
        owner,
        language=language,
        currency=currency,
    )
    res.assumptions += [
        "Untargeted campaign: no personalised send and every segment and lifecycle stage "
        "present in the data received it.",
        "Intervals: Wilson (rates), Newcombe hybrid score (differences), 95 %; sends are "
        "treated as independent.",
        "Fatigue: unsubscribes per send against the customer's sends that month (message kind "
        "held fixed); churn in the month after the sends among customers active at its start "
        "(lifecycle stages of the sends and segment held fixed), slope × 12 = annual.",
    ]
    _classify(con, have_customers, have_segment, have_stage)
    _rates(con, res)
    _by_stage(con, res, have_stage)
    if have_customers:
        _fatigue(con, res)
        _moments(con, res, charter, have_segment, have_stage)
    con.execute("drop table if exists _mk_sends")
    return res


def _classify(
    con: duckdb.DuckDBPyConnection, have_customers: bool, have_segment: bool, have_stage: bool
) -> None:
    seg = "c.segment" if have_segment else "null"
    join = "left join customers c on c.customer_id = s.customer_id" if have_customers else ""
    if have_stage:
        cstage = "c.lifecycle_stage" if have_customers else "null"
        stage = f"coalesce(s.lifecycle_stage, {cstage})"
    else:
        stage = "null"
    outs = ", ".join(f"s.{o}" for o in OUTCOMES)
    con.execute(
        f"""
        create or replace temp table _mk_base as
        select hash(s.customer_id) as cid, hash(s.campaign) as campaign, s.sent_at,
               coalesce(s.personalized, false) as pers,
               {stage} as stage, {seg} as segment, {outs}
        from sends s {join}
        """
    )
    con.execute(
        """
        create or replace temp table _mk_sends as
        with tot as (
            select count(distinct segment) as nseg, count(distinct stage) as nstage from _mk_base
        ), camp as (
            select campaign, count(distinct segment) as nseg, count(distinct stage) as nstage,
                   bool_or(pers) as anyp
            from _mk_base group by campaign
        ), cs as (
            select campaign, stage, count(*) as n from _mk_base group by all
        ), dom as (
            select campaign, arg_max(stage, n) as top, max(n) / sum(n) as share
            from cs group by campaign
        )
        select b.* exclude (campaign), case when b.pers then 'personalised'
                         when not camp.anyp and camp.nseg = tot.nseg and camp.nstage = tot.nstage
                         then 'untargeted' else 'targeted' end as kind,
               case when dom.share >= 0.8 then dom.top end as camp_stage
        from _mk_base b join camp using (campaign) join dom using (campaign) cross join tot
        """
    )
    con.execute("drop table _mk_base")


def _agg_sql(group: str) -> str:
    parts = [f"{group}", "count(*) as n"]
    for o in OUTCOMES:
        parts += [f"count({o}) as n_{o}", f"sum(case when {o} then 1 else 0 end) as x_{o}"]
    return ", ".join(parts)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def _rates(con: duckdb.DuckDBPyConnection, res: DiagnosticResult) -> None:
    rows = {
        r["kind"]: r for r in _fetch(con, f"select {_agg_sql('kind')} from _mk_sends group by kind")
    }
    total = sum(int(r["n"]) for r in rows.values())
    n_untargeted = int(rows.get("untargeted", {}).get("n", 0))
    share = wilson(n_untargeted, total)
    res.figures["untargeted_share"] = share.to_dict()
    res.figures["sends"] = total
    res.findings.append(
        Finding(
            "untargeted_share",
            f"{pct(share.value)} of {total:,} sends were untargeted (same campaign to every "
            f"segment and lifecycle stage, not personalised).",
            f"{pct(share.value, True)} von {fmt_int(total, True)} Sendungen waren ungezielt "
            "(dieselbe Kampagne an alle Segmente und Lebenszyklusphasen, nicht personalisiert).",
            share.value > 0,
            share,
            "share",
        )
    )
    table_rows: list[list[Any]] = []
    for kind in ("personalised", "targeted", "untargeted"):
        r = rows.get(kind)
        if r is None:
            continue
        cells: list[Any] = [kind, int(r["n"])]
        for o in OUTCOMES:
            cells.append(wilson(float(r[f"x_{o}"]), float(r[f"n_{o}"])))
        table_rows.append(cells)
    res.tables.append(
        Table(
            "rates_by_kind",
            "Rates by targeting",
            "Quoten nach Zielgenauigkeit",
            ["kind", "sends", *[f"{o}_rate" for o in OUTCOMES]],
            table_rows,
        )
    )
    p, u = rows.get("personalised"), rows.get("untargeted")
    diffs: dict[str, Any] = {}
    if p is not None and u is not None:
        for o in OUTCOMES:
            if float(u[f"n_{o}"]) > 0 and float(p[f"n_{o}"]) > 0:
                d = newcombe_diff(
                    float(u[f"x_{o}"]), float(u[f"n_{o}"]), float(p[f"x_{o}"]), float(p[f"n_{o}"])
                )
                diffs[o] = d
        res.figures["untargeted_minus_personalised"] = {k: v.to_dict() for k, v in diffs.items()}
        res.tables.append(
            Table(
                "uplift",
                "Untargeted minus personalised (rate difference)",
                "Ungezielt minus personalisiert (Differenz der Quoten)",
                ["outcome", "difference"],
                [[o, d] for o, d in diffs.items()],
            )
        )
        for o, (en_name, de_name) in {
            "unsubscribed": ("unsubscribe", "Abmelde"),
            "complained": ("complaint", "Beschwerde"),
            "clicked": ("click", "Klick"),
        }.items():
            found = diffs.get(o)
            if found is None:
                continue
            d = found
            ci_en = f"{_pp(d.value)} pp (95 % CI {_pp(d.low)} to {_pp(d.high)})"
            ci_de = (
                f"{_pp(d.value, de=True)} Pp. (95-%-KI {_pp(d.low, True)} bis {_pp(d.high, True)})"
            )
            if d.excludes_zero:
                direction = "higher" if d.value > 0 else "lower"
                richtung = "höher" if d.value > 0 else "niedriger"
                en = (
                    f"The {en_name} rate of untargeted sends is {direction} than of "
                    f"personalised ones: {ci_en}."
                )
                ger = (
                    f"Die {de_name}quote ungezielter Sendungen ist {richtung} als die "
                    f"personalisierter: {ci_de}."
                )
            else:
                en = (
                    f"No evidence of a different {en_name} rate between untargeted and "
                    f"personalised sends: {ci_en}."
                )
                ger = (
                    f"Kein Nachweis einer unterschiedlichen {de_name}quote zwischen ungezielten "
                    f"und personalisierten Sendungen: {ci_de}."
                )
            res.findings.append(Finding(f"{o}_uplift", en, ger, d.excludes_zero, d, "share"))


def _pp(x: float, de: bool = False) -> str:
    s = f"{100 * x:+.2f}"
    return s.replace(".", ",") if de else s


def _by_stage(con: duckdb.DuckDBPyConnection, res: DiagnosticResult, have_stage: bool) -> None:
    if not have_stage:
        return
    agg = _agg_sql("coalesce(stage, '(none)') as stage, kind")
    rows = _fetch(con, f"select {agg} from _mk_sends group by all order by 1, 2")
    out = []
    for r in rows:
        out.append(
            [r["stage"], r["kind"], int(r["n"])]
            + [wilson(float(r[f"x_{o}"]), float(r[f"n_{o}"])) for o in OUTCOMES]
        )
    res.tables.append(
        Table(
            "rates_by_stage",
            "Relevance by lifecycle stage",
            "Relevanz nach Lebenszyklusphase",
            ["lifecycle_stage", "kind", "sends", *[f"{o}_rate" for o in OUTCOMES]],
            out,
        )
    )


def _fatigue(con: duckdb.DuckDBPyConnection, res: DiagnosticResult) -> None:
    """Per-send unsubscribe and per-customer-month churn against sends that month."""
    per_send = _fetch(
        con,
        f"""
        with a as (
            select cid, date_trunc('month', sent_at) as m, kind, count(*) as sends,
                   count(unsubscribed) as n,
                   sum(case when unsubscribed then 1 else 0 end) as u
            from _mk_sends group by all
        ), s as (
            select kind, n, u, sum(sends) over (partition by cid, m) as k from a
        )
        select least(k, {FATIGUE_CAP}) as k, kind, sum(n) as n, sum(u) as u
        from s group by all order by 1, 2
        """,
    )
    # Churn is counted in the month AFTER the sends, among customers still active when it
    # starts: the sends of the month a customer leaves end on the churn day, so a same-month
    # comparison would be cut short by the very outcome. The next month must be fully observed
    # (it ends on or before the last date in the data).
    cells = _fetch(
        con,
        f"""
        with cm as (
            select cid, date_trunc('month', sent_at) as m, count(*) as k,
                   string_agg(distinct coalesce(stage, '-'), '+' order by coalesce(stage, '-'))
                     as stages,
                   coalesce(any_value(segment), '-') as segment
            from _mk_sends group by 1, 2
        ), e as (
            select max(d) + interval 1 day as d from (
                select max(sent_at)::date as d from _mk_sends
                union all select max(churn_date) from customers
            )
        )
        select least(cm.k, {FATIGUE_CAP}) as k, cm.stages, cm.segment, count(*) as months,
               sum(case when c.churn_date is null or c.churn_date >= cm.m + interval 1 month
                        then 1 else 0 end) as n,
               sum(case when c.churn_date >= cm.m + interval 1 month
                         and c.churn_date < cm.m + interval 2 month then 1 else 0 end)
                 as churned
        from cm left join customers c on hash(c.customer_id) = cm.cid cross join e
        where cm.m + interval 2 month <= e.d
        group by all order by all
        """,
    )
    cells = [r for r in cells if float(r["n"]) > 0]
    agg: dict[int, list[float]] = {}
    for r in cells:
        acc_m = agg.setdefault(int(r["k"]), [0.0, 0.0])
        acc_m[0] += float(r["n"])
        acc_m[1] += float(r["churned"])
    all_months = _fetch(
        con,
        f"""
        select least(k, {FATIGUE_CAP}) as k, count(*) as n from (
            select count(*) as k from _mk_sends group by cid, date_trunc('month', sent_at)
        ) group by 1 order by 1
        """,
    )
    if not all_months:
        return
    by_k: dict[int, list[float]] = {}
    for r in per_send:
        acc = by_k.setdefault(int(r["k"]), [0.0, 0.0])
        acc[0] += float(r["n"])
        acc[1] += float(r["u"])
    table_rows = []
    for r in all_months:
        k = int(r["k"])
        risk, churned = agg.get(k, [0.0, 0.0])
        table_rows.append(
            [
                f"{k}+" if k == FATIGUE_CAP else k,
                int(r["n"]),
                wilson(by_k.get(k, [0.0, 0.0])[1], by_k.get(k, [0.0, 0.0])[0]),
                wilson(churned, risk) if risk > 0 else None,
            ]
        )
    res.tables.append(
        Table(
            "fatigue",
            "Fatigue: sends per customer and month",
            "Ermüdung: Sendungen je Kunde und Monat",
            [
                "sends_per_month",
                "customer_months",
                "unsubscribe_rate_per_send",
                "churn_rate_next_month",
            ],
            table_rows,
        )
    )
    fits: list[tuple[str, Estimate | None, str, str]] = []
    rows_u = [r for r in per_send if float(r["n"]) > 0]
    if len({int(r["k"]) for r in rows_u}) >= 2:
        kinds = sorted({str(r["kind"]) for r in rows_u})
        x, names = design({"kind": kinds}, rows_u, ["k"])
        n = np.array([float(r["n"]) for r in rows_u])
        u = np.array([float(r["u"]) for r in rows_u])
        fits.append(
            (
                "fatigue_unsubscribe",
                grouped_ols(x, n, u, u, names).estimate("k"),
                "unsubscribe",
                "Abmelde",
            )
        )
    if len(agg) >= 2:
        # lifecycle stages of the month's sends and the segment held fixed: onboarding and
        # renewal months bring extra mails and churn differently, and so may segments
        levels = {
            "stages": sorted({str(r["stages"]) for r in cells}),
            "segment": sorted({str(r["segment"]) for r in cells}),
        }
        x, names = design(levels, cells, ["k"])
        n = np.array([float(r["n"]) for r in cells])
        ch = np.array([float(r["churned"]) for r in cells])
        if ch.sum() > 0:
            fits.append(
                (
                    "fatigue_churn",
                    _annual(grouped_ols(x, n, ch, ch, names).estimate("k")),
                    "churn",
                    "Abwanderungs",
                )
            )
    for key, est, en_name, de_name in fits:
        assert est is not None
        res.figures[f"{key}_slope"] = est.to_dict()
        if key == "fatigue_unsubscribe":
            unit_en, unit_de = "per send", "je Sendung"
            held_en, held_de = "mix of message kinds", "Mix der Nachrichtenarten"
        else:
            unit_en = "of annual churn (in the following month)"
            unit_de = "jährlicher Abwanderung (im Folgemonat)"
            held_en, held_de = "lifecycle stage and segment", "Lebenszyklusphase und Segment"
        ci_en = (
            f"{_pp(est.value)} pp {unit_en} for each additional send in the month "
            f"(95 % CI {_pp(est.low)} to {_pp(est.high)}; {held_en} held fixed)"
        )
        ci_de = (
            f"{_pp(est.value, True)} Pp. {unit_de} für jede weitere Sendung im Monat "
            f"(95-%-KI {_pp(est.low, True)} bis {_pp(est.high, True)}; {held_de} "
            "konstant gehalten)"
        )
        if est.excludes_zero and est.value > 0:
            en = f"Fatigue: the {en_name} probability rises with send volume, {ci_en}."
            ger = (
                f"Ermüdung: die {de_name}wahrscheinlichkeit steigt mit der Sendungsmenge, {ci_de}."
            )
            ev = True
        else:
            en = f"No evidence of fatigue in the {en_name} rate: {ci_en}."
            ger = f"Kein Nachweis von Ermüdung in der {de_name}quote: {ci_de}."
            ev = False
        res.findings.append(Finding(key, en, ger, ev, est, "share"))


def _annual(est: Estimate) -> Estimate:
    """A slope on the monthly churn probability as annual probability (× 12)."""
    return Estimate(12 * est.value, 12 * est.low, 12 * est.high, est.n)


def _stage_match(moment: str) -> str:
    """SQL: the send belongs to a campaign dedicated (≥ 80 % of its sends) to the moment."""
    names = ", ".join(f"'{v}'" for v in MOMENTS[moment])
    return f"regexp_replace(lower(coalesce(s.camp_stage, '')), '[^a-zäöü]+', '_', 'g') in ({names})"


def _moments(
    con: duckdb.DuckDBPyConnection,
    res: DiagnosticResult,
    charter: Charter,
    have_segment: bool,
    have_stage: bool,
) -> None:
    seg = "coalesce(c.segment, '(none)')" if have_segment else "'(all)'"
    window = con.execute("select min(sent_at)::date, max(sent_at)::date from _mk_sends").fetchone()
    if window is None or window[0] is None:
        return
    lo, hi = window
    windows: dict[str, str] = {
        "onboarding": f"""
            select c.customer_id, {seg} as segment, c.signup_date::timestamp as t0,
                   c.signup_date::timestamp + interval 90 day as t1
            from customers c
            where c.signup_date >= DATE '{lo}' and c.signup_date <= DATE '{hi}' - 90""",
        "winback": f"""
            select c.customer_id, {seg} as segment, c.churn_date::timestamp as t0,
                   c.churn_date::timestamp + interval 90 day as t1
            from customers c
            where c.churn_date >= DATE '{lo}' and c.churn_date <= DATE '{hi}' - 90""",
    }
    windows["renewal"] = f"""
            select c.customer_id, {seg} as segment,
                   (c.signup_date + to_years(r.k))::timestamp - interval 60 day as t0,
                   (c.signup_date + to_years(r.k))::timestamp as t1
            from customers c cross join range(1, 100) r(k)
            where c.signup_date + to_years(r.k) >= DATE '{lo}' + 60
              and c.signup_date + to_years(r.k) <= DATE '{hi}'
              and (c.churn_date is null or c.churn_date > c.signup_date + to_years(r.k))"""
    out: list[list[Any]] = []
    unserved: list[tuple[str, str]] = []
    segments_all = [s.key for s in charter.segments] if have_segment else ["(all)"]
    for moment in MOMENTS:
        tagged: dict[str, int] = {}
        if have_stage:
            for r in _fetch(
                con,
                f"select coalesce(s.segment, '(none)') as segment, count(*) as n from _mk_sends s "
                f"where {_stage_match(moment)} group by 1",
            ):
                tagged[str(r["segment"])] = int(r["n"])
        served: dict[str, tuple[int, int]] = {}
        served_sql = _stage_match(moment) if have_stage else "s.pers"
        if moment in windows:
            for r in _fetch(
                con,
                f"""
                with e as ({windows[moment]})
                select e.segment, count(distinct e.customer_id) as eligible,
                       count(distinct case when s.cid is not null then e.customer_id end)
                         as reached
                from e left join (select cid, sent_at from _mk_sends s where {served_sql}) s
                  on s.cid = hash(e.customer_id)
                 and s.sent_at >= e.t0 and s.sent_at < e.t1
                group by 1
                """,
            ):
                served[str(r["segment"])] = (int(r["eligible"]), int(r["reached"]))
        segs = sorted(set(segments_all) | set(tagged) | set(served))
        if not tagged and not served and not have_stage:
            continue
        for s in segs:
            eligible, reached = served.get(s, (0, 0))
            n_tagged = tagged.get(s, 0)
            cov = wilson(reached, eligible) if eligible else None
            silent = reached == 0 and (eligible > 0 if moment in windows else n_tagged == 0)
            if silent:
                unserved.append((moment, s))
            out.append([moment, s, n_tagged, eligible, reached, cov, silent])
    res.tables.append(
        Table(
            "lifecycle_moments",
            "Lifecycle moments and whether anyone writes",
            "Lebenszyklus-Momente und ob jemand schreibt",
            [
                "moment",
                "segment",
                "tagged_sends",
                "customers_in_moment",
                "reached_targeted",
                "share_reached",
                "no_communication",
            ],
            out,
        )
    )
    res.figures["moments_without_communication"] = [
        {"moment": m, "segment": s} for m, s in unserved
    ]
    if unserved:
        en_list = ", ".join(f"{MOMENT_LABELS[m][0]} / {s}" for m, s in unserved)
        de_list = ", ".join(f"{MOMENT_LABELS[m][1]} / {s}" for m, s in unserved)
        res.findings.append(
            Finding(
                "moments_without_communication",
                f"Lifecycle moments nobody serves (moment / segment): {en_list}.",
                f"Lebenszyklus-Momente ohne jede Ansprache (Moment / Segment): {de_list}.",
                True,
            )
        )
    else:
        res.findings.append(
            Finding(
                "moments_without_communication",
                "No evidence of lifecycle moments without communication: every moment and "
                "segment received targeted messages.",
                "Kein Nachweis unbedienter Lebenszyklus-Momente: jeder Moment und jedes Segment "
                "erhielt gezielte Nachrichten.",
                False,
            )
        )


__all__ = ["Estimate", "run"]
