"""Typeform CSV downloads (Results → Responses → Download all responses → CSV).

One header row: ``#`` (the response token) first, one column per question headed by the
question text (a matrix question: one column per row, ``Question - Row``), then hidden
fields, ``Start Date (UTC)``, ``Submit Date (UTC)`` (older exports: ``Submitted At``),
``Network ID`` and ``Tags``.
"""

from __future__ import annotations

from cxo.ingest.platforms.model import Export, Question

META = {
    "#",
    "start date (utc)",
    "submit date (utc)",
    "submitted at",
    "stage date (utc)",
    "network id",
    "tags",
    "ending",
}
ROLE_COLUMNS = {
    "#": "response_id",
    "submit date (utc)": "responded_at",
    "submitted at": "responded_at",
}


def recognise(head: list[list[str]]) -> bool:
    """``#`` first and a ``Submitted At`` / ``Submit Date (UTC)`` column."""
    row = [c.strip().lstrip("\ufeff").lower() for c in head[0]]
    return bool(row) and row[0] == "#" and ("submitted at" in row or "submit date (utc)" in row)


def parse(records: list[tuple[int, list[str]]]) -> Export:
    """Question columns between the token and the metadata."""
    header = records[0][1]
    questions: list[Question] = []
    roles: dict[str, int] = {}
    for i, head in enumerate(header):
        key = head.strip().lstrip("\ufeff").lower()
        if key in ROLE_COLUMNS:
            roles[ROLE_COLUMNS[key]] = i
        if key in META:
            continue
        text, sub = head.strip(), None
        if " - " in text:
            text, sub = (part.strip() for part in text.rsplit(" - ", 1))
        questions.append(Question(index=i, code=head.strip(), text=text, sub=sub))
    return Export(
        platform="typeform",
        questions=questions,
        roles=roles,
        rows=records[1:],
        date_formats=("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"),
    )
