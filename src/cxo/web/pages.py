"""Server-rendered pages: one autoescaping Jinja2 environment over ``cxo/web/templates``.

Every page gets ``t`` (the words in the workspace language, German or English) and ``lang``;
user data (names, scopes) is escaped by autoescape. Pages send a strict Content-Security-Policy:
no scripts, nothing from another origin, forms only to this server.
"""

from __future__ import annotations

import functools
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from cxo.workspace import Workspace

PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "sign_in": "Sign in",
        "name": "User name",
        "password": "Password",
        "wrong": "Wrong user name or password.",
        "throttled": "Too many failed sign-ins for this user from this address. "
        "Try again in {minutes} minutes.",
        "signed_in_as": "Signed in as",
        "role": "Role",
        "owner_of": "Answers for",
        "scope": "Touchpoints",
        "all": "all",
        "none": "none (the charter names this owner nowhere)",
        "sign_out": "Sign out",
        "report": "Report",
        "error": "Something went wrong",
        "back": "Back to the start page",
        "no_users": "No users yet. Create the first one on the server:",
    },
    "de": {
        "sign_in": "Anmelden",
        "name": "Benutzername",
        "password": "Passwort",
        "wrong": "Benutzername oder Passwort ist falsch.",
        "throttled": "Zu viele fehlgeschlagene Anmeldungen für diesen Benutzer von dieser "
        "Adresse. Bitte in {minutes} Minuten erneut versuchen.",
        "signed_in_as": "Angemeldet als",
        "role": "Rolle",
        "owner_of": "Verantwortlich für",
        "scope": "Touchpoints",
        "all": "alle",
        "none": "keine (die Charta nennt diese Person nirgends)",
        "sign_out": "Abmelden",
        "report": "Bericht",
        "error": "Etwas ist schiefgegangen",
        "back": "Zur Startseite",
        "no_users": "Noch keine Benutzer. Den ersten auf dem Server anlegen:",
    },
}


@functools.cache
def environment() -> Environment:
    """The pages' environment (autoescape on for every template and string)."""
    return Environment(
        loader=PackageLoader("cxo.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def texts(ws: Workspace) -> dict[str, str]:
    """The page words in the workspace language (English when it has none)."""
    return TEXTS.get(ws.settings.language, TEXTS["en"])


def render(ws: Workspace, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with ``context`` as an HTML response with the page policy."""
    lang = ws.settings.language if ws.settings.language in TEXTS else "en"
    html = environment().get_template(template).render(t=texts(ws), lang=lang, **context)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response
