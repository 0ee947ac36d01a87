"""The closed loop in words: generated tasks, the task list, the SLA report, its JSON.

Turns the data of :mod:`cxo.followups` into German or English for ``cxo followup`` and the
board report. The JSON keeps the keys it always had (``notes`` of a generation run in
English, next to the message keys and parameters they come from).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxo.followups.loop import NO_OWNER
from cxo.report import format as fmt
from cxo.report.html import render
from cxo.report.initiatives import Table, texts
from cxo.report.messages import message, text

if TYPE_CHECKING:
    from cxo.errors import CxoError
    from cxo.followups import FollowUp, Generated, LoopReport, LoopStats, Rerouted
    from cxo.followups.effect import ContactEffect

LEVEL = 0.95
REPORT_COLUMNS = ("tasks", "due", "within_sla", "contacted", "median_hours", "overdue")
LIST_COLUMNS = ("id", "due", "owner", "touchpoint", "reason", "nps", "status", "comment")


def _lang(language: str) -> str:
    return "de" if language == "de" else "en"


def group_label(group: str, language: str = "en") -> str:
    """A group of the report: owners and touchpoints as they are; ``all`` and tasks without
    an owner in words."""
    if group == NO_OWNER:
        return message("followups.no_owner", _lang(language))
    if group == "all":
        return message("followups.all", _lang(language))
    return group


def notes(result: Generated, language: str = "en") -> list[str]:
    """``note: …`` lines of a generation run."""
    lang = _lang(language)
    return [message("followups.note", lang, note=text(n, lang)) for n in result.notes]


def summary(result: Generated, language: str = "en") -> str:
    """What ``cxo followup generate`` did, in one line."""
    return message(
        "followups.generate.summary",
        _lang(language),
        created=result.created,
        candidates=result.candidates,
        since=result.since,
    )


def demo_line(result: Generated, language: str = "en") -> str:
    """The closed loop in the demo's closing summary."""
    return message(
        "followups.generate.demo", _lang(language), created=result.created, since=result.since
    )


def status_line(task: FollowUp, language: str = "en") -> str:
    """``task 12: closed``."""
    lang = _lang(language)
    return message(
        "followups.task.status", lang, id=str(task.id), status=status_label(task.status, lang)
    )


def status_label(status: str, language: str = "en") -> str:
    """``open``, ``contacted``, ``closed`` in words."""
    return message(f"followups.status.{status}", _lang(language))


def task_table(items: list[FollowUp], language: str = "en", limit: int | None = None) -> Table:
    """Tasks, oldest due first (``limit`` rows; the title counts all)."""
    lang = _lang(language)
    rows = [
        [
            str(t.id),
            t.due_at.strftime("%Y-%m-%d %H:%M"),
            t.owner or group_label(NO_OWNER, lang),
            t.touchpoint,
            t.reason,
            "" if t.nps is None else str(t.nps),
            status_label(t.status, lang),
            (t.comment or "")[:80],
        ]
        for t in items[:limit]
    ]
    return Table(
        message("followups.list.title", lang, count=len(items)),
        [message(f"followups.list.{c}", lang) for c in LIST_COLUMNS],
        rows,
    )


def stats_cells(s: LoopStats, language: str = "en") -> list[str]:
    """One group's tasks, due, share within the SLA with its interval, contacted, median hours
    to contact and overdue tasks."""
    lang = _lang(language)
    est = s.within_sla
    return [
        str(s.tasks),
        str(s.due),
        f"{fmt.percent(est.value, 0, lang)} "
        f"[{fmt.percent(est.ci_low, 0, lang)}; {fmt.percent(est.ci_high, 0, lang)}]",
        fmt.percent(s.contacted, 0, lang),
        fmt.number(s.median_hours_to_contact, 1, lang),
        str(s.overdue_open),
    ]


def report_table(result: LoopReport, language: str = "en", *, by: str = "owner") -> Table:
    """The loop overall and per owner (``by="touchpoint"``: per touchpoint)."""
    lang = _lang(language)
    groups = result.by_owner if by == "owner" else result.by_touchpoint
    columns = [message(f"followups.report.{by}", lang)]
    columns += [message(f"followups.report.{c}", lang, level=LEVEL) for c in REPORT_COLUMNS]
    rows = [[group_label(s.group, lang), *stats_cells(s, lang)] for s in [result.overall, *groups]]
    return Table(message("followups.report.title", lang), columns, rows)


