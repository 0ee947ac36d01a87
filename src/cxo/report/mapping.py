"""Mappings in words: a :class:`~cxo.ingest.mapping_suggest.Suggestion` as commented YAML, and
the lines ``cxo map check`` prints.

The YAML is meant to be edited: matched columns are written out, everything a person must
decide (constants nothing in the file fills, derived dates, value maps onto charter keys) is
a commented ``TODO`` line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from cxo.core.contract import get_table
from cxo.report.messages import message

if TYPE_CHECKING:
    from cxo.ingest.batch import BatchResult
    from cxo.ingest.mapping_suggest import ColumnGuess, Suggestion

__all__ = ["check_line", "suggestion_yaml"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_ .()-]*[A-Za-z0-9_)]|[A-Za-z_]")
_YAML_WORDS = {"yes", "no", "y", "n", "true", "false", "on", "off", "null", "none"}
# Date formats the validator reads by itself (cxo.ingest.validate.DATE_FORMATS and ISO).
_READ_ANYWAY = {"%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%Y/%m/%d"}
_CHARTER_KINDS = {"touchpoint", "segment", "product"}


def q(text: str) -> str:
    """``text`` as a YAML scalar: plain where safe, else a JSON (= YAML) quoted string."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS and ": " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _type_word(g: ColumnGuess, lang: str) -> str:
    key = "yesno" if g.type == "yes/no" else g.type
    word = message(f"mapping.type.{key}", lang)
    if g.type in ("integer", "number") and g.low is not None and g.high is not None:
        word += f" {_num(g.low)}–{_num(g.high)}"
    if g.type == "date" and g.date_format:
        word += f" {g.date_format}"
    if g.type == "text":
        word += " · " + message("mapping.type.distinct", lang, n=g.distinct)
    return word


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _comment(text: str) -> str:
    return " ".join(text.split())


def suggestion_yaml(s: Suggestion, lang: str) -> str:
    """The proposal as YAML a person edits (comments in ``lang``)."""
    out = [
        "# " + message("mapping.suggest.head", lang, table=s.table, source=Path(s.source).name),
        "# " + message("mapping.suggest.columns", lang),
    ]
    for g in s.columns:
        examples = ", ".join(_comment(e)[:30] for e in g.examples[:3])
        out.append(f"#   {_comment(g.header)}: {_type_word(g, lang)} ({examples})")
    unused = [g.header for g in s.columns if g.target is None and g not in s.wide]
    if unused:
        out.append("# " + message("mapping.suggest.unused", lang, headers=", ".join(unused)))
    needs_export = any("export_date" in e for e in s.hints.values())
    out.append("let:")
    if needs_export:
        out.append(f"  # export_date: 2026-01-31  # {message('mapping.suggest.todo_let', lang)}")
    out.append("tables:")
    if s.table != "ratings" or not s.wide:
        out += _table_block(s, lang)
    if s.wide:
        out += _wide_block(s, lang)
    return "\n".join(out) + "\n"


def _table_block(s: Suggestion, lang: str) -> list[str]:
    spec = get_table(s.table)
    sections: dict[str, list[str]] = {
        k: [] for k in ("rename", "date_formats", "values", "constants", "derive")
    }
    for g in s.columns:
        if g.target is None or g.header == g.target:
            continue
        note = f"  # {message('mapping.suggest.fuzzy', lang)}" if g.how == "fuzzy" else ""
        sections["rename"].append(f"{q(g.header)}: {g.target}{note}")
    for g in s.columns:
        if g.target is None or g.date_format is None or g.date_format in _READ_ANYWAY:
            continue
        if spec.column(g.target).type in ("date", "timestamp"):
            sections["date_formats"].append(f"{g.target}: {json.dumps(g.date_format)}")
    for g in s.columns:
        if g.target is None or g.type != "text" or g.distinct > 12:
            continue
        col = spec.column(g.target)
        if col.charter_key in _CHARTER_KINDS:
            todo = message("mapping.suggest.todo_values", lang)
        elif col.type in ("integer", "number"):
            todo = message("mapping.suggest.todo_numbers", lang)
        else:
            continue
        pairs = ", ".join(f"{q(e)}: TODO" for e in g.examples)
        sections["values"].append(f"# {g.target}: {{{pairs}}}  # {todo}")
    todo = message("mapping.suggest.todo_constant", lang)
    sections["constants"] = [f"# {name}: TODO  # {todo}" for name in s.missing]
    todo_derive = message("mapping.suggest.todo_derive", lang)
    sections["derive"] = [f"# {n}: {expr}  # {todo_derive}" for n, expr in s.hints.items()]
    out = [f"  {s.table}:"]
    for key, lines in sections.items():
        if lines:
            out.append(f"    {key}:")
            out += [f"      {line}" for line in lines]
    return out


def _wide_block(s: Suggestion, lang: str) -> list[str]:
    out = [f"  ratings:  # {message('mapping.suggest.wide', lang)}", "    from_columns:"]
    for g in s.wide:
        attr = re.sub(r"[^a-z0-9]+", "_", g.header.lower()).strip("_") or "aspect"
        out.append(f"      {q(g.header)}: {attr}")
    if s.id_header is not None:
        out.append(f"    id: {_expr_name(s.id_header)}")
    else:
        out.append(f"    id: line  # {message('mapping.suggest.todo_id', lang)}")
    lo, hi = s.scale or (1, 5)
    out.append(f"    scale: [{lo}, {hi}]")
    return out


def _expr_name(header: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", header):
        return header
    return q(f"col({json.dumps(header)})")


def check_line(batch: BatchResult, lang: str) -> str:
    """``customers ← telco.csv: would import 14, quarantine 0 (read 14)``."""
    return message(
        "mapping.check.line",
        lang,
        table=batch.table,
        source=batch.source,
        read=batch.read,
        imported=batch.imported,
        quarantined=batch.quarantined,
    )
