"""The scorecard in words: German numbers, escaped user values, the JSON kept as it was."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from cxo.core.messages import msg
from cxo.engine import Scorecard, ScorecardRow, scorecard
from cxo.report import scorecard as render
from cxo.stats import nps_from_counts, proportion
from cxo.workspace import Workspace
from tests.engine.conftest import CUSTOMERS, RESPONSES, fill


@pytest.fixture
def tiny_de(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "tiny_de", "service", language="de")
    fill(ws, CUSTOMERS, RESPONSES)
    return ws


def test_summary_and_html_in_german_escape_user_values(tiny_de: Workspace) -> None:
    with tiny_de.connect() as con:
        con.execute("update responses set channel = '<script>x</script>' where response_id = 'r1'")
    sc = scorecard(tiny_de, by=["channel"], compare=["segments"])
    html = render.section(sc, "de")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Gesamt" in html
    summary = render.summary(sc, "de")
    assert "14,3" in summary  # NPS 100/7 in German format
    assert "57,1 %" in summary
    assert summary.startswith("Scorecard (channel; Zeitraum 2026-01-05 – 2026-03-25): 8 Antworten")
    assert sc.to_dict()["rows"][0]["nps"] is not None


def _card(**kw: object) -> Scorecard:
    total = ScorecardRow(
        group={},
        labels={},
        n=12345,
        nps=nps_from_counts(5, 2, 3),
        csat=proportion(3, 4),
        ces=None,
        churn=None,
    )
    args: dict[str, object] = {
        "by": ("touchpoint",),
        "rows": [],
        "total": total,
        "kpis": [],
        "comparisons": [],
        "window": (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        "churn_window": None,
    }
    args.update(kw)
    return Scorecard(**args)  # type: ignore[arg-type]


def test_summary_in_both_languages() -> None:
    sc = _card()
    en = render.summary(sc, "en")
    de = render.summary(sc, "de")
    assert en.splitlines()[0] == (
        "Scorecard (touchpoint; window 2026-01-01 – 2026-03-31): 12,345 responses"
    )
    assert de.splitlines()[0] == (
        "Scorecard (touchpoint; Zeitraum 2026-01-01 – 2026-03-31): 12.345 Antworten"
    )
    assert "NPS 20.0 [" in en
    assert "CSAT (top-2-box) 75.0 % [" in en
    assert "NPS 20,0 [" in de
    assert "CSAT (Top-2-Box) 75,0 % [" in de
    assert "; " in de.splitlines()[1].split("[", 1)[1]  # German interval separator


def test_metric_values_in_their_display_units() -> None:
    assert render.metric_value("nps", 12.345, "de") == "12,3"
    assert render.metric_value("csat", 0.8123, "en") == "81.2 %"
    assert render.metric_value("churn", 0.05, "de") == "5,0 %"
    assert render.metric_value("ces", 4.5, "de") == "4,50"
    assert render.metric_value("nps", 3.0, "en", signed=True) == "+3.0"
    assert render.metric_value("nps", -3.0, "en", signed=True) == "-3.0"
    assert render.metric_value("nps", math.nan, "en") == "–"
    assert render.estimate_text("nps", None, "en") == "–"


def test_json_keeps_english_notes_and_adds_german() -> None:
    sc = _card(notes=[msg("scorecard.note.fewer_quarters")])
    out = render.to_json(sc)
    assert out["notes"] == ["compare previous: fewer than two quarters in the window"]
    assert out["notes_de"] == [
        "Vergleich mit der Vorperiode: weniger als zwei Quartale im Zeitraum"
    ]
    assert out["note_messages"][0]["message"] == "scorecard.note.fewer_quarters"
    json.dumps(out, allow_nan=False)
    assert render.notes(sc, "de") == out["notes_de"]


def test_every_status_kind_and_dimension_has_words() -> None:
    from cxo.engine.aggregates import DIMENSIONS
    from cxo.engine.comparisons import COMPARISONS
    from cxo.engine.kpis import STATUSES

    for language in ("de", "en"):
        for status in STATUSES:
            assert render.status_label(status, language)
        for kind in COMPARISONS:
            assert render.kind_label(kind, language)
        for dim in DIMENSIONS:
            assert render.dimension_label(dim, language)
        for column in render.KPI_COLUMNS:
            assert render.kpi_column_label(column, language)
    assert render.status_label("not measured", "de") == "noch nicht gemessen"


def test_adjusted_p_values_keep_three_digits_and_a_floor() -> None:
    assert render.p_text(0.0471, "de") == "p(BH) = 0,0471"
    assert render.p_text(0.000414, "en") == "p(BH) = 0.000414"
    assert render.p_text(1.3e-60, "en") == "p(BH) < 0.0001"
    assert render.p_text(0.0, "de") == "p(BH) < 0,0001"
