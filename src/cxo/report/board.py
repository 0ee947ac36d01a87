"""The board report: one self-contained HTML page, the one-page summary first, details after.

Page one answers what the board asks (PRODUCT.md, "Who uses it"): the NPS trend with its
confidence, the top pains in money with their owners, what is being done (initiatives and
their status), what was proven (measured effects with intervals and a verdict) and whether
the owners follow up on detractors within the SLA. The details follow on the next pages:
scorecard, assessment, the four diagnostics, initiatives and follow-ups, through the
section renderers ``cxo.report.<kind>.section``.

The page has its CSS inline and its charts as inline SVG rendered offline
(:func:`cxo.report.chartkit.svg`); it requests nothing from anywhere, so it opens from a
file, a mail attachment or the app. :mod:`cxo.report.pdf` prints it to an A4 PDF.

Data: the latest saved assessment, a scorecard by touchpoint and quarter computed now, the
diagnostics, the ranked initiatives with their proofs and the follow-up report. Whatever is
missing is left out with a sentence naming the command that provides it.

:func:`render_report` and :func:`write_report` wrap arbitrary sections in a plain page (used
by tests of the web app).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from cxo import __version__
from cxo.core.messages import Message, msg
from cxo.errors import CxoError, MissingDataError, UsageError
from cxo.report import board_inputs
from cxo.report import diagnostics as diagnostics_report
from cxo.report import followups as followups_report
from cxo.report import initiatives as initiatives_report
from cxo.report import scorecard as scorecard_report
from cxo.report.board_inputs import Provenance, Saved
from cxo.report.chartkit import Spec, svg
from cxo.report.html import render
from cxo.report.messages import LANGUAGES, message

if TYPE_CHECKING:
    from cxo.diagnostics import DiagnosticResult
    from cxo.engine.scorecard import Scorecard
    from cxo.followups.effect import ContactEffect
    from cxo.followups.loop import LoopReport
    from cxo.initiatives import Prioritisation
    from cxo.workspace import Workspace

__all__ = [
    "BoardData",
    "Section",
    "board_report",
    "gather",
    "language_of",
    "render_board",
    "render_report",
    "write_board_report",
    "write_report",
]

TOP_PAINS = 5
"""Pains on page one (chart and table)."""
SUMMARY_TREND_HEIGHT = 190
CHART_FONT = "DejaVu Sans"
"""The charts' font: Debian's default sans-serif, which the page's CSS names too."""
_COMMAND = re.compile(r"`([^`]+)`")
DEFAULT_COMMANDS = {
    "assessment": "cxo assess",
    "scorecard": "cxo import responses FILE",
    "diagnostic": "cxo diagnose all",
    "initiatives": "cxo initiative add",
    "followups": "cxo followup generate",
}


@dataclass
class BoardData:
    """What the board report shows; ``None`` (or absent) where the data are missing, with a
    sentence per gap in ``missing`` (``board.missing.*`` messages)."""

    company: str
    currency: str
    language: str
    assessment: dict[str, Any] | None = None
    scorecard: Scorecard | Saved | None = None
    diagnostics: dict[str, DiagnosticResult | Saved] = field(default_factory=dict)
    priorities: Prioritisation | None = None
    followups: LoopReport | None = None
    contact_effect: ContactEffect | CxoError | None = None
    """Effect of being contacted, or why it was not estimated (with the follow-up report)."""
    missing: list[Message] = field(default_factory=list)
    provenance: Provenance | None = None
    """Whether the scorecard and diagnostics were reused from a saved run or computed now."""
    assessment_stale: bool = False
    """Data were imported after the latest assessment was written."""


def language_of(ws: Workspace, language: str | None) -> str:
    """``language`` (``de`` or ``en``), or the workspace's; :class:`UsageError` otherwise."""
    lang = language or ws.settings.language
    if lang not in LANGUAGES:
        raise UsageError(
            f"no board report in language {lang!r}", hint="choose --language de or --language en"
        )
    return lang


def _command(exc: CxoError, default: str) -> str:
    """The command a missing-data error names (its hint first), else ``default``."""
    for text in (exc.hint or "", exc.message):
        for found in _COMMAND.findall(text):
            if found.startswith("cxo "):
                return str(found)
    return default


def _gap(data: BoardData, key: str, exc: CxoError, default: str, **params: Any) -> None:
    data.missing.append(msg(f"board.missing.{key}", command=_command(exc, default), **params))


