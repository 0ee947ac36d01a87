"""The scorecard on a hand-made workspace (tests/engine/conftest.py); every number by hand."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from cxo.engine import scorecard
from cxo.engine.periods import parse_period
from cxo.errors import InsufficientDataError, MissingDataError, UsageError
from cxo.stats import nps_from_counts, proportion
from cxo.workspace import Workspace


def _row(sc, **group):  # type: ignore[no-untyped-def]
    matches = [r for r in sc.rows if r.group == group]
    assert len(matches) == 1, group
    return matches[0]


def test_by_touchpoint_counts_by_hand(tiny: Workspace) -> None:
    sc = scorecard(tiny, by=["touchpoint"])
    # Charter journey order: sales, billing, hotline (touchpoints without responses are left out).
    assert [r.group["touchpoint"] for r in sc.rows] == ["sales", "billing", "hotline"]
    hotline = _row(sc, touchpoint="hotline")
    # hotline: r1 r2 r3 r7 → NPS 10, 9, 6, 10: 3 promoters, 1 detractor → (3 − 1)/4 = 50
    assert hotline.n == 4
    assert hotline.nps is not None
    assert (hotline.nps.promoters, hotline.nps.passives, hotline.nps.detractors) == (3, 0, 1)
    assert hotline.nps.value == pytest.approx(50.0)
    assert hotline.nps.ci_low == pytest.approx(nps_from_counts(3, 0, 1).ci_low)
    # CSAT 5, 4, 2, 5 → top-2-box 3/4
    assert hotline.csat is not None
    assert (hotline.csat.successes, hotline.csat.n) == (3, 4)
    # CES 2, 3, 6, 1 → mean 3, s² = (50 − 12²/4)/3 = 14/3
    assert hotline.ces is not None
    assert hotline.ces.value == pytest.approx(3.0)
    assert hotline.ces.sd == pytest.approx(math.sqrt(14 / 3))
    # Churn is not defined per touchpoint (a touchpoint is not a set of customers).
    assert hotline.churn is None

    billing = _row(sc, touchpoint="billing")
    # billing: NPS 3, 8, 7 → 0 promoters, 1 detractor of 3 → −33.3; CSAT 1, 3 → 0/2; CES 7, 4
    assert billing.nps is not None
    assert billing.nps.value == pytest.approx(-100 / 3)
    assert billing.csat is not None
    assert (billing.csat.successes, billing.csat.n) == (0, 2)
    assert billing.ces is not None
    assert billing.ces.value == pytest.approx(5.5)

    sales = _row(sc, touchpoint="sales")
    # sales: one response without NPS, CSAT 4 → 1/1, no CES
    assert sales.nps is None
    assert sales.csat is not None
    assert sales.csat.value == 1.0
    assert sales.ces is None


def test_total_and_churn_window_by_hand(tiny: Workspace) -> None:
    sc = scorecard(tiny)
    t = sc.total
    assert t.n == 8
    # NPS answers 10 9 6 3 8 7 10: 3 promoters, 2 detractors of 7 → 100·1/7
    assert t.nps is not None
    assert t.nps.value == pytest.approx(100 / 7)
    # CSAT 5 4 2 1 3 5 4 → 4 of 7
    assert t.csat is not None
    assert (t.csat.successes, t.csat.n) == (4, 7)
    # CES 2 3 6 7 4 1 → 23/6
    assert t.ces is not None
    assert t.ces.value == pytest.approx(23 / 6)
    # Window: first and last response day; churn: the 12 months up to the last response day,
    # [2025-03-26, 2026-03-26): active at the start c1, c2 (c3–c5 signed up later, c6 churned
    # before), of whom c2 churned on 2026-02-10 → 1/2.
    assert sc.window == (dt.date(2026, 1, 5), dt.date(2026, 3, 25))
    assert sc.churn_window == (dt.date(2025, 3, 26), dt.date(2026, 3, 25))
    assert t.churn is not None
    assert (t.churn.successes, t.churn.n) == (1, 2)
    assert t.churn.ci_low == pytest.approx(proportion(1, 2).ci_low)


def test_by_segment_joins_customers(tiny: Workspace) -> None:
    sc = scorecard(tiny, by=["segment"])
    assert [r.group["segment"] for r in sc.rows] == ["private", "business", "premium"]
    private = _row(sc, segment="private")
    # private: r1 r2 r6 r8 → NPS 10 9 7 (2 promoters of 3) → 66.7; CSAT 5 4 4 → 3/3; CES 2 3 4
    assert private.n == 4
    assert private.nps is not None
    assert private.nps.value == pytest.approx(200 / 3)
    assert private.csat is not None
    assert private.csat.value == 1.0
    assert private.ces is not None
    assert private.ces.value == pytest.approx(3.0)
    assert private.churn is not None
    assert (private.churn.successes, private.churn.n) == (1, 2)
    business = _row(sc, segment="business")
    # business: r3 r4 r7 → NPS 6 3 10 → (1 − 2)/3 = −33.3; no business customer was active on
    # 2025-03-26 (they signed up 2025-06-01), so churn has no data.
    assert business.nps is not None
    assert business.nps.value == pytest.approx(-100 / 3)
    assert business.churn is None
    assert business.labels["segment"] == "Business"


def test_by_month_with_churn_per_month(tiny: Workspace) -> None:
    sc = scorecard(tiny, by=["month"])
    assert [r.group["month"] for r in sc.rows] == ["2026-01", "2026-02", "2026-03"]
    jan, feb, mar = sc.rows
    assert (jan.n, feb.n, mar.n) == (3, 2, 3)
    # January: active on 01-01: c1 c2 c3 c4 → nobody churned in January → 0/4
    assert jan.churn is not None
    assert (jan.churn.successes, jan.churn.n) == (0, 4)
    # February: c1 c2 c3 c4 and c5 (signed up 02-01, active on the first day) → c2 churned → 1/5
    assert feb.churn is not None
    assert (feb.churn.successes, feb.churn.n) == (1, 5)
    # March: c1 c3 c4 c5 → c4 churned on 03-15 → 1/4
    assert mar.churn is not None
    assert (mar.churn.successes, mar.churn.n) == (1, 4)


def test_by_quarter_and_channel_and_filters(tiny: Workspace) -> None:
    sc = scorecard(tiny, by=["quarter", "channel"])
    assert {r.group["quarter"] for r in sc.rows} == {"2026-Q1"}
    phone = _row(sc, quarter="2026-Q1", channel="phone")
    # phone: r1 r2 r6 r7 → NPS 10 9 7 10 → 3/4 promoters → 75
    assert phone.nps is not None
    assert phone.nps.value == pytest.approx(75.0)
    # --from/--to are inclusive days: 2026-02-01 … 2026-02-28 → r3, r4
    feb = scorecard(
        tiny, by=["touchpoint"], date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28)
    )
    assert feb.total.n == 2
    assert scorecard(tiny, period="2026-02").total.n == 2
    # The churn window is the given one: [02-01, 03-01): c1 c2 c3 c4 c5 at risk, c2 churned.
    assert feb.total.churn is not None
    assert (feb.total.churn.successes, feb.total.churn.n) == (1, 5)


def test_kpi_status_is_direction_aware(tiny: Workspace) -> None:
    sc = scorecard(tiny)
    status = {(k.touchpoint, k.metric): k for k in sc.kpis}
    assert status[("hotline", "nps")].status == "met"  # 50 ≥ 20
    assert status[("hotline", "ces")].status == "met"  # 3.0 ≤ 3.0 (lower is better)
    assert status[("hotline", "fcr")].status == "not measured"
    assert status[("billing", "nps")].status == "missed"  # −33.3 < 10
    assert status[("billing", "csat")].status == "missed"  # 0 % < 75 %
    assert status[("sales", "csat")].status == "met"  # 100 % ≥ 80 %
    assert status[("sales", "nps")].status == "no data"
    assert status[("portal", "task_success")].status == "not measured"
    churn = status[("cancellation", "churn")]
    assert churn.status == "missed"  # 50 % > 12 % (lower is better)
    assert churn.value == pytest.approx(0.5)
    assert churn.accountable == "Lukas Meyer"


def test_comparisons_on_tiny_data_flag_nothing(tiny: Workspace) -> None:
    sc = scorecard(tiny, by=["touchpoint"], compare=["previous", "segments"])
    prev = [c for c in sc.comparisons if c.kind == "previous"]
    # No period in --by: quarters; all responses lie in 2026-Q1, so there is nothing to compare.
    assert prev == []
    assert "scorecard.note.fewer_quarters" in [n.key for n in sc.notes]
    seg = [c for c in sc.comparisons if c.kind == "segments"]
    assert {(c.group["touchpoint"], c.a, c.b) for c in seg if c.metric == "nps"} >= {
        ("hotline", "business", "private")
    }
    assert sc.significant == []
    monthly = scorecard(tiny, by=["month"], compare=["previous"])
    nps = next(c for c in monthly.comparisons if c.metric == "nps")
    # March (8 7 10: 1 promoter of 3) vs February (6 3: 2 detractors of 2): 33.3 − (−100)
    assert (nps.a, nps.b) == ("2026-03", "2026-02")
    assert nps.difference == pytest.approx(100 / 3 + 100)
    churn = next(c for c in monthly.comparisons if c.metric == "churn")
    assert (churn.value_a, churn.value_b) == (pytest.approx(1 / 4), pytest.approx(1 / 5))


def test_significant_differences_are_flagged_after_bh(
    tmp_path: Path, fill_rows: Callable[..., None]
) -> None:
    # Planted: segment "premium" has a far higher NPS; "private" and "business" are identical.
    rng = np.random.default_rng(8)
    customers, responses = [], []
    plan = {"private": (0.3, 0.3, 0.4), "business": (0.3, 0.3, 0.4), "premium": (0.7, 0.2, 0.1)}
    for seg, probs in plan.items():
        for i in range(400):
            cid = f"{seg}{i}"
            customers.append((cid, seg, "2024-01-01", None))
            kind = rng.choice(3, p=probs)
            score = int((10, 8, 3)[kind])
            responses.append(
                (f"r{cid}", cid, "hotline", "phone", "2026-05-01 10:00:00", score, 4, 3)
            )
    ws = Workspace.create(tmp_path / "plant", "service", language="en")
    fill_rows(ws, customers, responses)
    sc = scorecard(ws, by=["touchpoint"], compare=["segments"])
    flagged = {(c.a, c.b) for c in sc.significant if c.metric == "nps"}
    assert flagged == {("premium", "private"), ("business", "premium")}
    same = next(
        c for c in sc.comparisons if c.metric == "nps" and {c.a, c.b} == {"private", "business"}
    )
    assert not same.significant
    assert same.p_adjusted >= same.p_value
    # CSAT and CES are identical everywhere: nothing to flag.
    assert all(c.metric == "nps" for c in sc.significant)


def test_empty_responses_raise_missing_data(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "empty", "retail", language="en")
    with pytest.raises(MissingDataError, match="responses"):
        scorecard(ws)


def test_filters_without_rows_and_bad_options(tiny: Workspace) -> None:
    with pytest.raises(InsufficientDataError):
        scorecard(tiny, date_from=dt.date(2030, 1, 1))
    with pytest.raises(UsageError):
        scorecard(tiny, by=["month", "quarter"])
    with pytest.raises(UsageError):
        scorecard(tiny, by=["colour"])
    with pytest.raises(UsageError):
        scorecard(tiny, compare=["yesterday"])
    with pytest.raises(UsageError):
        parse_period("2026-Q5")
    assert parse_period("2026-Q3") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert parse_period("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
