"""Sniffing a text file: encoding, separator, header; hashing and transcoding.

Encodings are detected by trying strict UTF-8 on a sample, then cp1252. A file that turns
out to be invalid further down (or in every encoding) is transcoded to UTF-8 with each bad
byte replaced by :data:`BAD_BYTES_MARK` followed by its hex escape (``�\\x81``); the
validator sends every row holding that mark to quarantine, so nothing is lost silently.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SAMPLE_BYTES = 1 << 20
CHUNK_BYTES = 16 << 20
DELIMITERS = (",", ";", "\t", "|")
BAD_BYTES_MARK = "\ufffd\\x"
_MARK_HANDLER = "cxo-mark-bad-bytes"


def _mark_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "\ufffd" + "".join(f"\\x{b:02x}" for b in bad), exc.end


codecs.register_error(_MARK_HANDLER, _mark_bad_bytes)


@dataclass
class TextFile:
    """A sniffed text file ready for the CSV reader."""

    path: Path
    """The file to parse: the original, or a UTF-8 transcoded copy."""
    encoding: str
    """The encoding the original was read in (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``…)."""
    file_hash: str
    marked: bool
    """Whether some bytes were invalid in ``encoding`` and were replaced by the mark."""
    transcoded: bool


def sample_bytes(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    """The first ``size`` bytes of ``path``."""
    with path.open("rb") as fh:
        return fh.read(size)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
"""Byte-order marks, UTF-32 first (its little-endian BOM starts with UTF-16's)."""

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive (an XLSX workbook is one: give it the .xlsx suffix)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls/.doc)"),
    (b"PAR1", "a Parquet file (give it the .parquet suffix)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def bom_encoding(sample: bytes) -> str | None:
    """The encoding a byte-order mark announces (``utf-32``, ``utf-8-sig``, ``utf-16``)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    return None


def binary_kind(sample: bytes) -> str | None:
    """What a non-text file looks like (``"a PNG image"``), or None for text.

    A file with a byte-order mark is text; so is UTF-16 without one (NUL in every other
    byte, see :func:`guess_encoding`). Anything else with NUL bytes or many control bytes
    is binary.
    """
    if bom_encoding(sample):
        return None
    for magic, kind in _MAGIC:
        if sample.startswith(magic):
            return kind
    head = sample[:65536]
    if not head:
        return None
    if _utf16_without_bom(head):
        return None
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > len(head) * 0.05:
        return "binary data"
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the NUL bytes sit at every odd/even position."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def guess_encoding(sample: bytes) -> str:
    """The BOM's encoding (UTF-8/16/32), UTF-16 by its NUL pattern, ``utf-8`` if the sample is
    (mostly) UTF-8, else ``cp1252``.

    A sample that is not strict UTF-8 still counts as UTF-8 when it holds at least as many
    well-formed multi-byte characters as broken byte runs (a UTF-8 file with a few bad
    bytes); a cp1252 file's umlauts are never well-formed UTF-8.
    """
    bom = bom_encoding(sample)
    if bom:
        return bom
    utf16 = _utf16_without_bom(sample[:65536])
    if utf16:
        return utf16
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=False)
    except UnicodeDecodeError:
        text = codecs.getincrementaldecoder("utf-8")(_MARK_HANDLER).decode(sample, final=False)
        broken = len(re.findall(r"(?:\ufffd\\x[0-9a-f]{2})+", text))
        good = sum(1 for ch in text if ord(ch) > 127) - text.count("\ufffd")
        return "utf-8" if good >= broken else "cp1252"
    return "utf-8"


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def prepare_text(path: Path, encoding: str | None, workdir: Path) -> TextFile:
    """Hash ``path`` and make sure it can be parsed as UTF-8 (transcoding if needed).

    A file that is not text at all (an image, an archive, a database) is an
    :class:`~cxo.errors.InputError` naming what it looks like.
    """
    head = sample_bytes(path)
    kind = binary_kind(head)
    if kind is not None and encoding is None:
        from cxo.errors import InputError

        raise InputError(
            f"{path}: not a text file (it looks like {kind}); cxo reads CSV/TSV text, "
            "XLSX, Parquet and JSON lines",
            hint="export the data as CSV or give the file the suffix of its real format",
        )
    enc = encoding or guess_encoding(head)
    codec = codecs.lookup(enc).name
    if codec in ("utf-8", "utf-8-sig"):
        digest = hashlib.sha256()
        valid = True
        carry = b""
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                digest.update(chunk)
                if valid:
                    data = carry + chunk if carry else chunk
                    cut = _utf8_cut(data)
                    valid = _is_utf8(data[:cut] if cut < len(data) else data)
                    carry = data[cut:]
        if valid and not carry:
            return TextFile(path, enc, digest.hexdigest(), marked=False, transcoded=False)
    return _transcode(path, enc, workdir)


def _utf8_cut(data: bytes) -> int:
    """Where ``data`` may be cut without splitting a UTF-8 sequence (an incomplete tail)."""
    i = len(data) - 1
    while i >= 0 and len(data) - i <= 3 and data[i] & 0xC0 == 0x80:
        i -= 1
    if i < 0:
        return len(data)
    lead = data[i]
    need = 1 if lead < 0x80 else 2 if lead >> 5 == 6 else 3 if lead >> 4 == 14 else 4
    return i if i + need > len(data) else len(data)


def _is_utf8(data: bytes) -> bool:
    """Strict UTF-8 check at memory speed (Arrow's validator, no copy, no str built)."""
    import numpy as np
    import pyarrow as pa

    if not data:
        return True
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    array = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        array.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _transcode(path: Path, encoding: str, workdir: Path) -> TextFile:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)(_MARK_HANDLER)
    out_path = workdir / f"{path.name}.utf8"
    marked = False
    with path.open("rb") as fh, out_path.open("w", encoding="utf-8", newline="") as out:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
            text = decoder.decode(chunk)
            marked = marked or BAD_BYTES_MARK in text
            out.write(text)
        text = decoder.decode(b"", final=True)
        marked = marked or BAD_BYTES_MARK in text
        out.write(text)
    return TextFile(out_path, encoding, digest.hexdigest(), marked=marked, transcoded=True)


def read_sample_text(tf: TextFile) -> str:
    """The first megabyte of the (UTF-8) text to parse, BOM removed."""
    raw = sample_bytes(tf.path)
    text = codecs.getincrementaldecoder("utf-8")(_MARK_HANDLER).decode(raw, final=False)
    return text.lstrip("\ufeff")


def _records(sample: str, delimiter: str, limit: int = 50) -> list[list[str]]:
    """Up to ``limit`` complete records of ``sample`` (the last, maybe cut, one dropped)."""
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter, quotechar='"', strict=False)
    records: list[list[str]] = []
    try:
        for rec in reader:
            records.append(rec)
            if len(records) > limit:
                break
    except csv.Error:
        pass
    if len(records) > 1 and len(records) <= limit and not sample.endswith(("\n", "\r")):
        records.pop()
    return records[:limit]


def sniff_delimiter(sample: str, known_headers: Iterable[str]) -> str:
    """The separator among ``, ; TAB |`` that best splits the sample.

    Scored by (header fields that are contract columns or aliases, share of records with
    the header's field count, number of fields).
    """
    from cxo.core.contract import normalise_header

    known = set(known_headers)
    best = ","
    best_score: tuple[int, float, int] = (-1, -1.0, -1)
    for delim in DELIMITERS:
        records = _records(sample, delim)
        if not records:
            continue
        header = records[0]
        n = len(header)
        if n < 2:
            score: tuple[int, float, int] = (0, 0.0, n)
        else:
            mapped = sum(normalise_header(h) in known for h in header)
            rest = records[1:]
            consistent = sum(len(r) == n for r in rest) / len(rest) if rest else 1.0
            score = (mapped, consistent, n)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_header(sample: str, delimiter: str) -> list[str]:
    """The header record of the sample."""
    records = _records(sample + "\n", delimiter, limit=1)
    return records[0] if records else []