def gather(
    ws: Workspace,
    language: str | None = None,
    *,
    diagnostics: Mapping[str, DiagnosticResult | CxoError] | None = None,
    priorities: Prioritisation | None = None,
    reuse: bool = True,
    saved_by: str = "cxo report",
) -> BoardData:
    """Collect the report's data from ``ws`` (``diagnostics`` and ``priorities`` when the
    caller has them already, as the demo does). The scorecard and the diagnostics come from
    the saved run (:mod:`cxo.report.board_inputs`) while it matches the data (``reuse``);
    otherwise they are computed now and saved for the next report (as ``saved_by``)."""
    from cxo.workspace import latest_assessment

    lang = language_of(ws, language)
    data = BoardData(ws.charter().company.name, ws.settings.currency, lang)
    version = board_inputs.data_version(ws)
    try:
        path, data.assessment = latest_assessment(ws, needed_for="the board report")
        data.assessment_stale = _imported_after(version, path)
    except CxoError as exc:
        _gap(data, "assessment", exc, DEFAULT_COMMANDS["assessment"])
    saved = board_inputs.load(ws, version) if reuse and diagnostics is None else None
    if saved is not None:
        data.provenance = saved.provenance
        _use_scorecard(data, saved.scorecard)
        _gather_diagnostics(ws, data, saved.diagnostics)
    else:
        card = _gather_scorecard(ws, data)
        found = _gather_diagnostics(ws, data, diagnostics)
        written = None
        if diagnostics is None and card is not None and found is not None:
            written = board_inputs.save(ws, version, card, found, saved_by=saved_by)
        data.provenance = Provenance(reused=False, saved=written is not None)
    _gather_initiatives(ws, data, priorities)
    try:
        from cxo.followups import report

        data.followups = report(ws)
    except CxoError as exc:
        _gap(data, "followups", exc, DEFAULT_COMMANDS["followups"])
    else:
        data.contact_effect = _contact_effect(ws)
    return data


def _contact_effect(ws: Workspace) -> ContactEffect | CxoError:
    """The effect of being contacted, or the error saying why it could not be estimated."""
    from cxo.followups.effect import contact_effect

    try:
        return contact_effect(ws)
    except CxoError as exc:
        return exc


def _imported_after(version: Mapping[str, Any], assessment: Path) -> bool:
    """Whether an import finished after the assessment file was written."""
    finished = (version.get("batches") or [None, None])[1]
    if not finished:
        return False
    written = datetime.fromtimestamp(assessment.stat().st_mtime, UTC).replace(tzinfo=None)
    return datetime.fromisoformat(str(finished)) > written


def _use_scorecard(data: BoardData, card: Scorecard | Saved | MissingDataError) -> None:
    if isinstance(card, MissingDataError):
        _gap(data, "scorecard", card, DEFAULT_COMMANDS["scorecard"])
    else:
        data.scorecard = card


def _gather_scorecard(ws: Workspace, data: BoardData) -> Scorecard | MissingDataError | None:
    """The scorecard computed now, or its missing-data error (``None``: another error)."""
    try:
        from cxo.engine import scorecard

        card: Scorecard | MissingDataError = scorecard(ws, by=["touchpoint", "quarter"])
    except MissingDataError as exc:
        card = exc
    except CxoError as exc:
        _gap(data, "scorecard", exc, DEFAULT_COMMANDS["scorecard"])
        return None
    _use_scorecard(data, card)
    return card


def _gather_diagnostics(
    ws: Workspace,
    data: BoardData,
    known: Mapping[str, DiagnosticResult | Saved | CxoError] | None,
) -> Mapping[str, DiagnosticResult | Saved | CxoError] | None:
    from cxo.diagnostics import NAMES, DiagnosticResult, diagnose_all

    results: Mapping[str, DiagnosticResult | Saved | CxoError]
    try:
        results = known if known is not None else diagnose_all(ws)
    except CxoError as exc:
        _gap(data, "diagnostics", exc, DEFAULT_COMMANDS["diagnostic"])
        return None
    for name in NAMES:
        result = results.get(name)
        title = message(f"diagnostics.{name}.title", data.language)
        if isinstance(result, DiagnosticResult | Saved):
            data.diagnostics[name] = result
        elif isinstance(result, CxoError):
            _gap(data, "diagnostic", result, f"cxo diagnose {name}", title=title)
        else:
            data.missing.append(
                msg("board.missing.diagnostic", command=f"cxo diagnose {name}", title=title)
            )
    return results


def _gather_initiatives(ws: Workspace, data: BoardData, known: Prioritisation | None) -> None:
    try:
        from cxo.initiatives import rank

        data.priorities = known if known is not None else rank(ws)
    except CxoError as exc:
        _gap(data, "initiatives", exc, DEFAULT_COMMANDS["initiatives"])
        return
    if not data.priorities.ranked:
        data.missing.append(msg("board.missing.portfolio", command="cxo initiative add"))


