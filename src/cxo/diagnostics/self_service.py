"""A portal like a tax return: task success, channel switching, effort, usability themes.

Definitions (also in the result's ``assumptions``):

* **Task success** per self-service task: share of sessions with ``succeeded``; Wilson
  intervals.
* **Channel switching**: a session is followed by an assisted contact when the same customer
  opens a case in an assisted channel (phone, chat, …) within 48 hours after the session
  started. The rate after failed sessions is compared with the *baseline* rate after
  successful sessions of the same task; the difference (Newcombe interval) is the switching
  the failure causes. Contacts caused = failed sessions × that difference; their cost uses a
  configurable cost per contact (default :data:`DEFAULT_COST_PER_CONTACT`).
* **Switch probability caused** by a failure (the planted quantity in the simulator): with
  failure and background reasons acting independently, ``(p_fail − p_ok) / (1 − p_ok)``;
  its interval rescales the Newcombe bounds with ``p_ok`` held fixed.
* **Effort (CES)** per task: responses with a CES at the self-service touchpoint, linked to
  the same customer's latest session in the 24 hours before the response.
* **Usability themes**: from the ``response_themes`` table (materialised by the text
  analysis) for responses at the self-service touchpoint, when that table exists.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from cxo.core.messages import Finding, msg
from cxo.core.verdicts import verdict
from cxo.diagnostics._common import first_owner, has_values, require, share, table_columns
from cxo.diagnostics.result import DiagnosticResult, Table
from cxo.stats.means import mean_normal_from_sums
from cxo.stats.proportions import proportion_difference

if TYPE_CHECKING:
    from cxo.core.charter import Charter
    from cxo.engine.sql import Runner
    from cxo.stats import Estimate

SELF_SERVICE_TOUCHPOINTS = ("portal", "product_use", "webshop")
ASSISTED_CHANNELS = ("phone", "chat", "hotline", "call", "telefon", "callcenter", "telephone")
DEFAULT_COST_PER_CONTACT = 6.0
"""Assumed fully loaded cost of one assisted contact (call or chat), in the workspace currency.

