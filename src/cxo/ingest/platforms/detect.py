"""Which survey platform wrote a file: each platform module's ``recognise`` on the first rows."""

from __future__ import annotations

from collections.abc import Callable

from cxo.ingest.platforms import google_forms, limesurvey, qualtrics, surveymonkey, typeform
from cxo.ingest.platforms.model import Export

Reader = tuple[
    str, Callable[[list[list[str]]], bool], Callable[[list[tuple[int, list[str]]]], Export]
]

READERS: tuple[Reader, ...] = (
    ("qualtrics", qualtrics.recognise, qualtrics.parse),
    ("surveymonkey", surveymonkey.recognise, surveymonkey.parse),
    ("limesurvey", limesurvey.recognise, limesurvey.parse),
    ("typeform", typeform.recognise, typeform.parse),
    ("google_forms", google_forms.recognise, google_forms.parse),
)
"""Most specific first: Qualtrics (ImportId row) before the one-header-row platforms."""

NAMES = {
    "qualtrics": "Qualtrics",
    "surveymonkey": "SurveyMonkey",
    "typeform": "Typeform",
    "google_forms": "Google Forms",
    "limesurvey": "LimeSurvey",
}


def recognise(records: list[tuple[int, list[str]]]) -> Export | None:
    """The parsed export when a platform recognises the first rows, else None."""
    head = [cells for _line, cells in records[:4]]
    if not head:
        return None
    for _name, matches, parse in READERS:
        if matches(head):
            return parse(records)
    return None
