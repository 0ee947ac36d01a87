"""Issue 16, item 4: the loyalty penalty's churn estimand, on tables where the answer is known.

Estimand: annual churn probability of customers paying above today's new-customer price for
the same products minus that of customers who do not, within the same bundle and tenure band
(adjusted: direct standardisation to the paying-more customer-months); naive: the same
difference without strata. Both are printed side by side.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pytest

from cxo import diagnostics
from cxo.diagnostics.loyalty_association import hazard_difference
from cxo.report import diagnostics as render

from . import diag_synth as synth

AS_OF = date(2026, 9, 30)
Z = 1.959963984540054


def p_year(q: float) -> float:
    """Annual churn probability from a monthly hazard: 1 − (1 − q)¹²."""
    return 1 - (1 - q) ** 12


def var_p_year(events: float, months: float) -> float:
    """Delta method: var p = (dp/dq)² var q = (12 (1 − q)¹¹)² · q (1 − q) / months."""
    q = events / months
    return (12 * (1 - q) ** 11) ** 2 * q * (1 - q) / months


# The hand-built table: one product, a 12-month window (Oct 2025 - Sep 2026), every customer
# observed for all 12 months (churners leave on 2026-09-15, in the last month), so
# customer-months = 12 × customers and churns = churners.
#
#   tenure band   group        customers  churners  months  monthly hazard q
#   0-12          new price        200       40      2400    40/2400 = 1/60
#   13-24         paying more       50       10       600    10/600  = 1/60
#   13-24         list price       100       10      1200    10/1200 = 1/120
#   25+           paying more      150        9      1800     9/1800 = 1/200
#   25+           list price        50        1       600     1/600
#
# Annual probabilities p = 1 − (1 − q)¹²:
#   p(1/60) = 0.182648, p(1/120) = 0.095542, p(1/200) = 0.058377, p(1/600) = 0.019818
# Within band:  d(13-24) = 0.182648 − 0.095542 = +0.087106
#               d(25+)   = 0.058377 − 0.019818 = +0.038560
# Adjusted (direct standardisation, weights = paying-more months 600 and 1800):
#   (600 · 0.087106 + 1800 · 0.038560) / 2400 = +0.050696
# Naive (no strata): paying more 19 churns / 2400 months, the rest 51 / 4200
#   p(19/2400) − p(51/4200) = 0.090971 − 0.136366 = −0.045395   ← the sign flips:
# the list-price months include the high-churn first year, which nobody paying more is in.
TABLE = [
    # band, signup, customers, churners, monthly price (list price 10)
    ("0-12", "2025-10-01", 200, 40, 10.0),
    ("13-24", "2024-09-01", 50, 10, 12.0),
    ("13-24", "2024-09-01", 100, 10, 10.0),
    ("25+", "2023-01-01", 150, 9, 12.0),
    ("25+", "2023-01-01", 50, 1, 10.0),
]
ROWS = [  # (stratum, paying-more months, their churns, other months, their churns)
    ("P | 0-12", 0, 0, 2400, 40),
    ("P | 13-24", 600, 10, 1200, 10),
    ("P | 25+", 1800, 9, 600, 1),
]


def _hand_built(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    ids, signup, churn, price = [], [], [], []
    for _, start, n, churners, monthly in TABLE:
        for i in range(n):
            ids.append(f"C{len(ids)}")
            signup.append(np.datetime64(start))
            churn.append(np.datetime64("2026-09-15") if i < churners else np.datetime64("NaT"))
            price.append(monthly)
    n_all = len(ids)
    ends = np.array(churn, dtype="datetime64[D]")
    synth._insert(
        con,
        "customers",
        {
            "customer_id": ids,
            "segment": ["private"] * n_all,
            "signup_date": np.array(signup, dtype="datetime64[D]"),
            "churn_date": synth.pa.array(ends, type=synth.pa.date32(), from_pandas=True),
        },
    )
    synth._insert(
        con,
        "contracts",
        {
            "contract_id": [f"K{i}" for i in range(n_all)],
            "customer_id": ids,
            "product": ["P"] * n_all,
            "start_date": np.array(signup, dtype="datetime64[D]"),
            "end_date": synth.pa.array(ends, type=synth.pa.date32(), from_pandas=True),
            "monthly_price": price,
        },
    )
    synth._insert(
        con,
        "price_list",
        {
            "product": ["P"],
            "valid_from": np.array(["2020-01-01"], dtype="datetime64[D]"),
            "new_customer_price": [10.0],
        },
    )
    return {}


def test_direct_standardisation_arithmetic_on_the_table() -> None:
    naive, adjusted = hazard_difference(ROWS)
    # the recipe written out, independently of the module
    d1 = p_year(10 / 600) - p_year(10 / 1200)
    d2 = p_year(9 / 1800) - p_year(1 / 600)
    assert d1 == pytest.approx(0.087106, abs=1e-6)
    assert d2 == pytest.approx(0.038560, abs=1e-6)
    expected = (600 * d1 + 1800 * d2) / 2400
    assert expected == pytest.approx(0.050696, abs=1e-6)
    var = (600**2 * (var_p_year(10, 600) + var_p_year(10, 1200))) + (
        1800**2 * (var_p_year(9, 1800) + var_p_year(1, 600))
    )
    se = math.sqrt(var) / 2400
    assert adjusted.value == pytest.approx(expected, rel=1e-12)
    assert adjusted.ci_low == pytest.approx(expected - Z * se, rel=1e-9)
    assert adjusted.ci_high == pytest.approx(expected + Z * se, rel=1e-9)
    naive_expected = p_year(19 / 2400) - p_year(51 / 4200)
    assert naive_expected == pytest.approx(-0.045395, abs=1e-6)
    assert naive.value == pytest.approx(naive_expected, rel=1e-12)
    naive_se = math.sqrt(var_p_year(19, 2400) + var_p_year(51, 4200))
    assert naive.ci_low == pytest.approx(naive_expected - Z * naive_se, rel=1e-9)


def test_stratum_interval_against_statsmodels() -> None:
    """One stratum's difference in monthly hazards with statsmodels' Wald interval for two
    independent proportions (the module's interval is its delta-method transform)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    lo, hi = confint_proportions_2indep(10, 600, 10, 1200, method="wald", compare="diff")
    q1, q0 = 10 / 600, 10 / 1200
    se_q = (hi - lo) / (2 * Z)
    assert se_q == pytest.approx(math.sqrt(q1 * (1 - q1) / 600 + q0 * (1 - q0) / 1200), rel=1e-9)
    _, adjusted = hazard_difference([ROWS[1]])
    g1, g0 = 12 * (1 - q1) ** 11, 12 * (1 - q0) ** 11
    se_p = math.sqrt(g1**2 * q1 * (1 - q1) / 600 + g0**2 * q0 * (1 - q0) / 1200)
    assert (adjusted.ci_high - adjusted.ci_low) / (2 * Z) == pytest.approx(se_p, rel=1e-9)


def test_hand_built_workspace_gives_the_written_out_answer(make_ws) -> None:
    ws, _ = make_ws("service", _hand_built)
    res = diagnostics.loyalty(ws, language="en", as_of=AS_OF, window_months=12)
    adjusted = res.figures["churn_difference_adjusted"]
    naive = res.figures["churn_difference_naive"]
    assert adjusted["value"] == pytest.approx(0.050696, abs=1e-6)
    assert naive["value"] == pytest.approx(-0.045395, abs=1e-6)
    est = res.figures["churn_association"]
    assert est["strata"] == ["bundle", "tenure_band"]
    assert est["adjustment"] == "direct_standardisation"
    assert est["exposed_months"] == est["exposed_months_compared"] == 2400
    by_band = {r["tenure_band"]: r for r in res.table("churn_by_band").to_dict()["rows"]}
    assert by_band["25+"]["annual_churn_paying_more"]["value"] == pytest.approx(p_year(1 / 200))
    assert by_band["25+"]["annual_churn_not"]["value"] == pytest.approx(p_year(1 / 600))
    assert by_band["13-24"]["difference_within_bundle"]["value"] == pytest.approx(
        0.087106, abs=1e-6
    )
    text = render.say(res.finding("churn").message, "en")
    # adjusted and naive side by side, each with its interval; the words follow the adjusted
    assert text.startswith("Customers paying more churn more")
    assert "+5.1 pp (95 % CI" in text
    assert re.search(r"naive, without strata: [-−]4\.5 pp \(95 % CI", text), text
    de = render.say(res.finding("churn").message, "de")
    assert de.startswith("Kunden, die mehr zahlen, wandern häufiger ab")
    assert re.search(r"naiv, ohne Schichten: [-−]4,5 Pp\.", de), de


@pytest.mark.slow
def test_churn_falling_with_tenure_no_longer_flips_the_sign(make_ws) -> None:
    """Issue 16: base churn 30 % in the first year, 10 % and 6 % later; paying more adds
    4 points in every band. The naive difference comes out negative (the old verdict); within
    bundle × tenure band the planted +4 points are recovered."""
    ws, _ = make_ws(
        "service",
        synth.make_loyalty,
        n=20000,
        seed=11,
        repriced_share=0.4,
        churn_delta=0.04,
        base_churn_by_band=(0.30, 0.10, 0.06),
    )
    res = diagnostics.loyalty(ws, language="en")
    naive = res.figures["churn_difference_naive"]
    adjusted = res.figures["churn_difference_adjusted"]
    assert naive["ci_high"] < 0
    assert adjusted["ci_low"] <= 0.04 <= adjusted["ci_high"]
    assert adjusted["ci_low"] > 0
    assert res.finding("churn").evidence
    assert res.finding("churn").message.key == "diagnostics.loyalty.churn.evidence"
    offer = render.say(res.finding("retention_offer").message, "en")
    assert "keeps" in offer
    assert not re.search(r"[-−]\s?\d", offer), offer
