"""Initiatives and proof in words: verdicts said plainly, German numbers, escaped names, the
JSON keys ``cxo initiative … --json`` always had.

The reference sentences are what the business case wrote before its words moved to the
catalogue (captured from that code for the same inputs).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from cxo.core.messages import msg
from cxo.initiatives import Initiative, Proof, Reach, prioritise
from cxo.initiatives.business_case import CaseInputs, business_case
from cxo.initiatives.effect import DidEstimate, EffectMeasurement
from cxo.report import initiatives as words
from cxo.stats import Estimate

BASE = CaseInputs(
    one_off_cost=100_000.0,
    running_cost_month=1_000.0,
    customers=20_000,
    mrr=40.0,
    baseline_churn=0.15,
    churn_effect=-0.02,
    horizon_months=36,
    discount_rate=0.0,
)
FRAGILE = CaseInputs(
    one_off_cost=100_000.0,
    customers=1000.0,
    mrr=50.0,
    baseline_churn=0.4,
    churn_effect=-0.0345,
    horizon_months=120,
    discount_rate=0.0,
)

REFERENCE = [
    (BASE, False, "en", "The case is robust: NPV 629,035 EUR over 36 months, positive in every "
     "sensitivity case; the effect may fall 82 % short before it breaks even."),
    (BASE, False, "de", "Der Business Case ist robust: Kapitalwert 629.035 EUR über 36 Monate, "
     "positiv in jedem Sensitivitätsfall; der Effekt darf 82 % geringer ausfallen, bevor er "
     "kippt."),
    (replace(BASE, churn_effect=-0.001), True, "en", "The case does not carry: at the measured "
     "effect the initiative loses 98,148 EUR over 36 months. It needs a churn effect of -0.36 "
     "points a year to break even."),
    (replace(BASE, churn_effect=-0.001), True, "de", "Der Business Case trägt nicht: beim "
     "gemessenen Effekt verliert die Initiative 98.148 EUR über 36 Monate. Für den Break-even "
     "braucht sie einen Churn-Effekt von -0,36 Prozentpunkten pro Jahr."),
    (FRAGILE, False, "en", "The case is fragile: NPV 37,597 EUR at the expected effect, but it "
     "turns negative when baseline_churn is higher."),
    (FRAGILE, False, "de", "Der Business Case ist knapp: Kapitalwert 37.597 EUR beim erwarteten "
     "Effekt, aber er wird negativ, wenn baseline_churn höher ausfällt."),
    (replace(BASE, one_off_cost=1e12), False, "en", "The case does not carry: even with no churn "
     "at all among the reached customers the initiative would not earn back its cost over 36 "
     "months."),
    (replace(BASE, churn_effect=0.02), True, "en", "The measured effect raises churn: the "
     "initiative loses customers and 884,269 EUR over 36 months."),
]  # fmt: skip


@pytest.mark.parametrize(("inputs", "measured", "language", "expected"), REFERENCE)
def test_verdicts_are_said_plainly_as_before(
    inputs: CaseInputs, measured: bool, language: str, expected: str
) -> None:
    case = business_case(inputs, measured=measured)
    assert words.reason(case, language) == expected
    assert words.to_json(case, language)["reason"] == expected


def test_case_json_keeps_its_keys_and_words_in_both_languages() -> None:
    case = business_case(replace(BASE, churn_effect=-0.001))
    case.notes.append(
        msg("initiatives.case.churn_from_nps", nps_effect=5.0, excess=0.0272, excess_points=2.72)
    )
    out = words.to_json(case, "de")
    assert out["verdict"] == "weak"
    assert out["reason"].startswith("Der Business Case trägt nicht")
    # notes were always English
    assert out["notes"] == [
        "churn effect derived from the expected NPS effect (+5.0 points, assumed half fewer "
        "detractors) × the detractors' excess churn at the touchpoints (2.72 points)"
    ]
    assert out["reason_message"]["message"] == "initiatives.case.weak.expected"
    assert out["reason_message"]["text_de"] == out["reason"]
    assert out["note_messages"][0]["text_de"].startswith("Churn-Effekt")
    json.dumps(out, allow_nan=False)
    # words added twice are the same words
    assert words.texts(out, "de") == out
    assert words.texts(case.to_dict(), "de") == out


def test_terminal_lines_in_german() -> None:
    case = business_case(BASE)
    assert words.verdict_label(case.verdict, "de") == "robust"
    assert words.verdict_label("fragile", "de") == "knapp"
    line = words.totals_line(case, "de")
    assert "Kapitalwert 629.035 EUR" in line
    table = words.sensitivity_table(case, "de")
    assert table.title.startswith("Sensitivität")
    assert len(table.rows) == len(case.sensitivity)
    assert "," in table.rows[0][1]  # German decimals
    text = words.summary(case, "en")
    assert text.splitlines()[0].startswith("robust: The case is robust")


def _did(metric: str, value: float, low: float, high: float, p: float) -> DidEstimate:
    cells = {"treated_pre": 1.0, "treated_post": 1.0, "control_pre": 1.0, "control_post": 1.0}
    counts = dict.fromkeys(cells, 100)
    return DidEstimate(
        metric=metric, value=value, ci_low=low, ci_high=high, se=(high - low) / 3.92, n=400,
        p_value=p, cells=cells, responses=counts, clusters=300,
    )  # fmt: skip


def _proof(name: str = "Portal <b>relaunch</b>", expected: float = 40.0) -> Proof:
    ini = Initiative(
        key="flop",
        name=name,
        owner="<i>Thomas</i>",
        touchpoints=["hotline"],
        expected_nps_effect=expected,
        launch=dt.date(2025, 6, 1),
        status="running",
    )
    effect = EffectMeasurement(
        ["hotline"],
        ["chat", "portal"],
        dt.date(2025, 6, 1),
        dt.date(2024, 6, 1),
        dt.date(2026, 12, 3),
        _did("nps", -1.5, -5.0, 2.0, 0.404),
        _did("detractor_share", 0.006, -0.015, 0.027, 0.56),
        None,
        notes=[msg("initiatives.effect.controls_excluded", touchpoints="chat, portal")],
    )
    case = business_case(replace(BASE, churn_effect=0.0002), measured=True)
    return Proof(
        ini,
        effect,
        Reach(4318, 34.17, 0.1486),
        0.0272,
        Estimate(value=0.0002, ci_low=-0.0004, ci_high=0.0008),
        Estimate(value=-25.0, ci_low=-126.0, ci_high=64.0),
        case,
        0.0,
        "EUR",
        [msg("initiatives.proof.not_significant", p=0.5612)],
    )


def test_stop_reason_and_proof_json_as_before() -> None:
    proof = _proof()
    pains = [
        {"rank": 1, "touchpoint": "hotline", "theme": "wait", "label": "Hotline · Warten",
         "flagged": True, "revenue_at_risk": {"value": 411.0, "ci_low": 100.0}},
        {"rank": 2, "touchpoint": "billing", "theme": "error", "label": "Rechnung · Fehler",
         "flagged": True, "revenue_at_risk": {"value": 725.0, "ci_low": 300.0}},
    ]  # fmt: skip
    result = prioritise(pains, [proof.initiative], [proof])
    (stop,) = result.stop
    assert words.stop_reason(stop, "en") == (
        "measured NPS effect -1.5 [-5.0, +2.0] is not different from zero and below the "
        "expected +40.0"
    )
    out = words.to_json(result, "de")
    assert out["stop_candidates"][0]["stop_reason"] == words.stop_reason(stop, "en")
    assert out["ranked"][0]["stop_reason"] == words.stop_reason(stop, "en")
    assert [p["rank"] for p in out["unaddressed_pains"]] == [2]
    lines = words.gap_lines(result, "en")
    assert lines[0] == "unaddressed: #2 Rechnung · Fehler (725 EUR a month at risk)"
    assert lines[1].startswith("stop candidate: flop — measured NPS effect -1.5")
    proof_json = words.to_json(proof, "de")
    assert proof_json["notes"] == [
        "the change in the detractor share is not significant (p = 0.56): the money rests on "
        "an effect that may be zero"
    ]
    assert proof_json["effect"]["notes"] == [
        "controls exclude touchpoints of other initiatives launched in the window: chat, portal"
    ]
    assert proof_json["effect"]["nps"]["estimate"] == -1.5
    assert proof_json["revenue_kept_per_month"] == {
        "value": -25.0, "ci_low": -126.0, "ci_high": 64.0, "currency": "EUR",
    }  # fmt: skip
    assert proof_json["business_case"]["reason"].startswith("Der gemessene Effekt")
    assert words.proof_line(proof, "en").startswith(
        "initiative flop: NPS effect -1.5 [-5.0, +2.0] (expected +40.0); weak: The measured"
    )


def test_section_in_german_escapes_user_values() -> None:
    proof = _proof()
    result = prioritise([], [proof.initiative], [proof])
    result.proofs = [proof]
    html = words.section(result, "de")
    assert "<b>relaunch" not in html
    assert "Portal &lt;b&gt;relaunch&lt;/b&gt;" in html
    assert "&lt;i&gt;Thomas&lt;/i&gt;" in html
    assert "Initiative" in html
    assert "-1,5 [-5,0; 2,0]" in html  # German decimals, the interval in brackets
    assert "01.06.2025" in html
    assert "Kandidaten zum Stoppen" in html
    assert "ist nicht von null verschieden und liegt unter den erwarteten +40,0" in html
    english = words.section(None, "en", proofs=[proof])
    assert "Priorities" not in english
    assert "Measured NPS effect" in english


def test_effect_lines_name_launch_controls_and_money() -> None:
    proof = _proof()
    lines = words.effect_lines(proof, "en")
    assert lines[0] == (
        "Portal <b>relaunch</b> launched 2025-06-01 at hotline; controls chat, portal"
    )
    assert lines[1].startswith("NPS effect -1.5 points [-5.0; 2.0], p = 0.404; detractor share")
    assert "revenue kept -25 EUR a month [-126 EUR; 64 EUR]" in lines[2]
    assert "over 36 months: 0 %" in lines[2]
    german = words.summary(proof, "de")
    assert "NPS-Effekt -1,5 Punkte" in german
    assert "Hinweis: die Veränderung des Detraktorenanteils" in german
