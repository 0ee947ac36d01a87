"""Charts: every chart renders to SVG offline from captured analysis JSON, in German and English.

Fixtures: ``tests/fixtures/charts/`` (trimmed ``--json`` output of a demo workspace; see the
README there). The checks: the localized title is drawn, no column name of the analyses and
no internal field name reaches the reader, user content is escaped, numbers follow the locale.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cxo.errors import MissingDataError
from cxo.report import charts
from cxo.report.chartkit import Spec
from cxo.report.messages import message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "charts"
EVIL = "<script>alert(1)</script>"
LANGUAGES = ("de", "en")


def _load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))


# chart name → (function, fixture, keyword arguments, catalogue key of its title)
CASES: dict[str, tuple[Callable[..., Spec], str, dict[str, Any], str]] = {
    "score_trend": (charts.score_trend_chart, "scorecard", {}, "charts.trend.title.quarter"),
    "score_trend_one": (
        charts.score_trend_chart,
        "scorecard",
        {"metric": "csat", "touchpoint": "billing"},
        "charts.trend.title.quarter",
    ),
    "nps_trend": (charts.score_trend_chart, "assess", {}, "charts.trend.title.quarter"),
    "pains": (charts.pains_chart, "assess", {}, "charts.pains.title"),
    "importance_performance": (
        charts.importance_performance_chart,
        "assess",
        {"labels": {"first_contact_resolution": "First-contact resolution"}},
        "charts.ipa.title",
    ),
    "theme_impact": (charts.theme_impact_chart, "text_impact", {}, "charts.themes.title"),
    "loyalty_tax": (charts.loyalty_tax_chart, "diagnose_all", {}, "charts.loyalty.title"),
    "latitude": (charts.latitude_chart, "diagnose_all", {}, "charts.latitude.title"),
    "initiative_effects": (
        charts.initiative_effects_chart,
        "proofs",
        {},
        "charts.initiatives.title",
    ),
    "followup_sla": (
        charts.followup_sla_chart,
        "followup_report",
        {},
        "charts.followups.title.owner",
    ),
    "followup_sla_touchpoint": (
        charts.followup_sla_chart,
        "followup_report",
        {"by": "touchpoint"},
        "charts.followups.title.touchpoint",
    ),
}
COLUMNS = (
    "tenure_band", "revenue_at_risk", "ci_low", "ci_high", "within_sla", "latitude_curve",
    "goodwill_cost", "revenue_kept", "penalty_by_tenure_band", "share_paying_more",
    "loyalty_tax_per_month", "importance_percent", "relative_weights", "adjusted_impact",
    "expected_nps_effect", "overdue_open", "by_owner", "accountable", "first_contact_resolution",
    "reachability_waiting", "invoice_error", "experience_gap",
)  # fmt: skip
FIELDS = (
    "value", "low", "high", "series", "panel", "period", "label", "limit", "group", "name",
    "due", "overdue", "band", "driver", "performance", "pain", "owner", "theme", "mentions",
    "target", "measured", "n", "upper_low", "text",
)  # fmt: skip


def _mark_labels(svg: str) -> list[str]:
    """The ARIA descriptions of the data marks ("<title>: <value>; …"), unescaped."""
    found = re.findall(r'aria-label="([^"]*)"[^>]*role="graphics-symbol"', svg)
    found += re.findall(r'role="graphics-symbol"[^>]*aria-label="([^"]*)"', svg)
    titles = ("Title text", "Subtitle text")
    return [html.unescape(x) for x in found if not x.startswith(titles)]


def _texts(svg: str) -> str:
    """Everything a reader (or a screen reader) gets: drawn text and ARIA labels, unescaped."""
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    labels = re.findall(r'aria-label="([^"]*)"', svg)
    return html.unescape("\n".join(drawn + labels))


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], tuple[Spec, str]]:
    out = {}
    for name, (fn, fixture, kwargs, _) in CASES.items():
        for language in LANGUAGES:
            spec = fn(_load(fixture), language, "EUR", **kwargs)
            out[(name, language)] = (spec, charts.svg(spec))
    return out


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(CASES))
def test_chart_renders_with_its_title_in_words(
    rendered: dict[tuple[str, str], tuple[Spec, str]], name: str, language: str
) -> None:
    spec, svg = rendered[(name, language)]
    assert svg.startswith("<svg")
    assert "</svg>" in svg
    key = CASES[name][3]
    metric = message(
        "charts.metric.csat" if name == "score_trend_one" else "charts.metric.nps", language
    )
    texts = _texts(svg)
    assert message(key, language, metric=metric, target=metric) in texts
    other = "en" if language == "de" else "de"
    assert message(key, other, metric=metric, target=metric) not in texts
    for column in COLUMNS:
        assert column not in texts, f"{name}: column name {column} shown"
    marks = _mark_labels(svg)
    assert marks, "the data marks describe themselves"
    for mark in marks:
        shown = {part.split(": ")[0].strip() for part in mark.split("; ")}
        assert not shown & set(FIELDS), f"{name}: field names {shown & set(FIELDS)} in {mark!r}"
    assert "url" not in json.dumps(spec.get("data", {})), "charts carry their data inline"


def test_numbers_follow_the_locale(rendered: dict[tuple[str, str], tuple[Spec, str]]) -> None:
    # Loyalty penalty of the 13-24 band: 0.0788 (interval 0.0778 to 0.0800), tax 2,303 EUR.
    de, en = _texts(rendered[("loyalty_tax", "de")][1]), _texts(rendered[("loyalty_tax", "en")][1])
    assert "7,8 %" in de
    assert "7.8 %" in en
    assert "2.303 EUR pro Monat" in de
    assert "2,303 EUR a month" in en
    de, en = _texts(rendered[("latitude", "de")][1]), _texts(rendered[("latitude", "en")][1])
    assert "200.000 EUR" in de
    assert "200,000 EUR" in en
    locale = rendered[("pains", "de")][0]["config"]["locale"]
    assert locale["number"]["decimal"] == ","
    assert locale["number"]["thousands"] == "."
    assert locale["time"]["months"][2] == "März"


def _poisoned() -> dict[str, tuple[Callable[..., Spec], Any, dict[str, Any]]]:
    """Every chart with user content in its data set to a script tag."""
    assess = _load("assess")
    assess["pains"][0]["label"] = EVIL
    assess["pains"][1]["owner"]["accountable"] = EVIL
    scorecard = _load("scorecard")
    scorecard["rows"][0]["labels"]["touchpoint"] = EVIL
    followups = _load("followup_report")
    followups["by_owner"][0]["group"] = EVIL
    proofs = _load("proofs")
    proofs["proofs"][0]["initiative"]["name"] = EVIL
    themes = _load("text_impact")
    themes[0]["theme"] = EVIL
    return {
        "pains": (charts.pains_chart, assess, {}),
        "score_trend": (charts.score_trend_chart, scorecard, {}),
        "followup_sla": (charts.followup_sla_chart, followups, {}),
        "initiative_effects": (charts.initiative_effects_chart, proofs, {}),
        "theme_impact": (charts.theme_impact_chart, themes, {}),
        "importance_performance": (
            charts.importance_performance_chart,
            assess,
            {"labels": {"waiting_time": EVIL}},
        ),
    }


@pytest.mark.parametrize("name", list(_poisoned()))
def test_user_content_is_escaped(name: str) -> None:
    fn, data, kwargs = _poisoned()[name]
    svg = charts.svg(fn(data, "de", "EUR", **kwargs))
    assert "<script" not in svg.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


@pytest.mark.parametrize(
    ("fn", "fixture", "hint"),
    [
        (charts.theme_impact_chart, "assess", "cxo text impact"),
        (charts.initiative_effects_chart, "initiative_rank", "cxo initiative measure"),
        (charts.loyalty_tax_chart, "followup_report", "cxo diagnose loyalty"),
        (charts.importance_performance_chart, "scorecard", "cxo assess"),
        (charts.pains_chart, "diagnose_all", "cxo assess"),
    ],
)
def test_missing_data_says_which_command_makes_it(
    fn: Callable[..., Spec], fixture: str, hint: str
) -> None:
    with pytest.raises(MissingDataError) as info:
        fn(_load(fixture), "en")
    assert hint in (info.value.hint or "")


def test_scorecard_without_periods_is_refused() -> None:
    scorecard = _load("scorecard")
    scorecard["by"] = ["touchpoint"]
    with pytest.raises(MissingDataError, match="period"):
        charts.score_trend_chart(scorecard, "en")


def test_target_is_drawn_per_touchpoint() -> None:
    spec = charts.score_trend_chart(_load("scorecard"), "en", touchpoint="billing")
    rows = spec["datasets"][spec["data"]["name"]] if "datasets" in spec else spec["data"]["values"]
    assert {r["target"] for r in rows} == {10.0}  # billing's NPS target in the charter
    assert {r["panel"] for r in rows} == {"Billing"}


def test_svg_renders_offline_only() -> None:
    spec = copy.deepcopy(charts.loyalty_tax_chart(_load("diagnose_all"), "en"))
    spec = {key: spec[key] for key in ("$schema", "config")}
    spec |= {"data": {"url": "https://example.com/bands.csv"}, "mark": "bar"}
    spec["encoding"] = {"x": {"field": "band", "type": "ordinal", "title": "Band"}}
    with pytest.raises(ValueError, match="not allowed"):
        charts.svg(spec)


def test_every_chart_is_registered_and_tested() -> None:
    tested = {CASES[name][0] for name in CASES}
    assert set(charts.CHARTS.values()) == tested
