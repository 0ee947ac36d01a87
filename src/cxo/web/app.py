"""The web app: FastAPI app factory over a workspace (loopback by default).

Serves the latest report and a JSON API (OpenAPI at ``/docs``). Errors use the one JSON
error shape of :meth:`cxo.errors.CxoError.to_dict`. Users, roles and editing come with the
web-app issue; until then the server binds to 127.0.0.1 only unless told otherwise.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from cxo import __version__
from cxo.errors import CxoError
from cxo.workspace import Workspace, latest_assessment

def create_app(workspace: Workspace) -> FastAPI:
    """Build the app for ``workspace`` (no globals: one app per workspace)."""
    app = FastAPI(
        title="cxo", version=__version__, description="Customer-experience ownership with evidence."
    )

    @app.exception_handler(CxoError)
    async def _cxo_error(_: Request, exc: CxoError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.http_status)

    @app.get("/api/health")
    def health() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok", "version": __version__}

    @app.get("/api/scorecard")
    def scorecard(by: list[str] = Query(default=["touchpoint"])) -> dict[str, Any]:  # noqa: B008
        """The scorecard grouped by the given dimensions (touchpoint, segment, channel, …)."""
        from cxo.engine import scorecard as compute

        dims = [d for item in by for d in item.split(",") if d]
        result: dict[str, Any] = compute(workspace, by=dims).to_dict()
        return result

    @app.get("/api/assessment")
    def assessment() -> Any:
        """The latest saved assessment (``cxo assess`` writes it)."""
        return latest_assessment(workspace)[1]

    @app.get("/api/initiatives")
    def initiative_list() -> list[dict[str, Any]]:
        """The portfolio of initiatives."""
        from cxo.initiatives import initiatives

        return [i.to_dict() for i in initiatives(workspace.app_database_url)]

    @app.get("/api/initiatives/ranking")
    def initiative_ranking(measured: bool = True) -> dict[str, Any]:
        """Initiatives against the ranked pains of the latest assessment; gaps; what to stop."""
        from cxo.initiatives import rank

        return rank(workspace, measured=measured).to_dict()

    @app.get("/api/initiatives/{key}")
    def initiative_one(key: str) -> dict[str, Any]:
        """One initiative."""
        from cxo.initiatives import get_initiative

        return get_initiative(workspace.app_database_url, key).to_dict()

    @app.get("/api/initiatives/{key}/case")
    def initiative_case(
        key: str, horizon: int = 36, discount_rate: float = 0.08, margin: float = 1.0
    ) -> dict[str, Any]:
        """Business case before launch: NPV, ROI, payback, break-even, sensitivity."""
        from cxo.initiatives import case, get_initiative

        ini = get_initiative(workspace.app_database_url, key)
        result, reach = case(
            workspace, ini, horizon_months=horizon, discount_rate=discount_rate, margin=margin
        )
        return {"initiative": ini.to_dict(), "reach": reach.to_dict(), **result.to_dict()}

    @app.get("/api/initiatives/{key}/effect")
    def initiative_effect(
        key: str, pre_months: int = 12, post_months: int | None = None
    ) -> dict[str, Any]:
        """Measured effect after launch (difference-in-differences), churn, money and ROI."""
        from cxo.initiatives import get_initiative, measure

        ini = get_initiative(workspace.app_database_url, key)
        return measure(workspace, ini, pre_months=pre_months, post_months=post_months).to_dict()

    @app.get("/api/followups")
    def followup_list(
        owner: str | None = None, status: str | None = None, touchpoint: str | None = None
    ) -> list[dict[str, Any]]:
        """Follow-up tasks (closed loop), oldest due first."""
        from cxo.initiatives.followups import tasks

        return [
            t.to_dict() for t in tasks(workspace, owner=owner, status=status, touchpoint=touchpoint)
        ]

    @app.get("/api/followups/report")
    def followup_report() -> dict[str, Any]:
        """Follow-up rate within the SLA, time to contact, overdue tasks, per owner."""
        from cxo.initiatives.followups import report

        return report(workspace).to_dict()

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        """The latest report, or how to make one."""
        report = workspace.reports_dir / "report.html"
        if report.exists():
            return HTMLResponse(report.read_text("utf-8"))
        return HTMLResponse(
            "<!doctype html><meta charset='utf-8'><title>cxo</title>"
            "<h1>cxo</h1><p>No report yet. Run <code>cxo demo</code> or <code>cxo assess</code>."
            " The JSON API is documented at <a href='/docs'>/docs</a>.</p>",
            status_code=200,
        )

    return app
