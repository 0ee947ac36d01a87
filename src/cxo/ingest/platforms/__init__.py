"""Survey-platform exports (Qualtrics, SurveyMonkey, Typeform, Google Forms, LimeSurvey).

A CSV/TSV file imported as ``responses`` or ``ratings`` is first shown to every platform
reader (:mod:`.detect`); one that recognises its header rows parses the export, the
questions are classified (:mod:`.classify`: NPS/CSAT/CES by their German or English text
and scale, rating grids, free text) and the rows are served in contract columns
(:mod:`.convert`). Validation, quarantine and reconciliation run as for any file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from cxo.core.messages import msg
from cxo.errors import InputError
from cxo.ingest.detect import (
    _MARK_HANDLER,
    guess_encoding,
    prepare_text,
    sample_bytes,
)
from cxo.ingest.platforms import convert
from cxo.ingest.platforms.classify import Classified, classify
from cxo.ingest.platforms.detect import NAMES, recognise
from cxo.ingest.platforms.model import Export
from cxo.ingest.source import Progress, Source

__all__ = ["NAMES", "SurveyFile", "open_platform_source", "read_survey", "survey_name"]

TABLES = ("responses", "ratings")
HEAD_BYTES = 256 << 10
DELIMITERS = (",", "\t", ";")
VERSION = "platforms-1"
"""Part of the batch hash: a changed reader re-imports an unchanged file."""


class SurveyFile:
    """A recognised export: the parsed questions, their roles and the constants."""

    def __init__(
        self, path: Path, export: Export, cls: Classified, survey: str, touchpoint: str | None
    ) -> None:
        self.path, self.export, self.cls = path, export, cls
        self.survey, self.touchpoint = survey, touchpoint

    @property
    def platform(self) -> str:
        """The platform's display name."""
        return NAMES[self.export.platform]


def survey_name(path: Path) -> str:
    """The survey's name from the file name, without the export's date and time stamp."""
    stem = re.sub(r"[_ ]+[A-Z][a-z]+ \d{1,2}, \d{4}_\d{1,2}\.\d{2}$", "", path.stem)
    stem = re.sub(r"[_ -]*\(?(?:responses|antworten)\)?$", "", stem, flags=re.I)
    return stem.strip(" _-") or path.stem


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """``(first physical line, cells)`` of every record."""
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', strict=False)
    out: list[tuple[int, list[str]]] = []
    prev = 0
    try:
        for rec in reader:
            out.append((prev + 1, rec))
            prev = reader.line_num
    except csv.Error:
        pass
    return out


def _head_text(path: Path, encoding: str | None) -> str:
    raw = sample_bytes(path, HEAD_BYTES)
    enc = encoding or guess_encoding(raw)
    text = codecs.getincrementaldecoder(enc)(_MARK_HANDLER).decode(raw, final=False)
    return text.lstrip("\ufeff")


def _delimiter(head: str) -> str:
    """The separator that splits the first line into the most fields."""
    first = head.split("\n", 1)[0]

    def width(delimiter: str) -> int:
        found = _records(first, delimiter) if first else []
        return len(found[0][1]) if found else 0  # no record: a line csv cannot read

    return max(DELIMITERS, key=width)


def sniff(path: Path, encoding: str | None = None, delimiter: str | None = None) -> str | None:
    """The platform key when ``path`` is a survey-platform export, else None (cheap)."""
    try:
        head = _head_text(path, encoding)
    except (LookupError, UnicodeError, OSError):
        return None
    if not head.strip():
        return None
    delim = delimiter or _delimiter(head)
    records = _records(head, delim)[:4]
    if len(records) < 2:
        return None
    export = recognise(records)
    return export.platform if export is not None else None


def read_survey(
    path: Path,
    workdir: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    touchpoint: str | None = None,
    survey: str | None = None,
) -> tuple[SurveyFile, str] | None:
    """Parse and classify ``path``; None when no platform recognises it. Also its hash."""
    if sniff(path, encoding, delimiter) is None:
        return None
    tf = prepare_text(path, encoding, workdir)
    text = tf.path.read_text(encoding="utf-8-sig", errors="replace")
    delim = delimiter or _delimiter(text[:HEAD_BYTES])
    export = recognise(_records(text, delim))
    if export is None:
        return None
    cls = classify(export)
    name = survey or survey_name(path)
    digest = hashlib.sha256(
        f"{tf.file_hash}|{VERSION}|{name}|{touchpoint or ''}".encode()
    ).hexdigest()
    return SurveyFile(path, export, cls, name, touchpoint), digest


def open_platform_source(
    path: Path,
    table: str,
    workdir: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    touchpoint: str | None = None,
    survey: str | None = None,
) -> Source | None:
    """A :class:`Source` of ``table`` rows when ``path`` is a platform export, else None."""
    from cxo.core.contract import get_table

    if table not in TABLES:
        return None
    got = read_survey(
        path, workdir, encoding=encoding, delimiter=delimiter, touchpoint=touchpoint, survey=survey
    )
    if got is None:
        return None
    sf, digest = got
    if table == "responses":
        _require_touchpoint(sf)
    cls = sf.cls
    headers = list(get_table(table).column_names)
    notes = [
        msg(
            "platforms.note.recognised",
            platform=sf.platform,
            survey=sf.survey,
            nps=cls.nps.code if cls.nps else "–",
            csat=cls.csat.code if cls.csat else "–",
            ces=cls.ces.code if cls.ces else "–",
            ratings=len(cls.ratings),
            comments=len(cls.comments),
        )
    ]
    src = Source(
        name=str(path),
        headers=headers,
        file_hash=hashlib.sha256(f"{digest}|{table}".encode()).hexdigest(),
        raw_style="json",
        total=len(sf.export.rows),
        notes=notes,
    )

    def batches(progress: Progress) -> Iterator[pa.RecordBatch]:
        rows = (
            convert.response_rows(sf.export, cls, sf.survey, sf.touchpoint)
            if table == "responses"
            else convert.rating_rows(sf.export, cls, sf.survey)
        )
        return convert.batches(rows, len(headers), progress)

    src._batches = batches
    return src


def _require_touchpoint(sf: SurveyFile) -> None:
    """A survey export rarely names its touchpoint: ask for it in one clear sentence."""
    if sf.touchpoint or "touchpoint" in sf.cls.roles:
        return
    raise InputError(
        f"{sf.path}: this {sf.platform} export has no touchpoint column, and every response "
        "needs one; nothing was imported",
        hint="name it with --touchpoint KEY (a touchpoint key of the charter), or add a "
        "'touchpoint' column (e.g. embedded data) to the export",
    )
