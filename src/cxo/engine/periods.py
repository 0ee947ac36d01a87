"""Calendar periods of the scorecard: month and quarter labels, their bounds, ``--period``."""

from __future__ import annotations

import datetime as dt

from cxo.errors import UsageError


def period_label(dim: str, start: dt.datetime | dt.date) -> str:
    """``2026-07`` (month) or ``2026-Q3`` (quarter) for the period starting at ``start``."""
    if dim == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"


def period_end(dim: str, start: dt.date) -> dt.date:
    """The first day after the month or quarter starting at ``start`` (exclusive end)."""
    months = 1 if dim == "month" else 3
    y, m = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + y, m + 1, 1)


def minus_year(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def parse_period(period: str) -> tuple[dt.date, dt.date]:
    """``2026`` / ``2026-Q3`` / ``2026-07`` → inclusive first and last day."""
    p = period.strip().upper()
    try:
        if len(p) == 4:
            y = int(p)
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        if len(p) == 7 and p[4:6] == "-Q":
            y, q = int(p[:4]), int(p[6])
            if not 1 <= q <= 4:
                raise ValueError(period)
            start = dt.date(y, 3 * q - 2, 1)
        elif len(p) == 7 and p[4] == "-":
            start = dt.date(int(p[:4]), int(p[5:]), 1)
        else:
            raise ValueError(period)
    except ValueError:
        raise UsageError(
            f"cannot read period {period!r}", hint="use YYYY, YYYY-Qn or YYYY-MM"
        ) from None
    dim = "quarter" if "Q" in p else "month"
    return start, period_end(dim, start) - dt.timedelta(days=1)
