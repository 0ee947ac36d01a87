"""Words as data: a message key with its parameters, and a finding that carries one.

Analyses never write sentences. They return a :class:`Message` (a key into the catalogue of
``cxo.report`` plus the raw parameters) and the renderer turns it into German or English with
the numbers formatted for the reader's locale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxo.core.jsonable import jsonable

if TYPE_CHECKING:
    from cxo.stats import Estimate


@dataclass(frozen=True)
class Message:
    """A catalogue key and the values its text refers to (``{name:spec}`` placeholders)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"message": key, "params": {...}}``; the renderer adds the texts."""
        return {"message": self.key, "params": jsonable(self.params)}


def msg(key: str, /, **params: Any) -> Message:
    """Shorthand for ``Message(key, params)``."""
    return Message(key, params)


@dataclass
class Finding:
    """One headline statement: its message, the estimate behind it, and whether it is evidence.

    ``evidence`` is True when the interval excludes the null ("evidence of"), False for
    "no evidence of".
    """

    key: str
    message: Message
    evidence: bool
    estimate: Estimate | None = None
    unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form: key, message and params, evidence, unit, estimate."""
        out: dict[str, Any] = {"key": self.key, **self.message.to_dict()}
        out["evidence"] = self.evidence
        out["unit"] = self.unit
        if self.estimate is not None:
            out["estimate"] = jsonable(self.estimate.to_dict())
        return out
