"""Initiatives and proof in words: business cases, measured effects, priorities.

Turns the data of :mod:`cxo.initiatives` — :class:`~cxo.initiatives.BusinessCase`,
:class:`~cxo.initiatives.Proof`, :class:`~cxo.initiatives.Prioritisation` — into German or
English: the verdict of a case and why (weak cases said plainly), the notes, stop reasons,
the lines and tables of ``cxo initiative``, the board report's section and the JSON.

JSON (:func:`to_json`, :func:`texts`) keeps the keys ``cxo initiative … --json`` always had:
``reason`` (the case's verdict sentence in the workspace language), ``notes`` and
``stop_reason`` (English), next to the message keys and parameters they come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from markupsafe import Markup

from cxo.core.messages import Message
from cxo.report import format as fmt
from cxo.report.html import render
from cxo.report.messages import message, text, with_texts

if TYPE_CHECKING:
    from cxo.initiatives import (
        BusinessCase,
        Initiative,
        Prioritisation,
        Priority,
        Proof,
        Reach,
    )
    from cxo.report.chartkit import Spec

CHART_FONT = "DejaVu Sans"
"""The font the board report's SVG charts are laid out in (as ``cxo.report.board``)."""
NOTES_LANGUAGE = "en"
"""``notes`` and ``stop_reason`` in the JSON were always English."""


class Table(NamedTuple):
    """A table for a terminal: title, column headings and rows of cell texts."""

    title: str
    columns: list[str]
    rows: list[list[str]]


def _lang(language: str) -> str:
    return "de" if language == "de" else "en"


# --------------------------------------------------------------------------------------------
# sentences
# --------------------------------------------------------------------------------------------


def verdict_label(verdict: str, language: str = "en") -> str:
    """``weak``, ``fragile``, ``robust`` in words."""
    return message(f"initiatives.verdict.{verdict}", _lang(language))


def reason(case: BusinessCase, language: str = "en", currency: str = "EUR") -> str:
    """Why the case is weak, fragile or robust, in one or two sentences."""
    return text(case.reason, _lang(language), currency=currency)


def notes(items: list[Message], language: str = "en", currency: str = "EUR") -> list[str]:
    """Notes (caveats) in words."""
    return [text(m, _lang(language), currency=currency) for m in items]


def stop_reason(priority: Priority, language: str = "en") -> str:
    """Why an initiative is a candidate to stop (empty when it is not)."""
    if priority.stop_reason is None:
        return ""
    return text(priority.stop_reason, _lang(language))


# --------------------------------------------------------------------------------------------
# terminal
# --------------------------------------------------------------------------------------------


def reach_line(
    initiative: Initiative, reach: Reach, language: str = "en", currency: str = "EUR"
) -> str:
    """Whom the initiative reaches: customers, their revenue and churn."""
    lang = _lang(language)
    return message(
        "initiatives.cli.reach",
        lang,
        currency=currency,
        name=initiative.name,
        owner=initiative.owner or message("initiatives.cli.no_owner", lang),
        customers=reach.customers,
        touchpoints=", ".join(initiative.touchpoints),
        mrr=reach.mrr,
        churn=reach.baseline_churn,
    )


def totals_line(case: BusinessCase, language: str = "en", currency: str = "EUR") -> str:
    """Value kept, cost, NPV, ROI, payback and customers kept in one line."""
    return message(
        "initiatives.cli.totals",
        _lang(language),
        currency=currency,
        value=case.value_kept,
        cost=case.cost,
        npv=case.npv,
        roi=case.roi,
        payback=case.payback_month,
        customers=case.customers_kept,
    )


def sensitivity_table(case: BusinessCase, language: str = "en", currency: str = "EUR") -> Table:
    """The one-at-a-time sensitivity, largest swing first."""
    lang = _lang(language)
    columns = ["input", "pessimistic", "optimistic", "npv_pessimistic", "npv_optimistic"]
    rows = [
        [
            s.input,
            fmt.number(s.low_value, 4, lang),
            fmt.number(s.high_value, 4, lang),
            fmt.money(s.npv_low, currency, lang),
            fmt.money(s.npv_high, currency, lang),
        ]
        for s in case.sensitivity
    ]
    return Table(
        message("initiatives.sensitivity.title", lang),
        [message(f"initiatives.sensitivity.{c}", lang) for c in columns],
        rows,
    )


