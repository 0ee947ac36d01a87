"""The wording of quarantine reasons as stored, and how to read it back as messages.

The ``quarantine`` table keeps each reason in English — one stable, searchable wording for
scripts (``where reason like '%not a date%'``). The validation query, the readers and the
batch checks write that wording; :data:`REASONS` lists every template of it. :func:`parse`
splits a stored reason (several are joined with ``"; "``) into :class:`~cxo.core.messages.Message`
parts keyed ``ingest.reason.<name>`` with the values as they were stored, so the renderer
(:mod:`cxo.report.ingest`) shows it in the reader's language; quoted cell values stay
verbatim, and text no template matches passes through unchanged.
"""

from __future__ import annotations

import functools
import re
import string

from cxo.core.messages import Message

REASONS: dict[str, str] = {
    "bad_bytes_marked": "{field}: bytes that are not valid {encoding} (shown as {mark}NN)",
    "required": "{field}: required value is empty",
    "not_whole_number": "{field}: {value} is not a whole number",
    "not_number": "{field}: {value} is not a number",
    "not_date": "{field}: {value} is not a date (expected dd.mm.yyyy, dd.mm.yy or yyyy-mm-dd)",
    "not_timestamp": "{field}: {value} is not a date/time "
    "(expected dd.mm.yyyy [hh:mm[:ss]] or yyyy-mm-dd[Thh:mm:ss])",
    "not_boolean": "{field}: {value} is not a yes/no value ({words})",
    "outside_years": "{field}: {value} is outside the years {first}–{last}",
    "out_of_range": "{field}: {value} is out of range {low}–{high}",
    "below_minimum": "{field}: {value} is out of minimum {low}",
    "above_maximum": "{field}: {value} is out of maximum {high}",
    "not_allowed": "{field}: {value} is not one of {allowed}",
    "unknown_key": "{field}: unknown {kind} {value} "
    "(not in the charter; add it or an alias under aliases.{kind})",
    "not_found": "{field}: {value} not found in table {table}",
    "duplicate_key": "duplicate key {key} (first seen on line {line})",
    "field_count": "row has {fields} fields, the header has {header}",
    "unreadable_csv": "unreadable CSV row: {error}",
    "invalid_json": "invalid JSON: {error}",
    "not_an_object": "expected a JSON object, got {type}",
    "bad_bytes": "bytes not valid in encoding {encoding}",
    "date_format": "{field}: {value} does not match the date format {format}",
    "outside_scale": "{field}: {value} is outside the scale {low}–{high}",
    "needs_whole_number": "{field}: {function}() needs a whole number, not {value}",
    "too_long": "{field}: a value of {chars} characters is longer than the limit of {limit}",
}
"""Reason name → its stored English template (the catalogue key is ``ingest.reason.<name>``)."""

_PATTERNS = {
    "field": r"[\w.]+",
    "value": r"'.*?'",
    "first": r"\d+",
    "last": r"\d+",
    "low": r"[-\d.]+",
    "high": r"[-\d.]+",
    "allowed": r"[\w, \-]+",
    "words": r"[^)]*",
    "kind": r"\w+",
    "table": r"\w+",
    "type": r"\w+",
    "key": r".+?",
    "line": r"[\d?]+",
    "fields": r"\d+",
    "header": r"\d+",
    "encoding": r"[\w-]+",
    "mark": r".+?",
    "error": r".+",
    "format": r"\S+",
    "function": r"\w+",
    "chars": r"\d+",
    "limit": r"\d+",
}


def _regex(name: str, template: str) -> str:
    """``template`` as a regex with named groups ``<name>__<placeholder>``."""
    out: list[str] = []
    seen: set[str] = set()
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if field is None:
            continue
        group = f"{name}__{field}"
        if field in seen:
            out.append(f"(?P={group})")
        else:
            out.append(f"(?P<{group}>{_PATTERNS[field]})")
            seen.add(field)
    return "".join(out)


@functools.cache
def _grammar() -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{n}>{_regex(n, t)})" for n, t in REASONS.items()))


def _message(match: re.Match[str]) -> Message:
    name = match.lastgroup
    assert name is not None
    prefix = name + "__"
    params = {
        k.removeprefix(prefix): v
        for k, v in match.groupdict().items()
        if k.startswith(prefix) and v is not None
    }
    return Message(f"ingest.reason.{name}", params)


def parse(reason: str) -> list[Message | str]:
    """A stored reason as message parts and verbatim text, in order.

    >>> parse("nps: '11' is out of range 0–10; row has 3 fields, the header has 4")[1]
    '; '
    """
    parts: list[Message | str] = []
    pos = 0
    for match in _grammar().finditer(reason):
        if match.start() > pos:
            parts.append(reason[pos : match.start()])
        parts.append(_message(match))
        pos = match.end()
    if pos < len(reason):
        parts.append(reason[pos:])
    return parts
