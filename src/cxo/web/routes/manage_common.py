"""What the pages that change things share: who may open them, their words, rendering.

The pages are server-rendered (:mod:`cxo.web.pages`) and use htmx from the vendored copy, so
they send a Content-Security-Policy that allows scripts from this server only
(:data:`POLICY`). Their words come from the ``webforms`` catalogue
(``cxo/report/locale/<lang>/LC_MESSAGES/webforms.po``) in the reader's language: the one
chosen in the session (``lang``), else the workspace's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxo.errors import ForbiddenError
from cxo.report.messages import LANGUAGES, message
from cxo.store.users import User
from cxo.web.deps import Identity, reader
from cxo.web.pages import environment, render
from cxo.workspace import Workspace

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
"""The pages' Content-Security-Policy: scripts and requests to this server only."""
LEADS = frozenset({"admin", "cx_lead"})

Words = Callable[..., str]


def language(request: Request, ws: Workspace) -> str:
    """The reader's language: the session's choice, else the workspace's (else English)."""
    chosen = request.session.get("lang")
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return chosen
    return ws.settings.language if ws.settings.language in LANGUAGES else "en"


def words(request: Request, ws: Workspace) -> Words:
    """``m(key, **params)``: a ``webforms`` message in the reader's language."""
    lang, currency = language(request, ws), ws.settings.currency

    def m(key: str, /, **params: Any) -> str:
        return message(f"webforms.{key}", lang, currency=currency, **params)

    return m


def sign_in(request: Request) -> RedirectResponse:
    """Send an anonymous browser to the sign-in form (and back here afterwards)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def require_lead(user: User) -> User:
    """``user`` when an admin or the CX lead; :class:`ForbiddenError` otherwise."""
    if user.role not in LEADS:
        raise ForbiddenError(
            "only the CX lead and admins may do this",
            hint="ask your CX lead; owners and viewers see the results on the other pages",
        )
    return user


def _lead(user: Annotated[User, Depends(reader)]) -> User:
    return require_lead(user)


Lead = Annotated[User, Depends(_lead)]
"""A signed-in admin or CX lead (401 when anonymous, 403 for other roles)."""


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it swaps a fragment instead of loading a page)."""
    return request.headers.get("hx-request") == "true"


def page(
    request: Request,
    ws: Workspace,
    who: Identity,
    template: str,
    *,
    title: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A whole page: ``template`` (extending ``base.html``) with the reader's words."""
    from cxo.web.deps import csrf_token

    response = render(
        ws,
        template,
        status=status,
        request=request,
        title=title,
        user=who.user,
        csrf=csrf_token(request) if who.via == "session" else None,
        m=words(request, ws),
        ui_lang=language(request, ws),
        **context,
    )
    response.headers["Content-Security-Policy"] = POLICY
    return response


def fragment(
    request: Request, ws: Workspace, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """A piece of a page for htmx to swap in (same words and escaping as the pages)."""
    from cxo.web.deps import csrf_token

    html = (
        environment()
        .get_template(template)
        .render(
            m=words(request, ws),
            ui_lang=language(request, ws),
            csrf=csrf_token(request),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = POLICY
    return response


def see_other(url: str) -> Response:
    """303 to ``url`` (after a form was posted without htmx)."""
    return RedirectResponse(url, status_code=303)
