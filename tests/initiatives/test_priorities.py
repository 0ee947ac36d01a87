"""What an initiative addresses: the money of the flagged pains at its touchpoints."""

from __future__ import annotations

from typing import Any

import pytest

from cxo.initiatives.portfolio import Initiative
from cxo.initiatives.priorities import prioritise


def _pain(
    rank: int, theme: str, value: float, low: float, *, flagged: bool = True
) -> dict[str, Any]:
    return {
        "rank": rank,
        "touchpoint": "chat",
        "theme": theme,
        "segment": None,
        "label": theme,
        "flagged": flagged,
        "revenue_at_risk": {"value": value, "ci_low": low, "ci_high": value + 50},
    }


def test_a_negative_money_estimate_never_offsets_another_pain() -> None:
    # flagged: NPS significantly lower there; the second pain's money estimate is below zero
    # (noise around "no money at risk"), the third is not flagged at all
    pains = [
        _pain(1, "staff_competence", 605.0, 120.0),
        _pain(2, "reachability_waiting", -110.0, -300.0),
        _pain(3, "chatbot", 1130.0, 300.0, flagged=False),
    ]
    chatbot = Initiative(key="bot", name="Chatbot", touchpoints=["chat"], one_off_cost=1200.0)
    (ranked,) = prioritise(pains, [chatbot]).ranked
    assert ranked.revenue_at_risk == pytest.approx(605.0)  # 605 + max(0, -110); 1130 unflagged
    assert ranked.revenue_at_risk_low == pytest.approx(120.0)
    assert len(ranked.pains) == 2  # both flagged pains are listed as addressed
    assert ranked.value_per_cost == pytest.approx(12 * 605.0 / 1200.0)
