"""Readers: every kind of source becomes a stream of staging batches (:mod:`cxo.ingest.source`).

CSV files are read by :mod:`cxo.ingest.csv_source`; this module reads XLSX, Parquet, JSON
lines and SQL query results (typed values become the text a CSV would hold) and picks the
reader a location needs (:func:`open_source`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from cxo.core.messages import msg
from cxo.errors import InputError
from cxo.ingest.csv_source import CsvFallback, open_csv_source, python_csv_batches
from cxo.ingest.detect import BAD_BYTES_MARK
from cxo.ingest.source import BATCH_ROWS, Progress, Source, make_batch

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

    from cxo.ingest.limits import check_xlsx

    check_xlsx(path)
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
        notes=[msg("ingest.note.sheet", sheet=ws.title)],
    )
    src._batches = batches
    return src


# --- Parquet ---------------------------------------------------------------------------------


def float_to_text(array: pa.Array) -> pa.Array:
    """:func:`to_text` of every value of a float column, vectorised, with identical text.

    Whole numbers below 1e15 are printed as integers; other values in ``[1e-4, 1e16)`` that
    Arrow prints positionally get Arrow's shortest round-trip digits, which are Python's
    ``repr`` there. The rest (NaN, infinities, tiny or huge values, whole numbers from 1e15)
    are few and go through :func:`to_text` one by one.
    """
    import pyarrow.compute as pc

    x = pc.cast(array, pa.float64())  # float32 values as Python sees them (to_pylist)
    valid = np.asarray(x.is_valid(), dtype=bool)
    v = x.to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(v) & valid
        size = np.abs(v)
        whole = finite & (v == np.trunc(v))
    small_int = whole & (size < 1e15)
    ints = pc.cast(pa.array(np.where(small_int, v, 0.0).astype(np.int64)), pa.string())
    shortest = pc.cast(x, pa.string())
    text = pc.if_else(pa.array(small_int), ints, shortest)
    odd = valid & ~small_int & (~finite | whole | (size < 1e-4) | (size >= 1e16))
    odd |= valid & ~small_int & np.asarray(pc.fill_null(pc.match_substring(shortest, "e"), False))
    if odd.any():
        picked = v[odd]
        repl = pa.array([to_text(float(f)) for f in picked], pa.string())
        text = pc.replace_with_mask(text, pa.array(odd), repl)
    return text


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
        return float_to_text(array)
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
        name=_safe_url(url),
        headers=headers,
        file_hash=None,
        notes=[msg("ingest.note.query")],
        rereadable=False,
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

    src = Source(
        name=url,
        headers=headers,
        file_hash=None,
        notes=[msg("ingest.note.query")],
        rereadable=False,
    )
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
        notes=[msg("ingest.note.query")],
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
    table: str | None = None,
    touchpoint: str | None = None,
    survey: str | None = None,
    platforms: bool = True,
) -> Source:
    """Open ``location`` (file path or database URL) with the reader its kind needs.

    Inside a workspace import (``workdir`` is a ``cxo-import-*`` scratch folder) the
    workspace's import lock is taken first; :func:`cxo.ingest.load.run_batch` gives it up
    when the batch ends. A CSV/TSV file opened for ``responses`` or ``ratings`` (``table``,
    else guessed from ``known_headers``) that a survey platform wrote is read by
    :mod:`cxo.ingest.platforms` (unless ``platforms`` is False: a caller applying its own
    column mapping wants the raw columns).
    """
    _lock_workspace(workdir)
    try:
        return _open(
            location,
            known_headers,
            workdir,
            query=query,
            sheet=sheet,
            encoding=encoding,
            delimiter=delimiter,
            table=(table or _table_of(known_headers)) if platforms else None,
            touchpoint=touchpoint,
            survey=survey,
        )
    except BaseException:
        from cxo.ingest.lock import release_for

        release_for(workdir)
        raise


def _lock_workspace(workdir: Path) -> None:
    """Inside a workspace's scratch folder: take the import lock until the batch ends."""
    from cxo.ingest.lock import SCRATCH_PREFIX, acquire, clean_stale_scratch, hold_for, mark_owner

    if not workdir.name.startswith(SCRATCH_PREFIX):
        return
    mark_owner(workdir)
    hold_for(workdir, acquire(workdir.parent))
    clean_stale_scratch(workdir.parent, keep=workdir)


def _table_of(known_headers: Sequence[str]) -> str | None:
    """``responses`` or ``ratings`` when the known headers are exactly that table's.

    A caller that adds its own names (a mapping file's source columns) gets the raw file.
    """
    from cxo.core.contract import header_map

    known = set(known_headers)
    for table in ("responses", "ratings"):
        if known == set(header_map(table)):
            return table
    return None


def _open(
    location: str | Path,
    known_headers: Sequence[str],
    workdir: Path,
    *,
    query: str | None,
    sheet: str | None,
    encoding: str | None,
    delimiter: str | None,
    table: str | None,
    touchpoint: str | None,
    survey: str | None,
) -> Source:
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
    if table in ("responses", "ratings"):
        from cxo.ingest.platforms import open_platform_source

        platform = open_platform_source(
            path,
            table,
            workdir,
            encoding=encoding,
            delimiter=delimiter,
            touchpoint=touchpoint,
            survey=survey,
        )
        if platform is not None:
            return platform
    return open_csv_source(path, known_headers, workdir, encoding=encoding, delimiter=delimiter)


def _is_duckdb(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(16)
    return head[8:12] == b"DUCK"


__all__ = ["BAD_BYTES_MARK", "CsvFallback", "Source", "open_source", "python_csv_batches"]
