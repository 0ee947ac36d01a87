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

from cxo.core.messages import Finding, msg
from cxo.core.verdicts import direction, verdict
from cxo.diagnostics._common import has_values, require, share
from cxo.diagnostics.result import DiagnosticResult, Table
from cxo.stats import Estimate
from cxo.stats.ols import design, grouped_ols
from cxo.stats.proportions import proportion_difference

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.engine.sql import Runner

OUTCOMES = ("opened", "clicked", "unsubscribed", "complained")
MOMENTS = {
    "onboarding": ("onboarding", "welcome", "new", "onboard", "willkommen", "neukunde"),
    "renewal": ("renewal", "renew", "verlaengerung", "verlängerung", "retention"),
    "winback": ("winback", "win_back", "reactivation", "lapsed", "churned", "rueckgewinnung"),
}
UPLIFT_FINDINGS = ("unsubscribed", "complained", "clicked")
"""Outcomes whose difference untargeted − personalised becomes a finding, in this order."""
FATIGUE_CAP = 12


def run(
    con: Runner,
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
    res = DiagnosticResult("marketing", owner, language=language, currency=currency)
    res.assumptions += [
        msg("diagnostics.marketing.assumption.untargeted"),
        msg("diagnostics.marketing.assumption.intervals"),
        msg("diagnostics.marketing.assumption.fatigue"),
    ]
    _classify(con, have_customers, have_segment, have_stage)
    _rates(con, res)
    _by_stage(con, res, have_stage)
    if have_customers:
        _fatigue(con, res, have_segment)
        _moments(con, res, charter, have_segment, have_stage)
    con.execute("drop table if exists _mk_sends")
    return res


def _classify(con: Runner, have_customers: bool, have_segment: bool, have_stage: bool) -> None:
    """Classify the sends in one materialisation: ``_mk_camp`` (per campaign: untargeted or
    not, its lifecycle moment) first, then ``_mk_sends`` (the sends with kind and moment)."""
    seg = "c.segment" if have_segment else "null"
    join = "left join customers c on c.customer_id = s.customer_id" if have_customers else ""
    if have_stage:
        cstage = "c.lifecycle_stage" if have_customers else "null"
        stage = f"coalesce(s.lifecycle_stage, {cstage})"
    else:
        stage = "null"
    con.execute(
        f"""
        create or replace temp table _mk_camp as
        with b as (
            select hash(s.campaign) as campaign, coalesce(s.personalized, false) as pers,
                   {stage} as stage, {seg} as segment
            from sends s {join}
        ), tot as (
            select count(distinct segment) as nseg, count(distinct stage) as nstage from b
        ), camp as (
            select campaign, count(distinct segment) as nseg, count(distinct stage) as nstage,
                   bool_or(pers) as anyp
            from b group by campaign
        ), cs as (
            select campaign, stage, count(*) as n from b group by campaign, stage
        ), dom as (
            select campaign, arg_max(stage, n) as top, max(n) / sum(n) as share
            from cs group by campaign
        ), k as (
            select camp.campaign,
                   not camp.anyp and camp.nseg = tot.nseg and camp.nstage = tot.nstage
                     as untargeted,
                   case when dom.share >= 0.8 then dom.top end as camp_stage
            from camp join dom using (campaign) cross join tot
        )
        select campaign, untargeted, {_moment_of("camp_stage")} as moment from k
        """
    )
    outs = ", ".join(f"s.{o}" for o in OUTCOMES)
    con.execute(
        f"""
        create or replace temp table _mk_sends as
        select hash(s.customer_id) as cid, s.sent_at, coalesce(s.personalized, false) as pers,
               {stage} as stage, {seg} as segment, {outs},
               case when coalesce(s.personalized, false) then 'personalised'
                    when k.untargeted then 'untargeted' else 'targeted' end as kind,
               k.moment
        from sends s {join} join _mk_camp k on k.campaign = hash(s.campaign)
        """
    )
    con.execute("drop table _mk_camp")


def _moment_of(camp_stage: str) -> str:
    """SQL: the lifecycle moment a campaign is dedicated to (its dominant stage, normalised,
    names one of :data:`MOMENTS`), else null."""
    norm = f"regexp_replace(lower(coalesce({camp_stage}, '')), '[^a-zäöü]+', '_', 'g')"
    cases = []
    for moment, names in MOMENTS.items():
        listed = ", ".join(f"'{v}'" for v in names)
        cases.append(f"when {norm} in ({listed}) then '{moment}'")
    return f"case {' '.join(cases)} end"


def _agg_sql(group: str) -> str:
    parts = [f"{group}", "count(*) as n"]
    for o in OUTCOMES:
        parts += [f"count({o}) as n_{o}", f"sum(case when {o} then 1 else 0 end) as x_{o}"]
    return ", ".join(parts)


def _fetch(con: Runner, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def _rates(con: Runner, res: DiagnosticResult) -> None:
    """Share of untargeted sends; rates by targeting; untargeted − personalised."""
    rows = {
        r["kind"]: r for r in _fetch(con, f"select {_agg_sql('kind')} from _mk_sends group by kind")
    }
    total = sum(int(r["n"]) for r in rows.values())
    n_untargeted = int(rows.get("untargeted", {}).get("n", 0))
    untargeted = share(n_untargeted, total)
    res.figures["untargeted_share"] = untargeted.to_dict()
    res.figures["sends"] = total
    res.findings.append(
        Finding(
            "untargeted_share",
            msg("diagnostics.marketing.untargeted_share", share=untargeted.value, sends=total),
            untargeted.value > 0,
            untargeted,
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
            cells.append(share(float(r[f"x_{o}"]), float(r[f"n_{o}"])))
        table_rows.append(cells)
    res.tables.append(
        Table(
            "rates_by_kind",
            msg("diagnostics.marketing.table.rates_by_kind"),
            ["kind", "sends", *[f"{o}_rate" for o in OUTCOMES]],
            table_rows,
        )
    )
    p, u = rows.get("personalised"), rows.get("untargeted")
    if p is not None and u is not None:
        _uplift(res, p, u)


def _uplift(res: DiagnosticResult, p: dict[str, Any], u: dict[str, Any]) -> None:
    """Rate differences untargeted − personalised (Newcombe) and their findings."""
    diffs: dict[str, Estimate] = {}
    for o in OUTCOMES:
        if float(u[f"n_{o}"]) > 0 and float(p[f"n_{o}"]) > 0:
            diffs[o] = proportion_difference(
                float(u[f"x_{o}"]), float(u[f"n_{o}"]), float(p[f"x_{o}"]), float(p[f"n_{o}"])
            )
    res.figures["untargeted_minus_personalised"] = {k: v.to_dict() for k, v in diffs.items()}
    res.tables.append(
        Table(
            "uplift",
            msg("diagnostics.marketing.table.uplift"),
            ["outcome", "difference"],
            [[o, d] for o, d in diffs.items()],
        )
    )
    for o in UPLIFT_FINDINGS:
        d = diffs.get(o)
        if d is None:
            continue
        res.findings.append(uplift_finding(o, d))


def uplift_finding(outcome: str, d: Estimate) -> Finding:
    """The finding on untargeted minus personalised ``outcome`` rate."""
    message = msg(uplift_key(outcome, d), **_points(d))
    return Finding(f"{outcome}_uplift", message, d.excludes_zero, d, "share")


def uplift_key(outcome: str, d: Estimate) -> str:
    """Catalogue key of an uplift finding: untargeted ``higher``/``lower`` than personalised
    when the interval excludes zero, else ``none``."""
    side = direction(d)
    return f"diagnostics.marketing.uplift.{outcome}.{'none' if side == 'missing' else side}"


def fatigue_finding(kind: str, est: Estimate) -> Finding:
    """The fatigue finding ``kind`` (``fatigue_unsubscribe`` or ``fatigue_churn``)."""
    key = fatigue_key(kind, est)
    return Finding(kind, msg(key, **_points(est)), key.endswith(".evidence"), est, "share")


def fatigue_key(kind: str, est: Estimate) -> str:
    """Catalogue key of a fatigue finding: the rate rises with sends (``evidence``), falls
    (``opposite``), or no evidence either way (``none``)."""
    v = verdict(est, expected=1)
    return f"diagnostics.marketing.{kind}.{'none' if v == 'missing' else v}"


def _points(est: Estimate) -> dict[str, float]:
    """A share estimate in percentage points, as message parameters."""
    pp = est.scaled(100)
    return {"value_pp": pp.value, "low_pp": pp.ci_low, "high_pp": pp.ci_high}


def _by_stage(con: Runner, res: DiagnosticResult, have_stage: bool) -> None:
    if not have_stage:
        return
    agg = _agg_sql("coalesce(stage, '(none)') as stage, kind")
    rows = _fetch(con, f"select {agg} from _mk_sends group by all order by 1, 2")
    out = []
    for r in rows:
        out.append(
            [r["stage"], r["kind"], int(r["n"])]
            + [share(float(r[f"x_{o}"]), float(r[f"n_{o}"])) for o in OUTCOMES]
        )
    res.tables.append(
        Table(
            "rates_by_stage",
            msg("diagnostics.marketing.table.rates_by_stage"),
            ["lifecycle_stage", "kind", "sends", *[f"{o}_rate" for o in OUTCOMES]],
            out,
        )
    )


KINDS = ("personalised", "targeted", "untargeted")
"""Message kinds of :func:`_classify`, in their sort order."""
STAGE_BITS = 62
"""Up to this many distinct lifecycle stages, a customer-month's set of stages is a bit mask
(``bit_or``; an ordered ``string_agg(distinct …)`` costs several times more); beyond, text."""


def _stage_set(con: Runner) -> tuple[str, list[str] | None]:
    """SQL aggregate for the set of stages of a customer-month's sends ('-' for none), and the
    stages the bits of its mask stand for (``None``: the aggregate spells them itself)."""
    stages = sorted(
        str(r[0])
        for r in con.execute("select distinct coalesce(stage, '-') from _mk_sends").fetchall()
    )
    if len(stages) > STAGE_BITS:
        return "string_agg(distinct coalesce(stage, '-'), '+' order by coalesce(stage, '-'))", None
    bits = " ".join(f"when {_literal(v)} then {1 << i}" for i, v in enumerate(stages))
    return f"bit_or(case coalesce(stage, '-') {bits} end)", stages


def _literal(value: str) -> str:
    """A SQL string literal (DuckDB dialect; the Spark runner re-spells it)."""
    return "'" + value.replace("'", "''") + "'"


def _months(con: Runner) -> list[str] | None:
    """``_mk_months``: one row per customer-month with sends — the sends ``k``, per message
    kind the unsubscribe answers and unsubscribes, and the set of stages (counts, not sums:
    BIGINT on both engines). The per-send and the churn fits both read it (one pass over the
    sends). Returns the stages of the ``stages`` bit mask (see :func:`_stage_set`)."""
    kinds = []
    for i, kind in enumerate(KINDS):
        kinds += [
            f"count(case when kind = '{kind}' then unsubscribed end) as n{i}",
            f"count(case when kind = '{kind}' and unsubscribed then 1 end) as u{i}",
        ]
    stage_sql, stages = _stage_set(con)
    con.execute(
        f"""
        create or replace temp table _mk_months as
        select cid, date_trunc('month', sent_at) as m, count(*) as k,
               {stage_sql} as stages,
               {", ".join(kinds)}
        from _mk_sends group by cid, date_trunc('month', sent_at)
        """
    )
    return stages


def _fatigue_by_k(con: Runner) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Customer-months by sends that month ``k`` (capped), and per ``k`` and message kind the
    sends' unsubscribe answers ``n`` and unsubscribes ``u`` (kinds without answers left out:
    they carry no weight in the fit)."""
    sums = ", ".join(f"sum(n{i}) as n{i}, sum(u{i}) as u{i}" for i in range(len(KINDS)))
    rows = _fetch(
        con,
        f"""
        select least(k, {FATIGUE_CAP}) as k, count(*) as n, {sums}
        from _mk_months group by least(k, {FATIGUE_CAP}) order by 1
        """,
    )
    per_send = [
        {"k": r["k"], "kind": kind, "n": r[f"n{i}"], "u": r[f"u{i}"]}
        for r in rows
        for i, kind in enumerate(KINDS)
        if float(r[f"n{i}"]) > 0
    ]
    return [{"k": r["k"], "n": r["n"]} for r in rows], per_send


def _fatigue_cells(
    con: Runner, stages: list[str] | None, have_segment: bool
) -> list[dict[str, Any]]:
    """Customer-months by sends, stages and segment: at risk next month, churned next month.

    Churn is counted in the month AFTER the sends, among customers still active when it
    starts: the sends of the month a customer leaves end on the churn day, so a same-month
    comparison would be cut short by the very outcome. The next month must be fully observed
    (it ends on or before the last date in the data). ``stages``: see :func:`_months`.
    """
    # the customer's segment (that of the sends: they are joined from the same row)
    segment = "coalesce(c.segment, '-')" if have_segment else "'-'"
    cells = _fetch(
        con,
        f"""
        with e as (
            select max(d) + interval 1 day as d from (
                select max(sent_at)::date as d from _mk_sends
                union all select max(churn_date) from customers
            )
        )
        select least(cm.k, {FATIGUE_CAP}) as k, cm.stages, {segment} as segment,
               count(*) as months,
               sum(case when c.churn_date is null or c.churn_date >= cm.m + interval 1 month
                        then 1 else 0 end) as n,
               sum(case when c.churn_date >= cm.m + interval 1 month
                         and c.churn_date < cm.m + interval 2 month then 1 else 0 end)
                 as churned
        from _mk_months cm left join customers c on hash(c.customer_id) = cm.cid cross join e
        where cm.m + interval 2 month <= e.d
        group by least(cm.k, {FATIGUE_CAP}), cm.stages, {segment}
        """,
    )
    if stages is not None:
        for r in cells:
            mask = int(r["stages"])
            r["stages"] = "+".join(v for i, v in enumerate(stages) if mask >> i & 1)
    cells.sort(key=lambda r: (int(r["k"]), str(r["stages"]), str(r["segment"])))
    return [r for r in cells if float(r["n"]) > 0]


def _totals(rows: list[dict[str, Any]], n: str, x: str) -> dict[int, list[float]]:
    """Σ ``n`` and Σ ``x`` of ``rows`` by their sends per month ``k``."""
    out: dict[int, list[float]] = {}
    for r in rows:
        acc = out.setdefault(int(r["k"]), [0.0, 0.0])
        acc[0] += float(r[n])
        acc[1] += float(r[x])
    return out


def _fatigue(con: Runner, res: DiagnosticResult, have_segment: bool) -> None:
    """Per-send unsubscribe and per-customer-month churn against sends that month."""
    stages = _months(con)
    try:
        all_months, per_send = _fatigue_by_k(con)
        cells = _fatigue_cells(con, stages, have_segment)
    finally:
        con.execute("drop table if exists _mk_months")
    agg = _totals(cells, "n", "churned")
    if not all_months:
        return
    by_k = _totals(per_send, "n", "u")
    table_rows = []
    for r in all_months:
        k = int(r["k"])
        risk, churned = agg.get(k, [0.0, 0.0])
        sends, unsubscribed = by_k.get(k, [0.0, 0.0])
        table_rows.append(
            [
                f"{k}+" if k == FATIGUE_CAP else k,
                int(r["n"]),
                share(unsubscribed, sends),
                share(churned, risk) if risk > 0 else None,
            ]
        )
    res.tables.append(
        Table(
            "fatigue",
            msg("diagnostics.marketing.table.fatigue"),
            [
                "sends_per_month",
                "customer_months",
                "unsubscribe_rate_per_send",
                "churn_rate_next_month",
            ],
            table_rows,
        )
    )
    for key, est in _fatigue_fits(per_send, cells, len(agg)):
        res.figures[f"{key}_slope"] = est.to_dict()
        res.findings.append(fatigue_finding(key, est))


def _fatigue_fits(
    per_send: list[dict[str, Any]], cells: list[dict[str, Any]], n_levels: int
) -> list[tuple[str, Estimate]]:
    """Slopes per additional send: unsubscribe per send (message kind held fixed) and annual
    churn next month (lifecycle stages of the month's sends and segment held fixed)."""
    fits: list[tuple[str, Estimate]] = []
    rows_u = [r for r in per_send if float(r["n"]) > 0]
    if len({int(r["k"]) for r in rows_u}) >= 2:
        kinds = sorted({str(r["kind"]) for r in rows_u})
        x, names = design({"kind": kinds}, rows_u, ["k"])
        n = np.array([float(r["n"]) for r in rows_u])
        u = np.array([float(r["u"]) for r in rows_u])
        fits.append(("fatigue_unsubscribe", grouped_ols(x, n, u, u, names).estimate("k")))
    if n_levels >= 2:
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
            # a slope on the monthly churn probability as annual probability (× 12)
            fits.append(
                ("fatigue_churn", grouped_ols(x, n, ch, ch, names).estimate("k").scaled(12))
            )
    return fits


def _moment_windows(seg: str, lo: Any, hi: Any, most: int = 99) -> dict[str, str]:
    """SQL per moment: the customers in it (customer, segment, window start and end).
    ``most``: the most anniversaries any customer can have had by ``hi``."""
    # contract anniversaries 1..years as a literal table (DuckDB's range() and to_years()
    # have no Spark spelling; a year interval times k is the same date arithmetic on both)
    anniversaries = f"(values {', '.join(f'({k})' for k in range(1, most + 1))}) as r(k)"
    years = "r.k * interval 1 year"
    return {
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
        "renewal": f"""
            select c.customer_id, {seg} as segment,
                   (c.signup_date + {years})::timestamp - interval 60 day as t0,
                   (c.signup_date + {years})::timestamp as t1
            from customers c cross join {anniversaries}
            where c.signup_date + {years} >= DATE '{lo}' + 60
              and c.signup_date + {years} <= DATE '{hi}'
              and (c.churn_date is null or c.churn_date > c.signup_date + {years})""",
    }


def _served(con: Runner, moment: str, window: str, have_stage: bool) -> dict[str, tuple[int, int]]:
    """Per segment: customers in the moment, and those a dedicated send reached in it."""
    served_sql = f"s.moment = '{moment}'" if have_stage else "s.pers"
    out: dict[str, tuple[int, int]] = {}
    for r in _fetch(
        con,
        f"""
        with e as ({window})
        select e.segment, count(distinct e.customer_id) as eligible,
               count(distinct case when s.cid is not null then e.customer_id end)
                 as reached
        from e left join (select cid, sent_at from _mk_sends s where {served_sql}) s
          on s.cid = hash(e.customer_id)
         and s.sent_at >= e.t0 and s.sent_at < e.t1
        group by 1
        """,
    ):
        out[str(r["segment"])] = (int(r["eligible"]), int(r["reached"]))
    return out


def _moments(
    con: Runner,
    res: DiagnosticResult,
    charter: Charter,
    have_segment: bool,
    have_stage: bool,
) -> None:
    """Lifecycle moments × segments: who is in them, who is reached, who gets nothing."""
    seg = "coalesce(c.segment, '(none)')" if have_segment else "'(all)'"
    window = con.execute("select min(sent_at)::date, max(sent_at)::date from _mk_sends").fetchone()
    if window is None or window[0] is None:
        return
    first = con.execute("select min(signup_date) from customers").fetchone()
    # anniversaries beyond the years between the first sign-up and the last send cannot fall
    # in the window: fewer rows for the renewal moment, the same customers in it
    years = 1 if first is None or first[0] is None else window[1].year - first[0].year + 1
    windows = _moment_windows(seg, window[0], window[1], max(1, min(99, years)))
    out: list[list[Any]] = []
    unserved: list[tuple[str, str]] = []
    segments_all = [s.key for s in charter.segments] if have_segment else ["(all)"]
    tagged_all: dict[str, dict[str, int]] = {m: {} for m in MOMENTS}
    if have_stage:
        for r in _fetch(
            con,
            "select moment, coalesce(segment, '(none)') as segment, count(*) as n from _mk_sends "
            "where moment is not null group by moment, coalesce(segment, '(none)')",
        ):
            tagged_all[str(r["moment"])][str(r["segment"])] = int(r["n"])
    for moment in MOMENTS:
        tagged = tagged_all[moment]
        served = _served(con, moment, windows[moment], have_stage) if moment in windows else {}
        if not tagged and not served and not have_stage:
            continue
        for s in sorted(set(segments_all) | set(tagged) | set(served)):
            eligible, reached = served.get(s, (0, 0))
            n_tagged = tagged.get(s, 0)
            cov = share(reached, eligible) if eligible else None
            silent = reached == 0 and (eligible > 0 if moment in windows else n_tagged == 0)
            if silent:
                unserved.append((moment, s))
            out.append([moment, s, n_tagged, eligible, reached, cov, silent])
    res.tables.append(
        Table(
            "lifecycle_moments",
            msg("diagnostics.marketing.table.lifecycle_moments"),
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
    gaps = [{"moment": m, "segment": s} for m, s in unserved]
    res.figures["moments_without_communication"] = gaps
    if unserved:
        moments = [dict(g) for g in gaps]
        message = msg("diagnostics.marketing.moments.unserved", moments=moments)
    else:
        message = msg("diagnostics.marketing.moments.none")
    res.findings.append(Finding("moments_without_communication", message, bool(unserved)))
