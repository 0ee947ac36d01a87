"""The web app: FastAPI app factory over a workspace (loopback by default).

* ``/login``, ``/logout``, ``/me`` and the read-only pages (:mod:`cxo.web.routes.views`:
  overview at ``/``, scorecard, assessment, voice, diagnostics) are pages; every other data
  route is the JSON API under :data:`API` (OpenAPI at ``/openapi.json``, docs at ``/docs``
  served from vendored files). Old ``/api/...`` paths answer 308 to ``/api/v1/...``.
* Users sign in with a password (a signed session cookie, :mod:`cxo.web.routes.auth`) or send
  a bearer token (``cxo user token NAME``); roles are enforced on the server for every route
  (:mod:`cxo.web.deps`, :mod:`cxo.web.access`); every state-changing browser request needs
  the session's CSRF token. Behind HTTPS set ``[web] secure_cookies = true`` (or
  ``CXO_SECURE_COOKIES=1``) so the session cookie is marked ``Secure``. Only
  ``/api/health``, the sign-in form and the docs are public.
* Errors use the one JSON error shape (:mod:`cxo.web.errors`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware

from cxo import __version__
from cxo.errors import NotFoundError
from cxo.web import pagecache
from cxo.web.deps import csrf_guard
from cxo.web.docs import mount_static_and_docs
from cxo.web.errors import install_error_handlers
from cxo.web.limits import BodyLimit
from cxo.web.routes import (
    analyses,
    audit,
    auth,
    followups,
    initiatives,
    manage_charter,
    manage_followups,
    manage_imports,
    manage_initiatives,
    pages,
    report,
    users,
    views,
)
from cxo.web.secret import secret_key
from cxo.workspace import Workspace

API = "/api/v1"
SESSION_COOKIE = "cxo_session"
SESSION_MAX_AGE = 12 * 60 * 60
"""Seconds a session lasts after sign-in (then sign in again)."""
_UNSAFE = ["POST", "PUT", "PATCH", "DELETE"]


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    if not request.url.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")
    return response


def _lifespan(warm: bool) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the thread that warms the page caches (at start and after every change)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warmer = None
        if warm:
            warmer = pagecache.Warmer(app.state.workspace, views.warm)
            warmer.start()
        app.state.warmer = warmer
        try:
            yield
        finally:
            if warmer is not None:
                warmer.stop.set()

    return lifespan


def create_app(workspace: Workspace, *, warm: bool = False) -> FastAPI:
    """Build the app for ``workspace`` (no globals: one app per workspace); ``warm``: render
    the overview and the scorecard in advance, at start and after every change of the data
    (``cxo serve`` does)."""
    app = FastAPI(
        lifespan=_lifespan(warm),
        title="cxo",
        version=__version__,
        description="Customer-experience ownership with evidence. Sign in at /login, or "
        "send `Authorization: Bearer <token>` (`cxo user token NAME`).",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(csrf_guard)],
    )
    app.state.workspace = workspace
    app.add_middleware(BodyLimit)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(workspace),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=workspace.settings.secure_cookies,
    )
    app.middleware("http")(_security_headers)
    install_error_handlers(app)

    @app.get("/api/health", tags=["health"])
    @app.get(f"{API}/health", tags=["health"])
    def health(request: Request) -> dict[str, str]:
        """Liveness probe (no sign-in needed); ``pages``: ``warm`` once the pages are rendered
        in advance, ``warming`` before, ``on request`` when the server does not warm them."""
        warmer = getattr(request.app.state, "warmer", None)
        pages = "on request" if warmer is None else "warm" if warmer.done.is_set() else "warming"
        return {"status": "ok", "version": __version__, "pages": pages}

    for module in (
        auth,
        pages,
        views,
        report,
        manage_initiatives,
        manage_followups,
        manage_charter,
        manage_imports,
    ):
        app.include_router(module.router)
    for module in (analyses, initiatives, followups, users):
        app.include_router(module.router, prefix=API)
    app.include_router(audit.router)
    app.include_router(audit.api_router, prefix=API)
    mount_static_and_docs(app)

    @app.api_route("/api/{rest:path}", methods=["GET", *_UNSAFE], include_in_schema=False)
    def moved(rest: str, request: Request) -> Response:
        """The API before ``/api/v1``: a permanent redirect keeping method and body."""
        if rest == "v1" or rest.startswith("v1/"):
            raise NotFoundError(f"no API route {request.url.path}", hint="see /openapi.json")
        query = f"?{request.url.query}" if request.url.query else ""
        response = RedirectResponse(f"{API}/{rest}{query}", status_code=308)
        response.headers["Deprecation"] = "true"
        return response

    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``cxo serve --workers N``: the workspace named by
    ``CXO_SERVE_WORKSPACE``, pages warmed."""
    import os
    from pathlib import Path

    from cxo.errors import UsageError
    from cxo.workspace import resolve_workspace

    root = os.environ.get("CXO_SERVE_WORKSPACE")
    if not root:
        raise UsageError("CXO_SERVE_WORKSPACE is not set", hint="start the server with cxo serve")
    return create_app(resolve_workspace(Path(root)), warm=True)