An assumption, not a measurement: set your own with ``cost_per_contact`` /
``--cost-per-contact``.
"""
SWITCH_HOURS = 48
SWITCH_COUNTS = ("fail_known", "ok_known", "fail_switch", "ok_switch")


def run(
    con: Runner,
    charter: Charter,
    *,
    language: str = "de",
    currency: str = "EUR",
    cost_per_contact: float = DEFAULT_COST_PER_CONTACT,
    assisted_channels: tuple[str, ...] = ASSISTED_CHANNELS,
) -> DiagnosticResult:
    """The self-service diagnostic over an open connection."""
    require(con, "self-service", "sessions", ("started_at", "task", "succeeded"))
    owner = first_owner(charter, SELF_SERVICE_TOUCHPOINTS)
    res = DiagnosticResult("selfservice", owner, language=language, currency=currency)
    res.assumptions += [
        msg(
            "diagnostics.selfservice.assumption.switch",
            channels=list(assisted_channels),
            hours=SWITCH_HOURS,
        ),
        msg("diagnostics.selfservice.assumption.caused"),
        msg(
            "diagnostics.selfservice.assumption.cost",
            cost_per_contact=cost_per_contact,
            currency_code=currency,
        ),
    ]
    res.figures["cost_per_contact"] = cost_per_contact
    have_cases = has_values(con, "cases", "customer_id")
    tasks = _task_rows(con, have_cases, assisted_channels)
    months = _months(con)
    _success(res, tasks)
    if have_cases:
        _switching(res, tasks, cost_per_contact, months)
    else:
        res.findings.append(
            Finding("channel_switch", msg("diagnostics.selfservice.switch.no_cases"), False)
        )
    tp = owner.get("touchpoint")
    if tp and has_values(con, "responses", "ces"):
        _effort(con, res, tp)
    if tp and "theme" in table_columns(con, "response_themes"):
        _themes(con, res, tp)
    return res


def _task_rows(con: Runner, have_cases: bool, channels: tuple[str, ...]) -> list[dict[str, Any]]:
    if have_cases:
        names = ", ".join(f"'{c}'" for c in channels)
        sql = f"""
        with c as (
            select customer_id, opened_at from cases where lower(channel) in ({names})
        ), sw as (
            select distinct s.session_id
            from sessions s join c on c.customer_id = s.customer_id
             and c.opened_at >= s.started_at
             and c.opened_at < s.started_at + interval {SWITCH_HOURS} hour
        )
        select s.task,
               count(*) as n,
               sum(case when s.succeeded then 1 else 0 end) as ok,
               sum(case when not s.succeeded and s.customer_id is not null then 1 else 0 end)
                 as fail_known,
               sum(case when s.succeeded and s.customer_id is not null then 1 else 0 end)
                 as ok_known,
               sum(case when not s.succeeded and sw.session_id is not null then 1 else 0 end)
                 as fail_switch,
               sum(case when s.succeeded and sw.session_id is not null then 1 else 0 end)
                 as ok_switch
        from sessions s left join sw using (session_id)
        group by s.task order by s.task
        """
    else:
        sql = """
        select task, count(*) as n, sum(case when succeeded then 1 else 0 end) as ok
        from sessions group by task order by task
        """
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _months(con: Runner) -> float:
    row = con.execute(
        "select datediff('day', min(started_at)::date, max(started_at)::date) from sessions"
    ).fetchone()
    days = float(row[0]) if row and row[0] is not None else 0.0
    return max(days / 30.4375, 1.0)


def _success(res: DiagnosticResult, tasks: list[dict[str, Any]]) -> None:
    """Task success with Wilson intervals; the weakest task as the headline."""
    rows: list[list[Any]] = [
        [str(t["task"]), int(t["n"]), share(float(t["ok"]), float(t["n"]))] for t in tasks
    ]
    rows.sort(key=lambda r: r[2].value)
    res.tables.append(
        Table(
            "task_success",
            msg("diagnostics.selfservice.table.task_success"),
            ["task", "sessions", "success_rate"],
            rows,
        )
    )
    res.figures["task_success"] = {r[0]: r[2].to_dict() for r in rows}
    if rows:
        task, _, est = rows[0]
        params = {"task": task, "value": est.value, "low": est.ci_low, "high": est.ci_high}
        res.findings.append(
            Finding(
                "worst_task",
                msg("diagnostics.selfservice.worst_task", **params),
                est.value < 1.0,
                est,
                "share",
            )
        )


def _switch_rows(
    tasks: list[dict[str, Any]], cost: float, months: float
) -> tuple[list[list[Any]], dict[str, float]]:
    """Per task: switch rates after failure and success, their difference, contacts caused
    and their cost per month (ranked by contacts caused); and the totals of the counts."""
    rows: list[list[Any]] = []
    tot = dict.fromkeys(SWITCH_COUNTS, 0.0)
    for t in tasks:
        for k in tot:
            tot[k] += float(t[k])
        nf = float(t["fail_known"])
        diff = proportion_difference(
            float(t["fail_switch"]), nf, float(t["ok_switch"]), float(t["ok_known"])
        )
        caused = diff.scaled(nf, n=int(nf))
        rows.append(
            [
                str(t["task"]),
                int(nf),
                share(float(t["fail_switch"]), nf),
                share(float(t["ok_switch"]), float(t["ok_known"])),
                diff,
                caused,
                caused.value * cost / months,
            ]
        )
    rows.sort(key=lambda r: -(r[5].value if r[5].value == r[5].value else -1e300))
    return rows, tot


def _switching(
    res: DiagnosticResult, tasks: list[dict[str, Any]], cost: float, months: float
) -> None:
    """Channel switching after failed tasks, the contacts it causes and what they cost."""
    rows, tot = _switch_rows(tasks, cost, months)
    res.tables.append(
        Table(
            "channel_switch",
            msg("diagnostics.selfservice.table.channel_switch"),
            [
                "task",
                "failed_sessions",
                "switch_rate_after_failure",
                "switch_rate_after_success",
                "excess_switch_rate",
                "contacts_caused",
                "cost_per_month",
            ],
            rows,
        )
    )
    after_fail = share(tot["fail_switch"], tot["fail_known"])
    baseline = share(tot["ok_switch"], tot["ok_known"])
    diff = proportion_difference(
        tot["fail_switch"], tot["fail_known"], tot["ok_switch"], tot["ok_known"]
    )
    caused_total = sum(r[5].value for r in rows if r[5].value == r[5].value)
    # Probability that a failure *causes* a contact, if failure and background causes act
    # independently: P(contact | fail) = s + b − s·b  ⇒  s = (p_fail − p_ok) / (1 − p_ok).
    scale = 1.0 / (1.0 - baseline.value) if baseline.value < 1 else math.nan
    res.figures["switch_probability_caused"] = diff.scaled(scale).to_dict()
    res.figures.update(
        switch_rate_after_failure=after_fail.to_dict(),
        switch_rate_after_success=baseline.to_dict(),
        excess_switch_rate=diff.to_dict(),
        contacts_caused=caused_total,
        contacts_caused_per_month=caused_total / months,
        cost_per_month=caused_total * cost / months,
        months_observed=months,
        ranking=[r[0] for r in rows],
    )
    extra = {
        "after_failure": after_fail.value,
        "after_success": baseline.value,
        "contacts_per_month": caused_total / months,
        "cost_per_month": caused_total * cost / months,
        "top": rows[0][0] if rows else "–",
    }
    res.findings.append(switch_finding(diff, extra))


def switch_finding(diff: Estimate, extra: dict[str, Any]) -> Finding:
    """The channel-switch finding; ``extra`` (rates, contacts and cost a month, the top task)
    is said only with evidence."""
    key = switch_key(diff)
    ci = {"value": diff.value, "low": diff.ci_low, "high": diff.ci_high}
    ev = key.endswith(".evidence")
    return Finding("channel_switch", msg(key, **ci, **(extra if ev else {})), ev, diff, "share")


def switch_key(diff: Estimate) -> str:
    """Catalogue key of the channel-switch finding: failures are followed by more contacts
    (``evidence``), by fewer (``opposite``), or no evidence either way (``none``)."""
    v = verdict(diff, expected=1)
    return f"diagnostics.selfservice.switch.{'none' if v == 'missing' else v}"


def _effort(con: Runner, res: DiagnosticResult, tp: str) -> None:
    """Mean CES at the self-service touchpoint by the task of the session before."""
    cur = con.execute(
        """
        with r as (
            select response_id, customer_id, responded_at, ces from responses
            where touchpoint = ? and ces is not null and customer_id is not null
        ), s as (
            select customer_id, started_at, task from sessions where customer_id is not null
        ), j as (
            -- the customer's latest session started at or before the response (an ASOF
            -- join); only one within 24 hours counts, so only those are joined
            select r.response_id, r.ces, s.task,
                   row_number() over (
                       partition by r.response_id order by s.started_at desc, s.task
                   ) as rn
            from r left join s
              on r.customer_id = s.customer_id and r.responded_at >= s.started_at
             and r.responded_at <= s.started_at + interval 24 hour
        )
        select case when task is not null then task else '(no session)' end as task,
               count(*) as n, sum(ces) as sx, sum(ces * ces) as sxx
        from j where rn = 1 group by 1 order by 1
        """,
        [tp],
    )
    rows = cur.fetchall()
    if not rows:
        return
    out: list[list[Any]] = [
        [str(t), int(n), mean_normal_from_sums(float(n), float(sx), float(sxx))]
        for t, n, sx, sxx in rows
    ]
    out.sort(key=lambda r: -r[2].value)
    res.tables.append(
        Table(
            "effort",
            msg("diagnostics.selfservice.table.effort", touchpoint=tp),
            ["task", "responses", "mean_ces"],
            out,
        )
    )
    res.figures["ces_by_task"] = {r[0]: r[2].to_dict() for r in out}


def _themes(con: Runner, res: DiagnosticResult, tp: str) -> None:
    """The commonest themes of the comments at the touchpoint (from ``response_themes``)."""
    cols = table_columns(con, "response_themes")
    neg = (
        "sum(case when t.sentiment = 'negative' then 1 else 0 end)"
        if "sentiment" in cols
        else "null"
    )
    cur = con.execute(
        f"""
        with r as (select response_id from responses where touchpoint = ?)
        select t.theme, count(distinct t.response_id) as n, {neg} as negative,
               (select count(*) from r) as total
        from response_themes t join r using (response_id)
        group by t.theme order by n desc limit 10
        """,
        [tp],
    )
    rows = cur.fetchall()
    if not rows:
        return
    out = [
        [
            str(theme),
            int(n),
            share(float(n), float(total)),
            None if negative is None else share(float(negative), float(n)),
        ]
        for theme, n, negative, total in rows
    ]
    res.tables.append(
        Table(
            "usability_themes",
            msg("diagnostics.selfservice.table.usability_themes", touchpoint=tp),
            ["theme", "responses", "share_of_responses", "share_negative"],
            out,
        )
    )
    res.figures["themes"] = [r[0] for r in out]
