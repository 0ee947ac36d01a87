"""Static files and the API docs, served from the package: nothing comes from a CDN.

The browser libraries (htmx, Vega, Vega-Lite, Vega-Embed, Swagger UI, ReDoc) are vendored in
``cxo/web/static/vendor/`` by ``scripts/vendor-js`` (versions and licences in its
``VERSIONS.md``). :func:`mount_static_and_docs` mounts them at ``/static`` and serves Swagger
UI at ``/docs`` and ReDoc at ``/redoc`` from those files, so the docs work offline. The app
must be created with ``docs_url=None, redoc_url=None`` so FastAPI does not add its CDN pages.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC_DIR", "VENDOR_URL", "mount_static_and_docs"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""The package's static files (``/static`` in the app)."""
VENDOR_URL = "/static/vendor"
"""Where the vendored libraries are served (``{VENDOR_URL}/vega.min.js`` …)."""
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"


def mount_static_and_docs(app: FastAPI) -> None:
    """Mount ``/static`` and serve ``/docs`` (Swagger UI) and ``/redoc`` from local files.

    Call it on an app made with ``FastAPI(..., docs_url=None, redoc_url=None)``; the pages
    read the schema from ``app.openapi_url``.
    """
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} – API",
            oauth2_redirect_url=OAUTH2_REDIRECT_URL,
            swagger_js_url=f"{VENDOR_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR_URL}/swagger-ui.css",
            swagger_favicon_url=f"{VENDOR_URL}/swagger-ui-favicon-32x32.png",
            # Swagger UI would otherwise ask validator.swagger.io for a badge.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} – API",
            redoc_js_url=f"{VENDOR_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{VENDOR_URL}/swagger-ui-favicon-32x32.png",
            with_google_fonts=False,
        )
