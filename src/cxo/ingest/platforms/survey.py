"""``import_survey``: one survey-platform export into ``responses`` and ``ratings``.

Both tables are imported from the same file under one workspace import lock, responses
first (ratings reference them). Each table is its own batch with its own reconciliation.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cxo.errors import InputError, RejectedShareExceeded
from cxo.ingest.api import load_source
from cxo.ingest.batch import BatchResult
from cxo.ingest.load import ProgressFn
from cxo.ingest.lock import SCRATCH_PREFIX, WaitFn, acquire, clean_stale_scratch, mark_owner
from cxo.ingest.platforms import NAMES, open_platform_source, sniff

if TYPE_CHECKING:
    from cxo.workspace import Workspace


def import_survey(
    ws: Workspace,
    path: str | Path,
    *,
    touchpoint: str | None = None,
    survey: str | None = None,
    max_rejected: float | None = None,
    force: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: ProgressFn | None = None,
    on_wait: WaitFn | None = None,
) -> list[BatchResult]:
    """Import a survey-platform export as ``responses`` and ``ratings`` (one batch each).

    Raises :class:`~cxo.errors.InputError` when no platform recognises the file or a
    required constant (the touchpoint) is neither in the file nor given.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{file}: file not found")
    if sniff(file, encoding, delimiter) is None:
        raise InputError(
            f"{file}: not a survey-platform export cxo recognises ("
            + ", ".join(NAMES.values())
            + ")",
            hint="import a plain file with: cxo import responses FILE",
        )
    if touchpoint is not None:
        keys = ws.charter().keys("touchpoint")
        aliases = ws.charter().alias_map("touchpoint")
        if touchpoint not in keys and touchpoint not in aliases:
            raise InputError(
                f"--touchpoint {touchpoint!r} is not a touchpoint of the charter",
                hint="touchpoints: " + ", ".join(sorted(keys)),
            )
    results: list[BatchResult] = []
    with acquire(ws.data_dir, on_wait=on_wait):
        for table in ("responses", "ratings"):
            results.append(
                _import_table(
                    ws,
                    table,
                    file,
                    touchpoint=touchpoint,
                    survey=survey,
                    max_rejected=max_rejected,
                    force=force,
                    encoding=encoding,
                    delimiter=delimiter,
                    progress=progress,
                )
            )
    return results


def _import_table(
    ws: Workspace,
    table: str,
    file: Path,
    *,
    touchpoint: str | None,
    survey: str | None,
    max_rejected: float | None,
    force: bool,
    encoding: str | None,
    delimiter: str | None,
    progress: ProgressFn | None,
) -> BatchResult:
    charter = ws.charter()
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, dir=ws.data_dir) as tmp:
        work = Path(tmp)
        mark_owner(work)
        clean_stale_scratch(ws.data_dir, keep=work)
        source = open_platform_source(
            file,
            table,
            work,
            encoding=encoding,
            delimiter=delimiter,
            touchpoint=touchpoint,
            survey=survey,
        )
        if source is None:  # pragma: no cover - sniffed above
            raise InputError(f"{file}: not a survey-platform export")
        batch = load_source(
            ws,
            table,
            source,
            charter,
            max_rejected=max_rejected,
            force=force,
            progress=progress,
            scratch=work / "scratch.duckdb",
        )
    if batch.status == "failed":
        raise RejectedShareExceeded(
            f"{batch.source}: {batch.quarantined:,} of {batch.read:,} {table} rows rejected, "
            f"more than --max-rejected {max_rejected:.1%}; nothing was imported into {table}",
            hint=f"see them with: select * from quarantine where batch_id = '{batch.batch_id}'",
        )
    return batch
