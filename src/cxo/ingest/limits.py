"""Limits on what an import reads, so that a hostile file is refused before it costs memory.

* ``CXO_MAX_XLSX_MB`` (default 1000): the most an XLSX workbook may expand to (the sum of its
  zip members' uncompressed sizes, as the archive declares them; Python's zip reader never
  reads past a declared size).
* A member expanding more than :data:`MAX_XLSX_RATIO` times its compressed size, and to more
  than :data:`RATIO_FLOOR` bytes, is a zip bomb: real workbooks compress 5–30 times.
* ``CXO_MAX_FIELD_MB`` (default 1): the longest text a single cell may hold; longer values
  quarantine their row with a reason naming the field.

The web upload size is separate (``CXO_MAX_UPLOAD_MB`` / ``[web] max_upload_mb``, see
:mod:`cxo.web.routes.manage_imports`).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from cxo.errors import InputError, UsageError

XLSX_ENV = "CXO_MAX_XLSX_MB"
FIELD_ENV = "CXO_MAX_FIELD_MB"
DEFAULT_XLSX_MB = 1000.0
DEFAULT_FIELD_MB = 1.0
MAX_XLSX_RATIO = 200
RATIO_FLOOR = 50_000_000


def _megabytes(env: str, default: float) -> int:
    raw = os.environ.get(env)
    if raw is None:
        return int(default * 1_000_000)
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{env} must be a number of megabytes, not {raw!r}") from None
    if value <= 0:
        raise UsageError(f"{env} must be more than 0 megabytes, not {raw!r}")
    return int(value * 1_000_000)


def max_xlsx_bytes() -> int:
    """The most an XLSX workbook may expand to, in bytes."""
    return _megabytes(XLSX_ENV, DEFAULT_XLSX_MB)


def max_field_chars() -> int:
    """The longest text a cell may hold, in characters."""
    return _megabytes(FIELD_ENV, DEFAULT_FIELD_MB)


def check_xlsx(path: Path) -> None:
    """:class:`InputError` naming ``path`` when the workbook would expand beyond the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable XLSX workbook ({exc})") from None
    limit = max_xlsx_bytes()
    total = sum(m.file_size for m in members)
    if total > limit:
        raise InputError(
            f"{path}: the workbook expands to {total / 1e6:,.0f} MB, more than the "
            f"{limit / 1e6:,.0f} MB allowed; nothing was imported",
            hint=f"save the sheet as CSV, or raise the limit with {XLSX_ENV}=MEGABYTES",
        )
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1):
            raise InputError(
                f"{path}: {m.filename} expands {m.file_size / max(m.compress_size, 1):,.0f} "
                f"times (to {m.file_size / 1e6:,.0f} MB): this is not a spreadsheet but a zip "
                "bomb; nothing was imported",
                hint="save the sheet as CSV from the program that made it",
            )
