"""The churn MDE before launch (issue 19, item 3): the smallest change of annual churn that
comparing the customers an initiative reaches with the other active customers over the window
can detect, beside the case's churn effect, with a plain warning below it.

Checked against statsmodels, recipe:

    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize
    h = NormalIndPower().solve_power(nobs1=reached, ratio=others / reached, alpha=0.05,
                                     power=0.8)
    p_w = 1 − (1 − baseline)^(w/12)            # churn within the window
    # the detectable churn p1_w satisfies proportion_effectsize(p_w, p1_w) = h
    mde = baseline − (1 − (1 − p1_w)^(12/w))   # back to an annual probability

and against a seeded simulation of that test (its power is 80 % at the MDE).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from cxo.errors import InsufficientDataError
from cxo.initiatives.business_case import (
    CaseInputs,
    PowerCheck,
    attach_power,
    business_case,
    churn_power,
    power_check,
)
from cxo.report.initiatives import note_lines, to_json

LAUNCH = dt.date(2026, 7, 1)


def test_the_churn_mde_matches_statsmodels() -> None:
    got = churn_power(500, 2000, 0.15, 6, -0.01)
    h = NormalIndPower().solve_power(effect_size=None, nobs1=500, ratio=4.0, alpha=0.05, power=0.8)
    assert got.h == pytest.approx(h, rel=1e-5)
    p_w = 1 - 0.85**0.5
    p1_w = 1 - (1 - (0.15 - got.mde)) ** 0.5
    assert proportion_effectsize(p_w, p1_w) == pytest.approx(got.h, rel=1e-9)
    assert 0.03 < got.mde < 0.15  # several points: far above the expected one point
    assert got.detectable is False
    # more customers, a longer window: smaller
    assert churn_power(5000, 20000, 0.15, 6).mde < got.mde
    assert churn_power(500, 2000, 0.15, 12).mde < got.mde


def test_the_churn_mde_has_the_power_it_claims() -> None:
    """A seeded simulation of the comparison (arcsine z-test, two-sided 5 %) at the MDE:
    it rejects in 80 % of 4,000 runs (binomial SE 0.6 %: accept [0.775, 0.825])."""
    got = churn_power(800, 3000, 0.2, 6)
    p_w = 1 - 0.8**0.5
    p1_w = 1 - (1 - (0.2 - got.mde)) ** 0.5
    rng = np.random.default_rng(19)
    a = rng.binomial(800, p1_w, 4000) / 800
    b = rng.binomial(3000, p_w, 4000) / 3000
    z = (2 * np.arcsin(np.sqrt(b)) - 2 * np.arcsin(np.sqrt(a))) / math.sqrt(1 / 800 + 1 / 3000)
    assert 0.775 <= float(np.mean(np.abs(z) > 1.959964)) <= 0.825


def test_too_few_customers_can_never_show_a_churn_effect() -> None:
    never = churn_power(20, 30, 0.05, 3, -0.01)
    assert math.isinf(never.mde)
    assert never.to_dict()["mde"] is None
    assert never.detectable is False
    with pytest.raises(InsufficientDataError):
        churn_power(0, 100, 0.1, 6)
    with pytest.raises(InsufficientDataError):
        churn_power(100, 100, 0.0, 6)


@pytest.fixture
def check() -> PowerCheck:
    """An NPS power check on two touchpoints (12 months before the launch)."""
    rows = []
    for month in range(-12, 0):
        first = dt.datetime(2026, 7, 1) + dt.timedelta(days=30.4375 * month)
        for tp in ("portal", "hotline"):
            rows += [(f"{tp}{month}-{i}", tp, first + dt.timedelta(hours=i), i % 11)
                     for i in range(60)]  # fmt: skip
    c = duckdb.connect()
    c.execute("create table responses (response_id varchar, touchpoint varchar, "
              "responded_at timestamp, nps integer)")  # fmt: skip
    c.register("planted", pd.DataFrame(rows, columns=["id", "tp", "ts", "nps"]))
    c.execute("insert into responses select * from planted")
    return power_check(c, ["portal"], launch=LAUNCH, expected_nps_effect=30)


def _case(churn_effect: float) -> CaseInputs:
    return CaseInputs(one_off_cost=10_000, customers=500, mrr=30, baseline_churn=0.15,
                      churn_effect=churn_effect)  # fmt: skip


def test_the_case_says_the_churn_mde_and_warns_below_it(check: PowerCheck) -> None:
    churn = churn_power(500, 2000, 0.15, 6, -0.01)
    small = attach_power(business_case(_case(-0.01)), replace(check, churn=churn))
    keys = [n.key for n in small.notes]
    assert keys[-2:] == ["initiatives.power.churn_mde", "initiatives.power.churn_below"]
    en = note_lines(small.notes, "en")
    mde = f"{100 * churn.mde:.1f}"
    assert "comparing the 500 customers reached with the other 2,000 active" in en[-2]
    assert f"{mde} points or more" in en[-2]
    assert "the case assumes -1.00 points" in en[-2]
    assert en[-1].startswith("note: WARNING — the expected churn effect (-1.00 points a year)")
    de = note_lines(small.notes, "de")
    assert de[-1].startswith("Hinweis: WARNUNG – Der erwartete Abwanderungseffekt (-1,00 Punkte")
    data = to_json(small, "en")
    assert data["power"]["churn"]["detectable"] is False
    assert data["power"]["churn"]["mde"] == pytest.approx(churn.mde)
    big = churn_power(500, 2000, 0.15, 6, -0.12)
    large = attach_power(business_case(_case(-0.12)), replace(check, churn=big))
    assert [n.key for n in large.notes][-1] == "initiatives.power.churn_mde"
    none = churn_power(20, 30, 0.05, 3, -0.01)
    never = attach_power(business_case(_case(-0.01)), replace(check, churn=none))
    assert [n.key for n in never.notes][-1] == "initiatives.power.churn_never"


def test_with_power_says_why_the_churn_mde_is_missing(tmp_path: Path) -> None:
    """Without customers there is nobody to compare churn with: a note says so."""
    from cxo.initiatives import Initiative
    from cxo.initiatives.business_case import with_power
    from cxo.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws", "service", language="en")
    with ws.connect() as c:
        rows = []
        for month in range(-12, 0):
            first = dt.datetime(2026, 7, 1) + dt.timedelta(days=30.4375 * month)
            for tp in ("portal", "hotline"):
                rows += [(f"{tp}{month}-{i}", tp, first + dt.timedelta(hours=i), i % 11)
                         for i in range(40)]  # fmt: skip
        c.register("planted", pd.DataFrame(rows, columns=["id", "tp", "ts", "nps"]))
        c.execute(
            "insert into responses (response_id, survey, touchpoint, responded_at, nps, "
            "language) select id, 's', tp, ts, nps, 'en' from planted"
        )
    ini = Initiative(key="p", name="P", touchpoints=["portal"], expected_nps_effect=4,
                     launch=LAUNCH)  # fmt: skip
    case = with_power(ws, ini, business_case(_case(-0.01)))
    assert case.power is not None
    assert case.power.churn is None
    lines = note_lines(case.notes, "en")
    assert any(line.startswith("note: churn MDE: not computed — ") for line in lines), lines
