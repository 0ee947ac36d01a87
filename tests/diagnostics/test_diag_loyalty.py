"""Loyalty penalty on hand-made companies whose prices, churn and NPS are planted."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cxo import diagnostics
from cxo.errors import MissingDataError
from cxo.report import diagnostics as render

from . import diag_synth as synth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_penalty_by_band_and_tax_recovered(make_ws, seed: int) -> None:
    ws, info = make_ws("service", synth.make_loyalty, n=8000, seed=seed)
    res = diagnostics.loyalty(ws, language="en")
    bands = res.figures["penalty_by_tenure_band"]
    for band, planted in info["expected_penalty_by_band"].items():
        est = bands[band]
        assert est["ci_low"] - 1e-9 <= planted <= est["ci_high"] + 1e-9, (band, est, planted)
        assert est["value"] == pytest.approx(planted, abs=1e-3)
    tax = res.figures["loyalty_tax_per_month"]
    assert tax["value"] == pytest.approx(info["tax_per_month"], rel=1e-9)
    assert tax["ci_low"] < tax["value"] < tax["ci_high"]
    assert res.finding("loyalty_tax").evidence
    assert "Loyal customers pay more" in render.summary(res)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_penalty_with_repriced_customers_covers_expectation(make_ws, seed: int) -> None:
    ws, info = make_ws("service", synth.make_loyalty, n=8000, seed=seed, repriced_share=0.4)
    res = diagnostics.loyalty(ws)
    for band in ("13-24", "25+"):
        est = res.figures["penalty_by_tenure_band"][band]
        planted = info["expected_penalty_by_band"][band]
        assert est["ci_low"] <= planted <= est["ci_high"], (band, est, planted)


def test_churn_and_nps_association_recovered(make_ws) -> None:
    """95 % intervals over 4 seeds × 2 estimands: at most one of the 8 may miss (a correct
    interval misses 2+ of 8 with probability ≈ 6 %); every point estimate has the right sign."""
    misses = []
    for seed in range(4):
        ws, _ = make_ws(
            "service",
            synth.make_loyalty,
            n=20000,
            seed=seed,
            repriced_share=0.5,
            tenure_months=(26, 72),
            churn_delta=0.06,
            nps_delta=12.0,
        )
        res = diagnostics.loyalty(ws, language="en")
        churn = res.figures["churn_difference_adjusted"]
        nps = res.figures["nps_difference_adjusted"]
        misses += [("churn", seed, churn)] * (not churn["ci_low"] <= 0.06 <= churn["ci_high"])
        misses += [("nps", seed, nps)] * (not nps["ci_low"] <= -12.0 <= nps["ci_high"])
        assert res.finding("churn").evidence
        assert res.finding("nps").evidence
        offer = res.figures["retention_offer"]
        assert offer["revenue_kept_per_year"]["ci_low"] > 0
        assert offer["cost_per_year"] == pytest.approx(
            12 * res.figures["loyalty_tax_per_month"]["value"]
        )
    assert len(misses) <= 1, misses


def test_planted_zero_says_no_evidence(make_ws) -> None:
    ws, _ = make_ws(
        "service",
        synth.make_loyalty,
        n=8000,
        seed=3,
        penalty=(0.0, 0.0, 0.0),
        tenure_months=(26, 72),
    )
    res = diagnostics.loyalty(ws, language="en")
    assert not res.finding("loyalty_tax").evidence
    assert render.say(res.finding("loyalty_tax").message, "en").startswith(
        "No evidence of a loyalty penalty"
    )
    # nobody pays more, so there is no one to compare (issue 16: no "no evidence" without
    # an interval covering zero)
    assert res.finding("churn").message.key == "diagnostics.loyalty.churn.no_groups"
    assert render.say(res.finding("churn").message, "en").startswith(
        "Churn of customers paying more not compared"
    )
    assert res.figures["loyalty_tax_per_month"]["value"] == 0.0


def test_churn_zero_effect_says_no_evidence(make_ws) -> None:
    ws, _ = make_ws(
        "service",
        synth.make_loyalty,
        n=20000,
        seed=4,
        repriced_share=0.5,
        tenure_months=(26, 72),
        churn_delta=0.0,
        nps_delta=0.0,
    )
    res = diagnostics.loyalty(ws, language="de")
    assert not res.finding("churn").evidence
    assert not res.finding("nps").evidence
    assert render.say(res.finding("churn").message, "de").startswith("Kein Nachweis")
    churn = res.figures["churn_difference_adjusted"]
    assert churn["ci_low"] <= 0 <= churn["ci_high"]


def test_confounded_by_bundle_naive_positive_adjusted_zero(make_ws) -> None:
    """Price rises with tenure only because long-tenure customers hold bigger bundles."""
    ws, _ = make_ws("service", synth.make_loyalty, n=8000, seed=5, confounded=True)
    res = diagnostics.loyalty(ws, language="en")
    naive = res.figures["naive_penalty_by_tenure_band"]["25+"]
    adjusted = res.figures["penalty_by_tenure_band"]["25+"]
    assert naive["ci_low"] > 0.5  # long-tenure customers pay far more per customer …
    assert abs(adjusted["value"]) < 1e-9  # … but not for the same product
    assert adjusted["ci_low"] <= 0 <= adjusted["ci_high"]
    assert not res.finding("loyalty_tax").evidence
    assert "distorted by product mix" in render.say(res.finding("mix").message, "en")
    table = res.table("penalty_by_band").to_dict()
    assert [r["tenure_band"] for r in table["rows"]] == ["0-12", "13-24", "25+"]


def test_churn_confounded_by_bundle_is_adjusted_away(make_ws) -> None:
    """Paying more is commoner in big bundles, which churn less: naive says 'paying more
    protects', within the bundle there is no difference."""
    ws, _ = make_ws(
        "service", synth.make_loyalty, n=20000, seed=6, bundle_churn=True, tenure_months=(26, 72)
    )
    res = diagnostics.loyalty(ws, language="en")
    naive = res.figures["churn_difference_naive"]
    adjusted = res.figures["churn_difference_adjusted"]
    assert naive["ci_high"] < -0.05
    assert adjusted["ci_low"] <= 0 <= adjusted["ci_high"]
    assert not res.finding("churn").evidence


