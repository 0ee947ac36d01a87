"""A mapping applied to a source: a new :class:`~cxo.ingest.source.Source` of contract columns.

The mapped source streams staging batches whose headers are the contract columns of one
table, so the ordinary validation (:mod:`cxo.ingest.load`) checks every mapped row. Each
mapped row keeps the source line and the source row's original text (for the quarantine);
a value the mapping cannot produce (an expression failing, a date not in its format) makes
the row a reader-level reject whose reason names the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from cxo.core.contract import get_table, header_map, normalise_header
from cxo.errors import InputError
from cxo.ingest.mapping import WIDE_COLUMNS, Mapping, TableMap
from cxo.ingest.mapping_expr import ExpressionError, evaluate
from cxo.ingest.source import Progress, Source, make_batch

__all__ = ["map_source", "resolve_headers", "to_text"]

Mapped = tuple[list[str | None], str | None]
"""One mapped row: its values and, when the mapping could not produce them, the reason."""

LINE = "line"
"""The source line number, a name every expression can read."""


def to_text(value: Any) -> str | None:
    """A mapped value as the text the staging table holds."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def resolve_headers(headers: list[str], names: set[str]) -> tuple[dict[str, int], list[str]]:
    """name → column index (exact header first, then case/space/punctuation-insensitive),
    and the names not found."""
    exact = {h: i for i, h in enumerate(headers) if h}
    folded: dict[str, int] = {}
    for i, h in enumerate(headers):
        if h:
            folded.setdefault(normalise_header(h), i)
    found: dict[str, int] = {}
    missing: list[str] = []
    for name in sorted(names):
        if name in exact:
            found[name] = exact[name]
        elif normalise_header(name) in folded:
            found[name] = folded[normalise_header(name)]
        else:
            missing.append(name)
    return found, missing


class _Plan:
    """What to compute for each contract column of one table."""

    def __init__(self, base: Source, mapping: Mapping, tmap: TableMap) -> None:
        self.mapping, self.tmap = mapping, tmap
        spec = get_table(tmap.table)
        needed = tmap.source_names() - set(mapping.let) - {LINE}
        self.index, missing = resolve_headers(base.headers, needed)
        if missing:
            raise InputError(
                f"{base.name}: line 1: column {missing[0]!r} named in mapping "
                f"{mapping.name} (table {tmap.table}) is not in the file"
                + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else "")
                + "; nothing was imported",
                hint=f"headers found: {', '.join(base.headers) or '(none)'}",
            )
        if tmap.wide is not None:
            self.columns = list(WIDE_COLUMNS)
            self.wide_index = [(self.index[h], attr) for h, attr in tmap.wide.columns.items()]
            return
        # contract column → source index, from rename or the contract's header aliases
        taken: dict[str, int] = {c: self.index[h] for c, h in tmap.rename.items()}
        aliases = header_map(tmap.table)
        renamed_sources = set(taken.values())
        for i, h in enumerate(base.headers):
            canon = aliases.get(normalise_header(h)) if h else None
            if canon is not None and canon not in taken and i not in renamed_sources:
                taken[canon] = i
        produced = set(taken) | set(tmap.constants) | set(tmap.derive)
        self.columns = [c for c in spec.column_names if c in produced]
        self.from_source = taken
        missing_required = [c for c in spec.required if c not in produced]
        if missing_required:
            raise InputError(
                f"{base.name}: line 1: required column `{missing_required[0]}` of table "
                f"`{tmap.table}` is filled by nothing: no header matches it and mapping "
                f"{mapping.name} has no rename, constant or derive for it"
                + (f" (also: {', '.join(missing_required[1:])})" if missing_required[1:] else "")
                + "; nothing was imported",
                hint=f"headers found: {', '.join(base.headers) or '(none)'}",
            )

    def env(self, row: list[str | None], line: int | None) -> dict[str, Any]:
        env: dict[str, Any] = dict(self.mapping.let)
        env[LINE] = line
        for name, i in self.index.items():
            if name not in self.mapping.let:
                env[name] = row[i]
        return env

    def row(self, row: list[str | None], line: int | None) -> list[Mapped]:
        """The mapped rows (one, or one per rated aspect) of one source row."""
        tmap = self.tmap
        if tmap.wide is not None:
            return self._wide(row, line)
        env = self.env(row, line)
        out: list[str | None] = []
        for col in self.columns:
            try:
                if col in tmap.derive:
                    value: Any = evaluate(tmap.derive[col], env)
                elif col in tmap.constants:
                    value = tmap.constants[col]
                else:
                    value = row[self.from_source[col]]
                out.append(self._finish(col, value))
            except ExpressionError as exc:
                raise _RowError(f"{col}: {exc}") from None
        return [(out, None)]

    def _finish(self, col: str, value: Any) -> str | None:
        tmap = self.tmap
        if isinstance(value, str):
            value = value.strip() or None
        if col in tmap.values and value is not None:
            vmap = tmap.values[col]
            key = to_text(value) or ""
            if key in vmap:
                value = vmap[key]
            else:
                low = {k.lower(): v for k, v in vmap.items()}
                value = low.get(key.lower(), value)
        if col in tmap.date_formats and isinstance(value, str):
            fmt = tmap.date_formats[col]
            try:
                value = dt.datetime.strptime(value, fmt)
            except ValueError:
                raise ExpressionError(f"'{value}' does not match the date format {fmt}") from None
            if get_table(tmap.table).column(col).type == "date":
                value = value.date()
        return to_text(value)

    def _wide(self, row: list[str | None], line: int | None) -> list[Mapped]:
        wide = self.tmap.wide
        assert wide is not None
        try:
            rid = to_text(evaluate(wide.id, self.env(row, line)))
        except ExpressionError as exc:
            raise _RowError(f"response_id: {exc}") from None
        lo, hi = (to_text(s) for s in wide.scale)
        out: list[Mapped] = []
        for i, attr in self.wide_index:
            raw = row[i]
            if raw is None or not raw.strip():
                continue  # not rated
            err: str | None = None
            try:
                score = self._finish("score", raw)
            except ExpressionError as exc:
                score, err = None, f"{attr}: {exc}"
            num = _score(score)
            if num is not None and not wide.scale[0] <= num <= wide.scale[1]:
                err = f"{attr}: '{raw.strip()}' is outside the scale {lo}–{hi}"
            out.append(([rid, attr, score, lo, hi], err))
        return out


