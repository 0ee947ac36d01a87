"""Server-rendered pages: ONE Jinja2 environment, the report's, with the web templates first.

The web environment is an overlay of :func:`cxo.report.html.environment`: the same filters
(``num``, ``pct``, ``money``, ``est``, ``say`` …) and globals (``t``, ``say``), autoescape on;
its loader looks in ``cxo/web/templates`` and then in the report's templates. Every page gets
``language`` (the reader's choice, remembered in the session; the workspace language until they
choose), ``currency`` and ``lang``. The words of the app are the catalogue's ``web.*`` keys
(``web.po``). User data (names, comments, labels) is escaped by autoescape; chart specs go into
``<script type="application/json">`` data blocks (``tojson`` escapes ``<``, ``>``, ``&``).

Pages send a strict Content-Security-Policy: scripts only from this server (the vendored
vega-embed and htmx, and ``/static/cxo.js``), no inline script, nothing from another origin,
forms only to this server.
"""

from __future__ import annotations

import functools
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader

from cxo.report import html as report_html
from cxo.report.messages import LANGUAGES, message
from cxo.workspace import Workspace

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""Scripts only from this server, no inline script (Vega's inline styles are allowed)."""

WORDS = (
    "sign_in",
    "name",
    "password",
    "wrong",
    "throttled",
    "signed_in_as",
    "role",
    "owner_of",
    "scope",
    "all",
    "none",
    "sign_out",
    "report",
    "error",
    "back",
    "no_users",
)
"""The keys of :func:`texts` (``web.<key>`` in the catalogue)."""


@functools.cache
def environment() -> Environment:
    """The pages' environment: the report's, with ``cxo/web/templates`` looked up first."""
    base = report_html.environment()
    loader = ChoiceLoader(
        [PackageLoader("cxo.web", "templates"), PackageLoader("cxo.report", "templates")]
    )
    return base.overlay(loader=loader)


def language(ws: Workspace, request: Request | None = None) -> str:
    """The reader's language: their choice in the session, else the workspace's (else en)."""
    if request is not None and "session" in request.scope:
        chosen = request.session.get("lang")
        if chosen in LANGUAGES:
            return str(chosen)
    return ws.settings.language if ws.settings.language in LANGUAGES else "en"


def texts(ws: Workspace, request: Request | None = None) -> dict[str, str]:
    """The sign-in and error words in the reader's language (``{minutes}`` left to fill)."""
    return dict(_words(language(ws, request)))


@functools.cache
def _words(lang: str) -> dict[str, str]:
    return {key: message(f"web.{key}", lang, minutes="{minutes}") for key in WORDS}


def render_main(ws: Workspace, template: str, lang: str, **context: Any) -> str:
    """Only the ``main`` block of ``template`` (which extends ``base.html``), rendered without
    the reader: no user, no CSRF token, no path. A body to cache and share between readers of
    one language and scope; :func:`render` wraps it with ``cached_page.html``."""
    return (
        environment()
        .get_template(template)
        .render(
            language=lang,
            lang=lang,
            currency=ws.settings.currency,
            words=_words(lang),
            path="",
            nav=None,
            user=None,
            csrf=None,
            main_only=True,
            **context,
        )
    )


def render(
    ws: Workspace,
    template: str,
    *,
    status: int = 200,
    request: Request | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` with ``context`` as an HTML response with the page policy."""
    lang = language(ws, request)
    context.setdefault("path", request.url.path if request is not None else "/")
    context.setdefault("nav", None)
    html = (
        environment()
        .get_template(template)
        .render(
            language=lang,
            lang=lang,
            currency=ws.settings.currency,
            words=texts(ws, request),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response
