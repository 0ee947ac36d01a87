"""The maturity self-check in words: questions, dimension labels, the trend of the scores.

:mod:`cxo.core.maturity` keeps the question keys and the scoring; the wording of every
question and dimension, in German and English, is in the catalogue (``maturity.po``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cxo.core.maturity import DIMENSIONS, QUESTIONS, Question
from cxo.report import format as fmt
from cxo.report.messages import message

OVERALL = "overall"


def question_text(q: Question | str, language: str) -> str:
    """The question (a :class:`Question` or its key) in ``language``."""
    key = q if isinstance(q, str) else q.key
    return message(f"maturity.question.{key}", language)


def dimension_label(dim: str, language: str) -> str:
    """A dimension's label (``overall`` included) in ``language``."""
    return message(f"maturity.dimension.{dim}", language)


def question_line(q: Question, language: str) -> str:
    """``definition_written [definition]: Have we written down …``."""
    return message(
        "maturity.question_line",
        language,
        key=q.key,
        dimension=q.dimension,
        question=question_text(q, language),
    )


def questions_json() -> list[dict[str, str]]:
    """Every question with its key, dimension and both wordings (``--questions --json``)."""
    return [
        {"key": q.key, "dimension": q.dimension}
        | {language: question_text(q, language) for language in ("de", "en")}
        for q in QUESTIONS
    ]


def history_header(language: str) -> list[str]:
    """The heading of the trend table: date, every dimension, overall."""
    return [
        message("maturity.date", language),
        *[dimension_label(d, language) for d in (*DIMENSIONS, OVERALL)],
    ]


def history_cells(row: Mapping[str, Any], language: str) -> list[str]:
    """One check as the cells of :func:`history_header` (scores with one decimal)."""
    scores: Mapping[str, float | None] = row["scores"]
    return [
        str(row["taken_at"])[:10],
        *[fmt.number(scores.get(d), 1, language) for d in (*DIMENSIONS, OVERALL)],
    ]


def trend(history: Sequence[Mapping[str, Any]], language: str) -> str | None:
    """``overall trend: 2.1 → 3.4 (+1.3)`` from the first to the last check (two or more)."""
    if len(history) < 2:
        return None
    first = history[0]["scores"][OVERALL]
    last = history[-1]["scores"][OVERALL]
    return message(
        "maturity.trend", language, first=first, last=last, change=float(last) - float(first)
    )


__all__ = [
    "dimension_label",
    "history_cells",
    "history_header",
    "question_line",
    "question_text",
    "questions_json",
    "trend",
]
