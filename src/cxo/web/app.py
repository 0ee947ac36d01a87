"""The web app: FastAPI app factory over a workspace (loopback by default).

Serves the latest report and a JSON API (OpenAPI at ``/docs``), one router per resource in
:mod:`cxo.web.routes`. Errors use the one JSON error shape of
:meth:`cxo.errors.CxoError.to_dict` with the status each error class declares. Users, roles
and editing come with the web-app issue; until then the server binds to 127.0.0.1 only
unless told otherwise.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from cxo import __version__
from cxo.errors import CxoError
from cxo.web.deps import CurrentWorkspace
from cxo.web.routes import analyses, followups, initiatives
from cxo.workspace import Workspace

NO_REPORT = (
    "<!doctype html><meta charset='utf-8'><title>cxo</title>"
    "<h1>cxo</h1><p>No report yet. Run <code>cxo demo</code> or <code>cxo assess</code>."
    " The JSON API is documented at <a href='/docs'>/docs</a>.</p>"
)


def create_app(workspace: Workspace) -> FastAPI:
    """Build the app for ``workspace`` (no globals: one app per workspace)."""
    app = FastAPI(
        title="cxo", version=__version__, description="Customer-experience ownership with evidence."
    )
    app.state.workspace = workspace

    @app.exception_handler(CxoError)
    async def _cxo_error(_: Request, exc: CxoError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.http_status)

    @app.get("/api/health")
    def health() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok", "version": __version__}

    @app.get("/", response_class=HTMLResponse)
    def index(ws: CurrentWorkspace) -> HTMLResponse:
        """The latest report, or how to make one."""
        report = ws.reports_dir / "report.html"
        if report.exists():
            return HTMLResponse(report.read_text("utf-8"))
        return HTMLResponse(NO_REPORT)

    for module in (analyses, initiatives, followups):
        app.include_router(module.router)
    return app
