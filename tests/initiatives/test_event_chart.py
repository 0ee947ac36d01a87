"""The event-study chart (:func:`cxo.report.charts.initiative_event_study_chart`) and the
words of the design checks (:func:`cxo.report.initiatives.design_lines`)."""

from __future__ import annotations

from typing import Any

import pytest

from cxo.errors import MissingDataError
from cxo.initiatives.effect import measure_effect
from cxo.report import charts
from cxo.report.messages import message

from .test_effect import LAUNCH, _con, _responses


def _rows(node: Any) -> list[dict[str, Any]]:
    """The inline data rows that hold months, wherever Altair put them in the spec."""
    if isinstance(node, dict):
        for key, value in node.items():
            rows = isinstance(value, list) and value and isinstance(value[0], dict)
            if rows and key != "tooltip" and "month" in value[0]:
                return list(value)
            found = _rows(value)
            if found:
                return found
    if isinstance(node, list):
        for value in node:
            found = _rows(value)
            if found:
                return found
    return []


@pytest.mark.parametrize("language", ["de", "en"])
def test_event_study_chart_renders_in_words(language: str) -> None:
    m = measure_effect(_con(_responses(21)), ["portal"], LAUNCH)
    spec = charts.initiative_event_study_chart({"effect": m.to_dict()}, language)
    rows = _rows(spec)
    assert m.event_study is not None
    assert [r["month"] for r in rows] == [x.month for x in m.event_study.months]
    svg = charts.svg(spec)
    assert svg.startswith("<svg")
    assert message("charts.initiatives.event.title", language) in svg
    other = "en" if language == "de" else "de"
    assert message("charts.initiatives.event.title", other) not in svg


def test_event_study_chart_says_what_is_missing() -> None:
    with pytest.raises(MissingDataError, match="event study"):
        charts.initiative_event_study_chart({"effect": {"nps": {}}}, "en")