def note_lines(items: list[Message], language: str = "en", currency: str = "EUR") -> list[str]:
    """``note: …`` lines."""
    lang = _lang(language)
    return [message("initiatives.cli.note", lang, note=n) for n in notes(items, lang, currency)]


def _controls_text(proof: Proof, language: str) -> str:
    comparison = proof.effect.comparison
    if comparison == "matched":
        return message("initiatives.cli.controls_matched", language)
    if comparison == "prepost":
        return message("initiatives.cli.controls_none", language)
    return ", ".join(proof.effect.controls)


def design_lines(proof: Proof, language: str = "en") -> list[str]:
    """How sound the comparison is: the matched customers' balance and the event study's
    pre-trend test (empty when neither applies)."""
    lang = _lang(language)
    lines = []
    match = proof.effect.matching
    if match is not None:
        lines.append(
            message(
                "initiatives.cli.matched",
                lang,
                matched=len(match.treated_ids),
                targeted=match.targeted,
                unmatched=match.unmatched + match.unknown,
                pre_treated=match.pre_nps_treated,
                pre_control=match.pre_nps_control,
            )
        )
    study = proof.effect.event_study
    if study is not None and study.pre_trend is not None:
        test = study.pre_trend
        verdict = "doubtful" if test.doubtful else "ok"
        lines.append(
            message(
                "initiatives.cli.pre_trend",
                lang,
                months=test.months,
                slope=test.slope,
                p_slope=test.slope_p,
                p_joint=test.joint_p,
                verdict=message(f"initiatives.pre_trend.{verdict}", lang),
            )
        )
    return lines


def event_study_chart(proof: Proof, language: str = "en", currency: str = "EUR") -> Spec:
    """The event study of ``proof`` as a Vega-Lite spec (effect per month around the launch;
    :func:`cxo.report.charts.initiative_event_study_chart`)."""
    from cxo.report.charts import initiative_event_study_chart

    return initiative_event_study_chart(proof.to_dict(), _lang(language), currency)


def effect_lines(proof: Proof, language: str = "en", currency: str = "EUR") -> list[str]:
    """What was measured: launch and controls, the effect on NPS and detractors, the money,
    how sound the comparison is."""
    lang = _lang(language)
    ini, n, d = proof.initiative, proof.effect.nps, proof.effect.detractors
    kept = proof.revenue_kept
    return [
        message(
            "initiatives.cli.launched",
            lang,
            name=ini.name,
            launch=ini.launch,
            touchpoints=", ".join(ini.touchpoints),
            controls=_controls_text(proof, lang),
        ),
        message(
            "initiatives.cli.effect",
            lang,
            nps=n.value,
            nps_low=n.ci_low,
            nps_high=n.ci_high,
            p=n.p_value,
            detractors=100 * d.value,
            detractors_low=100 * d.ci_low,
            detractors_high=100 * d.ci_high,
        ),
        message(
            "initiatives.cli.money",
            lang,
            currency=currency,
            churn=100 * proof.churn_effect.value,
            kept=kept.value,
            kept_low=kept.ci_low,
            kept_high=kept.ci_high,
            horizon=proof.case.inputs.horizon_months,
            pays=proof.probability_pays,
        ),
        *design_lines(proof, lang),
    ]


def proof_line(proof: Proof, language: str = "en", currency: str = "EUR") -> str:
    """One line per measured initiative: NPS effect against the expected one, and the verdict."""
    lang = _lang(language)
    n = proof.effect.nps
    return message(
        "initiatives.cli.proof",
        lang,
        key=proof.initiative.key,
        nps=n.value,
        low=n.ci_low,
        high=n.ci_high,
        expected=proof.initiative.expected_nps_effect or 0.0,
        verdict=verdict_label(proof.case.verdict, lang),
        reason=reason(proof.case, lang, currency),
    )


