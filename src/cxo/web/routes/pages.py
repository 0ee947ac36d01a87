"""The pages: the latest report (start page) and the signed-in user's own page."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxo.web.access import Scope
from cxo.web.deps import CurrentIdentity, CurrentWorkspace, csrf_token
from cxo.web.pages import render, texts

router = APIRouter(tags=["pages"])

NO_REPORT = (
    "<!doctype html><meta charset='utf-8'><title>cxo</title>"
    "<h1>cxo</h1><p>No report yet. Run <code>cxo demo</code> or <code>cxo assess</code>."
    " The JSON API is documented at <a href='/docs'>/docs</a>.</p>"
)


def _sign_in(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


@router.get("/", include_in_schema=False)
def index(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """The latest report, or how to make one (signed-in users only)."""
    if who.user is None:
        return _sign_in(request)
    report = ws.reports_dir / "report.html"
    if report.exists():
        return HTMLResponse(report.read_text("utf-8"))
    return HTMLResponse(NO_REPORT)


@router.get("/me", include_in_schema=False)
def me_page(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """Who is signed in, their role and the touchpoints they see."""
    if who.user is None:
        return _sign_in(request)
    return render(
        ws,
        "me.html",
        title=texts(ws)["signed_in_as"],
        user=who.user,
        scope=Scope.of(ws, who.user).to_dict(),
        csrf=csrf_token(request) if who.via == "session" else None,
    )