def test_owner_json_and_html(make_ws) -> None:
    ws, _ = make_ws("software", synth.make_loyalty, n=2000, seed=7)
    with ws.connect() as con:
        con.execute("update customers set segment = '<b>vip</b>' where segment = 'business'")
    res = diagnostics.loyalty(ws, as_of=date(2026, 9, 30))
    assert res.owner == {
        "touchpoint": "renewal",
        "department": "Customer Success",
        "accountable": "Daniel Fischer",
        "touchpoint_en": "Renewal",  # the charter's labels: the report names the touchpoint
        "touchpoint_de": "Verlängerung",
    }
    json.dumps(res.to_dict())
    html = render.section(res)
    assert "&lt;b&gt;vip&lt;/b&gt;" in html
    assert "<b>vip" not in html
    assert "Daniel Fischer" in html
    assert res.figures["as_of"] == "2026-09-30"


@pytest.mark.parametrize(
    ("empty", "needle"), [("contracts", "contracts"), ("price_list", "price_list")]
)
def test_missing_tables_name_what_is_needed(make_ws, empty: str, needle: str) -> None:
    ws, _ = make_ws("service", synth.make_loyalty, n=500, seed=8)
    with ws.connect() as con:
        con.execute(f"delete from {empty}")
    with pytest.raises(MissingDataError) as err:
        diagnostics.loyalty(ws)
    assert f"`{needle}`" in err.value.message
    assert err.value.hint
    assert f"cxo import {needle}" in err.value.hint
