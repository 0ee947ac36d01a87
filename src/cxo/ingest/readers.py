"""Readers: every source becomes a stream of all-string Arrow batches.

A batch has one string column per source column (``c0``, ``c1``, … in the source's order,
named after :attr:`Source.headers`) plus ``__line`` (the line a person would point at: in a
CSV the header is line 1; in XLSX the sheet row; in JSON lines the physical line; in Parquet
and SQL results the row number), ``__err`` (a reader-level reason, e.g. a CSV row with the
wrong number of fields or invalid JSON) and ``__raw`` (the row's original text where the
reader has it). Typing and validation happen later, vectorised, in DuckDB.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import hashlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from cxo.errors import InputError
from cxo.ingest.detect import (
    BAD_BYTES_MARK,
    prepare_text,
    read_header,
    read_sample_text,
    sniff_delimiter,
)

BATCH_ROWS = 65_536
CSV_BLOCK_BYTES = 8 << 20
META = ("__line", "__err", "__raw")
Progress = Callable[[int], None]
"""Called with the number of newly consumed units (bytes or rows, see ``Source.total``)."""


def col_names(n: int) -> list[str]:
    """Positional staging column names ``c0 … c{n-1}``."""
    return [f"c{i}" for i in range(n)]


def make_batch(
    columns: Sequence[pa.Array | list[str | None]],
    lines: pa.Array | list[int | None],
    errs: pa.Array | list[str | None] | None = None,
    raws: pa.Array | list[str | None] | None = None,
) -> pa.RecordBatch:
    """Assemble a staging batch."""
    n = len(lines)
    arrays: list[pa.Array] = [
        c if isinstance(c, pa.Array) else pa.array(c, pa.string()) for c in columns
    ]
    arrays.append(lines if isinstance(lines, pa.Array) else pa.array(lines, pa.int64()))
    for extra in (errs, raws):
        if extra is None:
            arrays.append(pa.nulls(n, pa.string()))
        else:
            arrays.append(extra if isinstance(extra, pa.Array) else pa.array(extra, pa.string()))
    return pa.RecordBatch.from_arrays(arrays, names=[*col_names(len(columns)), *META])


@dataclass
class Source:
    """A readable source: its headers, hash, how to show a raw row, and its batches."""

    name: str
    headers: list[str]
    file_hash: str | None
    raw_style: str = "json"
    """``csv`` (rebuild a row with :attr:`delimiter`) or ``json`` (an object of headers)."""
    delimiter: str = ","
    marked: bool = False
    total: int | None = None
    notes: list[str] = field(default_factory=list)
    _batches: Callable[[Progress], Iterator[pa.RecordBatch]] | None = None
    rereadable: bool = True
    """Whether :meth:`batches` can be called again (files yes, query results no)."""
    use_python_csv: bool = False
    """Set after Arrow failed on this CSV: read it with Python's csv module instead."""
    fallback_path: Path | None = None
    """For CSV: the UTF-8 file Python's csv module re-reads when Arrow cannot parse it."""
    hash_after_read: Callable[[], str] | None = None
    """For sources hashed while streaming (SQL): the hash, valid once batches are consumed."""

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        """Stream the staging batches."""
        assert self._batches is not None
        return self._batches(progress or (lambda _n: None))


