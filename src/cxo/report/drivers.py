"""Key drivers in words: the text of ``cxo drivers``, the HTML table and the JSON.

The analysis (:class:`cxo.stats.drivers.DriverResult`) holds numbers and note keys only; the
words come from ``drivers.po``.
"""

from __future__ import annotations

from typing import Any

from cxo.core.messages import Message, msg
from cxo.report.html import render
from cxo.report.messages import message, text, with_texts
from cxo.stats.drivers import DriverResult

__all__ = ["json_notes", "quadrant_label", "section", "summary", "table", "to_json"]


def quadrant_label(quadrant: str, language: str = "en") -> str:
    """The label of an importance–performance quadrant (``concentrate_here`` …)."""
    return message(f"drivers.quadrant.{quadrant}", language)


def _notes(result: DriverResult) -> list[Message]:
    return [
        Message(str(d["message"]), dict(d["params"]))
        for d in (result.note_message(k) for k in result.notes)
    ]


def summary(result: DriverResult, language: str = "en", currency: str = "EUR") -> str:
    """A few lines: R², then each driver with its share and interval, then the notes."""
    lines = [
        message(
            "drivers.summary.head",
            language,
            method=msg(f"drivers.method.{result.method}"),
            target=result.target,
            r2=result.r2_,
            n=result.n_,
            missing=result.missing,
        )
    ]
    for drv, row in result.to_frame().iterrows():
        params: dict[str, Any] = {
            "driver": str(drv),
            "percent": float(row["percent"]),
            "weight": float(row["weight"]),
        }
        if "ci_low" in row:
            params.update(level=result.level, low=row["ci_low"], high=row["ci_high"])
            line = message("drivers.summary.row_ci", language, **params)
        else:
            line = message("drivers.summary.row", language, **params)
        if "significant" in row and not bool(row["significant"]):
            line = message("drivers.summary.not_different", language, row=line)
        lines.append("  " + line)
    lines.extend(
        "  " + message("drivers.summary.note", language, text=text(n, language))
        for n in _notes(result)
    )
    return "\n".join(lines)


def table(result: DriverResult) -> dict[str, Any]:
    """The rows and flags the HTML table shows (the context of ``drivers.html``)."""
    frame = result.to_frame()
    rows = [
        {
            "driver": str(drv),
            "percent": float(row["percent"]),
            "weight": float(row["weight"]),
            "ci_low": float(row["ci_low"]) if "ci_low" in row else None,
            "ci_high": float(row["ci_high"]) if "ci_high" in row else None,
            "significant": bool(row["significant"]) if "significant" in row else None,
        }
        for drv, row in frame.iterrows()
    ]
    return {
        "method": msg(f"drivers.method.{result.method}"),
        "target": result.target,
        "r2": result.r2_,
        "n": result.n_,
        "level": result.level,
        "has_ci": "ci_low" in frame,
        "has_significance": "significant" in frame,
        "rows": rows,
    }


def section(result: DriverResult, language: str = "en", currency: str = "EUR") -> str:
    """An HTML table of the drivers (autoescaped: driver names are user data)."""
    return render("drivers.html", language=language, currency=currency, r=table(result))


def json_notes(data: dict[str, Any]) -> dict[str, Any]:
    """A ``DriverResult.to_dict()`` (after :func:`with_texts`) with ``notes`` in English, as
    the JSON always had them."""
    out = dict(data)
    out["notes"] = [n["text"] for n in data.get("note_messages", [])]
    return out


def to_json(result: DriverResult) -> dict[str, Any]:
    """The JSON of ``cxo drivers --json``: ``to_dict()`` plus the notes' words."""
    return json_notes(with_texts(result.to_dict()))
