"""Complaints without latitude on hand-made cases with planted effects."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from cxo import diagnostics
from cxo.errors import MissingDataError
from cxo.report import diagnostics as render

from . import diag_synth as synth

N = 20000
SEG_P = (0.6, 0.25, 0.15)  # private, business, premium (premium: +1 extra contact on average)


def expected_latitude(x: float, settle_scale: float = 80.0) -> dict[str, float]:
    """Population truth of the generator: extra ~ Poisson(2.4) (premium 3.4), amount ~ 5 +
    Exponential(settle_scale), independent."""
    f = 1 - math.exp(-(x - 5) / settle_scale) if x > 5 else 0.0
    mean_extra = (SEG_P[0] + SEG_P[1]) * 2.4 + SEG_P[2] * 3.4
    p_multi = 1 - ((SEG_P[0] + SEG_P[1]) * math.exp(-2.4) + SEG_P[2] * math.exp(-3.4))
    return {
        "cases": N * p_multi * f,
        "contacts": N * mean_extra * f,
        "churn": N * mean_extra * f * 0.02,
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_effects_and_latitude_recovered(make_ws, seed: int) -> None:
    ws, info = make_ws("software", synth.make_complaints, n=N, seed=seed)
    res = diagnostics.complaints(ws, language="en")
    assert json.loads(json.dumps(res.to_dict()))["owner"] == res.owner
    assert render.title(res, "en") in render.section(res)
    churn = res.figures["churn_effect_per_extra_contact"]
    nps = res.figures["nps_effect_per_extra_contact"]
    assert churn["ci_low"] <= 0.02 <= churn["ci_high"], churn
    assert nps["ci_low"] <= -5.0 <= nps["ci_high"], nps
    assert res.finding("churn_effect").evidence
    assert res.finding("nps_effect").evidence
    handling = res.figures["handling"]["(all)"]
    assert handling["contacts_per_case"]["value"] == pytest.approx(1 + info["extra"].mean())
    assert handling["first_contact_resolution"]["value"] == pytest.approx(
        np.mean(info["extra"] == 0)
    )
    curve = {c["latitude"]: c for c in res.figures["latitude_curve"]}
    for x in (25.0, 50.0, 100.0, 200.0):
        truth = expected_latitude(x)
        c = curve[x]
        assert (
            c["cases_closed_first_contact"]["ci_low"]
            <= truth["cases"]
            <= c["cases_closed_first_contact"]["ci_high"]
        ), (x, c)
        assert (
            c["contacts_saved"]["ci_low"] <= truth["contacts"] <= c["contacts_saved"]["ci_high"]
        ), (x, c)
        assert (
            c["churn_reduction_customers"]["ci_low"]
            <= truth["churn"]
            <= c["churn_reduction_customers"]["ci_high"]
        )
    assert res.owner["touchpoint"] == "support"


def test_planted_zero_effects_say_no_evidence(make_ws) -> None:
    ws, _ = make_ws(
        "service", synth.make_complaints, n=N, seed=3, churn_per_contact=0.0, nps_per_contact=0.0
    )
    res = diagnostics.complaints(ws, language="en")
    assert not res.finding("churn_effect").evidence
    assert not res.finding("nps_effect").evidence
    assert render.say(res.finding("churn_effect").message, "en").startswith("No evidence")
    assert res.owner["touchpoint"] == "hotline"


def test_no_extra_contacts_means_no_latitude_savings(make_ws) -> None:
    ws, _ = make_ws(
        "retail",
        synth.make_complaints,
        n=3000,
        seed=4,
        mean_extra_contacts=0.0,
        premium_extra=0.0,
        churn_per_contact=0.0,
    )
    res = diagnostics.complaints(ws, language="de")
    f = res.finding("latitude")
    assert not f.evidence
    assert render.say(f.message, "de").startswith("Kein Nachweis")
    assert res.owner["touchpoint"] == "service"


def test_controls_remove_segment_confounding(make_ws) -> None:
    """Premium customers need more contacts but churn less: without the segment control the
    slope would be biased down; with it the planted 0.02 is recovered (checked above), and the
    raw difference is smaller than the planted effect."""
    ws, _ = make_ws("software", synth.make_complaints, n=N, seed=5)
    with ws.connect() as con:
        raw = con.execute(
            "select regr_slope(case when cu.churn_date is not null then 1.0 else 0.0 end, "
            "least(k.contacts, 10) - 1) from cases k join customers cu using (customer_id)"
        ).fetchone()[0]
    est = diagnostics.complaints(ws).figures["churn_effect_per_extra_contact"]
    assert raw < est["ci_low"]


def test_missing_cases_or_reasons(make_ws) -> None:
    ws, _ = make_ws("service", synth.make_loyalty, n=200, seed=0)
    with pytest.raises(MissingDataError) as err:
        diagnostics.complaints(ws)
    assert "`cases`" in err.value.message
    assert "cxo import cases" in (err.value.hint or "")
    ws2, _ = make_ws("service", synth.make_sessions, n=200, seed=0)
    with pytest.raises(MissingDataError) as err:
        diagnostics.complaints(ws2)
    assert "complaint or defect" in err.value.message