# --- CSV -------------------------------------------------------------------------------------


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
    notes = [f"encoding {tf.encoding}", f"separator {_show_delim(delim)}"]
    if tf.marked:
        notes.append(f"some bytes are not valid {tf.encoding}; their rows go to quarantine")
    src = Source(
        name=str(path),
        headers=headers,
        file_hash=tf.file_hash,
        raw_style="csv",
        delimiter=delim,
        marked=tf.marked,
        total=tf.path.stat().st_size,
        notes=notes,
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


def _arrow_csv_batches(
    path: Path, ncols: int, delim: str, progress: Progress
) -> Iterator[pa.RecordBatch]:
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names = col_names(ncols)
    invalid: list[tuple[int | None, str]] = []

    def on_invalid(row: Any) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    reader = pcsv.open_csv(
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


# --- values from typed sources ----------------------------------------------------------------


def to_text(value: Any) -> str | None:
    """A typed cell (XLSX, SQL, JSON) as the text a CSV would hold."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _rows_to_batches(
    rows: Iterator[tuple[int, Sequence[Any]]], ncols: int, progress: Progress
) -> Iterator[pa.RecordBatch]:
    """Group ``(line, values)`` rows into staging batches (values padded/cut to ``ncols``)."""
    cols: list[list[str | None]] = [[] for _ in range(ncols)]
    lines: list[int | None] = []
    for line, values in rows:
        vals = list(values[:ncols]) + [None] * (ncols - len(values))
        for c, v in zip(cols, vals, strict=True):
            c.append(to_text(v))
        lines.append(line)
        if len(lines) >= BATCH_ROWS:
            progress(len(lines))
            yield make_batch(cols, lines)
            cols = [[] for _ in range(ncols)]
            lines = []
    if lines:
        progress(len(lines))
        yield make_batch(cols, lines)


# --- XLSX ------------------------------------------------------------------------------------


def open_xlsx_source(path: Path, *, sheet: str | None = None) -> Source:
    """First (or the named) sheet of a workbook, streamed with openpyxl's read-only mode."""
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a readable XLSX workbook ({exc})") from None
    if sheet is not None and sheet not in wb.sheetnames:
        wb.close()
        raise InputError(f"{path}: no sheet {sheet!r}; sheets: {', '.join(wb.sheetnames)}")
    ws = wb[sheet] if sheet else wb.worksheets[0]
    first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)
    wb.close()
    if first is None:
        raise InputError(f"{path}: the sheet is empty (expected a header row)")
    headers = [to_text(h) or "" for h in first]
    while headers and not headers[-1]:
        headers.pop()
    from cxo.ingest.detect import file_hash

    def batches(progress: Progress) -> Iterator[pa.RecordBatch]:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb[sheet] if sheet else wb.worksheets[0]
            rows = (
                (i, r)
                for i, r in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2)
                if any(v is not None and v != "" for v in r)
            )
            yield from _rows_to_batches(rows, len(headers), progress)
        finally:
            wb.close()

    src = Source(
        name=str(path),
        headers=headers,
        file_hash=file_hash(path),
        total=ws.max_row - 1 if ws.max_row else None,
        notes=[f"sheet {ws.title!r}"],
    )
    src._batches = batches
    return src


# --- Parquet ---------------------------------------------------------------------------------


