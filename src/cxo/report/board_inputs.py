"""The board report's inputs from the data, saved per *data version* and reused while fresh.

The scorecard by touchpoint and quarter and the four diagnostics read every row of the
analytic tables (at a million customers about a minute, the marketing diagnostic most of it).
When the board report computes them it saves them to ``reports/board-inputs.json`` with the
data version they were computed for; the next report (CLI or app) reuses them while the
version is unchanged, and computes them afresh when the file is missing, unreadable or stale.
The report says which run it used (:class:`Provenance`).

The data version (:func:`data_version`): the import batches (count, newest finish, newest id),
the number of analysed comments, the charter file's digest, the currency and the cxo version.
Saved per result: its JSON (the charts are drawn from it) and its rendered section in every
language; a part whose data are missing is saved as its message and hint, so the report names
the same command. Only :class:`~cxo.errors.MissingDataError` is saved; any other error means
nothing is saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxo import __version__
from cxo.errors import MissingDataError
from cxo.report.messages import LANGUAGES

if TYPE_CHECKING:
    from cxo.workspace import Workspace

FILE = "board-inputs.json"
SCHEMA = 1


@dataclass(frozen=True)
class Saved:
    """A result read back from the file: its JSON and its rendered section per language."""

    data: dict[str, Any]
    html: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The result's JSON, as the live result's ``to_dict()``."""
        return self.data

    def section(self, language: str) -> str:
        """The rendered section in ``language``."""
        return self.html[language]


@dataclass(frozen=True)
class Provenance:
    """Where the report's scorecard and diagnostics come from: ``reused`` from the run saved
    at ``saved_at`` by ``saved_by``, or computed now (and saved, unless ``saved`` is false)."""

    reused: bool
    saved_at: str | None = None
    saved_by: str | None = None
    batch: str | None = None
    """The newest import batch of the data version."""
    saved: bool = False

    def text(self, language: str) -> str:
        """The sentence saying so (``boardinputs.*`` messages)."""
        from cxo.report.messages import message

        if not self.reused:
            key = "boardinputs.computed" if self.saved else "boardinputs.computed_unsaved"
            return message(key, language)
        return message(
            "boardinputs.reused" if self.batch else "boardinputs.reused_nodata",
            language,
            saved_at=self.saved_at or "?",
            by=self.saved_by or "?",
            batch=self.batch or "",
        )


@dataclass
class Inputs:
    """The saved inputs of a fresh file."""

    scorecard: Saved | MissingDataError
    diagnostics: dict[str, Saved | MissingDataError] = field(default_factory=dict)
    provenance: Provenance = field(default_factory=lambda: Provenance(reused=True))


def path_of(ws: Workspace) -> Path:
    """``reports/board-inputs.json`` of ``ws``."""
    return ws.reports_dir / FILE


def data_version(ws: Workspace) -> dict[str, Any]:
    """What the saved inputs depend on (JSON-ready; compare with ``==``)."""
    batches: list[Any] = [0, None, None]
    tagged = 0
    if ws.duckdb_path.exists():
        import duckdb

        # The embedded file even when analyses read the lake: the import batches live there.
        with duckdb.connect(str(ws.duckdb_path), read_only=True) as con:
            tables = {
                r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            }
            if "import_batches" in tables:
                row = con.execute(
                    "SELECT count(*), max(finished_at), max(batch_id) FROM import_batches"
                ).fetchone()
                batches = [row[0], str(row[1]) if row[1] else None, row[2]] if row else batches
            if "response_text" in tables:
                row = con.execute("SELECT count(*) FROM response_text").fetchone()
                tagged = int(row[0]) if row else 0
    charter = ws.charter_path.read_bytes() if ws.charter_path.exists() else b""
    return {
        "batches": batches,
        "tagged": tagged,
        "charter_sha256": hashlib.sha256(charter).hexdigest(),
        "currency": ws.settings.currency,
        "lake": ws.reads_lake,
        "cxo": __version__,
    }


