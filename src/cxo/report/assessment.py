"""The assessment (Standortbestimmung) in words: text summary, HTML section, JSON, report files.

:class:`cxo.assess.Assessment` is data: pains, drivers, linkage, trend and focus with their
sentences as :class:`~cxo.core.messages.Message` keys (catalogue ``assess.po``). This module
words them in German or English, renders ``templates/assessment.html`` and writes
``reports/assessment-<n>.json`` and ``.html`` (:func:`write_assessment`).

The JSON keeps the keys it always had: ``notes`` (in English), ``reasoning`` and
``stop_doing`` (in the workspace language) and the trend's ``verdict`` (in English) are the
words of the ``*_messages`` next to them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo.assess.focus import money_key
from cxo.core.messages import Message, msg
from cxo.report import drivers as drivers_report
from cxo.report import format as fmt
from cxo.report.html import render
from cxo.report.messages import message, text, with_texts

if TYPE_CHECKING:
    from cxo.assess import Assessment
    from cxo.assess.pains import Pain
    from cxo.assess.trend import Trend
    from cxo.workspace import Workspace

__all__ = ["section", "summary", "to_json", "trend_lines", "write_assessment"]

TOP_IN_HTML = 10
GROUPS = {"segment": "segment", "segment×touchpoint": "segment_touchpoint"}
"""Decomposition groupings and their catalogue keys (``assess.trend.groups.<key>``)."""


def _language(result: Assessment, language: str | None) -> str:
    lang = language or result.language
    return "de" if lang == "de" else "en"


# --------------------------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------------------------


def summary(
    result: Assessment, language: str | None = None, currency: str | None = None, top: int = 5
) -> str:
    """A short text (the workspace language by default): top pains with owners and money,
    drivers, churn linkage, trend, focus and notes."""
    lang = _language(result, language)
    cur = currency or result.currency
    from cxo.assess.pains import FDR

    lines = [
        message(
            "assess.summary.head",
            lang,
            company=result.company,
            type=result.company_type,
            as_of=result.as_of,
            responses=result.responses,
            customers=result.customers,
            source=result.theme_source,
        ),
        message(
            "assess.summary.pains",
            lang,
            top=top,
            n=len(result.pains),
            flagged=len(result.flagged),
            fdr=FDR,
        ),
    ]
    lines.extend("  " + _pain_line(p, lang, cur) for p in result.pains[:top])
    if result.drivers is not None:
        lines.append(_drivers_line(result, lang))
    link = result.linkage
    if link is not None and link.detractor_excess is not None:
        key = detractors_key("assess.summary.detractors", result)
        line = message(key, lang, points=100 * link.detractor_excess.excess)
        if link.detractor_revenue is not None:
            rv = link.detractor_revenue
            line += "; " + message(
                money_key("assess.summary.money", rv),
                lang,
                value=rv.value,
                low=rv.ci_low,
                high=rv.ci_high,
                cur=cur,
            )
        lines.append(line)
    if result.trend is not None:
        lines.extend(trend_lines(result.trend, lang))
    lines.extend(_focus_lines(result, lang, cur))
    lines.extend(
        message("assess.summary.note", lang, text=text(n, lang, currency=cur)) for n in result.notes
    )
    return "\n".join(lines)


def _pain_line(p: Pain, language: str, currency: str) -> str:
    money: Message = (
        msg(
            money_key("assess.summary.money", p.revenue),
            value=p.revenue.value,
            low=p.revenue.ci_low,
            high=p.revenue.ci_high,
            cur=currency,
        )
        if p.revenue
        else msg("assess.summary.no_money")
    )
    return message(
        "assess.summary.pain",
        language,
        rank=p.rank,
        label=p.label,
        reach=p.reach,
        gap=p.gap,
        low=p.gap_low,
        high=p.gap_high,
        money=money,
        flag=msg("assess.summary.flagged" if p.flagged else "assess.summary.not_significant"),
        who=p.owner.get("accountable") or msg("assess.summary.no_owner"),
    )


def _drivers_line(result: Assessment, language: str) -> str:
    assert result.drivers is not None
    rw = result.drivers.relative_weights
    parts = []
    for d in rw.ranking()[:5]:
        ns = rw.significant_ is not None and not bool(rw.significant_[d])
        key = "assess.summary.driver_ns" if ns else "assess.summary.driver"
        parts.append(message(key, language, name=d, percent=float(rw.rescaled_[d])))
    return message(
        "assess.summary.drivers", language, target=rw.target, r2=rw.r2_, drivers=", ".join(parts)
    )


def trend_lines(trend: Trend, language: str = "en") -> list[str]:
    """The trend line, then the mix/within split per grouping."""
    lines = [
        message(
            "assess.trend.line",
            language,
            quarters=len(trend.quarters),
            slope=trend.slope,
            low=trend.slope_ci[0],
            high=trend.slope_ci[1],
            p=trend.slope_p,
            verdict=msg(f"assess.trend.verdict.{trend.direction}"),
        )
    ]
    for d in trend.decompositions:
        key = GROUPS.get(d.groups)
        groups: Message | str = msg(f"assess.trend.groups.{key}") if key else d.groups
        lines.append(
            "  "
            + message(
                "assess.trend.decomposition",
                language,
                start=d.start,
                end=d.end,
                groups=groups,
                total=d.total,
                mix=d.mix,
                within=d.within,
            )
        )
    return lines


def _focus_lines(result: Assessment, language: str, currency: str) -> list[str]:
    """The top recommendation with its reasoning, and what to stop."""
    fc = result.focus
    if not fc.recommendations:
        return [message("assess.summary.focus_none", language)]
    top = fc.recommendations[0]
    lines = [
        message(
            "assess.summary.start",
            language,
            touchpoint=top.touchpoint,
            who=top.owner.get("accountable") or msg("assess.summary.nobody"),
            department=top.owner.get("department"),
        )
    ]
    lines.extend(f"  · {text(r, language, currency=currency)}" for r in top.reasoning)
    if fc.stop_doing:
        lines.append(message("assess.summary.stop_doing", language))
        lines.extend(f"  · {text(s, language, currency=currency)}" for s in fc.stop_doing)
    return lines


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def section(result: Assessment, language: str | None = None, currency: str | None = None) -> str:
    """The assessment as an HTML section of the board report (autoescaped)."""
    from cxo.assess.pains import FDR

    lang = _language(result, language)
    cur = currency or result.currency
    drivers = result.drivers
    return render(
        "assessment.html",
        language=lang,
        currency=cur,
        a=result,
        fdr=FDR,
        top=result.pains[:TOP_IN_HTML],
        drivers_table=drivers_report.table(drivers.relative_weights) if drivers else None,
        trend_lines=trend_lines(result.trend, lang) if result.trend else [],
        detractors_key=detractors_key("assess.html.detractors", result),
    )


def detractors_key(base: str, result: Assessment) -> str:
    """``base`` ("detractors churn … more than promoters") for a point estimate ≥ 0, else
    ``base_less`` (they churn less), so the words follow the sign of the printed number."""
    link = result.linkage
    if link is None or link.detractor_excess is None or link.detractor_excess.excess >= 0:
        return base
    return f"{base}_less"


# --------------------------------------------------------------------------------------------
# JSON and files
# --------------------------------------------------------------------------------------------


def _english(items: list[dict[str, Any]]) -> list[str]:
    return [str(i["text"]) for i in items]


def _in_language(items: list[dict[str, Any]], language: str) -> list[str]:
    """Texts of message dicts in ``language``, as the JSON always wrote them.

    The type weight of a focus reason was always written with a decimal point (``×1.5``),
    in German too; the other numbers follow the language.
    """
    out = []
    for item in items:
        params = dict(item["params"])
        if "weight" in params and isinstance(params["weight"], int | float):
            params["weight"] = fmt.significant(params["weight"], 3, "en")
        out.append(message(str(item["message"]), language, **params))
    return out


def to_json(result: Assessment) -> dict[str, Any]:
    """The JSON of ``cxo assess --json`` and ``assessment-<n>.json``: ``to_dict()`` with the
    words of every message added, under the keys the JSON always had."""
    lang = _language(result, None)
    out: dict[str, Any] = with_texts(result.to_dict())
    out["notes"] = _english(out["note_messages"])
    for pain in out["pains"]:
        pain["notes"] = _english(pain["note_messages"])
    if out["drivers"] is not None:
        dr = out["drivers"]
        dr["notes"] = _english(dr["note_messages"])
        dr["relative_weights"] = drivers_report.json_notes(dr["relative_weights"])
        if dr["lmg"] is not None:
            dr["lmg"] = drivers_report.json_notes(dr["lmg"])
    if out["linkage"] is not None:
        out["linkage"]["notes"] = _english(out["linkage"]["note_messages"])
    focus = out["focus"]
    for rec in focus["recommendations"]:
        rec["reasoning"] = _in_language(rec["reasoning_messages"], lang)
    focus["stop_doing"] = _in_language(focus["stop_doing_messages"], lang)
    return out


def write_assessment(
    ws: Workspace, result: Assessment, *, author: str = "cxo"
) -> tuple[Path, Path]:
    """Write ``reports/assessment-<n>.json`` and ``.html``; note the run in the store.

    Sets ``result.number``. A failure to note the run adds a note to ``result`` (the files
    are the record; the store entry is a convenience).
    """
    from cxo.workspace import saved_assessments

    reports = ws.reports_dir
    number = max(saved_assessments(reports), default=0) + 1
    result.number = number
    json_path = reports / f"assessment-{number}.json"
    html_path = reports / f"assessment-{number}.html"
    json_path.write_text(json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n", "utf-8")
    html_path.write_text(section(result), "utf-8")
    try:
        from cxo.store.db import record_assessment_run

        record_assessment_run(
            ws.app_database_url,
            number,
            str(json_path.relative_to(ws.root)),
            author=author,
            summary=summary(result).splitlines()[0],
        )
    except Exception as exc:  # the files are the record; the store entry is a convenience
        result.notes.append(msg("assess.note.not_recorded", reason=str(exc)))
    return json_path, html_path
