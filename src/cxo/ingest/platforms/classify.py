"""Which question is what: NPS, CSAT and CES by their text (German and English) and scale,
other rating questions and grids as attribute ratings, open questions as the comment.

Answers may be numbers (Qualtrics' recoded values, LimeSurvey codes), labels that carry
their number (``10 - Extremely likely``) or plain scale labels (``Very satisfied``,
``Sehr zufrieden``), which :data:`LABELS` places on their scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cxo.core.contract import header_map, normalise_header
from cxo.ingest.platforms.model import Export, Question

NPS_TEXT = re.compile(r"recommend|weiterempfehl|empfehlen", re.I)
CSAT_TEXT = re.compile(r"satisf|zufrieden", re.I)
CES_TEXT = re.compile(r"\beas(y|ier|ily)\b|effort|einfach|leicht|aufwand|m[üu]he", re.I)
LEADING_NUMBER = re.compile(r"^\s*(\d{1,2})(?:\s*[-–:=.)]\s*\S.*|\s*)$")
TRAILING_NUMBER = re.compile(r"^\D+?\s*[-–:(]?\s*(\d{1,2})\)?\s*$")
NOT_APPLICABLE = {
    "n/a",
    "na",
    "not applicable",
    "don't know",
    "dont know",
    "weiß nicht",
    "weiss nicht",
    "keine angabe",
    "k.a.",
    "k. a.",
    "-99",
}

_FIVE = (
    ("very dissatisfied", "dissatisfied", "neutral", "satisfied", "very satisfied"),
    ("sehr unzufrieden", "unzufrieden", "neutral", "zufrieden", "sehr zufrieden"),
    ("strongly disagree", "disagree", "neither agree nor disagree", "agree", "strongly agree"),
    (
        "stimme überhaupt nicht zu",
        "stimme nicht zu",
        "weder noch",
        "stimme zu",
        "stimme voll und ganz zu",
    ),
    ("very poor", "poor", "fair", "good", "excellent"),
    ("sehr schlecht", "schlecht", "mittel", "gut", "sehr gut"),
    ("very difficult", "difficult", "neither easy nor difficult", "easy", "very easy"),
    ("sehr schwierig", "schwierig", "weder noch", "einfach", "sehr einfach"),
)
LABELS: dict[str, tuple[float, float, float]] = {
    label: (float(i + 1), 1.0, 5.0) for scale in _FIVE for i, label in enumerate(scale)
}
"""Scale label → (value, scale minimum, scale maximum)."""
SCALES = ((1.0, 5.0), (1.0, 7.0), (0.0, 10.0), (1.0, 10.0))


def value_of(text: str) -> tuple[float, float | None, float | None] | None:
    """A rating answer as ``(value, scale_min, scale_max)`` (scale None when unknown)."""
    raw = text.strip()
    if not raw:
        return None
    try:
        return float(raw.replace(",", ".")), None, None
    except ValueError:
        pass
    label = LABELS.get(raw.lower())
    if label is not None:
        return label
    for pattern in (LEADING_NUMBER, TRAILING_NUMBER):
        match = pattern.match(raw)
        if match and len(raw) <= 40:
            return float(match.group(1)), None, None
    return None


@dataclass
class Rating:
    """A rating question: its column, attribute name and scale."""

    question: Question
    attribute: str
    scale_min: float
    scale_max: float


@dataclass
class Classified:
    """What each column of an export feeds."""

    nps: Question | None = None
    csat: Question | None = None
    ces: Question | None = None
    ratings: list[Rating] = field(default_factory=list)
    comments: list[Question] = field(default_factory=list)
    roles: dict[str, int] = field(default_factory=dict)


LEAD_IN = re.compile(
    r"^(?:how would you rate|how do you rate|please rate|how satisfied are you with|"
    r"wie bewerten sie|bitte bewerten sie|wie zufrieden sind sie mit)\s+"
    r"(?:the|your|our|die|den|das|der|dem|ihre[nm]?|unsere[nm]?)?\s*",
    re.I,
)
"""The opening of a stand-alone rating question, dropped from its attribute name."""


def attribute_name(text: str) -> str:
    """A grid row or question text as an attribute key: lower case, words joined by ``_``."""
    words = re.sub(r"[^\w]+", " ", text.lower()).split()
    return "_".join(words)[:80] or "item"


def _answers(export: Export, q: Question) -> list[str]:
    return [
        cells[q.index].strip()
        for _line, cells in export.rows
        if q.index < len(cells)
        and cells[q.index].strip()
        and cells[q.index].strip().lower() not in NOT_APPLICABLE
    ]


def _numeric(values: list[str]) -> list[tuple[float, float | None, float | None]] | None:
    """The values on a scale when (almost) all answers are ratings, else None."""
    if not values:
        return None
    parsed = [value_of(v) for v in values]
    good = [p for p in parsed if p is not None]
    if len(good) < 0.9 * len(values):
        return None
    return good


def scale_of(
    q: Question, parsed: list[tuple[float, float | None, float | None]]
) -> tuple[float, float]:
    """The question's scale: its labels' scale, else the smallest usual one that fits."""
    if q.options:
        return min(q.options.values()), max(q.options.values())
    for _v, lo, hi in parsed:
        if lo is not None and hi is not None:
            return lo, hi
    low = min(v for v, _lo, _hi in parsed)
    high = max(v for v, _lo, _hi in parsed)
    for lo, hi in SCALES:
        if lo <= low and high <= hi:
            return lo, hi
    return low, high


def classify(export: Export) -> Classified:
    """Assign every question a role (see the module docstring)."""
    out = Classified(roles=dict(export.roles))
    hm = header_map("responses")
    numeric: list[tuple[Question, tuple[float, float]]] = []
    for q in export.questions:
        if q.skip:
            continue
        canon = (
            None if q.sub else hm.get(normalise_header(q.code)) or hm.get(normalise_header(q.text))
        )
        if canon in ("touchpoint", "channel", "customer_id", "language"):
            out.roles.setdefault(canon, q.index)
            continue
        values = _answers(export, q)
        parsed = _numeric(values)
        if parsed is None:
            if values and _is_open_text(values, q):
                out.comments.append(q)
            continue
        numeric.append((q, scale_of(q, parsed)))
    for q, (lo, hi) in numeric:
        single = q.sub is None
        if single and out.nps is None and NPS_TEXT.search(q.text) and lo >= 0 and hi <= 10:
            out.nps = q
        elif single and out.csat is None and CSAT_TEXT.search(q.text) and (lo, hi) == (1, 5):
            out.csat = q
        elif single and out.ces is None and CES_TEXT.search(q.text) and lo >= 1 and hi <= 7:
            out.ces = q
        else:
            name = q.sub or LEAD_IN.sub("", q.text.strip()) or q.text
            out.ratings.append(Rating(q, attribute_name(name), lo, hi))
    if out.nps is None:
        _nps_by_scale(out)
    return out


def _nps_by_scale(out: Classified) -> None:
    """No question reads like the NPS item: take the one single 0–10 question, if unique."""
    candidates = [
        r for r in out.ratings if r.question.sub is None and (r.scale_min, r.scale_max) == (0, 10)
    ]
    named = [r for r in candidates if "nps" in r.question.code.lower()]
    pick = named[0] if named else candidates[0] if len(candidates) == 1 else None
    if pick is not None:
        out.ratings.remove(pick)
        out.nps = pick.question


def _is_open_text(values: list[str], q: Question) -> bool:
    """Free text: a ``_TEXT``/comment column, or answers long or varied enough."""
    code = q.code.lower()
    if code.endswith("_text") or "comment" in code or (q.sub or "").lower().startswith("open"):
        return True
    mean = sum(len(v) for v in values) / len(values)
    distinct = len(set(values)) / len(values)
    return mean >= 25 or (distinct >= 0.8 and mean >= 12)
