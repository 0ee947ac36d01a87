"""The assessment's words: text summary, HTML section, JSON and report files, both languages.

The assessment here is built by hand (no workspace analysis), so every number is known.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxo.stats
from cxo.assess import Assessment
from cxo.assess.drivers import DriverAnalysis
from cxo.assess.focus import Focus, Recommendation
from cxo.assess.linkage import Linkage
from cxo.assess.pains import Pain
from cxo.assess.trend import Decomposition, Trend
from cxo.core.messages import msg
from cxo.report import messages
from cxo.report.assessment import section, summary, to_json, trend_lines, write_assessment
from cxo.stats.churn import ExcessChurn, RevenueAtRisk
from cxo.workspace import Workspace, saved_assessments

OWNER = {"touchpoint": "billing", "department": "Finance", "accountable": "Petra Schmitt"}


def _churn(excess: float, low: float, high: float) -> ExcessChurn:
    return ExcessChurn(excess, low, high, 0.001, 1.5, 1.2, 1.9, 0.3, 0.2, 40, 300.0)


def _pain(rank: int, label: str, *, owner: dict[str, str | None], revenue: bool) -> Pain:
    return Pain(
        touchpoint=owner["touchpoint"] or "billing",
        theme="invoice_error",
        segment=None,
        label=label,
        owner=owner,
        mentions=1234,
        responses=5000,
        reach=1234,
        reach_active=900,
        respondents=4000,
        nps_affected=-40.0,
        nps_rest=-6.0,
        gap=-34.4,
        gap_low=-39.1,
        gap_high=-29.3,
        p_value=1e-9,
        churn=_churn(0.105, 0.0647, 0.148),
        revenue=RevenueAtRisk(1234.5, 446.3, 1024.7, 6902.26, 223) if revenue else None,
        q_value=1e-8,
        flagged=rank == 1,
        rank=rank,
        notes=[msg("assess.pain.adjusted_for_partners", themes="Vertrag und Kündigung")],
    )


def _drivers() -> DriverAnalysis:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.standard_normal((400, 3)), columns=["waiting_time", "price", "noise"])
    y = 0.8 * x["waiting_time"] + 0.4 * x["price"] + rng.standard_normal(400)
    rw = cxo.stats.relative_weights(x, y.rename("nps"), n_boot=100, seed=1)
    rw = dataclasses.replace(rw, target="nps")
    perf = {"waiting_time": 40.0, "price": 60.0, "noise": 90.0}
    return DriverAnalysis(
        "nps", rw, None, perf, notes=[msg("assess.drivers.lmg_skipped", limit=15)]
    )


def _assessment(language: str = "en") -> Assessment:
    nobody = {"touchpoint": "hotline", "department": None, "accountable": None}
    pains = [
        _pain(1, "Rechnung · <script>alert(1)</script>", owner=OWNER, revenue=True),
        _pain(2, "Hotline · Wartezeit", owner=nobody, revenue=False),
    ]
    trend = Trend(
        quarters=[
            {"quarter": f"2025-Q{i}", "nps": 1.0, "ci_low": 0, "ci_high": 2, "n": 99}
            for i in range(1, 5)
        ],
        slope=0.4512,
        slope_ci=(0.1712, 0.7388),
        slope_p=0.00174,
        first_last={},
        direction="rising",
        decompositions=[
            Decomposition("2025-Q1", "2025-Q4", "segment", 1.4, -3.4, 4.9, (0, 0), (0, 0), (0, 0)),
            Decomposition(
                "2025-Q1", "2025-Q4", "segment×touchpoint", 1.4, -3.3, 4.7, (0, 0), (0, 0), (0, 0)
            ),
        ],
    )
    linkage = Linkage(
        None,
        _churn(0.0221, 0.006, 0.037),
        RevenueAtRisk(1242.0, 343.0, 2080.0, 50000.0, 900),
        notes=[msg("assess.linkage.by_group_not_estimated", reason="too few events")],
    )
    focus = Focus(
        "service",
        [
            Recommendation(
                "billing",
                OWNER,
                700.0,
                1.5,
                [pains[0].label],
                [
                    msg(
                        "assess.focus.pain_money",
                        label=pains[0].label,
                        reach=1234,
                        gap=-34.4,
                        value=1234.5,
                        low=446.3,
                        high=1024.7,
                        cur="EUR",
                    ),
                    msg("assess.focus.weighted.service", weight=1.5),
                ],
            )
        ],
        [msg("assess.focus.stop.unflagged", label="Chat · Chatbot", mentions=611)],
    )
    return Assessment(
        company="Beispiel <b>Telekom</b> GmbH",
        company_type="service",
        currency="EUR",
        language=language,
        as_of=dt.date(2026, 9, 30),
        theme_source="comments",
        responses=78358,
        customers=8000,
        pains=pains,
        drivers=_drivers(),
        linkage=linkage,
        trend=trend,
        focus=focus,
        notes=[msg("assess.note.no_trend", quarters=3, answers=30)],
    )


def test_summary_in_both_languages() -> None:
    en = summary(_assessment("en"))
    assert en.splitlines()[0] == (
        "Situational assessment Beispiel <b>Telekom</b> GmbH (service), as of 2026-09-30: "
        "78,358 NPS answers, 8,000 customers, themes from comments"
    )
    assert "Pains (top 5 of 2; 1 flagged at FDR 10 %):" in en
    assert (
        "  1. Rechnung · <script>alert(1)</script>: 1,234 customers, NPS gap -34 [-39, -29], "
        "1,234 EUR/month at risk [446–1,025], flagged — owner Petra Schmitt"
    ) in en
    assert "revenue at risk n/a, not significant — owner NO OWNER" in en
    assert "Key drivers of nps (R² " in en
    assert "noise" in en
    assert "Detractors churn +2.2 pp/yr vs promoters; 1,242 EUR/month at risk [343–2,080]" in en
    assert (
        "NPS trend over 4 quarters: +0.45 points/quarter [+0.17, +0.74], p=0.00174 — rising" in en
    )
    assert "  2025-Q1→2025-Q4 by segment×touchpoint: total +1.4 = mix -3.3 + within +4.7" in en
    assert "Start with billing — owner: Petra Schmitt (Finance)" in en
    assert "  · weighted ×1.5: large service organisations" in en
    assert "Stop doing:\n  · treating 'Chat · Chatbot' as a priority: it is mentioned (611×)" in en
    assert en.endswith("note: trend needs at least 3 quarters with 30 or more NPS answers each")
    de = summary(_assessment("de"))
    assert "Stand 30.09.2026: 78.358 NPS-Antworten, 8.000 Kunden" in de
    assert "NPS-Abstand -34 [-39; -29], 1.234 EUR/Monat im Risiko [446–1.025], signifikant" in de
    assert "verantwortlich NIEMAND VERANTWORTLICH" in de
    assert "Kritiker wandern +2,2 Prozentpunkte/Jahr mehr ab als Promotoren" in de
    assert "+0,45 Punkte/Quartal [+0,17; +0,74], p=0,00174 — steigend" in de
    assert "nach Segment×Kontaktpunkt: gesamt +1,4 = Mix -3,3 + innerhalb +4,7" in de
    assert "Beginnen Sie bei billing — verantwortlich: Petra Schmitt (Finance)" in de
    assert "gewichtet ×1,5" in de
    assert "Hinweis: der Trend braucht mindestens 3 Quartale" in de
    # an explicit language wins over the workspace's
    assert summary(_assessment("de"), "en", top=1).startswith("Situational assessment")


def test_focus_without_recommendations() -> None:
    a = _assessment("de")
    a.focus = Focus("service", [], [])
    assert "Fokus: kein Kontaktpunkt mit signifikantem Schmerzpunkt" in summary(a)
    assert "Focus: no touchpoint with significant pain" in summary(a, "en")


def test_trend_lines_fall_back_to_the_grouping_key() -> None:
    trend = _assessment().trend
    assert trend is not None
    trend.decompositions[0].groups = "region"
    assert trend_lines(trend, "en")[1].startswith("  2025-Q1→2025-Q4 by region:")


def test_section_escapes_user_content_and_speaks_the_language() -> None:
    html = section(_assessment("de"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Beispiel &lt;b&gt;Telekom&lt;/b&gt; GmbH" in html
    assert (
        "<h2>Standortbestimmung — Beispiel &lt;b&gt;Telekom&lt;/b&gt; GmbH (30.09.2026)</h2>"
        in html
    )
    assert "Wo der Schuh am meisten drückt" in html
    assert "<td>1.234</td>" in html
    assert "1.234 EUR [446; 1.025]" in html
    assert "keine verantwortliche Person" in html
    assert "Relative Gewichte für nps" in html  # the drivers table
    assert "Kritiker wandern +2,2 Prozentpunkte/Jahr mehr ab als Promotoren" in html
    assert "steigend" in html
    assert "gewichtet ×1,5" in html
    assert "oft genannt (611×)" in html
    assert "Hinweise" in html
    en = section(_assessment("de"), "en")
    assert "Where it hurts most" in en
    assert "Significant (FDR 10 %)" in en
    assert "1,234 EUR [446; 1,025]" in en


def test_json_keeps_the_old_keys_and_adds_the_messages() -> None:
    data = to_json(_assessment("de"))
    json.dumps(data, allow_nan=False)
    # notes: English, as always; the messages with both texts next to them
    assert data["notes"] == ["trend needs at least 3 quarters with 30 or more NPS answers each"]
    assert data["note_messages"][0]["message"] == "assess.note.no_trend"
    assert data["note_messages"][0]["text_de"].startswith("der Trend braucht")
    assert data["pains"][0]["notes"] == [
        "excess churn adjusted for co-mentioned themes: Vertrag und Kündigung"
    ]
    assert data["linkage"]["notes"] == ["churn by NPS group not estimated: too few events"]
    assert data["drivers"]["notes"] == [
        "LMG skipped: more than 15 drivers (relative weights shown)"
    ]
    assert data["drivers"]["relative_weights"]["notes"] == []
    # the trend's verdict: English, plus German
    assert data["trend"]["verdict"] == "rising"
    assert data["trend"]["verdict_de"] == "steigend"
    assert data["trend"]["direction"] == "rising"
    # reasoning and what to stop: in the workspace language; the weight as it always was
    rec = data["focus"]["recommendations"][0]
    assert rec["reasoning"] == [
        "Schmerzpunkt 'Rechnung · <script>alert(1)</script>': 1.234 Kunden betroffen, "
        "NPS-Abstand -34 Punkte, 1.234 EUR/Monat im Risiko [446–1.025]",
        "gewichtet ×1.5: große Dienstleister gewinnen oder verlieren Kunden im Kundenservice",
    ]
    assert data["focus"]["stop_doing"] == [
        "'Chat · Chatbot' als Priorität behandeln: oft genannt (611×), aber ohne "
        "signifikanten Erlebnis-Abstand"
    ]
    en = to_json(_assessment("en"))
    assert en["focus"]["recommendations"][0]["reasoning"][1].startswith("weighted ×1.5: large")


def test_write_assessment_numbers_the_files(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "service", language="de")
    a = _assessment("de")
    json_path, html_path = write_assessment(ws, a, author="test")
    assert (json_path.name, html_path.name) == ("assessment-1.json", "assessment-1.html")
    assert a.number == 1
    doc = json.loads(json_path.read_text("utf-8"))
    assert doc["number"] == 1
    assert doc["focus"]["stop_doing"][0].startswith("'Chat · Chatbot'")
    assert "&lt;script&gt;" in html_path.read_text("utf-8")
    second, _ = write_assessment(ws, _assessment("de"))
    assert second.name == "assessment-2.json"
    assert sorted(saved_assessments(ws.reports_dir)) == [1, 2]


@pytest.mark.parametrize("area", ["assess", "drivers"])
def test_catalogue_has_both_languages_with_the_same_placeholders(area: str) -> None:
    en, de = messages.catalogue("en"), messages.catalogue("de")
    keys = [k for k in en if k.startswith(f"{area}.")]
    assert keys
    for key in keys:
        assert key in de, key
        assert messages.placeholders(en[key]) == messages.placeholders(de[key]), key
    assert not [k for k in de if k.startswith(f"{area}.") and k not in en]
