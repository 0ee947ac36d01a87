"""The read-only pages: overview, scorecard, Standortbestimmung, voice of the customer,
diagnostics and a pain's detail (every signed-in role; owners see only their initiatives).

Each page is built from parts; a part whose data are missing shows the core's
:class:`~cxo.errors.MissingDataError` (what is missing, which import or command provides it)
instead of failing the page. Charts are Vega-Lite specs from :mod:`cxo.report.charts`, drawn
in the browser by the vendored vega-embed (``static/cxo.js``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Hashable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from cxo.errors import CxoError, MissingDataError, NotFoundError
from cxo.report import charts
from cxo.report.messages import LANGUAGES
from cxo.store.users import User
from cxo.web import pagecache
from cxo.web.access import Scope
from cxo.web.deps import CurrentIdentity, CurrentWorkspace, Reader, csrf_token
from cxo.web.pages import language, render, render_main
from cxo.web.routes import view_data
from cxo.workspace import Workspace

router = APIRouter(tags=["pages"], include_in_schema=False)

DIMENSIONS = ("touchpoint", "segment", "channel", "month", "quarter")
DIAGNOSTICS = ("loyalty", "marketing", "complaints", "selfservice")


class Part:
    """One part of a page: its value, or the error saying which data are missing."""

    def __init__(self, value: Any = None, error: CxoError | None = None) -> None:
        self.value = value
        self.error = error

    @property
    def missing(self) -> dict[str, str | None] | None:
        """``{"message", "hint"}`` when the data are missing, else ``None``."""
        if self.error is None:
            return None
        return {"message": self.error.message, "hint": self.error.hint}


def part(compute: Callable[[], Any]) -> Part:
    """Run ``compute``; a typed cxo error becomes a part saying what is missing."""
    try:
        return Part(compute())
    except CxoError as exc:
        return Part(error=exc)


def sign_in(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def _page(
    request: Request, ws: Workspace, user: User, template: str, title: str, **context: Any
) -> Response:
    return render(
        ws,
        template,
        request=request,
        title=title,
        user=user,
        csrf=csrf_token(request),
        **context,
    )


def _words(ws: Workspace, request: Request) -> tuple[str, str]:
    return language(ws, request), ws.settings.currency


def _visible_initiatives(ws: Workspace, scope: Scope) -> set[str]:
    from cxo.initiatives import initiatives

    return {i.key for i in initiatives(ws.app_database_url) if scope.sees_initiative(i)}


def _initiative_part(ws: Workspace, scope: Scope, lang: str, cur: str) -> Part:
    """The initiatives in ``scope`` with their measured NPS effect (or why not measured)."""

    def compute() -> dict[str, Any]:
        from cxo.initiatives import initiatives

        found, skipped = view_data.proofs(ws)
        by_key = {p.initiative.key: p.to_dict() for p in found}
        mine = [i for i in initiatives(ws.app_database_url) if scope.sees_initiative(i)]
        measured = [by_key[i.key] for i in mine if i.key in by_key]
        key = (lang, cur, tuple(sorted(by_key)), tuple(repr(i.to_dict()) for i in mine))
        chart = (
            view_data.cached(
                ws,
                "chart:effects",
                key,
                lambda: charts.initiative_effects_chart({"proofs": measured}, lang, cur),
            )
            if measured
            else None
        )
        rows = [
            {
                "name": i.name,
                "owner": i.owner,
                "status": i.status,
                "effect": (by_key.get(i.key) or {}).get("effect"),
                "why": skipped.get(i.key),
            }
            for i in mine
        ]
        return {"rows": rows, "chart": chart, "measured": len(measured)}

    return part(compute)


def _pains_chart(ws: Workspace, assessment: Part, lang: str, cur: str, *, top: int) -> Part:
    """The pains chart of an assessment part (its error when it is missing)."""
    if assessment.error is not None:
        return Part(error=assessment.error)
    if not assessment.value.get("pains"):
        return Part(
            error=MissingDataError(
                "the latest assessment found no pain point",
                hint="pains need comments with themes: import responses with comments "
                "(`cxo import responses FILE`), run `cxo text tag`, then `cxo assess`",
            )
        )
    key = (assessment.value.get("number"), assessment.value.get("as_of"), lang, cur, top)
    return part(
        lambda: view_data.cached(
            ws, "chart:pains", key, lambda: charts.pains_chart(assessment.value, lang, cur, top=top)
        )
    )


def _scope_key(scope: Scope) -> Hashable:
    """What of the reader's scope a page depends on (owners: their touchpoints)."""
    if scope.touchpoints is None:
        return "all"
    return ("owner", scope.user.owner_of, tuple(sorted(scope.touchpoints)))


