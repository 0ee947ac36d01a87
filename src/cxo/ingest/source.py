"""The staging batch every reader produces, and :class:`Source`, a readable source.

A batch has one string column per source column (``c0``, ``c1``, … in the source's order,
named after :attr:`Source.headers`) plus ``__line`` (the line a person would point at: in a
CSV the header is line 1; in XLSX the sheet row; in JSON lines the physical line; in Parquet
and SQL results the row number), ``__err`` (a reader-level reason, e.g. a CSV row with the
wrong number of fields or invalid JSON) and ``__raw`` (the row's original text where the
reader has it). Typing and validation happen later, vectorised, in DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from cxo.core.messages import Message

BATCH_ROWS = 65_536
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
    total_is_bytes: bool = False
    """Whether :attr:`total` counts bytes (CSV) rather than rows (Parquet, XLSX)."""
    notes: list[Message] = field(default_factory=list)
    """What a person should know about how the source was read (encoding, separator, …)."""
    encoding: str | None = None
    """The text encoding a CSV was read in (detected or forced)."""
    _batches: Callable[[Progress], Iterator[pa.RecordBatch]] | None = None
    rereadable: bool = True
    """Whether :meth:`batches` can be called again (files yes, query results no)."""
    use_python_csv: bool = False
    """Set after Arrow failed on this CSV: read it with Python's csv module instead."""
    fallback_path: Path | None = None
    """For CSV: the UTF-8 file Python's csv module re-reads when Arrow cannot parse it."""
    hash_after_read: Callable[[], str] | None = None
    """For sources hashed while streaming (SQL): the hash, valid once batches are consumed."""

    def expected_rows(self) -> int | None:
        """About how many rows the source holds (from a byte count: at most one per 32)."""
        if self.total is None:
            return None
        return self.total // 32 if self.total_is_bytes else self.total

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        """Stream the staging batches."""
        assert self._batches is not None
        return self._batches(progress or (lambda _n: None))
