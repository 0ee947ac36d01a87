"""The CX maturity self-check: reflection questions (German and English) scored per dimension.

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
    """One reflection question."""

    key: str
    dimension: str
    de: str
    en: str

    def text(self, language: str = "en") -> str:
        """The question in ``language``."""
        return self.de if language == "de" else self.en


DIMENSIONS: dict[str, dict[str, str]] = {
    "definition": {"de": "Verständnis von CX", "en": "Shared understanding of CX"},
    "ownership": {"de": "Verantwortung", "en": "Ownership"},
    "measurement": {"de": "Messung", "en": "Measurement"},
    "insight": {"de": "Kundenverständnis", "en": "Customer insight"},
    "action": {"de": "Umsetzung und Fokus", "en": "Action and focus"},
    "proof": {"de": "Wirkungsnachweis", "en": "Proof of impact"},
}

QUESTIONS: tuple[Question, ...] = (
    Question(
        "definition_written",
        "definition",
        "Haben wir schriftlich festgehalten, was CX für uns bedeutet – und was nicht?",
        "Have we written down what CX means for our company, and what it does not?",
    ),
    Question(
        "definition_shared",
        "definition",
        "Würden Vertrieb, Service, IT und Produkt CX mit denselben Worten beschreiben?",
        "Would sales, service, IT and product describe CX in the same words?",
    ),
    Question(
        "definition_principles",
        "definition",
        "Treffen wir Entscheidungen nachweislich anhand unserer CX-Prinzipien?",
        "Do our CX principles demonstrably guide decisions?",
    ),
    Question(
        "ownership_named",
        "ownership",
        "Hat jeder Kontaktpunkt eine namentlich verantwortliche Person?",
        "Does every touchpoint have one named accountable person?",
    ),
    Question(
        "ownership_reach",
        "ownership",
        "Kann die CX-Verantwortliche abteilungsübergreifend Prioritäten durchsetzen?",
        "Can the CX lead set priorities across departments?",
    ),
    Question(
        "ownership_goals",
        "ownership",
        "Stehen CX-Ziele in den Zielvereinbarungen der Abteilungsleitungen?",
        "Are CX targets part of the department heads' objectives?",
    ),
    Question(
        "measurement_kpis",
        "measurement",
        "Messen wir NPS, CSAT oder CES je Kontaktpunkt regelmäßig und mit Zielwerten?",
        "Do we measure NPS, CSAT or CES per touchpoint regularly, against targets?",
    ),
    Question(
        "measurement_uncertainty",
        "measurement",
        "Wissen wir bei einer Veränderung, ob sie echt ist oder Zufall?",
        "When a score moves, do we know whether the change is real or noise?",
    ),
    Question(
        "measurement_money",
        "measurement",
        "Können wir Kundenerlebnis mit Abwanderung und Umsatz verknüpfen?",
        "Can we link experience to churn and revenue?",
    ),
    Question(
        "insight_comments",
        "insight",
        "Werten wir Kundenkommentare systematisch nach Themen aus?",
        "Do we analyse customer comments systematically by theme?",
    ),
    Question(
        "insight_pains",
        "insight",
        "Wissen wir, wo der Schuh am meisten drückt – in Euro und Kundenzahl?",
        "Do we know where it hurts most, in money and number of customers?",
    ),
    Question(
        "insight_drivers",
        "insight",
        "Kennen wir die Treiber der Weiterempfehlung?",
        "Do we know what drives recommendation?",
    ),
    Question(
        "action_focus",
        "action",
        "Arbeiten wir an wenigen, nach Wirkung priorisierten Themen statt an vielen Projekten?",
        "Do we work on a few topics prioritised by impact rather than on many projects?",
    ),
    Question(
        "action_closed_loop",
        "action",
        "Melden wir uns bei unzufriedenen Kunden zurück – mit Frist und Zuständigkeit?",
        "Do we follow up with unhappy customers, with a deadline and an owner?",
    ),
    Question(
        "action_stop",
        "action",
        "Haben wir bewusst entschieden, was wir nicht mehr tun?",
        "Have we consciously decided what to stop doing?",
    ),
    Question(
        "proof_business_case",
        "proof",
        "Hat jede CX-Initiative einen Business Case mit erwarteter Wirkung?",
        "Does every CX initiative have a business case with an expected effect?",
    ),
    Question(
        "proof_measured",
        "proof",
        "Messen wir nach dem Start, ob die Initiative gewirkt hat (mit Vergleichsgruppe)?",
        "After launch, do we measure whether the initiative worked (against a comparison)?",
    ),
    Question(
        "proof_board",
        "proof",
        "Berichten wir dem Vorstand CX-Erfolge in Zahlen?",
        "Do we report CX successes to the board in numbers?",
    ),
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