def unrouted_line(result: LoopReport, language: str = "en") -> str | None:
    """How many tasks nobody is accountable for (``None`` when every task has an owner)."""
    if not result.unrouted:
        return None
    return message("followups.report.unrouted", _lang(language), tasks=result.unrouted)


def section(
    result: LoopReport,
    language: str = "en",
    currency: str = "EUR",
    *,
    effect: ContactEffect | CxoError | None = None,
) -> str:
    """HTML section for the board report: the loop per owner and per touchpoint, then the
    effect of being contacted (``effect``: the estimate, or the error that says why it could
    not be made; ``None`` leaves it out)."""
    lang = _lang(language)
    return render(
        "followups.html",
        language=lang,
        currency=currency,
        owners=report_table(result, lang),
        touchpoints=report_table(result, lang, by="touchpoint"),
        unrouted=unrouted_line(result, lang),
        effect=None if effect is None else effect_block(effect, lang),
    )


def effect_block(effect: ContactEffect | CxoError, language: str = "en") -> dict[str, Any]:
    """The contact effect for HTML: ``title``, ``headline`` (why it was not estimated, else
    ``None``) and ``lines`` (:func:`effect_lines`)."""
    from cxo.errors import CxoError

    lang = _lang(language)
    title = message("followups.effect.title", lang)
    if isinstance(effect, CxoError):
        reason = effect.message + (f" ({effect.hint})" if effect.hint else "")
        why = message("followups.effect.not_estimated", lang, reason=reason)
        return {"title": title, "headline": why, "lines": []}
    outcomes = [o for o in (effect.later_nps, effect.later_churn) if o is not None]
    headline: str | None = None
    if not any(o.estimated for o in outcomes):
        key = "none_contacted" if effect.contacted == 0 else "too_few"
        headline = message(
            f"followups.effect.not_estimated_{key}",
            lang,
            units=effect.units,
            contacted=effect.contacted,
            window=effect.window_days,
        )
    return {"title": title, "headline": headline, "lines": effect_lines(effect, lang)}


def to_json(result: Generated | LoopReport | FollowUp | ContactEffect) -> dict[str, Any]:
    """The JSON of ``cxo followup generate|report --json`` (and of one task):
    ``result.to_dict()`` with the English ``notes`` next to their message dicts."""
    out: dict[str, Any] = texts(result.to_dict())
    return out


def reroute_lines(
    result: Rerouted, language: str = "en", labels: dict[str, str] | None = None
) -> list[str]:
    """One line per owner change: ``2 open follow-up tasks of touchpoint Hotline moved from
    A to B`` (``labels``: touchpoint key → label in ``language``)."""
    lang = _lang(language)
    nobody = message("followups.reroute.nobody", lang)
    return [
        message(
            "followups.reroute.move",
            lang,
            tasks=m.tasks,
            touchpoint=(labels or {}).get(m.touchpoint, m.touchpoint),
            from_owner=m.from_owner or nobody,
            to_owner=m.to_owner or nobody,
        )
        for m in result.moves
    ]


def effect_lines(result: ContactEffect, language: str = "en") -> list[str]:
    """The effect of being contacted in words: units, later NPS and churn with their
    intervals where estimated, then the design's limits and what could not be estimated."""
    lang = _lang(language)
    lines = [
        message(
            "followups.effect.units",
            lang,
            units=result.units,
            contacted=result.contacted,
            window=result.window_days,
        )
    ]
    outcomes = [
        (result.later_nps, "followups.effect.later_nps"),
        (result.later_churn, "followups.effect.later_churn"),
    ]
    for outcome, key in outcomes:
        if outcome is None or not outcome.estimated:
            continue
        lines.append(
            message(
                key,
                lang,
                window=result.window_days,
                horizon=result.horizon_days,
                days=result.churn_days,
                effect=outcome.effect.value,
                ci_low=outcome.effect.ci_low,
                ci_high=outcome.effect.ci_high,
                contacted=outcome.contacted,
                not_contacted=outcome.not_contacted,
                contacted_mean=outcome.contacted_mean,
                not_contacted_mean=outcome.not_contacted_mean,
            )
        )
    return lines + [text(n, lang) for n in result.notes]