# --------------------------------------------------------------------------------------------
# charts
# --------------------------------------------------------------------------------------------


@dataclass
class Charts:
    """Inline SVG charts by name, and a sentence for each chart whose data are missing."""

    svgs: dict[str, Markup] = field(default_factory=dict)
    missing: list[Message] = field(default_factory=list)

    def add(
        self, name: str, make: Callable[[], Spec], *, subtitle: str = "", **resize: int
    ) -> None:
        """Render ``make()`` as SVG under ``name`` (``resize``: its ``width``/``height``, a
        new ``subtitle``); a missing-data error becomes a sentence."""
        try:
            spec = make()
        except CxoError as exc:
            self.missing.append(msg("board.missing.chart", command=_command(exc, "cxo --help")))
            return
        spec.update(resize)
        if subtitle and isinstance(spec.get("title"), dict):
            spec["title"]["subtitle"] = subtitle
        # Lay the text out in the font the browser draws it with (vl-convert measures with
        # its own bundled font otherwise, and Chromium's wider sans-serif overflows the SVG).
        config = spec.setdefault("config", {})
        config["font"] = CHART_FONT
        # Long money labels ("1.600 EUR") must not run into each other: drop every other one.
        config.setdefault("axis", {}).update(labelOverlap=True, labelSeparation=6)
        # vl-convert escapes every text it draws; the SVG holds no script and no reference.
        self.svgs[name] = Markup(svg(spec))


def _charts(data: BoardData) -> Charts:
    from cxo.report import charts as c

    lang, cur, out = data.language, data.currency, Charts()
    a = data.assessment
    if a is not None:
        # The company's trend has no target line: its subtitle does not promise one.
        out.add(
            "trend",
            lambda: c.score_trend_chart(a, lang, cur),
            subtitle=message("board.trend.subtitle", lang, level=0.95),
            height=SUMMARY_TREND_HEIGHT,
        )
        out.add("pains", lambda: c.pains_chart(a, lang, cur, top=TOP_PAINS))
        out.add("drivers", lambda: c.importance_performance_chart(a, lang, cur))
    if data.scorecard is not None:
        card = data.scorecard.to_dict()
        out.add("scorecard", lambda: c.score_trend_chart(card, lang, cur))
    diag = {name: d.to_dict() for name, d in data.diagnostics.items()}
    if "loyalty" in diag:
        out.add("loyalty", lambda: c.loyalty_tax_chart(diag, lang, cur))
    if "complaints" in diag:
        out.add("latitude", lambda: c.latitude_chart(diag, lang, cur))
    if data.priorities is not None and data.priorities.proofs:
        proofs = [p.to_dict() for p in data.priorities.proofs]
        out.add("effects", lambda: c.initiative_effects_chart(proofs, lang, cur))
    if data.followups is not None and data.followups.by_owner:
        loop = data.followups.to_dict()
        out.add("sla", lambda: c.followup_sla_chart(loop, lang, cur))
    return out


# --------------------------------------------------------------------------------------------
# page one
# --------------------------------------------------------------------------------------------


