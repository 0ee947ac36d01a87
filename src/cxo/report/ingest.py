"""The import in words: the reconciliation line, notes, quarantine reasons, the JSON.

Quarantine reasons are stored in English (:mod:`cxo.ingest.reasons`); :func:`reason_text`
shows them in the reader's language, values quoted from the file verbatim. German::

    responses ← a.csv: gelesen 3 = importiert 2 + in Quarantäne 1 (neu 2, aktualisiert 0)
    a.csv:3 [nps] nps: '11' liegt außerhalb des Bereichs 0–10
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from cxo.core.messages import Message, msg
from cxo.ingest.reasons import parse
from cxo.report.messages import message, notes_as_texts, text, with_texts

if TYPE_CHECKING:
    from cxo.ingest.batch import BatchResult


class Counts(Protocol):
    """Anything with the three numbers of a reconciliation (a batch, a ``Reconciliation``)."""

    @property
    def read(self) -> int: ...

    @property
    def imported(self) -> int: ...

    @property
    def quarantined(self) -> int: ...


def _reconciliation(counts: Counts) -> Message:
    return msg(
        "ingest.reconciliation",
        read=counts.read,
        imported=counts.imported,
        quarantined=counts.quarantined,
    )


def reconciliation(counts: Counts, language: str) -> str:
    """``read 100 = imported 97 + quarantined 3`` (German: ``gelesen 100 = importiert 97 +
    in Quarantäne 3``)."""
    return text(_reconciliation(counts), language)


def summary(batch: BatchResult, language: str, currency: str = "EUR") -> str:
    """One line for the terminal: table, source, reconciliation, new and updated rows."""
    params: dict[str, Any] = {
        "table": batch.table,
        "source": batch.source,
        "reconciliation": _reconciliation(batch),
    }
    if batch.status == "unchanged":
        return message("ingest.summary.unchanged", language, same_as=batch.same_as, **params)
    if batch.status == "ok":
        return message(
            "ingest.summary.ok",
            language,
            inserted=batch.inserted,
            updated=batch.updated,
            **params,
        )
    return message("ingest.summary.failed", language, **params)


def notes(batch: BatchResult, language: str) -> list[str]:
    """How the source was read (encoding, separator, decimal comma, …), in words."""
    return [text(n, language) for n in batch.notes]


def reason_text(reason: str | None, language: str) -> str | None:
    """A stored (English) quarantine reason in ``language``; unknown wording stays as is."""
    if reason is None:
        return None
    return "".join(p if isinstance(p, str) else text(p, language) for p in parse(reason))


def example_line(source: str, example: dict[str, Any], language: str) -> str:
    """One quarantined row: ``a.csv:3 [nps] nps: '11' …`` (``?`` without a line number)."""
    line = example.get("line")
    return message(
        "ingest.example",
        language,
        source=source,
        line="?" if line is None else str(line),
        field=example.get("field") or message("ingest.whole_row", language),
        reason=reason_text(example.get("reason"), language) or "",
    )


def details(batch: BatchResult, language: str) -> list[str]:
    """The lines under the summary: ignored columns, skipped empty rows, where the rest is."""
    out: list[str] = []
    if batch.ignored_columns:
        out.append(
            message("ingest.ignored_columns", language, columns=", ".join(batch.ignored_columns))
        )
    if batch.empty_rows:
        out.append(message("ingest.empty_rows", language, count=batch.empty_rows))
    return out


def rejected_hint(batch: BatchResult, language: str) -> str | None:
    """Where to find all rejected rows, when more were rejected than the examples show."""
    if batch.quarantined <= len(batch.examples):
        return None
    return message(
        "ingest.all_rejected", language, count=batch.quarantined, batch_id=batch.batch_id
    )


def to_json(batch: BatchResult) -> dict[str, Any]:
    """The ``--json`` form: ``to_dict()`` with ``notes`` as English texts (as always),
    ``notes_de`` in German and ``note_messages`` (key, params, both texts)."""
    out: dict[str, Any] = with_texts(batch.to_dict())
    return notes_as_texts(out)