def _score(text: str | None) -> float | None:
    """The score as a number where it is one (the validator reports the others)."""
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


class _RowError(Exception):
    """One source row the mapping cannot turn into contract values."""


def _raw_text(base: Source, row: list[str | None]) -> str:
    if base.raw_style == "csv":
        buf = io.StringIO()
        csv.writer(buf, delimiter=base.delimiter, lineterminator="").writerow(
            ["" if v is None else v for v in row]
        )
        return buf.getvalue()
    pairs = {
        h or f"column {i + 1}": v for i, (h, v) in enumerate(zip(base.headers, row, strict=False))
    }
    return json.dumps(pairs, ensure_ascii=False)


def map_source(base: Source, mapping: Mapping, table: str, file_hash: str | None) -> Source:
    """``base`` seen through ``mapping``'s rules for ``table``."""
    plan = _Plan(base, mapping, mapping.tables[table])
    ncols = len(plan.columns)

    def batches(progress: Progress) -> Iterator[pa.RecordBatch]:
        base.use_python_csv = mapped.use_python_csv
        nbase = len(base.headers)
        for batch in base.batches(progress):
            data = batch.to_pydict()
            src_cols = [data[f"c{i}"] for i in range(nbase)]
            lines, errs, raws = data["__line"], data["__err"], data["__raw"]
            cols: list[list[str | None]] = [[] for _ in range(ncols)]
            out_lines: list[int | None] = []
            out_errs: list[str | None] = []
            out_raws: list[str | None] = []
            for r in range(batch.num_rows):
                row = [c[r] for c in src_cols]
                if all(v is None or v == "" for v in row) and errs[r] is None:
                    continue  # an empty source row is no row
                raw = raws[r] if raws[r] is not None else _raw_text(base, row)
                err = errs[r]
                produced: list[Mapped] = []
                if err is None:
                    try:
                        produced = plan.row(row, lines[r])
                    except _RowError as exc:
                        err = str(exc)
                if err is not None:
                    produced = [([None] * ncols, err)]
                for values, row_err in produced:
                    for c, v in zip(cols, values, strict=True):
                        c.append(v)
                    out_lines.append(lines[r])
                    out_errs.append(row_err)
                    out_raws.append(raw)
            yield make_batch(cols, out_lines, out_errs, out_raws)

    mapped = Source(
        name=base.name,
        headers=plan.columns,
        file_hash=file_hash,
        raw_style="json",
        total=base.total,
        total_is_bytes=base.total_is_bytes,
        notes=list(base.notes),
        encoding=base.encoding,
        marked=base.marked,
        _batches=batches,
        rereadable=base.rereadable,
        fallback_path=base.fallback_path,
        hash_after_read=base.hash_after_read,
    )
    return mapped
