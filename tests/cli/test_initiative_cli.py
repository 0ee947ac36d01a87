"""``cxo initiative`` end to end on a simulated company, and the same numbers from the API.

simulate (writes ``portfolio.yaml``, the company's plan) → import → assess → ``initiative
load/list/case/measure/rank`` in-process with ``--json``; then a real uvicorn on 127.0.0.1
serves ``/api/v1/initiatives/…`` (bearer token) and must return the very numbers the CLI printed.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.demo import IMPORT_ORDER
from cxo.report.initiatives import texts
from cxo.web.app import create_app
from cxo.workspace import Workspace

runner = CliRunner()

pytestmark = pytest.mark.slow  # a simulated company with its portfolio (about 20 s)


def _run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result.stdout


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("initiatives")
    sim = root / "sim"
    _run("simulate", "--type", "service", "-n", "6000", "--seed", "3", "--out", str(sim))
    _run("init", str(root / "ws"), "--type", "service", "--language", "en")
    w = str(root / "ws")
    for table in IMPORT_ORDER:
        _run("import", table, str(sim / f"{table}.parquet"), "-w", w)
    _run("assess", "-w", w, "--json")
    _run("initiative", "load", str(sim / "portfolio.yaml"), "-w", w)
    return Workspace(root / "ws")


def test_portfolio_from_the_simulated_plan(ws: Workspace) -> None:
    items = _run("initiative", "list", "-w", str(ws.root), "--json")
    assert {i["key"] for i in items} == {"portal_relaunch", "chatbot"}
    portal = next(i for i in items if i["key"] == "portal_relaunch")
    assert portal["touchpoints"] == ["portal"]
    assert portal["owner"]  # the charter's accountable person
    assert portal["launch"] == "2025-10-01"


def test_case_measure_and_rank(ws: Workspace) -> None:
    w = str(ws.root)
    case = _run("initiative", "case", "portal_relaunch", "-w", w, "--json")
    assert case["reach"]["customers"] > 0
    assert case["inputs"]["churn_effect"] == -0.01
    assert case["verdict"] in {"weak", "fragile", "robust"}
    assert case["npv"] == pytest.approx(case["value_kept"] - case["cost"])
    proof = _run("initiative", "measure", "portal_relaunch", "-w", w, "--json")
    effect = proof["effect"]["nps"]
    assert effect["ci_low"] < effect["estimate"] < effect["ci_high"]
    assert proof["effect"]["controls"]
    assert "portal" not in proof["effect"]["controls"]
    # the other initiative's touchpoint is not a control (it changed inside the window)
    assert "chat" not in proof["effect"]["controls"]
    kept = proof["revenue_kept_per_month"]
    assert kept["ci_low"] <= kept["value"] <= kept["ci_high"]
    ranking = _run("initiative", "rank", "-w", w, "--json")
    keys = [r["key"] for r in ranking["ranked"]]
    assert sorted(keys) == ["chatbot", "portal_relaunch"]
    for stop in ranking["stop_candidates"]:
        assert stop["stop_reason"]
    # human output names the verdict and the sensitivity table
    text = _run("initiative", "case", "portal_relaunch", "-w", w)
    assert "sensitivity" in text


def test_errors_exit_non_zero(ws: Workspace) -> None:
    result = runner.invoke(app, ["initiative", "case", "nope", "-w", str(ws.root)])
    assert result.exit_code != 0
    assert "no initiative 'nope'" in result.output
    result = runner.invoke(app, ["initiative", "add", "x", "-t", "moon", "-w", str(ws.root)])
    assert result.exit_code != 0
    assert "not in the charter" in result.output


def _same(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-6 (DuckDB's parallel sums differ in the last bits run to run, and a
    root finder amplifies that a little)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-6, abs=1e-9)
    return bool(a == b)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(ws: Workspace) -> Iterator[str]:
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_api_returns_the_cli_numbers(ws: Workspace, server: str) -> None:
    from cxo.store.users import create_token, create_user, find_user

    w = str(ws.root)
    if find_user(ws.app_database_url, "script") is None:
        create_user(ws.app_database_url, "script", "viewer", "a long enough password")
    api = httpx.Client(
        base_url=f"{server}/api/v1",
        headers={"Authorization": f"Bearer {create_token(ws.app_database_url, 'script')}"},
        timeout=60,
    )
    with api:
        assert [i["key"] for i in api.get("/initiatives").json()] == [
            i["key"] for i in _run("initiative", "list", "-w", w, "--json")
        ]
        cli = _run("initiative", "measure", "portal_relaunch", "-w", w, "--json")
        # the API may leave the words to its reader: ``texts`` adds them as the CLI prints
        # them (and changes nothing when they are there)
        assert _same(texts(api.get("/initiatives/portal_relaunch/effect").json()), cli)
        case = texts(api.get("/initiatives/portal_relaunch/case").json())
        assert _same(case, _run("initiative", "case", "portal_relaunch", "-w", w, "--json"))
        ranking = texts(api.get("/initiatives/ranking").json())
        assert _same(ranking, _run("initiative", "rank", "-w", w, "--json"))
        missing = api.get("/initiatives/nope")
        assert missing.status_code == 400
        assert missing.json()["error"] == "usage_error"
    assert httpx.get(f"{server}/api/v1/initiatives").status_code == 401