def _arrow_to_text(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Cast an Arrow column to strings (lists, structs as JSON)."""
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    t = array.type
    if pa.types.is_dictionary(t):
        array = array.dictionary_decode()
        t = array.type
    if pa.types.is_string(t):
        return array
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pc.cast(array, pa.string())
    if pa.types.is_floating(t):
        return pa.array([to_text(v) for v in array.to_pylist()], pa.string())
    try:
        return pc.cast(array, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([to_text(v) for v in array.to_pylist()], pa.string())


def _arrow_batches(
    batches: Iterator[pa.RecordBatch], ncols: int, progress: Progress, start: int = 1
) -> Iterator[pa.RecordBatch]:
    line = start
    for batch in batches:
        n = batch.num_rows
        if n == 0:
            continue
        cols = [_arrow_to_text(batch.column(i)) for i in range(ncols)]
        yield make_batch(cols, pa.array(np.arange(line, line + n, dtype=np.int64)))
        line += n
        progress(n)


def open_parquet_source(path: Path) -> Source:
    """A Parquet file, read one row group (batch) at a time."""
    import pyarrow.parquet as pq

    from cxo.ingest.detect import file_hash

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    headers = list(pf.schema_arrow.names)
    total = pf.metadata.num_rows

    def batches(progress: Progress) -> Iterator[pa.RecordBatch]:
        pf = pq.ParquetFile(path)
        yield from _arrow_batches(pf.iter_batches(batch_size=BATCH_ROWS), len(headers), progress)

    src = Source(name=str(path), headers=headers, file_hash=file_hash(path), total=total)
    src._batches = batches
    return src


# --- JSON lines ------------------------------------------------------------------------------


def open_jsonl_source(path: Path, known_headers: Sequence[str]) -> Source:
    """JSON lines: one object per line; keys are the headers (union of the first lines)."""
    from cxo.ingest.detect import file_hash

    keys: dict[str, None] = {}
    with path.open("rb") as fh:
        for i, raw in enumerate(fh):
            if i >= 1000:
                break
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(obj))
    headers = list(keys)

    def rows(progress: Progress) -> Iterator[pa.RecordBatch]:
        n = len(headers)
        index = {h: i for i, h in enumerate(headers)}
        cols: list[list[str | None]] = [[] for _ in range(n)]
        lines: list[int | None] = []
        errs: list[str | None] = []
        raws: list[str | None] = []
        with path.open("rb") as fh:
            for lineno, raw_bytes in enumerate(fh, start=1):
                text = raw_bytes.decode("utf-8", errors="replace").rstrip("\r\n")
                if lineno == 1:
                    text = text.lstrip("\ufeff")
                if not text.strip():
                    continue
                vals: list[str | None] = [None] * n
                err: str | None = None
                try:
                    obj = json.loads(text)
                except ValueError as exc:
                    err = f"invalid JSON: {exc}"
                else:
                    if not isinstance(obj, dict):
                        err = f"expected a JSON object, got {type(obj).__name__}"
                    else:
                        for k, v in obj.items():
                            if k in index:
                                vals[index[k]] = to_text(v)
                if err is None and "\ufffd" in text:
                    err = "bytes not valid in encoding utf-8"
                for c, v in zip(cols, vals, strict=True):
                    c.append(v)
                lines.append(lineno)
                errs.append(err)
                raws.append(text)
                if len(lines) >= BATCH_ROWS:
                    progress(len(lines))
                    yield make_batch(cols, lines, errs, raws)
                    cols = [[] for _ in range(n)]
                    lines, errs, raws = [], [], []
        if lines:
            progress(len(lines))
            yield make_batch(cols, lines, errs, raws)

    src = Source(name=str(path), headers=headers, file_hash=file_hash(path), raw_style="json")
    src._batches = rows
    return src


# --- SQL databases ---------------------------------------------------------------------------


def _hashing(batches: Iterator[pa.RecordBatch], digest: Any) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        for col in batch.columns[:-3]:
            digest.update(json.dumps(col.to_pylist(), ensure_ascii=False).encode())
        yield batch


def open_sql_source(url: str, query: str) -> Source:
    """Rows of ``query`` against the database at ``url`` (SQLAlchemy; DuckDB natively)."""
    digest = hashlib.sha256(f"{_safe_url(url)}\n{query}\n".encode())
    if url.startswith("duckdb:"):
        return _duckdb_source(url.removeprefix("duckdb:").removeprefix("///"), query, url, digest)
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url)
        conn = engine.connect()
        result = conn.execution_options(stream_results=True).execute(sa.text(query))
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise InputError(f"{_safe_url(url)}: not a usable database URL ({exc})") from None
    except sa.exc.SQLAlchemyError as exc:
        raise InputError(
            f"{_safe_url(url)}: the query failed: {getattr(exc, 'orig', exc)}"
        ) from None
    headers = list(map(str, result.keys()))

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        line = 1
        try:
            while chunk := result.fetchmany(BATCH_ROWS):
                for r in chunk:
                    yield line, tuple(r)
                    line += 1
        finally:
            conn.close()
            engine.dispose()

    src = Source(
        name=_safe_url(url), headers=headers, file_hash=None, notes=["query"], rereadable=False
    )
    src._batches = lambda progress: _hashing(
        _rows_to_batches(rows(), len(headers), progress), digest
    )
    src.hash_after_read = digest.hexdigest
    return src


def _duckdb_source(path: str, query: str, url: str, digest: Any) -> Source:
    import duckdb

    try:
        con = duckdb.connect(path, read_only=True) if path else duckdb.connect()
        rel = con.sql(query)
    except duckdb.Error as exc:
        raise InputError(f"{url}: the query failed: {exc}") from None
    headers = list(rel.columns)

    def batches(progress: Progress) -> Iterator[pa.RecordBatch]:
        try:
            reader = rel.to_arrow_reader(BATCH_ROWS)
            yield from _hashing(_arrow_batches(iter(reader), len(headers), progress), digest)
        finally:
            con.close()

    src = Source(name=url, headers=headers, file_hash=None, notes=["query"], rereadable=False)
    src._batches = batches
    src.hash_after_read = digest.hexdigest
    return src


def open_query_over_file(path: Path, query: str) -> Source:
    """``--query`` over a Parquet/CSV file: DuckDB runs it with the file as view ``source``."""
    import duckdb

    from cxo.ingest.detect import file_hash

    con = duckdb.connect()
    reader = "read_parquet" if path.suffix.lower() == ".parquet" else "read_csv"
    try:
        literal = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"CREATE VIEW source AS SELECT * FROM {reader}({literal})")
        rel = con.sql(query)
    except duckdb.Error as exc:
        raise InputError(f"{path}: the query failed: {exc}") from None
    headers = list(rel.columns)
    digest = hashlib.sha256(f"{file_hash(path)}\n{query}\n".encode())

    def batches(progress: Progress) -> Iterator[pa.RecordBatch]:
        try:
            yield from _arrow_batches(iter(rel.to_arrow_reader(BATCH_ROWS)), len(headers), progress)
        finally:
            con.close()

    src = Source(
        name=str(path),
        headers=headers,
        file_hash=digest.hexdigest(),
        notes=["query"],
        rereadable=False,
    )
    src._batches = batches
    return src


def _safe_url(url: str) -> str:
    """``url`` with any password masked."""
    try:
        import sqlalchemy as sa

        return str(sa.engine.make_url(url).render_as_string(hide_password=True))
    except Exception:  # not a SQLAlchemy URL (e.g. duckdb:path)
        return url


# --- dispatch --------------------------------------------------------------------------------

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")


def is_url(location: str) -> bool:
    """Whether ``location`` is a database URL rather than a file path."""
    return "://" in location or location.startswith("duckdb:")


def open_source(
    location: str | Path,
    known_headers: Sequence[str],
    workdir: Path,
    *,
    query: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Source:
    """Open ``location`` (file path or database URL) with the reader its kind needs."""
    text = str(location)
    if is_url(text):
        if not query:
            raise InputError(f'{_safe_url(text)}: a database URL needs --query "select ..."')
        return open_sql_source(text, query)
    path = Path(location)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix in (".duckdb", ".ddb") or (suffix == ".db" and _is_duckdb(path)):
        if not query:
            raise InputError(f'{path}: a database file needs --query "select ..."')
        return open_sql_source(f"duckdb:{path}", query)
    if suffix in (".db", ".sqlite", ".sqlite3"):
        if not query:
            raise InputError(f'{path}: a database file needs --query "select ..."')
        return open_sql_source(f"sqlite:///{path}", query)
    if query:
        if suffix in (".parquet", *CSV_SUFFIXES):
            return open_query_over_file(path, query)
        raise InputError(f"{path}: --query works with database URLs, Parquet and CSV files")
    if suffix in (".xlsx", ".xlsm"):
        return open_xlsx_source(path, sheet=sheet)
    if suffix in (".parquet", ".pq"):
        return open_parquet_source(path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return open_jsonl_source(path, known_headers)
    if suffix == ".xls":
        raise InputError(f"{path}: legacy .xls is not supported; save it as .xlsx or CSV")
    return open_csv_source(path, known_headers, workdir, encoding=encoding, delimiter=delimiter)


def _is_duckdb(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(16)
    return head[8:12] == b"DUCK"


__all__ = ["BAD_BYTES_MARK", "CsvFallback", "Source", "open_source", "python_csv_batches"]
