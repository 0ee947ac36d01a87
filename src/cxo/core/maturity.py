"""The CX maturity self-check: reflection questions scored per dimension.

Each question is answered on a 1–5 scale (1 = not at all, 5 = fully and lived every day).
A dimension's score is the mean of its answered questions; the overall score is the mean of
the dimension scores. Answers are stored with the date in the operational store
(``maturity_checks``/``maturity_answers``) and shown as a trend.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cxo.errors import InputError, UsageError

SCALE = (1, 5)


@dataclass(frozen=True)
class Question:
    """One reflection question: its key and the dimension it scores.

    The wording (German and English) is in the catalogue under ``maturity.question.<key>``
    (:mod:`cxo.report.maturity`).
    """

    key: str
    dimension: str


DIMENSIONS: tuple[str, ...] = (
    "definition",
    "ownership",
    "measurement",
    "insight",
    "action",
    "proof",
)
"""The dimensions in the order they are shown (labels: ``maturity.dimension.<key>``)."""

QUESTIONS: tuple[Question, ...] = (
    Question("definition_written", "definition"),
    Question("definition_shared", "definition"),
    Question("definition_principles", "definition"),
    Question("ownership_named", "ownership"),
    Question("ownership_reach", "ownership"),
    Question("ownership_goals", "ownership"),
    Question("measurement_kpis", "measurement"),
    Question("measurement_uncertainty", "measurement"),
    Question("measurement_money", "measurement"),
    Question("insight_comments", "insight"),
    Question("insight_pains", "insight"),
    Question("insight_drivers", "insight"),
    Question("action_focus", "action"),
    Question("action_closed_loop", "action"),
    Question("action_stop", "action"),
    Question("proof_business_case", "proof"),
    Question("proof_measured", "proof"),
    Question("proof_board", "proof"),
)

QUESTION_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)


def question(key: str) -> Question:
    """The question ``key``."""
    for q in QUESTIONS:
        if q.key == key:
            return q
    raise KeyError(key)


def validate_answers(answers: dict[str, Any]) -> dict[str, float]:
    """Check question keys and scores (1–5); return the answers as floats."""
    out: dict[str, float] = {}
    lo, hi = SCALE
    for key, value in answers.items():
        if key not in QUESTION_KEYS:
            raise UsageError(
                f"unknown maturity question {key!r}",
                hint="see `cxo charter maturity --questions` for the keys",
            )
        try:
            score = float(value)
        except (TypeError, ValueError):
            raise UsageError(
                f"answer to {key!r} must be a number {lo}–{hi}, got {value!r}"
            ) from None
        if not lo <= score <= hi:
            raise UsageError(f"answer to {key!r} must lie in {lo}–{hi}, got {score:g}")
        out[key] = score
    if not out:
        raise UsageError("no answers given")
    return out


def score(answers: dict[str, float]) -> dict[str, float | None]:
    """Mean score per dimension (``None`` where nothing was answered) and ``overall``."""
    result: dict[str, float | None] = {}
    means: list[float] = []
    for dim in DIMENSIONS:
        vals = [answers[q.key] for q in QUESTIONS if q.dimension == dim and q.key in answers]
        result[dim] = sum(vals) / len(vals) if vals else None
        if vals:
            means.append(sum(vals) / len(vals))
    result["overall"] = sum(means) / len(means) if means else None
    return result


def read_answers(path: Path) -> dict[str, float]:
    """Answers from a YAML or JSON file: ``{question_key: score}`` (or under ``answers:``)."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read answers ({exc.strerror})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: invalid answers file: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping question → score")
    return validate_answers({str(k): v for k, v in data.items()})
