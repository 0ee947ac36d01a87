"""Numbers, shares, money and dates for people, per locale, through Babel.

The only place in cxo that turns a number into text. German: ``1.234,5``; English:
``1,234.5``. Missing values (None, NaN) print as ``–``. Shares print as ``81,2 %`` /
``81.2 %`` (a space before the sign in both languages, as the reports always did).

>>> number(1234.5, 1, "de"), number(1234.5, 1, "en")
('1.234,5', '1,234.5')
>>> percent(0.8123, 1, "de"), money(-12345.4, "EUR", "en")
('81,2 %', '-12,345 EUR')
>>> significant(0.012345, 3, "de"), significant(12345.6, 3, "en")
('0,0123', '12,346')
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from babel import dates as _dates
from babel import numbers as _numbers

LOCALES = {"de": "de_DE", "en": "en_US"}
MISSING = "–"


def locale_of(language: str) -> str:
    """The Babel locale of a workspace language (``de`` → ``de_DE``; anything else English)."""
    return LOCALES.get(language, LOCALES["en"])


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _decimal(value: float, pattern: str, language: str) -> str:
    text = _numbers.format_decimal(value, format=pattern, locale=locale_of(language))
    # Babel keeps the sign of a value that rounds to zero ("-0.0"); people read it as 0.
    if text.startswith("-") and not any(ch in text for ch in "123456789"):
        text = text[1:]
    return str(text)


def number(value: float | None, decimals: int = 1, language: str = "en") -> str:
    """``value`` with thousands separators and ``decimals`` fixed decimals."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return _decimal(float(value), pattern, language)  # type: ignore[arg-type]


def signed(value: float | None, decimals: int = 1, language: str = "en") -> str:
    """Like :func:`number` with an explicit ``+`` for positive values (``+3,2``)."""
    text = number(value, decimals, language)
    if text != MISSING and not text.startswith("-") and any(c in text for c in "123456789"):
        return "+" + text
    return text


def integer(value: float | None, language: str = "en") -> str:
    """A count with thousands separators (``12.345``)."""
    return number(value, 0, language)


def significant(value: float | None, digits: int = 3, language: str = "en") -> str:
    """``digits`` significant digits below 1,000; whole numbers with separators above.

    Tiny values (below 10⁻⁴) print with four decimals rather than an exponent.
    """
    if _missing(value):
        return MISSING
    x = float(value)  # type: ignore[arg-type]
    if abs(x) >= 1000:
        return number(x, 0, language)
    if x == 0:
        return "0"
    if abs(x) < 1e-4:
        return number(x, 4, language)
    rounded = float(f"{x:.{digits}g}")
    if abs(rounded) >= 1000:  # 999.6 rounds up to four digits
        return number(rounded, 0, language)
    return _decimal(rounded, "@" + "#" * (digits - 1), language)


def percent(share: float | None, decimals: int = 1, language: str = "en") -> str:
    """A share as a percentage: ``0.8123`` → ``81.2 %`` / ``81,2 %``."""
    if _missing(share):
        return MISSING
    return f"{number(100.0 * float(share), decimals, language)} %"  # type: ignore[arg-type]


def points(share: float | None, decimals: int = 1, language: str = "en") -> str:
    """A difference of shares in percentage points, signed: ``+2.5 pp`` / ``+2,5 Pp.``."""
    if _missing(share):
        return MISSING
    unit = "Pp." if language == "de" else "pp"
    return f"{signed(100.0 * float(share), decimals, language)} {unit}"  # type: ignore[arg-type]


def money(value: float | None, currency: str = "EUR", language: str = "en") -> str:
    """An amount without cents and its currency code (``-12,345 EUR`` / ``-12.345 EUR``)."""
    return f"{number(value, 0, language)} {currency}"


def date(value: dt.date | str | None, language: str = "en") -> str:
    """A calendar date: ``31.12.2026`` (de) or ``2026-12-31`` (en)."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if language == "de":
        return str(_dates.format_date(value, format="dd.MM.yyyy", locale=locale_of(language)))
    return value.isoformat()
