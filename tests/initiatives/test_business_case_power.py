"""Power before launch: the minimum detectable effect beside the expected one, on planted data."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxo.errors import InsufficientDataError, UsageError
from cxo.initiatives import Initiative
from cxo.initiatives.business_case import (
    CaseInputs,
    attach_power,
    business_case,
    power_check,
    with_power,
)
from cxo.report.initiatives import note_lines, to_json
from cxo.workspace import Workspace

LAUNCH = dt.date(2026, 7, 1)
PLAN = [
    # touchpoint, responses a month, promoter and detractor share
    ("portal", 40, 0.30, 0.40),
    ("hotline", 160, 0.45, 0.20),
    ("billing", 60, 0.35, 0.30),
]


def _responses(seed: int = 7) -> list[tuple[str, str, dt.datetime, int]]:
    """Twelve months before the launch and three after, with planted shares (exact per month:
    the scores are laid out, not drawn, so the variances are known)."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in range(-12, 3):
        first = dt.datetime(2026, 7, 1) + dt.timedelta(days=30.4375 * month)
        for tp, per_month, p, d in PLAN:
            n = per_month * 2 if tp == "portal" and month >= 0 else per_month  # busier after
            scores = [10] * round(n * p) + [0] * round(n * d)
            scores += [8] * (n - len(scores))
            for i, score in enumerate(rng.permutation(scores)):
                at = first + dt.timedelta(hours=1 + i * 17 % 700)
                rows.append((f"{tp}-{month}-{i}", tp, at, int(score)))
    return rows


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("create table responses (response_id varchar, touchpoint varchar, "
              "responded_at timestamp, nps integer)")  # fmt: skip
    c.register("planted", pd.DataFrame(_responses(), columns=["id", "tp", "ts", "nps"]))
    c.execute("insert into responses select * from planted")
    return c


def _variance(p: float, d: float) -> float:
    return 10_000 * (p + d - (p - d) ** 2)


def test_the_mde_follows_the_did_formula_on_the_pre_period(con: duckdb.DuckDBPyConnection) -> None:
    check = power_check(con, ["portal"], launch=LAUNCH, expected_nps_effect=12, window_months=6)
    assert check.responses_pre == 12 * 40
    assert check.control_pre == 12 * 220
    assert check.pre_months == pytest.approx(12, abs=0.1)
    assert check.responses_per_month == pytest.approx(40, rel=0.01)
    # control: hotline and billing pooled
    pc = (160 * 0.45 + 60 * 0.35) / 220
    dc = (160 * 0.20 + 60 * 0.30) / 220
    var_t, var_c = _variance(0.30, 0.40), _variance(pc, dc)
    months = check.pre_months
    se = math.sqrt(
        var_t / 480 + var_t / (480 / months * 6) + var_c / 2640 + var_c / (2640 / months * 6)
    )
    assert check.nps.se == pytest.approx(se, rel=1e-9)
    assert check.nps.mde == pytest.approx(2.801585 * se, rel=1e-6)
    assert check.nps.mde > 12  # 40 answers a month cannot show 12 points in six months
    assert check.detectable is False
    # the window at which 12 points would be detectable: the MDE there is 12
    needed = check.months_needed
    assert needed is not None
    assert needed > 6
    at_needed = power_check(
        con, ["portal"], launch=LAUNCH, expected_nps_effect=12, window_months=needed
    )
    assert at_needed.nps.mde == pytest.approx(12, rel=1e-9)
    assert at_needed.detectable is True
    # 5 points: the pre-period alone is too noisy, no window is long enough
    never = power_check(con, ["portal"], launch=LAUNCH, expected_nps_effect=5)
    assert never.months_needed is None


