"""Means with t intervals (CES) and Welch's t test, from raw values or from sums.

The engine passes aggregates: ``n``, ``Σx`` and ``Σx²``; the sample variance is
``(Σx² − (Σx)²/n) / (n − 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scipy import special as _sp

from cxo.stats.estimate import Estimate, Result, as_float_array, check_level


@dataclass(frozen=True, kw_only=True)
class MeanEstimate(Estimate):
    """A mean with its Student-t interval."""

    n: int
    sd: float

    def summary(self) -> str:
        """One line: mean, interval and sample size."""
        return (
            f"{self.value:.2f} [{self.ci_low:.2f}, {self.ci_high:.2f}] "
            f"({self.level:.0%} t, n={self.n})"
        )


@dataclass(frozen=True)
class WelchTest(Result):
    """Welch's unequal-variance t test of ``mean_a − mean_b``."""

    difference: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p_value: float
    value_a: float
    value_b: float
    n_a: int
    n_b: int
    level: float = 0.95


def _variance(n: float, total: float, total_sq: float) -> float:
    if n < 2:
        return math.nan
    return max(0.0, (total_sq - total * total / n) / (n - 1.0))


def mean_t_from_sums(
    n: int,
    total: float,
    total_sq: float,
    level: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> MeanEstimate:
    """Mean ``Σx/n`` with a t interval from ``n``, ``Σx`` and ``Σx²``.

    ``bounds`` (e.g. ``(1, 7)`` for CES) clips the interval to the scale: a mean of answers
    on a bounded scale cannot lie outside it, however small the sample.
    """
    check_level(level)
    if n <= 0:
        nan = math.nan
        return MeanEstimate(value=nan, ci_low=nan, ci_high=nan, se=nan, n=0, sd=nan, level=level)
    mean = total / n
    var = _variance(n, total, total_sq)
    se = math.sqrt(var / n) if not math.isnan(var) else math.nan
    if math.isnan(se):
        low = high = math.nan
    else:
        half = float(_sp.stdtrit(n - 1, 0.5 + level / 2.0)) * se
        low, high = mean - half, mean + half
        if bounds is not None:
            low, high = max(low, bounds[0]), min(high, bounds[1])
    return MeanEstimate(
        value=mean, ci_low=low, ci_high=high, se=se, n=int(n), sd=math.sqrt(var), level=level
    )


def _sums(values: Iterable[float]) -> tuple[int, float, float]:
    arr = as_float_array(values)
    return int(arr.size), float(arr.sum()), float((arr * arr).sum())


def mean_t(
    values: Iterable[float],
    level: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> MeanEstimate:
    """Mean of ``values`` (NaN skipped) with a Student-t interval, e.g. the CES mean
    (``bounds=(1, 7)`` clips the interval to the scale)."""
    return mean_t_from_sums(*_sums(values), level=level, bounds=bounds)


def welch_t_from_sums(
    n_a: int,
    total_a: float,
    total_sq_a: float,
    n_b: int,
    total_b: float,
    total_sq_b: float,
    level: float = 0.95,
) -> WelchTest:
    """Welch's t test of ``mean_a − mean_b`` from counts, sums and sums of squares."""
    check_level(level)
    nan = math.nan
    if n_a < 2 or n_b < 2:
        ma = total_a / n_a if n_a else nan
        mb = total_b / n_b if n_b else nan
        return WelchTest(ma - mb, nan, nan, nan, nan, nan, ma, mb, int(n_a), int(n_b), level)
    ma, mb = total_a / n_a, total_b / n_b
    qa = _variance(n_a, total_a, total_sq_a) / n_a
    qb = _variance(n_b, total_b, total_sq_b) / n_b
    se = math.sqrt(qa + qb)
    diff = ma - mb
    if se == 0:
        return WelchTest(diff, diff, diff, nan, nan, nan, ma, mb, int(n_a), int(n_b), level)
    df = (qa + qb) ** 2 / (qa * qa / (n_a - 1) + qb * qb / (n_b - 1))
    t = diff / se
    p = float(2.0 * _sp.stdtr(df, -abs(t)))
    half = float(_sp.stdtrit(df, 0.5 + level / 2.0)) * se
    return WelchTest(diff, diff - half, diff + half, t, df, p, ma, mb, int(n_a), int(n_b), level)


def welch_t(a: Iterable[float], b: Iterable[float], level: float = 0.95) -> WelchTest:
    """Welch's t test of ``mean(a) − mean(b)`` on raw values (NaN skipped)."""
    return welch_t_from_sums(*_sums(a), *_sums(b), level=level)


def mean_normal_from_sums(n: float, total: float, total_sq: float, level: float = 0.95) -> Estimate:
    """Mean ``Σx/n`` with a normal-approximation interval ``mean ± z·se`` from the sums.

    For large samples (the diagnostics' per-group means), where the t and normal intervals
    agree; ``se² = s²/n`` with ``s² = (Σx²/n − mean²)·n/(n − 1)``. All NaN when ``n`` is 0.

    >>> e = mean_normal_from_sums(4, 10.0, 30.0)
    >>> e.value, round(e.se, 6)
    (2.5, 0.645497)
    """
    if n <= 0:
        return Estimate.missing(0, level)
    m = total / n
    var = max(total_sq / n - m * m, 0.0) * n / max(n - 1, 1)
    return Estimate.normal(m, math.sqrt(var / n), int(n), level)