def _pains(a: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if a is None:
        return []
    pains = [dict(p) for p in a.get("pains") or [] if isinstance(p, Mapping)]
    return sorted(pains, key=lambda p: float(p.get("rank") or 0))[:TOP_PAINS]


def _trend(a: Mapping[str, Any] | None) -> dict[str, Any] | None:
    trend = (a or {}).get("trend")
    if not isinstance(trend, Mapping) or not trend.get("quarters"):
        return None
    slope_ci = [*(trend.get("slope_ci") or []), None, None][:2]
    last = trend["quarters"][-1]
    return {
        "last": {k: last.get(k) for k in ("quarter", "nps", "ci_low", "ci_high", "n")},
        "quarters": len(trend["quarters"]),
        "slope": trend.get("slope_per_quarter"),
        "slope_low": slope_ci[0],
        "slope_high": slope_ci[1],
        "p": trend.get("slope_p_value"),
        "verdict": trend.get("verdict_message") or "assess.trend.verdict.flat",
    }


def _doing(data: BoardData) -> list[dict[str, Any]]:
    """Initiatives of the portfolio: owner, status, money of the pains they address, and
    whether they are candidates to stop."""
    if data.priorities is None:
        return []
    stop = {p.initiative.key: p.stop_reason for p in data.priorities.stop}
    return [
        {
            "name": p.initiative.name,
            "owner": p.initiative.owner,
            "status": p.initiative.status,
            "at_risk": p.revenue_at_risk,
            "pains": len(p.pains),
            "stop": stop.get(p.initiative.key),
        }
        for p in data.priorities.ranked
    ]


def _proven(data: BoardData) -> list[dict[str, Any]]:
    """Measured initiatives: NPS effect with interval, expected effect, verdict."""
    if data.priorities is None:
        return []
    return [
        {
            "name": p.initiative.name,
            "owner": p.initiative.owner,
            "effect": p.effect.nps,
            "expected": p.initiative.expected_nps_effect,
            "verdict": initiatives_report.verdict_label(p.case.verdict, data.language),
            "verdict_key": p.case.verdict,
            "kept": p.revenue_kept,
        }
        for p in data.priorities.proofs
    ]


# --------------------------------------------------------------------------------------------
# details
# --------------------------------------------------------------------------------------------


def _details(data: BoardData) -> list[tuple[str, str, Markup]]:
    """``(anchor, title, html)`` of each detail section, in the order of the report."""
    lang, cur = data.language, data.currency
    out: list[tuple[str, str, Markup]] = []
    if data.scorecard is not None:
        card = data.scorecard
        html = (
            card.section(lang)
            if isinstance(card, Saved)
            else scorecard_report.section(card, lang, cur)
        )
        out.append(("scorecard", message("board.details.scorecard", lang), Markup(html)))
    if data.assessment is not None:
        html = render("board_assessment.html", language=lang, currency=cur, a=data.assessment)
        out.append(("assessment", message("board.details.assessment", lang), Markup(html)))
    if data.diagnostics:
        html = "\n".join(
            d.section(lang) if isinstance(d, Saved) else diagnostics_report.section(d, lang, cur)
            for d in data.diagnostics.values()
        )
        out.append(("diagnostics", message("board.details.diagnostics", lang), Markup(html)))
    if data.priorities is not None:
        html = initiatives_report.section(data.priorities, lang, cur)
        out.append(("initiatives", message("board.details.initiatives", lang), Markup(html)))
    if data.followups is not None:
        html = followups_report.section(data.followups, lang, cur, effect=data.contact_effect)
        out.append(("followups", message("board.details.followups", lang), Markup(html)))
    return out


# --------------------------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------------------------


def render_board(data: BoardData, *, generated: datetime | None = None) -> str:
    """The board report of ``data`` as one self-contained HTML page."""
    charts = _charts(data)
    a = data.assessment
    return render(
        "board_page.html",
        language=data.language,
        currency=data.currency,
        company=data.company,
        as_of=(a or {}).get("as_of"),
        number=(a or {}).get("number"),
        fdr=(a or {}).get("fdr"),
        generated=(generated or datetime.now(UTC)).date(),
        version=__version__,
        trend=_trend(a),
        pains=_pains(a),
        pains_total=len((a or {}).get("pains") or []),
        pains_flagged=sum(1 for p in (a or {}).get("pains") or [] if p.get("flagged")),
        doing=_doing(data),
        proven=_proven(data),
        loop=data.followups.overall if data.followups is not None else None,
        charts=charts.svgs,
        details=_details(data),
        missing=data.missing,
        chart_gaps=charts.missing,
        has_assessment=a is not None,
        has_priorities=data.priorities is not None,
        provenance=data.provenance,
        assessment_stale=data.assessment_stale,
    )


def board_report(
    ws: Workspace, language: str | None = None, *, saved_by: str = "cxo report"
) -> str:
    """The board report of ``ws`` as HTML in ``language`` (default: the workspace's); the
    scorecard and diagnostics of a saved run when they match the data (else computed now and
    saved as ``saved_by``)."""
    return render_board(gather(ws, language, saved_by=saved_by))


def write_board_report(ws: Workspace, path: Path, language: str | None = None) -> Path:
    """Write the board report of ``ws`` to ``path`` (HTML) and return the path."""
    html = board_report(ws, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, "utf-8")
    return path


# --------------------------------------------------------------------------------------------
# a plain page of sections
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A titled HTML section produced by one of the section renderers."""

    title: str
    html: str


def render_report(
    title: str, sections: list[Section], *, language: str = "de", company: str = ""
) -> str:
    """A plain page of ``sections`` (inline CSS, no charts) as a string."""
    return render(
        "report.html",
        language=language,
        title=title,
        company=company,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        # Section bodies come from our own renderers, which escape every user value.
        sections=[(s.title, Markup(s.html)) for s in sections],
    )


def write_report(
    path: Path, title: str, sections: list[Section], *, language: str = "de", company: str = ""
) -> Path:
    """Write the plain page of ``sections`` to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(title, sections, language=language, company=company), "utf-8")
    return path
