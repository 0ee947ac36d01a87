"""Google Forms responses (Responses → Download responses (.csv), or the linked Sheet as CSV).

One header row: ``Timestamp`` (German: ``Zeitstempel``) first, ``Email Address`` when the
form collects it, then one column per question headed by its text; a grid question has one
column per row, headed ``Question [Row]``. There is no response id: cxo numbers the rows.
"""

from __future__ import annotations

import re

from cxo.ingest.platforms.model import Export, Question

TIMESTAMP = {"timestamp", "zeitstempel"}
META = TIMESTAMP | {"email address", "e-mail-adresse", "score", "punkte"}
GRID = re.compile(r"^(?P<text>.+?)\s*\[(?P<sub>[^\]]+)\]$")


def recognise(head: list[list[str]]) -> bool:
    """``Timestamp`` / ``Zeitstempel`` in the first column."""
    return bool(head[0]) and head[0][0].strip().lstrip("\ufeff").lower() in TIMESTAMP


def parse(records: list[tuple[int, list[str]]]) -> Export:
    """Question columns after the timestamp (and e-mail); grid rows split off."""
    header = records[0][1]
    questions: list[Question] = []
    for i, head in enumerate(header):
        if head.strip().lstrip("\ufeff").lower() in META:
            continue
        match = GRID.match(head.strip())
        text, sub = (match["text"], match["sub"].strip()) if match else (head.strip(), None)
        questions.append(Question(index=i, code=head.strip(), text=text, sub=sub))
    return Export(
        platform="google_forms",
        questions=questions,
        roles={"responded_at": 0},
        rows=records[1:],
        date_formats=(
            "%m/%d/%Y %H:%M:%S",
            "%Y/%m/%d %I:%M:%S %p",
            "%d.%m.%Y %H:%M:%S",
            "%d/%m/%Y %H:%M:%S",
        ),
    )