def portfolio_table(items: list[Initiative], language: str = "en", currency: str = "EUR") -> Table:
    """The portfolio: owner, touchpoints, cost, expected effect, launch, status."""
    lang = _lang(language)
    columns = ("key", "name", "owner", "touchpoints", "cost", "per_month", "nps", "churn")
    rows = [
        [
            i.key,
            i.name,
            i.owner,
            ", ".join(i.touchpoints),
            fmt.money(i.one_off_cost, currency, lang),
            fmt.money(i.running_cost_month, currency, lang),
            fmt.number(i.expected_nps_effect, 1, lang),
            fmt.number(
                None if i.expected_churn_effect is None else 100 * i.expected_churn_effect, 2, lang
            ),
            i.launch.isoformat() if i.launch else "",
            i.status,
        ]
        for i in items
    ]
    return Table(
        message("initiatives.list.title", lang),
        [message(f"initiatives.list.{c}", lang) for c in (*columns, "launch", "status")],
        rows,
    )


def ranking_table(result: Prioritisation, language: str = "en", currency: str = "EUR") -> Table:
    """Initiatives by the revenue at risk they address per unit of cost."""
    lang = _lang(language)
    none = message("initiatives.rank.none", lang)
    rows = [
        [
            p.initiative.key,
            p.initiative.owner,
            "; ".join(str(x["label"]) for x in p.pains) or none,
            fmt.money(p.revenue_at_risk, currency, lang),
            fmt.money(p.annual_cost, currency, lang),
            fmt.number(p.value_per_cost, 2, lang),
        ]
        for p in result.ranked
    ]
    columns = ["key", "owner", "pains", "at_risk", "cost", "ratio"]
    return Table(
        message("initiatives.rank.title", lang),
        [message(f"initiatives.rank.{c}", lang) for c in columns],
        rows,
    )


def gap_lines(result: Prioritisation, language: str = "en", currency: str = "EUR") -> list[str]:
    """Top pains no initiative addresses, then the candidates to stop and why."""
    lang = _lang(language)
    lines = [
        message(
            "initiatives.rank.unaddressed",
            lang,
            currency=currency,
            rank=pain.get("rank"),
            label=str(pain.get("label")),
            revenue=pain.get("revenue_at_risk"),
        )
        for pain in result.unaddressed
    ]
    lines += [
        message("initiatives.rank.stop", lang, key=p.initiative.key, reason=stop_reason(p, lang))
        for p in result.stop
    ]
    return lines


def summary(
    result: BusinessCase | Proof | Prioritisation, language: str = "en", currency: str = "EUR"
) -> str:
    """Plain text of a case, a proof or the priorities (tables left out: see the ``*_table``
    functions)."""
    from cxo.initiatives import BusinessCase, Proof

    lang = _lang(language)
    if isinstance(result, BusinessCase):
        return "\n".join(_case_lines(result, lang, currency))
    if isinstance(result, Proof):
        lines = effect_lines(result, lang, currency) + _case_lines(result.case, lang, currency)
        return "\n".join(lines + note_lines(result.notes, lang, currency))
    table = ranking_table(result, lang, currency)
    lines = [table.title] + [" · ".join(row) for row in table.rows]
    return "\n".join(lines + gap_lines(result, lang, currency))


