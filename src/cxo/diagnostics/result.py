"""What a diagnostic returns: findings, tables, owner, figures and assumptions, as data.

The words live in the catalogue (``diagnostics.po``) and the renderer
(:mod:`cxo.report.diagnostics`): a result holds message keys with raw parameters, estimates
and numbers, never sentences or formatted numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cxo.core.jsonable import jsonable
from cxo.core.messages import Finding, Message
from cxo.stats import Estimate


def _cell(v: Any) -> Any:
    if isinstance(v, Estimate):
        return v.to_dict()
    return jsonable(v)


@dataclass
class Table:
    """A small result table (already aggregated); its title is a catalogue message."""

    key: str
    title: Message
    columns: list[str]
    rows: list[list[Any]]

    def to_dict(self) -> dict[str, Any]:
        """Records form for JSON; the title as ``title_message`` (key and params)."""
        return {
            "title_message": self.title.to_dict(),
            "columns": self.columns,
            "rows": [
                dict(zip(self.columns, [_cell(v) for v in r], strict=True)) for r in self.rows
            ],
        }


@dataclass
class DiagnosticResult:
    """What a diagnostic found: findings, tables, owner, figures and assumptions.

    ``language`` and ``currency`` are the ones the run was asked for (the renderer's
    defaults); the title is the catalogue entry ``diagnostics.<name>.title``.
    """

    name: str
    owner: dict[str, str | None]
    findings: list[Finding] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    assumptions: list[Message] = field(default_factory=list)
    language: str = "de"
    currency: str = "EUR"

    @property
    def title_key(self) -> str:
        """Catalogue key of the title."""
        return f"diagnostics.{self.name}.title"

    def finding(self, key: str) -> Finding:
        """The finding called ``key``."""
        for f in self.findings:
            if f.key == key:
                return f
        raise KeyError(key)

    def table(self, key: str) -> Table:
        """The table called ``key``."""
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the renderer's ``to_json`` adds the texts)."""
        return {
            "diagnostic": self.name,
            "title_message": self.title_key,
            "owner": self.owner,
            "currency": self.currency,
            "language": self.language,
            "findings": [f.to_dict() for f in self.findings],
            "figures": jsonable(
                {k: v.to_dict() if isinstance(v, Estimate) else v for k, v in self.figures.items()}
            ),
            "tables": {t.key: t.to_dict() for t in self.tables},
            "assumption_messages": [a.to_dict() for a in self.assumptions],
        }
