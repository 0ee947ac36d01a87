"""A classified export as rows of ``responses`` or ``ratings``, served as a :class:`Source`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyarrow as pa

from cxo.core.contract import LANGUAGES, get_table
from cxo.ingest.platforms.classify import NOT_APPLICABLE, Classified, value_of
from cxo.ingest.platforms.model import Export
from cxo.ingest.source import BATCH_ROWS, Progress, make_batch

Row = tuple[int, list[str | None]]


def _cell(cells: list[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    text = cells[index].strip()
    return text or None


def _date(text: str | None, formats: tuple[str, ...]) -> str | None:
    """A platform's date as ISO text (unknown formats pass on for validation to judge)."""
    if text is None:
        return None
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).isoformat(sep=" ")
        except ValueError:
            continue
    return text


def _score(text: str | None) -> str | None:
    """A rating answer as a number; answers that are no rating pass on unchanged."""
    if text is None or text.lower() in NOT_APPLICABLE:
        return None
    parsed = value_of(text)
    if parsed is None:
        return text
    value = parsed[0]
    return str(int(value)) if value.is_integer() else str(value)


def _language(text: str | None) -> str | None:
    if text is None:
        return None
    code = text.strip().lower()[:2]
    return code if code in LANGUAGES else None


def response_id(export: Export, cls: Classified, survey: str, cells: list[str], n: int) -> str:
    """The platform's id, or (Google Forms has none) the survey name and row number."""
    return _cell(cells, cls.roles.get("response_id")) or f"{survey}-{n}"


def response_rows(
    export: Export, cls: Classified, survey: str, touchpoint: str | None
) -> Iterator[Row]:
    """One ``responses`` row per answered survey, in contract column order."""
    for n, (line, cells) in enumerate(export.rows, start=1):
        if not any(c.strip() for c in cells):
            continue
        comments = [_cell(cells, q.index) for q in cls.comments]
        values = {
            "response_id": response_id(export, cls, survey, cells, n),
            "customer_id": _cell(cells, cls.roles.get("customer_id")),
            "survey": survey,
            "touchpoint": _cell(cells, cls.roles.get("touchpoint")) or touchpoint,
            "channel": _cell(cells, cls.roles.get("channel")),
            "responded_at": _date(_cell(cells, cls.roles.get("responded_at")), export.date_formats),
            "nps": _score(_cell(cells, cls.nps.index if cls.nps else None)),
            "csat": _score(_cell(cells, cls.csat.index if cls.csat else None)),
            "ces": _score(_cell(cells, cls.ces.index if cls.ces else None)),
            "comment": "\n".join(c for c in comments if c) or None,
            "language": _language(_cell(cells, cls.roles.get("language"))),
        }
        yield line, [values[c] for c in get_table("responses").column_names]


def rating_rows(export: Export, cls: Classified, survey: str) -> Iterator[Row]:
    """One ``ratings`` row per answered rating item (unanswered items give no row)."""
    for n, (line, cells) in enumerate(export.rows, start=1):
        if not any(c.strip() for c in cells):
            continue
        rid = response_id(export, cls, survey, cells, n)
        for rating in cls.ratings:
            score = _score(_cell(cells, rating.question.index))
            if score is None:
                continue
            values = {
                "response_id": rid,
                "attribute": rating.attribute,
                "score": score,
                "scale_min": _number(rating.scale_min),
                "scale_max": _number(rating.scale_max),
            }
            yield line, [values[c] for c in get_table("ratings").column_names]


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def batches(rows: Iterator[Row], ncols: int, progress: Progress) -> Iterator[pa.RecordBatch]:
    """Rows as staging batches."""
    cols: list[list[str | None]] = [[] for _ in range(ncols)]
    lines: list[int | None] = []
    for line, values in rows:
        for col, value in zip(cols, values, strict=True):
            col.append(value)
        lines.append(line)
        if len(lines) >= BATCH_ROWS:
            progress(len(lines))
            yield make_batch(cols, lines)
            cols, lines = [[] for _ in range(ncols)], []
    if lines:
        progress(len(lines))
        yield make_batch(cols, lines)