def _case_lines(case: BusinessCase, language: str, currency: str) -> list[str]:
    head = f"{verdict_label(case.verdict, language)}: {reason(case, language, currency)}"
    lines = [head, totals_line(case, language, currency)]
    return lines + note_lines(case.notes, language, currency)


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def section(
    result: Prioritisation | None,
    language: str = "en",
    currency: str = "EUR",
    *,
    proofs: list[Proof] | None = None,
) -> str:
    """The board report's section: measured initiatives (effect, money, verdict) and the
    priorities against the ranked pains (``proofs`` default to the ranking's)."""
    lang = _lang(language)
    measured = proofs if proofs is not None else (result.proofs if result is not None else [])
    rows = [
        {
            "name": p.initiative.name,
            "owner": p.initiative.owner,
            "launch": p.initiative.launch,
            "expected": p.initiative.expected_nps_effect,
            "nps": p.effect.nps,
            "kept": p.revenue_kept,
            "npv": p.case.npv,
            "pays": p.probability_pays,
            "verdict": p.case.reason,
        }
        for p in measured
    ]
    stop = [
        {"name": p.initiative.name, "owner": p.initiative.owner, "reason": p.stop_reason}
        for p in (result.stop if result is not None else [])
    ]
    studies = [s for s in (_study(p, lang, currency) for p in measured) if s is not None]
    return render(
        "initiatives.html",
        language=lang,
        currency=currency,
        rows=rows,
        prio=result,
        stop=stop,
        studies=studies,
        level=0.95,
    )


def event_study_svg(proof: Proof, language: str = "en", currency: str = "EUR") -> Markup | None:
    """The event study of ``proof`` as an offline SVG (``None`` when it has none: pre/post
    comparisons, or too few months)."""
    from cxo.errors import CxoError
    from cxo.report.chartkit import svg

    if proof.effect.event_study is None or not proof.effect.event_study.months:
        return None
    try:
        spec = event_study_chart(proof, language, currency)
    except CxoError:
        return None
    # the board's font and label spacing (see cxo.report.board.Charts.add)
    config = spec.setdefault("config", {})
    config["font"] = CHART_FONT
    config.setdefault("axis", {}).update(labelOverlap=True, labelSeparation=6)
    # vl-convert escapes every text it draws; the SVG holds no script and no reference.
    return Markup(svg(spec))


def _study(proof: Proof, language: str, currency: str) -> dict[str, Any] | None:
    """One measured initiative's event study for the HTML: name, chart, pre-trend words."""
    chart = event_study_svg(proof, language, currency)
    if chart is None:
        return None
    return {
        "name": proof.initiative.name,
        "svg": chart,
        "lines": design_lines(proof, language),
        "doubtful": proof.effect.event_study is not None and proof.effect.event_study.doubtful,
    }


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------


def _say(item: Any, language: str, currency: str) -> str:
    return text(Message(str(item["message"]), dict(item.get("params") or {})), language,
                currency=currency)  # fmt: skip


def _words(obj: Any, language: str, currency: str) -> Any:
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if k == "reason_message" and isinstance(v, Mapping):
                out["reason"] = _say(v, language, currency)
            elif k == "stop_reason_message":
                out["stop_reason"] = None if v is None else _say(v, NOTES_LANGUAGE, currency)
            elif k == "note_messages" and isinstance(v, list):
                out["notes"] = [_say(n, NOTES_LANGUAGE, currency) for n in v]
            out[k] = _words(v, language, currency)
        return out
    if isinstance(obj, list | tuple):
        return [_words(v, language, currency) for v in obj]
    return obj


def texts(tree: Any, language: str = "en", currency: str = "EUR") -> Any:
    """A ``to_dict()`` tree of initiatives data with its words: ``reason`` (in ``language``),
    ``notes`` and ``stop_reason`` (English, as the JSON always had them) next to the message
    dicts they come from, which gain ``text``/``text_de``. Applying it twice changes nothing."""
    return with_texts(_words(tree, _lang(language), currency), currency=currency)


def to_json(
    result: BusinessCase | Proof | Prioritisation, language: str = "en", currency: str = "EUR"
) -> dict[str, Any]:
    """The JSON of ``cxo initiative case|measure|rank --json``: ``result.to_dict()`` with its
    words (:func:`texts`)."""
    out: dict[str, Any] = texts(result.to_dict(), language, currency)
    return out


def case_json(
    initiative: Initiative,
    reach: Reach,
    case: BusinessCase,
    language: str = "en",
    currency: str = "EUR",
) -> dict[str, Any]:
    """The JSON of ``cxo initiative case --json``: the initiative, whom it reaches, the case."""
    return {
        "initiative": initiative.to_dict(),
        "reach": reach.to_dict(),
        **to_json(case, language, currency),
    }
