"""The initiatives pages: the portfolio, one initiative with its business case and measured
effect, and the form to create or edit one.

The form is checked like ``cxo initiative add`` (:meth:`cxo.initiatives.Initiative.check`,
touchpoints from the charter) and saved with :func:`cxo.initiatives.save_initiative`; errors
are shown next to their field. Owners see and edit only their own initiatives (those of
their touchpoints, :class:`cxo.web.access.Scope`) and cannot give one away; viewers read.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from cxo.errors import CxoError, ForbiddenError, UsageError
from cxo.initiatives import STATUSES, Initiative, Proof, initiatives, save_initiative
from cxo.store.users import User
from cxo.web import access
from cxo.web.access import Scope
from cxo.web.deps import CurrentIdentity, CurrentWorkspace, Reader, Writer
from cxo.web.routes.manage_common import Words, fragment, page, see_other, sign_in, words
from cxo.workspace import Workspace

router = APIRouter(prefix="/initiatives", include_in_schema=False)

FIELDS = (
    "key",
    "name",
    "owner",
    "touchpoints",
    "pains",
    "one_off_cost",
    "running_cost_month",
    "expected_nps_effect",
    "expected_churn_effect",
    "launch",
    "status",
    "description",
)
_OPTIONAL = ("expected_nps_effect", "expected_churn_effect")


@router.get("")
def portfolio(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """The portfolio (an owner's own initiatives only)."""
    from cxo.report.initiatives import portfolio_table

    if who.user is None:
        return sign_in(request)
    scope = Scope.of(ws, who.user)
    visible = [i for i in initiatives(ws.app_database_url) if scope.sees_initiative(i)]
    m = words(request, ws)
    table = portfolio_table(visible, _lang(request, ws), ws.settings.currency)
    return page(
        request,
        ws,
        who,
        "initiatives.html",
        title=m("initiatives.title"),
        table=table,
        keys=[i.key for i in visible],
        may_edit=who.user.role != "viewer",
    )


@router.get("/new")
def new_form(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """An empty form (owners start with themselves as the owner)."""
    if who.user is None:
        return sign_in(request)
    _writer(who.user)
    owner = who.user.owner_of or "" if who.user.role == "owner" else ""
    values = _values(Initiative(key="", name="", owner=owner))
    return _form(request, ws, who, values, {}, new=True)


@router.post("/new")
async def create(
    request: Request, ws: CurrentWorkspace, who: CurrentIdentity, user: Writer
) -> Response:
    """Create an initiative from the form; the form again with the errors (422)."""
    form = await request.form()
    values = _form_values(form)
    ini, errors = _build(ws, values, words(request, ws))
    if ini is not None and any(i.key == ini.key for i in initiatives(ws.app_database_url)):
        errors["key"] = words(request, ws)("initiatives.error.exists", key=ini.key)
    if ini is not None and not errors:
        errors = _save(ws, user, ini, words(request, ws))
    if errors or ini is None:
        return _form(request, ws, who, values, errors, new=True, status=422)
    return see_other(f"/initiatives/{ini.key}")


@router.get("/{key}")
def detail(request: Request, ws: CurrentWorkspace, who: CurrentIdentity, key: str) -> Response:
    """One initiative; its business case and measured effect load into the page (htmx)."""
    if who.user is None:
        return sign_in(request)
    ini = access.initiative(ws, Scope.of(ws, who.user), key)
    m = words(request, ws)
    return page(
        request,
        ws,
        who,
        "initiatives_detail.html",
        title=ini.name,
        ini=ini,
        may_edit=who.user.role != "viewer",
        heading=m("initiatives.detail", name=ini.name),
        charts=True,  # the measured effect's event study is drawn with vega-embed
    )


@router.get("/{key}/edit")
def edit_form(request: Request, ws: CurrentWorkspace, who: CurrentIdentity, key: str) -> Response:
    """The form holding the initiative ``key``."""
    if who.user is None:
        return sign_in(request)
    _writer(who.user)
    ini = access.initiative(ws, Scope.of(ws, who.user), key)
    return _form(request, ws, who, _values(ini), {}, new=False)


@router.post("/{key}/edit")
async def update(
    request: Request, ws: CurrentWorkspace, who: CurrentIdentity, user: Writer, key: str
) -> Response:
    """Save the edited initiative (the key stays); the form again with the errors (422)."""
    access.initiative(ws, Scope.of(ws, user), key)
    values = _form_values(await request.form())
    values["key"] = key
    ini, errors = _build(ws, values, words(request, ws))
    if ini is not None and not errors:
        errors = _save(ws, user, ini, words(request, ws))
    if errors or ini is None:
        return _form(request, ws, who, values, errors, new=False, status=422)
    return see_other(f"/initiatives/{key}")


@router.get("/{key}/case")
def case_fragment(request: Request, ws: CurrentWorkspace, user: Reader, key: str) -> Response:
    """The business case before launch, in words and a sensitivity table; its notes say the
    minimum detectable effect beside the expected one (and warn when it is smaller)."""
    from cxo.initiatives import case
    from cxo.initiatives.business_case import with_power
    from cxo.report import initiatives as say

    ini = access.initiative(ws, Scope.of(ws, user), key)
    lang, cur = _lang(request, ws), ws.settings.currency
    try:
        result, reach = case(ws, ini)
        with_power(ws, ini, result)
    except CxoError as exc:
        return fragment(request, ws, "initiatives_result.html", error=exc)
    return fragment(
        request,
        ws,
        "initiatives_result.html",
        error=None,
        lines=[say.reach_line(ini, reach, lang, cur)],
        verdict=f"{say.verdict_label(result.verdict, lang)}: {say.reason(result, lang, cur)}",
        totals=say.totals_line(result, lang, cur),
        table=say.sensitivity_table(result, lang, cur),
        notes=say.note_lines(result.notes, lang, cur),
    )


@router.get("/{key}/effect")
def effect_fragment(request: Request, ws: CurrentWorkspace, user: Reader, key: str) -> Response:
    """The measured effect after launch (difference-in-differences), money and ROI."""
    from cxo.initiatives import measure
    from cxo.report import initiatives as say

    ini = access.initiative(ws, Scope.of(ws, user), key)
    lang, cur = _lang(request, ws), ws.settings.currency
    try:
        proof = measure(ws, ini)
    except CxoError as exc:
        return fragment(request, ws, "initiatives_result.html", error=exc)
    result = proof.case
    return fragment(
        request,
        ws,
        "initiatives_result.html",
        error=None,
        lines=say.effect_lines(proof, lang, cur),
        verdict=f"{say.verdict_label(result.verdict, lang)}: {say.reason(result, lang, cur)}",
        totals=say.totals_line(result, lang, cur),
        table=None,
        notes=say.note_lines(result.notes + proof.notes, lang, cur),
        chart=_event_study(proof, lang, cur),
    )


def _event_study(proof: Proof, lang: str, cur: str) -> dict[str, Any] | None:
    """The event-study chart for vega-embed (spec, title, what to say if it fails), or
    ``None`` when the measurement has none (pre/post comparison, too few months)."""
    from cxo.report import initiatives as say
    from cxo.report.messages import message

    if proof.effect.event_study is None or not proof.effect.event_study.months:
        return None
    try:
        spec = say.event_study_chart(proof, lang, cur)
    except CxoError:
        return None
    return {
        "spec": spec,
        "title": message("initiatives.html.event_study", lang, name=proof.initiative.name),
        "failed": message("web.chart_failed", lang),
    }


# --- helpers ---------------------------------------------------------------------------------


def _lang(request: Request, ws: Workspace) -> str:
    from cxo.web.routes.manage_common import language

    return language(request, ws)


def _writer(user: User) -> None:
    if user.role == "viewer":
        raise ForbiddenError("viewers can read but not change anything")


def _values(ini: Initiative) -> dict[str, str]:
    """The form's text values of ``ini``."""
    out: dict[str, str] = {}
    for name in FIELDS:
        value = getattr(ini, name)
        if isinstance(value, list):
            out[name] = ", ".join(value)
        elif value is None:
            out[name] = ""
        elif isinstance(value, dt.date):
            out[name] = value.isoformat()
        elif isinstance(value, float):
            out[name] = f"{value:.12g}"
        else:
            out[name] = str(value)
    return out


def _form_values(form: FormData) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in FIELDS:
        if name == "touchpoints":
            out[name] = ", ".join(str(v) for v in form.getlist(name) if isinstance(v, str))
        else:
            value = form.get(name)
            out[name] = value.strip() if isinstance(value, str) else ""
    return out


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]


def _number(text: str, optional: bool) -> float | None:
    if not text:
        return None if optional else 0.0
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _build(
    ws: Workspace, values: dict[str, str], m: Words
) -> tuple[Initiative | None, dict[str, str]]:
    """The initiative the form describes, and the errors by field."""
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for name in ("one_off_cost", "running_cost_month", *_OPTIONAL):
        try:
            parsed[name] = _number(values[name], name in _OPTIONAL)
        except ValueError:
            errors[name] = m("initiatives.error.number", value=values[name])
    try:
        parsed["launch"] = dt.date.fromisoformat(values["launch"]) if values["launch"] else None
    except ValueError:
        errors["launch"] = m("initiatives.error.date", value=values["launch"])
    touchpoints = _split(values["touchpoints"])
    known = ws.charter().keys("touchpoint")
    unknown = sorted(set(touchpoints) - known)
    if unknown:
        errors["touchpoints"] = m("initiatives.error.touchpoints", unknown=", ".join(unknown))
    if errors:
        return None, errors
    ini = Initiative(
        key=values["key"],
        name=values["name"],
        owner=values["owner"],
        touchpoints=touchpoints,
        pains=_split(values["pains"]),
        status=values["status"] or "idea",
        description=values["description"],
        **parsed,
    )
    try:
        ini.check()
    except UsageError as exc:
        return ini, {_field_of(exc.message): exc.message}
    return ini, {}


def _field_of(text: str) -> str:
    """The form field an :meth:`Initiative.check` message is about."""
    for name in FIELDS:
        if f"`{name}`" in text or f" {name} " in text:
            return name
    for word, name in (
        ("key", "key"),
        ("name is empty", "name"),
        ("costs", "one_off_cost"),
        ("pain", "pains"),
        ("status", "status"),
    ):
        if word in text:
            return "name" if word == "name is empty" else name
    return "key"


def _save(ws: Workspace, user: User, ini: Initiative, m: Words) -> dict[str, str]:
    """Save ``ini`` unless an owner would give it away; the errors by field."""
    scope = Scope.of(ws, user)
    if not scope.sees_initiative(ini):
        return {"touchpoints": m("initiatives.error.scope")}
    save_initiative(ws.app_database_url, ini, author=user.name)
    return {}


def _form(
    request: Request,
    ws: CurrentWorkspace,
    who: CurrentIdentity,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    new: bool,
    status: int = 200,
) -> Response:
    m = words(request, ws)
    charter = ws.charter()
    lang = _lang(request, ws)
    chosen = set(_split(values.get("touchpoints", "")))
    touchpoints = [(tp.key, tp.label(lang), tp.key in chosen) for tp in charter.touchpoints]
    title = m("initiatives.new") if new else m("initiatives.edit", name=values.get("name", ""))
    return page(
        request,
        ws,
        who,
        "initiatives_form.html",
        status=status,
        title=title,
        values=values,
        errors=errors,
        new=new,
        statuses=STATUSES,
        touchpoints=touchpoints,
        action="/initiatives/new" if new else f"/initiatives/{values['key']}/edit",
    )


__all__ = ["router"]
