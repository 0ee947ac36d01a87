"""What every survey-platform reader produces: the questions and the answers of one export.

A platform module turns its header rows into :class:`Question` objects (code, question text,
sub-question of a grid, known answer options) and marks the metadata columns it knows
(response id, submit date, language, customer reference). :mod:`.classify` then decides
which question is the NPS, CSAT or CES item, which are attribute ratings and which free text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("response_id", "responded_at", "language", "customer_id", "touchpoint", "channel")
"""Metadata roles a platform column can play (contract columns of ``responses``)."""


@dataclass
class Question:
    """One answer column of an export."""

    index: int
    """Position of the column in the file."""
    code: str
    """The platform's code (``Q3_1``, ``Q1[SQ001]``) or, without one, the header text."""
    text: str
    """The question text as exported (for a grid: the parent question)."""
    sub: str | None = None
    """The grid row (sub-question, statement) this column holds, if any."""
    options: dict[str, float] = field(default_factory=dict)
    """Known answer options: label → number (from the export's own answer rows)."""
    skip: bool = False
    """A derived column the platform adds (e.g. Qualtrics' NPS group): not an answer."""


@dataclass
class Export:
    """A parsed survey export."""

    platform: str
    """``qualtrics``, ``surveymonkey``, ``typeform``, ``google_forms``, ``limesurvey``."""
    questions: list[Question]
    roles: dict[str, int]
    """Metadata role → column index (see :data:`ROLES`)."""
    rows: list[tuple[int, list[str]]]
    """``(physical line, cells)`` of every data row."""
    date_formats: tuple[str, ...] = ()
    """``strptime`` formats the platform writes dates in (tried before passing text on)."""