def test_the_launch_ends_the_pre_period_and_a_planned_reach_replaces_the_past_one(
    con: duckdb.DuckDBPyConnection,
) -> None:
    before = power_check(con, ["portal"], launch=LAUNCH)
    unset = power_check(con, ["portal"])  # no launch: the 12 months up to the newest answer
    assert before.responses_pre == 480
    assert unset.responses_pre == 9 * 40 + 3 * 80
    planned = power_check(con, ["portal"], launch=LAUNCH, responses_per_month=400)
    assert planned.responses_per_month == 400
    assert planned.nps.mde < before.nps.mde
    longer = power_check(con, ["portal"], launch=LAUNCH, window_months=24)
    assert longer.nps.mde < before.nps.mde


def test_a_warning_when_the_expected_effect_is_below_the_mde(
    con: duckdb.DuckDBPyConnection,
) -> None:
    inputs = CaseInputs(one_off_cost=10_000, customers=5_000, mrr=30, baseline_churn=0.2,
                        churn_effect=-0.01)  # fmt: skip
    small = attach_power(
        business_case(inputs), power_check(con, ["portal"], launch=LAUNCH, expected_nps_effect=12)
    )
    keys = [n.key for n in small.notes]
    assert keys == ["initiatives.power.mde", "initiatives.power.below"]
    lines = note_lines(small.notes, "en")
    assert "expected: +12.0 points" in lines[0]
    assert lines[1].startswith("note: WARNING — the expected effect (+12.0 points) is smaller")
    assert small.power is not None
    assert small.power.months_needed is not None
    assert f"about {math.ceil(small.power.months_needed)} months" in lines[1]
    tiny = attach_power(
        business_case(inputs), power_check(con, ["portal"], launch=LAUNCH, expected_nps_effect=3)
    )
    assert [n.key for n in tiny.notes][-1] == "initiatives.power.below_never"
    assert "WARNUNG – Der erwartete Effekt (+12,0 Punkte)" in note_lines(small.notes, "de")[1]
    data = to_json(small, "en")
    assert data["power"]["detectable"] is False
    assert data["power"]["nps"]["mde"] == pytest.approx(small.power.nps.mde)
    assert any(n.startswith("WARNING") for n in data["notes"])
    large = attach_power(
        business_case(inputs), power_check(con, ["hotline"], launch=LAUNCH, expected_nps_effect=15)
    )
    assert [n.key for n in large.notes] == ["initiatives.power.mde"]
    assert large.power is not None
    assert large.power.detectable is True


def test_no_control_or_no_answers_is_a_typed_error(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InsufficientDataError, match="other touchpoints"):
        power_check(con, ["portal", "hotline", "billing"], launch=LAUNCH)
    with pytest.raises(InsufficientDataError, match="moon"):
        power_check(con, ["moon"], launch=LAUNCH)
    with pytest.raises(UsageError):
        power_check(con, ["portal"], window_months=0)
    with pytest.raises(UsageError):
        power_check(con, ["portal"], responses_per_month=-1)


def test_with_power_on_a_workspace_and_a_note_where_it_cannot(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "service", language="en")
    with ws.connect() as c:
        c.register("planted", pd.DataFrame(_responses(), columns=["id", "tp", "ts", "nps"]))
        c.execute(
            "insert into responses (response_id, survey, touchpoint, responded_at, nps, "
            "language) select id, 's', tp, ts, nps, 'en' from planted"
        )
    inputs = CaseInputs(one_off_cost=1, customers=10, mrr=1, baseline_churn=0.1,
                        churn_effect=-0.01)  # fmt: skip
    ini = Initiative(key="p", name="P", touchpoints=["portal"], expected_nps_effect=4,
                     launch=LAUNCH)  # fmt: skip
    case = with_power(ws, ini, business_case(inputs))
    assert case.power is not None
    assert case.power.window_months == 6
    assert case.power.responses_pre == 480
    nowhere = Initiative(key="q", name="Q", touchpoints=["shop"], expected_nps_effect=4)
    quiet = with_power(ws, nowhere, business_case(inputs))
    assert quiet.power is None
    assert [n.key for n in quiet.notes] == ["initiatives.power.unavailable"]
