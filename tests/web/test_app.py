"""The web app served by a real uvicorn on 127.0.0.1 (started and stopped by the test)."""

from __future__ import annotations

import httpx

from cxo.workspace import Workspace
from tests.web.support import Browsers


def test_health_index_and_openapi(base: str, browsers: Browsers) -> None:
    assert httpx.get(f"{base}/api/health").json()["status"] == "ok"
    assert httpx.get(f"{base}/api/v1/health").json()["status"] == "ok"
    assert httpx.get(f"{base}/").status_code == 303  # sign in first
    assert "cxo demo" in browsers.login("vic").get("/").text
    schema = httpx.get(f"{base}/openapi.json").json()
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    paths = schema["paths"]
    assert "/api/v1/scorecard" in paths
    assert "/api/v1/followups/{task_id}/close" in paths
    old = [p for p in paths if p.startswith("/api/") and not p.startswith("/api/v1/")]
    assert old == ["/api/health"]


def test_missing_assessment_uses_the_json_error_shape(browsers: Browsers) -> None:
    response = browsers.login("vic").get("/api/v1/assessment")
    assert response.status_code == 404
    assert response.json() == {
        "error": "missing_data",
        "message": "no assessment yet",
        "hint": "run `cxo assess` or `cxo demo`",
    }


def test_old_api_paths_redirect_to_v1(browsers: Browsers) -> None:
    client = browsers.login("vic")
    moved = client.get("/api/assessment?x=1")
    assert moved.status_code == 308
    assert moved.headers["location"] == "/api/v1/assessment?x=1"
    assert client.get("/api/assessment", follow_redirects=True).status_code == 404
    unknown = client.get("/api/v1/nope")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not_found"


def test_framework_errors_use_the_json_error_shape(browsers: Browsers) -> None:
    client = browsers.login("lea")
    invalid = client.post("/api/v1/followups/1/note", json={"note": ""})
    assert invalid.status_code == 422
    assert invalid.json()["error"] == "invalid_request"
    assert set(invalid.json()) == {"error", "message", "hint"}
    wrong_method = client.delete("/me", headers={"Accept": "application/json"})
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"


def test_report_page_is_the_board_report_without_scripts(browsers: Browsers, ws: Workspace) -> None:
    response = browsers.login("vic").get("/report")
    assert response.status_code == 200
    assert "<script" not in response.text.lower()
    assert "script-src" not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert browsers.anon().get("/report").status_code == 303
