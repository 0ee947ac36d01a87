"""Qualtrics CSV/TSV exports (Data & Analysis → Export data → CSV or TSV).

Three header rows: the column names (``ResponseId``, ``RecordedDate``, question ids ``Q1``,
matrix rows ``Q5_1``, text entry ``Q2_TEXT``, the NPS group ``Q3_NPS_GROUP``), the question
texts (matrix rows as ``Parent question - Statement``) and one ``{"ImportId": ...}`` JSON
object per column. Answers are choice texts or, with "Use numeric values", recoded numbers.
"""

from __future__ import annotations

import json

from cxo.ingest.platforms.model import Export, Question

META = {
    "startdate",
    "enddate",
    "status",
    "ipaddress",
    "progress",
    "duration (in seconds)",
    "finished",
    "recordeddate",
    "responseid",
    "recipientlastname",
    "recipientfirstname",
    "recipientemail",
    "externalreference",
    "externaldatareference",
    "locationlatitude",
    "locationlongitude",
    "distributionchannel",
    "userlanguage",
    "q_recaptchascore",
    "q_relevantidduplicate",
    "q_relevantidduplicatescore",
    "q_relevantidfraudscore",
    "q_relevantidlaststartdate",
}
ROLE_COLUMNS = {
    "responseid": "response_id",
    "recordeddate": "responded_at",
    "userlanguage": "language",
    "externalreference": "customer_id",
    "externaldatareference": "customer_id",
}


def _is_import_id(cell: str) -> bool:
    text = cell.strip()
    if not text.startswith("{"):
        return False
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, dict) and "ImportId" in value


def recognise(head: list[list[str]]) -> bool:
    """Three header rows, the third (or, in legacy exports, the second) of ImportId JSON."""
    for row in head[1:3]:
        cells = [c for c in row if c.strip()]
        if cells and sum(_is_import_id(c) for c in cells) >= 0.8 * len(cells):
            return True
    return False


def parse(records: list[tuple[int, list[str]]]) -> Export:
    """Questions from the id and text rows; data from the fourth row on."""
    codes = records[0][1]
    second = records[1][1] if len(records) > 1 else []
    legacy = bool(second) and all(_is_import_id(c) for c in second if c.strip())
    texts = codes if legacy else second
    skip = 2 if legacy else 3
    questions: list[Question] = []
    roles: dict[str, int] = {}
    for i, code in enumerate(codes):
        key = code.strip().lower()
        if key in ROLE_COLUMNS and ROLE_COLUMNS[key] not in roles:
            roles[ROLE_COLUMNS[key]] = i
        if key in META:
            continue
        text = texts[i].strip() if i < len(texts) and texts[i].strip() else code
        parent, sub = text, None
        if "_" in code and " - " in text and not code.upper().endswith("_TEXT"):
            parent, sub = (part.strip() for part in text.rsplit(" - ", 1))
        questions.append(
            Question(
                index=i,
                code=code.strip(),
                text=parent,
                sub=sub,
                skip=code.upper().endswith(("_NPS_GROUP", "_CLICK", "_COUNT")),
            )
        )
    return Export(
        platform="qualtrics",
        questions=questions,
        roles=roles,
        rows=records[skip:],
        date_formats=("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M"),
    )
