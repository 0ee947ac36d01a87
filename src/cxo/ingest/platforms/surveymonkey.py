"""SurveyMonkey CSV exports (Analyze Results → Save as → All responses data, CSV "Expanded").

Two header rows: the question texts (a multi-column question names itself once, in its
first column) and the answer-option row (``Response`` for a single answer, ``Open-Ended
Response`` for free text, the row label of a matrix/rating grid). Metadata columns come
first: ``Respondent ID``, ``Collector ID``, ``Start Date``, ``End Date``, ``IP Address``,
``Email Address``, ``First Name``, ``Last Name``, ``Custom Data 1``.
"""

from __future__ import annotations

from cxo.ingest.platforms.model import Export, Question

META = {
    "respondent id",
    "collector id",
    "start date",
    "end date",
    "ip address",
    "email address",
    "first name",
    "last name",
    "custom data 1",
    "custom data",
}
ROLE_COLUMNS = {"respondent id": "response_id", "end date": "responded_at"}
SINGLE = {"response", "open-ended response", "antwort", "offene antwort", ""}


def recognise(head: list[list[str]]) -> bool:
    """``Respondent ID`` first, and a second header row that is empty under it."""
    if len(head) < 2 or not head[0]:
        return False
    return head[0][0].strip().lstrip("\ufeff").lower() == "respondent id" and not head[1][0]


def parse(records: list[tuple[int, list[str]]]) -> Export:
    """Carry each question text right over its grid columns; the answer row names the row."""
    top, answers = records[0][1], records[1][1]
    questions: list[Question] = []
    roles: dict[str, int] = {}
    parent = ""
    for i, head in enumerate(top):
        key = head.strip().lower()
        if key in ROLE_COLUMNS:
            roles[ROLE_COLUMNS[key]] = i
        if key in META:
            continue
        if head.strip():
            parent = head.strip()
        option = answers[i].strip() if i < len(answers) else ""
        sub = None if option.lower() in SINGLE else option
        questions.append(Question(index=i, code=parent, text=parent, sub=sub))
    return Export(
        platform="surveymonkey",
        questions=questions,
        roles=roles,
        rows=records[2:],
        date_formats=("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"),
    )
