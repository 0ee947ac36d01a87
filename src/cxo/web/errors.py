"""Errors at the web edge: the one JSON error shape ``{"error", "message", "hint"}``.

:class:`cxo.errors.CxoError` answers with the status its class declares; FastAPI's own
errors (unknown route, wrong method, invalid request) are put in the same shape. A browser
asking a page (not ``/api``) for HTML gets the same message as a small page instead.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from cxo.errors import CxoError
from cxo.web.pages import render, texts

_HTTP_CODES = {
    400: "usage_error",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def _respond(request: Request, body: dict[str, Any], status: int) -> Response:
    if _wants_html(request):
        ws = request.app.state.workspace
        return render(
            ws,
            "error.html",
            status=status,
            title=texts(ws)["error"],
            user=None,
            csrf=None,
            message=body["message"],
            hint=body["hint"],
        )
    response = JSONResponse(body, status_code=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="cxo"'
    return response


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return "invalid request: " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` in the one error shape."""

    @app.exception_handler(CxoError)
    async def _cxo_error(request: Request, exc: CxoError) -> Response:
        return _respond(request, exc.to_dict(), exc.http_status)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        body = {"error": code, "message": str(exc.detail), "hint": None}
        response = _respond(request, body, exc.status_code)
        for key, value in (exc.headers or {}).items():
            response.headers.setdefault(key, value)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        body = {"error": "invalid_request", "message": _validation_message(exc), "hint": None}
        return _respond(request, body, 422)
