"""Dependencies shared by the routers: the workspace, who is asking, and what they may do.

Who is asking (:func:`identity`): a request with ``Authorization: Bearer <token>`` is that
token's user and nothing else (cookies are ignored, so a bearer request cannot be forged by
another site and needs no CSRF token); otherwise the signed session cookie names the user,
valid while the password it was opened with is unchanged. :func:`csrf_guard` runs for every
route of the app: a state-changing request of a browser session must carry the session's CSRF
token (header ``X-CSRF-Token`` or form field ``csrf_token``). Routers then ask for a role:
:data:`Reader` (any signed-in user), :data:`Writer` (not a viewer), :data:`Admin`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cxo.errors import AuthError, CsrfError, ForbiddenError
from cxo.store.users import User, find_user, user_for_token
from cxo.web import pagecache
from cxo.workspace import Workspace

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


CurrentWorkspace = Annotated[Workspace, Depends(_workspace)]


@dataclass(frozen=True)
class Identity:
    """Who sent a request: the user (``None`` when anonymous) and how they proved it."""

    user: User | None
    via: Literal["session", "bearer"] | None
    bad_token: bool = False


def identity(request: Request, ws: CurrentWorkspace) -> Identity:
    """The user behind ``request`` (bearer token first, then the session cookie)."""
    url = ws.app_database_url
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        user = user_for_token(url, token.strip())
        return Identity(user, "bearer", bad_token=user is None)
    session = request.session
    name = session.get("user")
    if isinstance(name, str):
        found = pagecache.user(ws, name, lambda: find_user(url, name))
        if found is not None and session.get("fp") == found.fingerprint:
            return Identity(found, "session")
        session.pop("user", None)  # removed, or the password changed since sign-in
        session.pop("fp", None)
    return Identity(None, None)


CurrentIdentity = Annotated[Identity, Depends(identity)]


def csrf_token(request: Request) -> str:
    """The CSRF token of the session (created on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """:class:`CsrfError` unless the request carries the session's CSRF token."""
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if given is None and content_type.startswith(_FORMS):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not (
        isinstance(expected, str)
        and isinstance(given, str)
        and hmac.compare_digest(expected.encode(), given.encode())
    ):
        raise CsrfError(
            "the CSRF token of this session is missing or wrong",
            hint="reload the page and try again; scripts use a bearer token "
            "(`cxo user token NAME`)",
        )


async def csrf_guard(request: Request, who: CurrentIdentity) -> None:
    """Every state-changing request of a signed-in browser session needs its CSRF token."""
    if request.method in SAFE_METHODS or who.via != "session":
        return
    await check_csrf(request)


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A token from `cxo user token NAME` (browsers use the session cookie).",
)


def reader(
    who: CurrentIdentity,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> User:
    """Any signed-in user; :class:`AuthError` (401) for anonymous requests. (The bearer
    scheme is declared here for the OpenAPI document; :func:`identity` reads the header.)"""
    if who.user is not None:
        return who.user
    if who.bad_token:
        raise AuthError(
            "the bearer token is unknown or revoked", hint="create one with `cxo user token NAME`"
        )
    raise AuthError(
        "sign in first",
        hint="sign in at /login, or send `Authorization: Bearer <token>` "
        "(`cxo user token NAME` creates one)",
    )


def writer(user: Annotated[User, Depends(reader)]) -> User:
    """A user who may change things (everyone but viewers; owners within their scope)."""
    if user.role == "viewer":
        raise ForbiddenError("viewers can read but not change anything")
    return user


def admin(user: Annotated[User, Depends(reader)]) -> User:
    """An admin (the only role that manages users)."""
    if user.role != "admin":
        raise ForbiddenError("only admins manage users")
    return user


Reader = Annotated[User, Depends(reader)]
Writer = Annotated[User, Depends(writer)]
Admin = Annotated[User, Depends(admin)]
