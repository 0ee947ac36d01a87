"""The board report in the app: the page (``/report``) and its PDF (``/report.pdf``).

Both are made from the workspace as it is now, in the reader's language, by the same code as
``cxo report`` (:mod:`cxo.report.board`, :mod:`cxo.report.pdf`); every signed-in role may read
them. The page is self-contained (inline CSS and SVG), so it needs no script at all.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from cxo.web.deps import CurrentIdentity, CurrentWorkspace
from cxo.web.pages import language
from cxo.web.routes.views import sign_in

router = APIRouter(tags=["report"])

REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@router.get("/report", include_in_schema=False)
async def report_page(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """The board report as a page (opens in the browser, prints from there)."""
    if who.user is None:
        return sign_in(request)
    from cxo.report.board import board_report

    html = await run_in_threadpool(board_report, ws, language(ws, request), saved_by="cxo serve")
    response = HTMLResponse(html)
    response.headers["Content-Security-Policy"] = REPORT_POLICY
    return response


@router.get("/report.pdf", include_in_schema=False)
async def report_pdf(request: Request, ws: CurrentWorkspace, who: CurrentIdentity) -> Response:
    """The board report as a PDF download (printed by headless Chromium on the server)."""
    if who.user is None:
        return sign_in(request)
    from cxo.report.pdf import board_pdf

    lang = language(ws, request)
    pdf = await run_in_threadpool(board_pdf, ws, lang)
    name = f"cxo-report-{lang}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
