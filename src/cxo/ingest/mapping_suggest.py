"""``cxo map suggest``: a first mapping proposed from a file's headers and sample values.

The proposal is data (:class:`Suggestion`); :mod:`cxo.report.mapping` writes it as YAML with
comments for a person to edit. Headers are matched against the contract's names and aliases
(exactly after folding case and punctuation, else fuzzily with :mod:`difflib`); each column's
type is detected from its first rows; a block of three or more small-integer columns that
match nothing is proposed as a wide rating block (``ratings.from_columns``); required
columns nothing fills are left as TODOs.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxo.core.contract import get_table, header_map, normalise_header
from cxo.ingest.readers import open_source

__all__ = ["ColumnGuess", "Suggestion", "detect_type", "suggest"]

SAMPLE_ROWS = 500
FUZZY_CUTOFF = 0.85
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d")
YES_NO = {"yes", "no", "ja", "nein", "true", "false", "y", "n"}


@dataclass
class ColumnGuess:
    """One source column: what it looks like and where it could go."""

    header: str
    type: str
    """``integer``, ``number``, ``date``, ``yes/no``, ``text`` or ``empty``."""
    examples: list[str]
    """Up to twelve distinct sample values, in order of appearance."""
    distinct: int
    low: float | None = None
    high: float | None = None
    date_format: str | None = None
    target: str | None = None
    """The contract column it fills."""
    how: str = ""
    """``name``, ``alias`` or ``fuzzy`` (``target`` set), else empty."""


@dataclass
class Suggestion:
    """A proposed mapping for ``table`` from the file ``source``."""

    table: str
    source: str
    columns: list[ColumnGuess]
    wide: list[ColumnGuess] = field(default_factory=list)
    scale: tuple[int, int] | None = None
    id_header: str | None = None
    missing: list[str] = field(default_factory=list)
    """Required contract columns nothing fills (left as TODO)."""
    hints: dict[str, str] = field(default_factory=dict)
    """contract column → a derive expression worth considering (tenure, churn flags)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        from dataclasses import asdict

        return asdict(self)


def _as_number(text: str) -> float | None:
    t = text.strip().replace("\u00a0", "")
    if re.fullmatch(r"[+-]?\d+,\d+", t):
        t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _date_format(values: list[str]) -> str | None:
    for fmt in DATE_FORMATS:
        ok = True
        for v in values:
            try:
                dt.datetime.strptime(v.strip()[:10] if fmt == "%Y-%m-%d" else v.strip(), fmt)
            except ValueError:
                ok = False
                break
        if ok:
            return fmt
    return None


def detect_type(values: list[str]) -> tuple[str, float | None, float | None, str | None]:
    """(type, lowest, highest, date format) of a column's non-empty sample values."""
    vals = [v for v in values if v is not None and v.strip()]
    if not vals:
        return "empty", None, None, None
    nums = [_as_number(v) for v in vals]
    if all(n is not None for n in nums):
        floats = [float(n) for n in nums if n is not None]
        kind = "integer" if all(f.is_integer() for f in floats) else "number"
        return kind, min(floats), max(floats), None
    if {v.strip().lower() for v in vals} <= YES_NO:
        return "yes/no", None, None, None
    fmt = _date_format(vals)
    if fmt is not None:
        return "date", None, None, fmt
    return "text", None, None, None


def _match(header: str, table: str) -> tuple[str | None, str]:
    spec = get_table(table)
    norm = normalise_header(header)
    if norm in {normalise_header(c) for c in spec.column_names}:
        return header_map(table)[norm], "name"
    aliases = header_map(table)
    if norm in aliases:
        return aliases[norm], "alias"
    if not norm:
        return None, ""
    close = difflib.get_close_matches(norm, list(aliases), n=1, cutoff=FUZZY_CUTOFF)
    if close:
        return aliases[close[0]], "fuzzy"
    return None, ""


def _sample(path: str | Path) -> tuple[str, list[str], list[list[str | None]]]:
    with tempfile.TemporaryDirectory(prefix="cxo-suggest-") as tmp:
        source = open_source(path, [], Path(tmp))
        rows: list[list[str | None]] = [[] for _ in source.headers]
        taken = 0
        for batch in source.batches():
            data = batch.to_pydict()
            n = min(batch.num_rows, SAMPLE_ROWS - taken)
            for i in range(len(source.headers)):
                rows[i].extend(data[f"c{i}"][:n])
            taken += n
            if taken >= SAMPLE_ROWS:
                break
        return source.name, source.headers, rows


def suggest(table: str, path: str | Path) -> Suggestion:
    """Propose a mapping of ``path`` onto contract table ``table``."""
    spec = get_table(table)
    name, headers, samples = _sample(path)
    guesses: list[ColumnGuess] = []
    used: set[str] = set()
    for header, values in zip(headers, samples, strict=True):
        texts = [v for v in values if v is not None and v.strip()]
        kind, low, high, fmt = detect_type(texts)
        guess = ColumnGuess(header, kind, list(dict.fromkeys(texts))[:12], len(set(texts)), low,
                            high, fmt)  # fmt: skip
        target, how = _match(header, table)
        if target is not None and target not in used:
            guess.target, guess.how = target, how
            used.add(target)
        guesses.append(guess)
    result = Suggestion(table, name, guesses)
    _wide_block(result, used)
    _hints(result, used)
    result.missing = [c for c in spec.required if c not in used and c not in result.hints]
    return result


def _wide_block(result: Suggestion, used: set[str]) -> None:
    """Three or more unmatched small-integer columns with one range: a rating block."""
    if result.table not in ("responses", "ratings"):
        return
    block = [
        g
        for g in result.columns
        if g.target is None
        and g.type == "integer"
        and g.low is not None
        and g.high is not None
        and g.low >= 0
        and g.high <= 10
        and g.distinct <= 11
    ]
    if len(block) < 3:
        return
    result.wide = block
    low = int(min(g.low or 0 for g in block))
    high = int(max(g.high or 0 for g in block))
    for lo_, hi_ in ((1, 5), (0, 5), (1, 7), (0, 10), (1, 10)):
        if lo_ <= low and high <= hi_:
            low, high = lo_, hi_
            break
    result.scale = (low, high)
    ident = next((g.header for g in result.columns if g.target == "response_id"), None)
    if ident is None:
        ident = next(
            (
                g.header
                for g in result.columns
                if normalise_header(g.header) in ("id", "responseid")
            ),
            None,
        )
    result.id_header = ident


def _hints(result: Suggestion, used: set[str]) -> None:
    """Derive expressions worth considering: tenure in months, a churn flag."""
    columns = set(get_table(result.table).column_names)
    for g in result.columns:
        norm = normalise_header(g.header)
        if g.target is not None:
            continue
        if "tenure" in norm or norm in ("months", "monate", "laufzeitmonate"):
            for target in ("signup_date", "start_date"):
                if target in columns and target not in used:
                    result.hints[target] = f"export_date - months({_name(g.header)})"
        if ("churn" in norm or "kuendig" in norm) and g.type == "yes/no":
            yes = next((e for e in g.examples if e.lower() in ("yes", "ja", "true", "y")), "Yes")
            for target in ("churn_date", "end_date"):
                if target in columns and target not in used:
                    result.hints[target] = f'if({_name(g.header)} == "{yes}", export_date, null)'


def _name(header: str) -> str:
    return header if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", header) else f'col("{header}")'
