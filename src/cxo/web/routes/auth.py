"""Sign in and out: the login form (throttled, CSRF-protected) and the signed session cookie.

A failed sign-in is recorded per user name (as typed) and client address; after
:data:`MAX_FAILURES` failures within :data:`WINDOW` that pair gets 429 until the oldest one
ages out, whatever the password. Signing in starts a fresh session with a new CSRF token.
Sign-ins, failed or throttled attempts and sign-outs go to the audit log (never a password).
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from cxo.store.users import (
    MAX_PASSWORD_LENGTH,
    audit_sign_in,
    clear_login_failures,
    list_users,
    login_failures,
    record_login_failure,
    verify_password,
)
from cxo.web.deps import CurrentIdentity, CurrentWorkspace, check_csrf, csrf_token
from cxo.web.pages import render, texts

router = APIRouter(tags=["auth"])

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)


def safe_next(target: str) -> str:
    """``target`` when it is a path on this server, else ``/`` (no open redirects)."""
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 or ord(c) == 127 for c in target)
    ):
        return "/"
    return target


def client_address(request: Request) -> str:
    """The peer address (cxo trusts no forwarding headers)."""
    return request.client.host if request.client else "unknown"


@router.get("/login", include_in_schema=False)
def login_page(
    request: Request, ws: CurrentWorkspace, who: CurrentIdentity, next: str = "/"
) -> Response:
    """The sign-in form."""
    return render(
        ws,
        "login.html",
        title=texts(ws)["sign_in"],
        user=who.user,
        csrf=csrf_token(request),
        next=safe_next(next),
        name="",
        error=None,
        no_users=not list_users(ws.app_database_url),
    )


@router.post("/login", include_in_schema=False, dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    ws: CurrentWorkspace,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password and open a session (303 to ``next``); 401 or 429 with the form."""
    url, address, words = ws.app_database_url, client_address(request), texts(ws)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    recent = login_failures(url, name, address, since=now - WINDOW)

    def again(error: str, status: int) -> Response:
        return render(
            ws,
            "login.html",
            status=status,
            title=words["sign_in"],
            user=None,
            csrf=csrf_token(request),
            next=safe_next(next),
            name=name,
            error=error,
            no_users=False,
        )

    if len(recent) >= MAX_FAILURES:
        audit_sign_in(url, "auth.login_throttled", name, address)
        wait = recent[-MAX_FAILURES] + WINDOW - now
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        response = again(words["throttled"].format(minutes=minutes), 429)
        response.headers["Retry-After"] = str(max(1, math.ceil(wait.total_seconds())))
        return response
    user = verify_password(url, name, password)
    if user is None:
        record_login_failure(url, name, address, at=now)
        audit_sign_in(url, "auth.login_failed", name, address)
        return again(words["wrong"], 401)
    clear_login_failures(url, name, address)
    audit_sign_in(url, "auth.login", user.name, address)
    request.session.clear()
    request.session.update(
        {"user": user.name, "fp": user.fingerprint, "csrf": secrets.token_urlsafe(32)}
    )
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, ws: CurrentWorkspace) -> Response:
    """End the session (the CSRF guard checked the token) and go to the sign-in form."""
    name = request.session.get("user")
    if isinstance(name, str) and name:
        audit_sign_in(ws.app_database_url, "auth.logout", name, client_address(request))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
