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

from cxo.diagnostics._common import (
    DiagnosticResult,
    Estimate,
    Finding,
    Table,
    first_owner,
    fmt,
    has_values,
    mean_ci,
    money,
    newcombe_diff,
    pct,
    require,
    table_columns,
    wilson,
)

if TYPE_CHECKING:
    import duckdb

    from cxo.core.charter import Charter

SELF_SERVICE_TOUCHPOINTS = ("portal", "product_use", "webshop")
ASSISTED_CHANNELS = ("phone", "chat", "hotline", "call", "telefon", "callcenter", "telephone")
DEFAULT_COST_PER_CONTACT = 6.0
"""Assumed fully loaded cost of one assisted contact (call or chat), in the workspace currency.

An assumption, not a measurement: set your own with ``cost_per_contact`` /
``--cost-per-contact``.
"""
SWITCH_HOURS = 48


def run(
    con: duckdb.DuckDBPyConnection,
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
    res = DiagnosticResult(
        "selfservice",
        "A portal like a tax return",
        "Ein Portal wie eine Steuererklärung",
        owner,
        language=language,
        currency=currency,
    )
    res.assumptions += [
        f"Channel switch: a case in an assisted channel ({', '.join(assisted_channels)}) by the "
        f"same customer within {SWITCH_HOURS} h after the session started.",
        "Contacts caused by failures = failed sessions × (switch rate after failure − switch "
        "rate after success of the same task).",
        f"Cost per assisted contact: {fmt(cost_per_contact)} {currency} (assumption; "
        "configurable).",
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
            Finding(
                "channel_switch",
                "Channel switching not measured: it needs table `cases` (import with "
                "`cxo import cases FILE`).",
                "Kanalwechsel nicht gemessen: dafür fehlt die Tabelle `cases` (Import mit "
                "`cxo import cases DATEI`).",
                False,
            )
        )
    tp = owner.get("touchpoint")
    if tp and has_values(con, "responses", "ces"):
        _effort(con, res, tp)
    if tp and "theme" in table_columns(con, "response_themes"):
        _themes(con, res, tp)
    return res


def _task_rows(
    con: duckdb.DuckDBPyConnection, have_cases: bool, channels: tuple[str, ...]
) -> list[dict[str, Any]]:
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


def _months(con: duckdb.DuckDBPyConnection) -> float:
    row = con.execute(
        "select datediff('day', min(started_at), max(started_at)) from sessions"
    ).fetchone()
    days = float(row[0]) if row and row[0] is not None else 0.0
    return max(days / 30.4375, 1.0)


def _success(res: DiagnosticResult, tasks: list[dict[str, Any]]) -> None:
    de = res.language == "de"
    rows: list[list[Any]] = [
        [str(t["task"]), int(t["n"]), wilson(float(t["ok"]), float(t["n"]))] for t in tasks
    ]
    rows.sort(key=lambda r: r[2].value)
    res.tables.append(
        Table(
            "task_success",
            "Task success",
            "Aufgabenerfolg",
            ["task", "sessions", "success_rate"],
            rows,
        )
    )
    res.figures["task_success"] = {r[0]: r[2].to_dict() for r in rows}
    if rows:
        task, _, est = rows[0]
        res.findings.append(
            Finding(
                "worst_task",
                f"Weakest self-service task: {task}, success {pct(est.value)} "
                f"(95 % CI {pct(est.low)} to {pct(est.high)}).",
                f"Schwächste Self-Service-Aufgabe: {task}, Erfolg {pct(est.value, True)} "
                f"(95-%-KI {pct(est.low, True)} bis {pct(est.high, True)}).",
                est.value < 1.0,
                est,
                "share",
            )
        )
    _ = de


def _switching(
    res: DiagnosticResult, tasks: list[dict[str, Any]], cost: float, months: float
) -> None:
    de = res.language == "de"
    rows: list[list[Any]] = []
    tot = dict.fromkeys(("fail_known", "ok_known", "fail_switch", "ok_switch"), 0.0)
    for t in tasks:
        for k in tot:
            tot[k] += float(t[k])
        after_fail = wilson(float(t["fail_switch"]), float(t["fail_known"]))
        after_ok = wilson(float(t["ok_switch"]), float(t["ok_known"]))
        diff = newcombe_diff(
            float(t["fail_switch"]),
            float(t["fail_known"]),
            float(t["ok_switch"]),
            float(t["ok_known"]),
        )
        nf = float(t["fail_known"])
        caused = Estimate(nf * diff.value, nf * diff.low, nf * diff.high, int(nf))
        rows.append(
            [
                str(t["task"]),
                int(nf),
                after_fail,
                after_ok,
                diff,
                caused,
                caused.value * cost / months,
            ]
        )
    rows.sort(key=lambda r: -(r[5].value if r[5].value == r[5].value else -1e300))
    res.tables.append(
        Table(
            "channel_switch",
            "Failed tasks followed by a call or chat within 48 h, ranked by contacts caused",
            "Gescheiterte Aufgaben mit Anruf oder Chat binnen 48 h, nach verursachten Kontakten",
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
    after_fail = wilson(tot["fail_switch"], tot["fail_known"])
    baseline = wilson(tot["ok_switch"], tot["ok_known"])
    diff = newcombe_diff(tot["fail_switch"], tot["fail_known"], tot["ok_switch"], tot["ok_known"])
    caused_total = sum(r[5].value for r in rows if r[5].value == r[5].value)
    # Probability that a failure *causes* a contact, if failure and background causes act
    # independently: P(contact | fail) = s + b − s·b  ⇒  s = (p_fail − p_ok) / (1 − p_ok).
    scale = 1.0 / (1.0 - baseline.value) if baseline.value < 1 else math.nan
    caused_p = Estimate(diff.value * scale, diff.low * scale, diff.high * scale, diff.n)
    res.figures["switch_probability_caused"] = caused_p.to_dict()
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
    ci_en = f"{pct(diff.value)} (95 % CI {pct(diff.low)} to {pct(diff.high)})"
    ci_de = f"{pct(diff.value, True)} (95-%-KI {pct(diff.low, True)} bis {pct(diff.high, True)})"
    if diff.excludes_zero and diff.value > 0:
        per_month = caused_total * cost / months
        top = rows[0][0] if rows else "–"
        res.findings.append(
            Finding(
                "channel_switch",
                f"{pct(after_fail.value)} of failed self-service tasks end in a call or chat "
                f"within 48 h, against {pct(baseline.value)} after successful ones: "
                f"{ci_en} more. That is about {caused_total / months:,.0f} contacts and "
                f"{money(per_month, res.currency)} a month; most come from {top}.",
                f"{pct(after_fail.value, True)} der gescheiterten Self-Service-Aufgaben enden "
                f"binnen 48 h in Anruf oder Chat, gegenüber {pct(baseline.value, True)} nach "
                f"erfolgreichen: {ci_de} mehr. Das sind etwa "
                f"{fmt(caused_total / months, True)} Kontakte und "
                f"{money(per_month, res.currency, True)} im Monat; die meisten verursacht {top}.",
                True,
                diff,
                "share",
            )
        )
    else:
        res.findings.append(
            Finding(
                "channel_switch",
                f"No evidence of channel switching after failed self-service tasks: {ci_en} "
                "difference to the rate after successful ones.",
                f"Kein Nachweis von Kanalwechseln nach gescheiterten Self-Service-Aufgaben: "
                f"{ci_de} Unterschied zur Quote nach erfolgreichen.",
                False,
                diff,
                "share",
            )
        )
    _ = de


def _effort(con: duckdb.DuckDBPyConnection, res: DiagnosticResult, tp: str) -> None:
    cur = con.execute(
        """
        with r as (
            select customer_id, responded_at, ces from responses
            where touchpoint = ? and ces is not null and customer_id is not null
        ), s as (
            select customer_id, started_at, task from sessions where customer_id is not null
        ), j as (
            select r.ces, s.task, r.responded_at - s.started_at as lag
            from r asof left join s
              on r.customer_id = s.customer_id and r.responded_at >= s.started_at
        )
        select case when task is not null and lag <= interval 24 hour then task
                    else '(no session)' end as task,
               count(*) as n, sum(ces) as sx, sum(ces * ces) as sxx
        from j group by 1 order by 1
        """,
        [tp],
    )
    rows = cur.fetchall()
    if not rows:
        return
    out: list[list[Any]] = [
        [str(t), int(n), mean_ci(float(sx), float(sxx), float(n))] for t, n, sx, sxx in rows
    ]
    out.sort(key=lambda r: -r[2].value)
    res.tables.append(
        Table(
            "effort",
            f"Customer effort (CES 1–7, lower is better) at {tp}, by task",
            f"Kundenaufwand (CES 1–7, niedriger ist besser) bei {tp}, je Aufgabe",
            ["task", "responses", "mean_ces"],
            out,
        )
    )
    res.figures["ces_by_task"] = {r[0]: r[2].to_dict() for r in out}


def _themes(con: duckdb.DuckDBPyConnection, res: DiagnosticResult, tp: str) -> None:
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
            wilson(float(n), float(total)),
            None if negative is None else wilson(float(negative), float(n)),
        ]
        for theme, n, negative, total in rows
    ]
    res.tables.append(
        Table(
            "usability_themes",
            f"Themes in comments about {tp}",
            f"Themen in Kommentaren zu {tp}",
            ["theme", "responses", "share_of_responses", "share_negative"],
            out,
        )
    )
    res.figures["themes"] = [r[0] for r in out]
