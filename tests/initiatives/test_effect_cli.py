"""``cxo initiative measure KEY`` with the event study and the comparison groups
(``--control touchpoints|matched|prepost``, ``--customers FILE``), end to end on a simulated
company."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.demo import IMPORT_ORDER

runner = CliRunner()

pytestmark = pytest.mark.slow  # a simulated company imported into a workspace


def _run(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if "--json" in args and code == 0 else result.output


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("effect_cli")
    sim = root / "sim"
    _run("simulate", "--type", "service", "-n", "4000", "--seed", "2", "--out", str(sim))
    _run("init", str(root / "ws"), "--type", "service", "--language", "en")
    w = str(root / "ws")
    for table in IMPORT_ORDER:
        _run("import", table, str(sim / f"{table}.parquet"), "-w", w)
    _run("initiative", "load", str(sim / "portfolio.yaml"), "-w", w)
    # a campaign's target list: every third customer who answered before the chatbot launch
    ids = duckdb.sql(
        f"""select distinct customer_id from '{sim / "responses.parquet"}'
            where customer_id is not null and responded_at < '2025-04-01'
            order by customer_id"""
    ).fetchall()
    (root / "targets.csv").write_text(
        "customer_id\n" + "\n".join(str(r[0]) for r in ids[::3]) + "\n", "utf-8"
    )
    return root


def test_measure_json_has_the_event_study(ws: Path) -> None:
    proof = _run("initiative", "measure", "chatbot", "-w", str(ws / "ws"), "--json")
    effect = proof["effect"]
    assert effect["comparison"] == "touchpoints"
    months = effect["event_study"]["months"]
    assert min(m["month"] for m in months) == -12
    assert max(m["month"] for m in months) > 6
    assert all(m["ci_low"] <= m["estimate"] <= m["ci_high"] for m in months)
    test = effect["event_study"]["pre_trend"]
    assert 0.0 <= test["slope_p_value"] <= 1.0
    assert test["doubtful"] == effect["pre_trend_doubtful"]
    text = _run("initiative", "measure", "chatbot", "-w", str(ws / "ws"))
    assert "pre-trend test over 12 months" in text


def test_prepost_warns_and_matched_needs_customers(ws: Path) -> None:
    w = str(ws / "ws")
    proof = _run("initiative", "measure", "chatbot", "-w", w, "--control", "prepost", "--json")
    assert proof["effect"]["comparison"] == "prepost"
    assert proof["effect"]["event_study"] is None
    assert any("without a comparison group" in n for n in proof["notes"])
    out = _run("initiative", "measure", "chatbot", "-w", w, "--control", "matched", code=2)
    assert "--customers FILE" in out
    out = _run("initiative", "measure", "chatbot", "-w", w, "--control", "synthetic", code=2)
    assert "not one of touchpoints, matched, prepost" in out


def test_matched_comparison_from_a_target_list(ws: Path) -> None:
    w = str(ws / "ws")
    targets = str(ws / "targets.csv")
    proof = _run(
        "initiative", "measure", "chatbot", "-w", w, "--control", "matched",
        "--customers", targets, "--json",
    )  # fmt: skip
    effect = proof["effect"]
    assert effect["comparison"] == "matched"
    match = effect["matching"]
    assert match["matched"] > 0.9 * match["targeted"] - match["unknown"]
    assert abs(match["pre_nps"]["treated"] - match["pre_nps"]["control"]) < 5
    # nobody was treated: the targeted customers' chat answers moved like their matches'
    assert effect["nps"]["ci_low"] < 0 < effect["nps"]["ci_high"]
    text = _run("initiative", "measure", "chatbot", "-w", w, "--control", "matched",
                "--customers", targets)  # fmt: skip
    assert "matched customers" in text
    bad = ws / "bad.csv"
    bad.write_text("customer_id,x\n,1\n", "utf-8")
    out = _run("initiative", "measure", "chatbot", "-w", w, "--control", "matched",
               "--customers", str(bad), code=2)  # fmt: skip
    assert "line 2: field `customer_id` is empty" in out