def _missing(doc: Any) -> MissingDataError | None:
    if isinstance(doc, Mapping) and isinstance(doc.get("missing"), Mapping):
        found = doc["missing"]
        return MissingDataError(str(found.get("message", "")), hint=found.get("hint"))
    return None


def _saved(doc: Any) -> Saved | MissingDataError | None:
    missing = _missing(doc)
    if missing is not None:
        return missing
    if not isinstance(doc, Mapping):
        return None
    data, html = doc.get("data"), doc.get("html")
    if not isinstance(data, dict) or not isinstance(html, dict):
        return None
    if not all(isinstance(html.get(lang), str) for lang in LANGUAGES):
        return None
    return Saved(data, {lang: html[lang] for lang in LANGUAGES})


def load(ws: Workspace, version: Mapping[str, Any] | None = None) -> Inputs | None:
    """The saved inputs when the file exists, is readable and matches the data version now
    (``version``: :func:`data_version`, looked up when not given); else ``None``."""
    path = path_of(ws)
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        return None
    if doc.get("data_version") != dict(version if version is not None else data_version(ws)):
        return None
    scorecard = _saved(doc.get("scorecard"))
    diagnostics: dict[str, Saved | MissingDataError] = {}
    for name, item in (doc.get("diagnostics") or {}).items():
        found = _saved(item)
        if found is None:
            return None
        diagnostics[str(name)] = found
    if scorecard is None:
        return None
    batch = doc["data_version"].get("batches", [None, None, None])[2]
    provenance = Provenance(True, doc.get("saved_at"), doc.get("saved_by"), batch)
    return Inputs(scorecard, diagnostics, provenance)


def _entry(
    result: Any, render: Callable[[Any, str, str], str], currency: str
) -> dict[str, Any] | None:
    if isinstance(result, MissingDataError):
        return {"missing": {"message": result.message, "hint": result.hint}}
    if result is None or isinstance(result, Exception):
        return None
    return {
        "data": result.to_dict(),
        "html": {lang: render(result, lang, currency) for lang in LANGUAGES},
    }


def save(
    ws: Workspace,
    version: Mapping[str, Any],
    scorecard: Any,
    diagnostics: Mapping[str, Any],
    *,
    saved_by: str,
) -> Path | None:
    """Save the scorecard (or its :class:`MissingDataError`) and the diagnostics computed for
    ``version``; ``None`` (nothing saved) when a result is another error. Written to a
    temporary file first and renamed, so a reader never sees half a file."""
    from cxo.report import diagnostics as diagnostics_report
    from cxo.report import scorecard as scorecard_report

    currency = ws.settings.currency
    card = _entry(scorecard, scorecard_report.section, currency)
    diags = {
        name: _entry(result, diagnostics_report.section, currency)
        for name, result in diagnostics.items()
    }
    if card is None or any(v is None for v in diags.values()):
        return None
    doc = {
        "schema": SCHEMA,
        "data_version": dict(version),
        "saved_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "saved_by": saved_by,
        "scorecard": card,
        "diagnostics": diags,
    }
    path = path_of(ws)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps(doc, default=str), "utf-8")
    os.replace(tmp, path)
    return path


def save_after_diagnostics(
    ws: Workspace, version: Mapping[str, Any], diagnostics: Mapping[str, Any], *, saved_by: str
) -> Path | None:
    """Save ``diagnostics`` (computed for ``version``, taken before they ran) with the board's
    scorecard (touchpoint × quarter), so the next ``cxo report`` reuses them; ``None`` when
    the scorecard fails for another reason than missing data."""
    from cxo.engine import scorecard
    from cxo.errors import CxoError

    try:
        card: Any = scorecard(ws, by=["touchpoint", "quarter"])
    except MissingDataError as exc:
        card = exc
    except CxoError:
        return None
    return save(ws, version, card, diagnostics, saved_by=saved_by)
