"""Proportions: Wilson interval, CSAT top-2-box, and the two-proportion test.

* ``proportion(successes, n)``: share with the Wilson score interval
  ``(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)``.
* ``csat_top2box(scores)``: share of 4–5 answers on a 1–5 scale, Wilson interval.
* ``two_proportion_test(x1, n1, x2, n2)``: difference ``p̂₁ − p̂₂``; p-value of the pooled
  two-sided z test; interval by Newcombe's hybrid score method (his method 10), built from the
  two Wilson intervals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cxo.errors import UsageError
from cxo.stats.estimate import Estimate, Result, as_float_array, two_sided_p, z_value


@dataclass(frozen=True, kw_only=True)
class ProportionEstimate(Estimate):
    """A share with its Wilson interval (shares in 0 … 1)."""

    n: int
    successes: int

    def summary(self) -> str:
        """One line: share, interval and sample size."""
        return (
            f"{self.value:.1%} [{self.ci_low:.1%}, {self.ci_high:.1%}] "
            f"({self.level:.0%} Wilson, {self.successes}/{self.n})"
        )


@dataclass(frozen=True)
class TwoProportionTest(Result):
    """Difference ``p₁ − p₂`` with Newcombe interval and pooled z-test p-value."""

    difference: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    value_a: float
    value_b: float
    n_a: int
    n_b: int
    level: float = 0.95


def wilson_interval(successes: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``n`` (``(nan, nan)`` when n = 0)."""
    if n <= 0:
        return math.nan, math.nan
    if not 0 <= successes <= n:
        raise UsageError(f"successes ({successes}) must lie between 0 and n ({n})")
    z = z_value(level)
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion(successes: int, n: int, level: float = 0.95) -> ProportionEstimate:
    """Share ``successes / n`` with its Wilson interval.

    >>> proportion(8, 10).value
    0.8
    """
    low, high = wilson_interval(successes, n, level)
    value = successes / n if n > 0 else math.nan
    se = math.sqrt(value * (1.0 - value) / n) if n > 0 else math.nan
    return ProportionEstimate(
        value=value,
        ci_low=low,
        ci_high=high,
        se=se,
        n=int(n),
        successes=int(successes),
        level=level,
    )


def csat_top2box(scores: Iterable[float], level: float = 0.95) -> ProportionEstimate:
    """CSAT as the share of 4–5 answers on a 1–5 scale (missing values skipped)."""
    arr = as_float_array(scores)
    if arr.size and (arr.min() < 1 or arr.max() > 5):
        raise UsageError("CSAT scores must lie between 1 and 5")
    return proportion(int(np.count_nonzero(arr >= 4)), int(arr.size), level)


def two_proportion_test(
    successes_a: int, n_a: int, successes_b: int, n_b: int, level: float = 0.95
) -> TwoProportionTest:
    """Compare two independent shares (``a − b``); see the module docstring for the method."""
    if n_a <= 0 or n_b <= 0:
        nan = math.nan
        return TwoProportionTest(nan, nan, nan, nan, nan, nan, nan, int(n_a), int(n_b), level)
    pa, pb = successes_a / n_a, successes_b / n_b
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))
    diff = pa - pb
    # se0 is 0 only when both shares are 0 or both are 1, i.e. when they are equal.
    z = diff / se0 if se0 > 0 else 0.0
    la, ua = wilson_interval(successes_a, n_a, level)
    lb, ub = wilson_interval(successes_b, n_b, level)
    low = diff - math.sqrt((pa - la) ** 2 + (ub - pb) ** 2)
    high = diff + math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)
    return TwoProportionTest(
        difference=diff,
        ci_low=low,
        ci_high=high,
        z=z,
        p_value=two_sided_p(z),
        value_a=pa,
        value_b=pb,
        n_a=int(n_a),
        n_b=int(n_b),
        level=level,
    )


def proportion_difference(
    successes_a: float, n_a: float, successes_b: float, n_b: float, level: float = 0.95
) -> Estimate:
    """Difference ``p̂_a − p̂_b`` with Newcombe's hybrid score interval, as an :class:`Estimate`.

    The interval of :func:`two_proportion_test` (statsmodels
    ``confint_proportions_2indep(method="newcomb")``); ``n`` is ``n_a + n_b``. All NaN when
    either group is empty.

    >>> d = proportion_difference(56, 70, 48, 80)
    >>> round(d.value, 4), round(d.ci_low, 4), round(d.ci_high, 4)
    (0.2, 0.0524, 0.3339)
    """
    t = two_proportion_test(successes_a, n_a, successes_b, n_b, level)  # type: ignore[arg-type]
    return Estimate(
        value=t.difference, ci_low=t.ci_low, ci_high=t.ci_high, n=int(n_a + n_b), level=level
    )
