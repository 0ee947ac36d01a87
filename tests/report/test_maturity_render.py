"""The maturity self-check in words: every question and dimension in both languages."""

from __future__ import annotations

from cxo.core import maturity as mat
from cxo.report import maturity as render


def test_every_question_and_dimension_has_both_wordings() -> None:
    for q in mat.QUESTIONS:
        de, en = render.question_text(q, "de"), render.question_text(q, "en")
        assert de
        assert en
        assert de != en
    for dim in (*mat.DIMENSIONS, "overall"):
        assert render.dimension_label(dim, "de") != render.dimension_label(dim, "en")
    assert render.question_text("ownership_named", "en") == (
        "Does every touchpoint have one named accountable person?"
    )


def test_questions_json_keeps_its_keys() -> None:
    out = render.questions_json()
    assert [q["key"] for q in out] == list(mat.QUESTION_KEYS)
    assert set(out[0]) == {"key", "dimension", "de", "en"}
    assert out[0]["de"].startswith("Haben wir schriftlich festgehalten")


def test_history_and_trend_in_german() -> None:
    scores = mat.score({"definition_written": 2.0, "proof_board": 3.0})
    later = mat.score({"definition_written": 4.0, "proof_board": 4.5})
    rows = [
        {"taken_at": "2026-01-05T10:00:00", "scores": scores},
        {"taken_at": "2026-04-05T10:00:00", "scores": later},
    ]
    assert render.history_header("de")[0] == "Datum"
    assert render.history_header("de")[-1] == "gesamt"
    cells = render.history_cells(rows[0], "de")
    assert cells[0] == "2026-01-05"
    assert cells[1] == "2,0"
    assert cells[2] == "–"
    assert render.trend(rows, "de") == "Gesamttrend: 2,5 → 4,2 (+1,8)"
    assert render.trend(rows[:1], "en") is None
