"""Number formats by workspace language: ``1.234,5`` (de) and ``1,234.5`` (en)."""

from __future__ import annotations

import math

_DE = str.maketrans({",": ".", ".": ","})


def format_number(value: float | int | None, decimals: int = 1, language: str = "en") -> str:
    """``value`` with thousands separators in the style of ``language``; ``–`` when missing.

    >>> format_number(1234.5, 1, "de"), format_number(1234.5, 1, "en")
    ('1.234,5', '1,234.5')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.translate(_DE) if language == "de" else text


def format_percent(value: float | None, decimals: int = 1, language: str = "en") -> str:
    """A share as a percentage (``0.8123`` → ``81.2 %`` / ``81,2 %``)."""
    if value is None or math.isnan(value):
        return "–"
    return f"{format_number(100.0 * value, decimals, language)} %"


def format_money(value: float | None, currency: str = "EUR", language: str = "en") -> str:
    """An amount without cents and its currency code (``-12,345 EUR`` / ``-12.345 EUR``)."""
    return f"{format_number(value, 0, language)} {currency}"