def scope_of(ws: Workspace, user: User) -> Scope:
    """:meth:`Scope.of`, the charter read once per workspace state."""
    if user.role != "owner":
        return Scope(user, None)
    touchpoints = pagecache.cached(
        ws, "scope", (user.role, user.owner_of), lambda: Scope.of(ws, user).touchpoints
    )
    return Scope(user, None if touchpoints is None else set(touchpoints))


def overview_body(ws: Workspace, lang: str, scope: Scope) -> str:
    """The overview's ``main`` (rendered once per workspace state, language, scope and
    minute: the follow-up SLA moves with the clock)."""
    cur = ws.settings.currency

    def render() -> str:
        trend = part(
            lambda: view_data.cached(
                ws,
                "chart:trend",
                (lang, cur),
                lambda: charts.score_trend_chart(view_data.trend(ws), lang, cur),
            )
        )
        assessment = part(lambda: view_data.assessment(ws))
        minute = int(time.time() // 60)
        followups = part(
            lambda: view_data.cached(
                ws,
                "chart:sla",
                (lang, cur, minute),
                lambda: charts.followup_sla_chart(view_data.followup_report(ws, None), lang, cur),
            )
        )
        return render_main(
            ws,
            "overview.html",
            lang,
            trend=trend,
            assessment=assessment,
            pains=_pains_chart(ws, assessment, lang, cur, top=10),
            initiatives=_initiative_part(ws, scope, lang, cur),
            followups=followups,
        )

    key = (lang, cur, _scope_key(scope), int(time.time() // 60))
    return pagecache.cached(ws, "overview", key, render)


@router.get("/")
def overview(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """The one-page answer: trend, top pains in money with owners, initiatives, follow-up SLA."""
    if who.user is None:
        return sign_in(request)
    lang = language(ws, request)
    body = overview_body(ws, lang, scope_of(ws, who.user))
    return _page(
        request,
        ws,
        who.user,
        "cached_page.html",
        _title(lang, "overview"),
        charts=True,
        body=Markup(body),
    )


def _title(lang: str, key: str) -> str:
    from cxo.report.messages import message

    return message(f"web.nav.{key}", lang)


def _dims(by: str) -> tuple[str, ...]:
    return tuple(d for d in by.split(",") if d in DIMENSIONS) or ("touchpoint",)


def _scorecard_context(
    ws: Workspace, lang: str, cur: str, by: str, period: str | None
) -> dict[str, Any]:
    from cxo.report.scorecard import section

    dims = _dims(by)

    def render() -> str:
        return section(view_data.scorecard(ws, dims, period or None), lang, cur)

    # The rendered table too: formatting thousands of numbers costs more than serving them.
    key = (dims, period or None, lang, cur)
    table = part(lambda: Markup(view_data.cached(ws, "scorecard_html", key, render)))
    return {
        "table": table,
        "by": ",".join(dims),
        "period": period or "",
        "dimensions": DIMENSIONS,
    }


def scorecard_body(ws: Workspace, lang: str, by: str, period: str | None) -> str:
    """The scorecard page's ``main`` (rendered once per workspace state, breakdown, period and
    language; the same for every reader)."""
    cur = ws.settings.currency

    def render() -> str:
        context = _scorecard_context(ws, lang, cur, by, period)
        return render_main(ws, "scorecard.html", lang, **context)

    return pagecache.cached(ws, "scorecard", (_dims(by), period or None, lang, cur), render)


@router.get("/scorecard")
def scorecard_page(
    request: Request,
    ws: CurrentWorkspace,
    who: CurrentIdentity,
    by: Annotated[str, Query(max_length=100)] = "touchpoint",
    period: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The scorecard with filters; an htmx request gets only the table."""
    if who.user is None:
        return sign_in(request)
    lang = language(ws, request)
    if request.headers.get("hx-request") == "true":
        context = _scorecard_context(ws, lang, ws.settings.currency, by, period)
        return _page(request, ws, who.user, "scorecard_table.html", "", **context)
    body = scorecard_body(ws, lang, by, period)
    title = _title(lang, "scorecard")
    return _page(request, ws, who.user, "cached_page.html", title, body=Markup(body))


def warm(ws: Workspace) -> None:
    """Render the overview and the default scorecard for readers who see everything, in both
    languages (the workspace's first), so the first reader after a change does not wait."""
    first = ws.settings.language if ws.settings.language in LANGUAGES else "en"
    everyone = Scope(User(0, "", "admin", None, dt.datetime.min, 0, ""), None)
    for lang in (first, *(code for code in LANGUAGES if code != first)):
        overview_body(ws, lang, everyone)
        scorecard_body(ws, lang, "touchpoint", None)


def _stop_doing(ws: Workspace, scope: Scope, pains: list[dict[str, Any]], lang: str) -> Part:
    """Launched initiatives that did not deliver (an owner's own only), with the reason."""

    def compute() -> list[dict[str, Any]]:
        from cxo.initiatives import initiatives, prioritise
        from cxo.report.initiatives import stop_reason

        portfolio = initiatives(ws.app_database_url)
        found, _ = view_data.proofs(ws)
        ranking = prioritise(pains, portfolio, found)
        visible = _visible_initiatives(ws, scope)
        return [
            {"name": p.initiative.name, "owner": p.initiative.owner, "why": stop_reason(p, lang)}
            for p in ranking.stop
            if p.initiative.key in visible
        ]

    return part(compute)


@router.get("/assessment")
def assessment_page(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """Standortbestimmung: the latest saved assessment, whatever command made it."""
    if who.user is None:
        return sign_in(request)
    lang, cur = _words(ws, request)
    doc = part(lambda: view_data.assessment(ws))
    context: dict[str, Any] = {"doc": doc}
    if doc.error is None:
        data = doc.value
        context.update(
            pains_chart=_pains_chart(ws, doc, lang, cur, top=15),
            drivers_chart=part(lambda: charts.importance_performance_chart(data, lang, cur)),
            trend_chart=part(lambda: charts.score_trend_chart(data, lang, cur)),
            stop=_stop_doing(ws, scope_of(ws, who.user), list(data.get("pains", [])), lang),
        )
    return _page(
        request,
        ws,
        who.user,
        "assessment.html",
        _title(lang, "assessment"),
        charts=True,
        **context,
    )


@router.get("/assessment/pains/{rank}")
def pain_page(request: Request, ws: CurrentWorkspace, who: CurrentIdentity, rank: int) -> Response:
    """One pain of the latest assessment: its numbers, owner and redacted verbatims."""
    if who.user is None:
        return sign_in(request)
    _lang, _ = _words(ws, request)
    data = view_data.assessment(ws)
    pain = next((p for p in data.get("pains", []) if p.get("rank") == rank), None)
    if pain is None:
        raise NotFoundError(f"the latest assessment has no pain ranked {rank}")
    quotes = part(lambda: view_data.pain_quotes(ws, pain.get("touchpoint"), pain.get("theme")))
    return _page(
        request,
        ws,
        who.user,
        "pain.html",
        str(pain.get("label") or rank),
        pain=pain,
        quotes=quotes,
    )


@router.get("/voice")
def voice_page(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """Voice of the customer: themes, their impact on NPS, emerging themes, verbatims."""
    if who.user is None:
        return sign_in(request)
    lang, cur = _words(ws, request)
    voice = part(lambda: view_data.voice(ws))
    chart = Part(error=voice.error)
    names: dict[str, str] = {}
    if voice.error is None:
        index = 0 if lang == "de" else 1
        names = {k: v[index] for k, v in voice.value["labels"].items()}
        chart = part(
            lambda: view_data.cached(
                ws,
                "chart:impact",
                (lang, cur),
                lambda: charts.theme_impact_chart(voice.value["impact"], lang, cur, labels=names),
            )
        )
    return _page(
        request,
        ws,
        who.user,
        "voice.html",
        _title(lang, "voice"),
        charts=True,
        voice=voice,
        impact_chart=chart,
        names=names,
    )


@router.get("/diagnostics")
def diagnostics_page(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """The four diagnostics; charts for the loyalty tax and the latitude."""
    from cxo.report.board_inputs import Saved
    from cxo.report.diagnostics import section

    if who.user is None:
        return sign_in(request)
    lang, cur = _words(ws, request)
    found = part(lambda: view_data.diagnostics(ws))
    items: list[dict[str, Any]] = []
    for name in DIAGNOSTICS if found.error is None else ():
        result = found.value.get(name)
        if result is None or isinstance(result, CxoError):
            items.append({"name": name, "part": Part(error=result)})
            continue
        data = result.to_dict()
        chart_of = {"loyalty": charts.loyalty_tax_chart, "complaints": charts.latitude_chart}
        make = chart_of.get(name)
        items.append(
            {
                "name": name,
                "part": Part(
                    Markup(
                        result.section(lang)
                        if isinstance(result, Saved)
                        else section(result, lang, cur)
                    )
                ),
                "chart": part(lambda m=make, d=data: m(d, lang, cur)) if make else None,  # type: ignore[misc]
            }
        )
    return _page(
        request,
        ws,
        who.user,
        "diagnostics.html",
        _title(lang, "diagnostics"),
        charts=True,
        found=found,
        items=items,
    )


@router.post("/language")
def choose_language(
    request: Request,
    _user: Reader,
    language: Annotated[str, Form(max_length=5)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Remember the reader's language in the session (CSRF-checked like every form)."""
    if language in LANGUAGES:
        request.session["lang"] = language
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)
