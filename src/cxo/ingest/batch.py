"""What one import did: :class:`BatchResult`, with its reconciliation and notes as data.

Counting rule: ``read`` is the number of non-empty data rows in the source; each rejected row
is counted once in ``quarantined``; ``read = imported + quarantined`` always. The words for
people come from :mod:`cxo.report.ingest`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from cxo.core.messages import Message


@dataclass
class BatchResult:
    """What one import did, with its reconciliation ``read = imported + quarantined``."""

    batch_id: str
    table: str
    source: str
    file_hash: str | None
    status: str
    """``ok``, ``failed`` (too many rejected; nothing imported) or ``unchanged``."""
    read: int
    imported: int
    quarantined: int
    inserted: int = 0
    updated: int = 0
    empty_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    """How the source was read (encoding, separator, decimal comma, …), as messages."""
    same_as: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    """Up to five quarantined rows (line, field, reason)."""

    @property
    def reconciles(self) -> bool:
        """Whether ``read == imported + quarantined``."""
        return self.read == self.imported + self.quarantined

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = asdict(self)
        out["notes"] = [n.to_dict() for n in self.notes]
        for key in ("started_at", "finished_at"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        return out


def new_batch_id() -> str:
    """Sortable, unique batch id: UTC time plus a random suffix."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
