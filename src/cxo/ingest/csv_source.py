"""CSV, TSV, semicolon and pipe files: Arrow's streaming reader, Python's csv as fallback.

Arrow reads fast but cannot skip a row it cannot parse; when it fails the whole file is
re-read with Python's csv module (:class:`CsvFallback`), which reports exact line numbers.
Rows with the wrong number of fields become reader-level reasons (``__err``).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from cxo.core.messages import msg
from cxo.errors import InputError
from cxo.ingest.detect import prepare_text, read_header, read_sample_text, sniff_delimiter
from cxo.ingest.source import BATCH_ROWS, Progress, Source, col_names, make_batch

CSV_BLOCK_BYTES = 8 << 20


def open_csv_source(
    path: Path,
    known_headers: Sequence[str],
    workdir: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Source:
    """Sniff and prepare a CSV (or TSV/semicolon/pipe) file."""
    tf = prepare_text(path, encoding, workdir)
    sample = read_sample_text(tf)
    if not sample.strip():
        raise InputError(f"{path}: the file is empty (expected a header line)")
    delim = delimiter or sniff_delimiter(sample, known_headers)
    headers = read_header(sample, delim)
    notes = [
        msg("ingest.note.encoding", encoding=tf.encoding),
        msg("ingest.note.separator", separator=_show_delim(delim)),
    ]
    if tf.marked:
        notes.append(msg("ingest.note.bad_bytes", encoding=tf.encoding))
    src = Source(
        name=str(path),
        headers=headers,
        file_hash=tf.file_hash,
        raw_style="csv",
        delimiter=delim,
        marked=tf.marked,
        total=tf.path.stat().st_size,
        total_is_bytes=True,
        notes=notes,
        encoding=tf.encoding,
        fallback_path=tf.path,
    )
    src._batches = lambda progress: (
        python_csv_batches(tf.path, len(headers), delim, progress)
        if src.use_python_csv
        else _csv_batches(tf.path, len(headers), delim, progress)
    )
    return src


def _show_delim(delim: str) -> str:
    return {"\t": "TAB", ",": "','", ";": "';'", "|": "'|'"}.get(delim, repr(delim))


def _csv_batches(
    path: Path, ncols: int, delim: str, progress: Progress
) -> Iterator[pa.RecordBatch]:
    """Arrow's streaming CSV reader; on a parse error Arrow cannot skip, Python's csv module.

    Callers must discard batches already received when :class:`CsvFallback` is raised.
    """
    try:
        yield from _arrow_csv_batches(path, ncols, delim, progress)
    except pa.ArrowInvalid as exc:
        raise CsvFallback(str(exc)) from exc


class CsvFallback(Exception):
    """Arrow could not parse the file; re-read it with :func:`python_csv_batches`."""


def _open_arrow_csv(
    path: Path, names: list[str], delim: str, on_invalid: Callable[[Any], str]
) -> Any:
    """Arrow's streaming CSV reader: every column a string, invalid rows to ``on_invalid``."""
    import pyarrow.csv as pcsv

    return pcsv.open_csv(
        path,
        read_options=pcsv.ReadOptions(
            column_names=names, block_size=CSV_BLOCK_BYTES, use_threads=False
        ),
        parse_options=pcsv.ParseOptions(
            delimiter=delim,
            quote_char='"',
            double_quote=True,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _arrow_csv_batches(
    path: Path, ncols: int, delim: str, progress: Progress
) -> Iterator[pa.RecordBatch]:
    import pyarrow.compute as pc

    names = col_names(ncols)
    invalid: list[tuple[int | None, str]] = []

    def on_invalid(row: Any) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    reader = _open_arrow_csv(path, names, delim, on_invalid)
    # Records are numbered from 1 (the header). A record's line is its number plus the
    # newlines embedded in quoted values of all records before it.
    valid_seen = 0  # valid records seen, header included
    nl_valid_total = 0  # embedded newlines in valid records seen
    known = 0  # invalid records already registered below
    inv_numbers: list[int] = []  # record numbers of invalid records (in file order)
    inv_nl: list[int] = []
    emitted: list[bool] = []
    header_dropped = False

    def register() -> tuple[np.ndarray, np.ndarray]:
        nonlocal known
        for num, text in invalid[known:]:
            inv_numbers.append(num if num is not None else -1)
            inv_nl.append(text.count("\n"))
            emitted.append(False)
        known = len(invalid)
        nums = np.asarray([m for m in inv_numbers if m >= 0], dtype=np.int64)
        nls = np.asarray([c for m, c in zip(inv_numbers, inv_nl, strict=True) if m >= 0])
        return nums, np.concatenate([[0], np.cumsum(nls, dtype=np.int64)])

    def inv_line(m: int, valid_nl_before: int, nums: np.ndarray, cum: np.ndarray) -> int | None:
        if m < 0:
            return None
        return m + valid_nl_before + int(cum[np.searchsorted(nums, m, side="left")])

    for batch in reader:
        n = batch.num_rows
        progress(batch.nbytes)
        nums, cum = register()
        nl = np.zeros(n, dtype=np.int64)
        for col in batch.columns:
            if _may_hold_newline(col):
                nl += pc.count_substring(col, "\n").to_numpy(zero_copy_only=False)
        a = nums - np.arange(len(nums))
        j = np.arange(valid_seen + 1, valid_seen + n + 1, dtype=np.int64)
        records = j + np.searchsorted(a, j, side="right")
        nl_before = nl_valid_total + np.concatenate([[0], np.cumsum(nl)[:-1]])
        lines = records + nl_before + cum[np.searchsorted(nums, records, side="left")]
        valid_seen += n
        nl_valid_total += int(nl.sum())
        cols = list(batch.columns)
        if not header_dropped and n:
            header_dropped = True
            if records[0] == 1:  # the header parsed as a valid record
                cols = [c.slice(1) for c in cols]
                lines = lines[1:]
        if len(lines):
            yield make_batch(cols, pa.array(lines, pa.int64()))
        last = int(records[-1]) if n else 0
        ready = [
            k for k, m in enumerate(inv_numbers) if not emitted[k] and 0 < m <= last and m != 1
        ]
        if ready:
            out = []
            for k in ready:
                m = inv_numbers[k]
                valid_nl_before = nl_valid_total - int(nl[records > m].sum())
                out.append((invalid[k][1], inv_line(m, valid_nl_before, nums, cum)))
                emitted[k] = True
            yield _invalid_batch(out, ncols, delim)
    nums, cum = register()
    rest = [k for k in range(len(inv_numbers)) if not emitted[k] and inv_numbers[k] != 1]
    if rest:
        yield _invalid_batch(
            [(invalid[k][1], inv_line(inv_numbers[k], nl_valid_total, nums, cum)) for k in rest],
            ncols,
            delim,
        )


def _may_hold_newline(column: pa.Array) -> bool:
    """Whether a string column's data buffer holds a newline (a memory-speed scan)."""
    data = column.buffers()[2]
    return data is not None and bool(np.any(np.frombuffer(data, dtype=np.uint8) == 10))


def _invalid_batch(rows: list[tuple[str, int | None]], ncols: int, delim: str) -> pa.RecordBatch:
    errs: list[str | None] = []
    for text, _line in rows:
        try:
            nfields = len(next(csv.reader([text], delimiter=delim, quotechar='"')))
        except (csv.Error, StopIteration):
            nfields = 0
        errs.append(f"row has {nfields} fields, the header has {ncols}")
    raws: list[str | None] = [text for text, _line in rows]
    empty: list[str | None] = [None] * len(rows)
    return make_batch([empty] * ncols, [line for _t, line in rows], errs, raws)


def python_csv_batches(
    path: Path, ncols: int, delim: str, progress: Progress
) -> Iterator[pa.RecordBatch]:
    """Slow, forgiving path: Python's csv module with exact physical line numbers."""
    csv.field_size_limit(sys.maxsize)
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delim, quotechar='"', strict=False)
        cols: list[list[str | None]] = [[] for _ in range(ncols)]
        lines: list[int | None] = []
        errs: list[str | None] = []
        raws: list[str | None] = []
        prev_end = 0
        header_done = False
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                start = prev_end + 1
                prev_end = reader.line_num
                lines.append(start)
                errs.append(f"unreadable CSV row: {exc}")
                raws.append(None)
                for c in cols:
                    c.append(None)
                continue
            start = prev_end + 1
            prev_end = reader.line_num
            if not header_done:
                header_done = True
                continue
            progress(1)
            if len(rec) == ncols:
                for c, v in zip(cols, rec, strict=True):
                    c.append(v)
                errs.append(None)
                raws.append(None)
            elif not rec:  # blank line
                for c in cols:
                    c.append("")
                errs.append(None)
                raws.append(None)
            else:
                for c in cols:
                    c.append(None)
                errs.append(f"row has {len(rec)} fields, the header has {ncols}")
                raws.append(delim.join(rec))
            lines.append(start)
            if len(lines) >= BATCH_ROWS:
                yield make_batch(cols, lines, errs, raws)
                cols = [[] for _ in range(ncols)]
                lines, errs, raws = [], [], []
        if lines:
            yield make_batch(cols, lines, errs, raws)
