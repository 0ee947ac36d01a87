"""How much of a request body the app reads: bounded, whatever the client sends.

Uploads to ``/imports`` may be as large as :func:`~cxo.web.routes.manage_imports.
max_upload_bytes` (plus the form's own bytes); every other request body at most
:data:`MAX_BODY` (``CXO_MAX_BODY_MB``). A declared ``Content-Length`` beyond the limit is
refused before anything is read; a body sent without one (chunked) is counted as it arrives
and refused as soon as it passes the limit — so a 1 GB upload costs neither memory nor disk.
The answer is the one JSON error shape with status 413.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from cxo.errors import CxoError, UsageError
from cxo.report.messages import message

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_ENV = "CXO_MAX_BODY_MB"
MAX_BODY = 2_000_000
"""Default limit of a request body other than an upload (JSON, forms), in bytes."""
FORM_SLACK = 100_000
"""The multipart form around an uploaded file: boundaries, headers, the other fields."""
UPLOAD_PATH = "/imports"


class BodyTooLarge(CxoError):
    """A request body larger than the app reads."""

    code = "too_large"
    exit_code = 2
    http_status = 413


def body_limit(scope: Scope) -> int:
    """The most bytes of this request's body the app reads."""
    app = scope.get("app")
    if scope.get("path") == UPLOAD_PATH and app is not None:
        from cxo.web.routes.manage_imports import max_upload_bytes

        return max_upload_bytes(app.state.workspace) + FORM_SLACK
    raw = os.environ.get(BODY_ENV)
    if raw is None:
        return MAX_BODY
    try:
        return int(float(raw) * 1_000_000)
    except ValueError:
        raise UsageError(f"{BODY_ENV} must be a number of megabytes, not {raw!r}") from None


def _too_large(scope: Scope, size: int | None, limit: int) -> BodyTooLarge:
    app = scope.get("app")
    ws = app.state.workspace if app is not None else None
    lang = ws.settings.language if ws is not None and ws.settings.language in ("de", "en") else "en"
    upload = scope.get("path") == UPLOAD_PATH
    allowed = limit - FORM_SLACK if upload else limit
    text = message(
        "webforms.imports.too_large" if upload else "limits.body_too_large",
        lang,
        size=(size if size is not None else limit + 1) / 1e6,
        limit=allowed / 1e6,
    )
    return BodyTooLarge(text, hint=message("limits.body_too_large_hint", lang))


class BodyLimit:
    """ASGI middleware: refuse request bodies beyond :func:`body_limit` (413)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _answer(send, _too_large(scope, int(declared), limit))
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _too_large(scope, None, limit)
            return msg

        async def watched(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:  # raised where no handler of the app saw it
            if not started:
                await _answer(send, exc)


async def _answer(send: Send, exc: CxoError) -> None:
    import json

    body = json.dumps(exc.to_dict()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": exc.http_status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
