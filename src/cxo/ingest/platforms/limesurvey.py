"""LimeSurvey CSV exports (Responses → Export → CSV; headings as question code or code & text).

One header row: ``id``, ``submitdate``, ``lastpage``, ``startlanguage``, ``seed``,
``startdate``, ``datestamp`` (plus ``token``, ``ipaddr``, ``refurl`` when recorded), then one
column per answer: ``Q1`` for a single question, ``Q2[SQ001]`` for an array row, ``Q3[other]``
or ``Q3[comment]`` for extra text. With "question code & question text" headings a header
reads ``Q2[SQ001]. How satisfied … [Price]``; with "full question text" just the text.
"""

from __future__ import annotations

import re

from cxo.ingest.platforms.model import Export, Question

META = {
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "startdate",
    "datestamp",
    "token",
    "ipaddr",
    "refurl",
    "interviewtime",
}
ROLE_COLUMNS = {
    "id": "response_id",
    "submitdate": "responded_at",
    "startlanguage": "language",
    "token": "customer_id",
}
HEADING = re.compile(
    r"^(?P<code>[A-Za-z][A-Za-z0-9_]*)(?:\[(?P<subcode>[^\]]+)\])?"
    r"(?:\.\s*(?P<text>.*?))?\s*$",
    re.S,
)
SUB_TEXT = re.compile(r"^(?P<text>.+?)\s*\[(?P<sub>[^\]]+)\]$", re.S)


def recognise(head: list[list[str]]) -> bool:
    """``id`` and ``submitdate`` among the headers, with ``startlanguage`` or ``lastpage``."""
    row = {c.strip().lstrip("\ufeff").lower() for c in head[0]}
    return {"id", "submitdate"} <= row and bool({"startlanguage", "lastpage"} & row)


def parse(records: list[tuple[int, list[str]]]) -> Export:
    """Codes, sub-question codes and (when exported) question texts from the headings."""
    header = records[0][1]
    questions: list[Question] = []
    roles: dict[str, int] = {}
    for i, head in enumerate(header):
        key = head.strip().lstrip("\ufeff").lower()
        if key in ROLE_COLUMNS:
            roles[ROLE_COLUMNS[key]] = i
        if key in META:
            continue
        match = HEADING.match(head.strip())
        if not match:
            questions.append(Question(index=i, code=head.strip(), text=head.strip()))
            continue
        code, subcode, text = match["code"], match["subcode"], (match["text"] or "").strip()
        sub: str | None = subcode
        if text:
            split = SUB_TEXT.match(text)
            if split and subcode:
                text, sub = split["text"], split["sub"].strip()
        elif not subcode:
            text = code
        questions.append(
            Question(
                index=i,
                code=f"{code}[{subcode}]" if subcode else code,
                text=text or code,
                sub=sub,
            )
        )
    return Export(
        platform="limesurvey",
        questions=questions,
        roles=roles,
        rows=records[1:],
        date_formats=("%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M"),
    )
