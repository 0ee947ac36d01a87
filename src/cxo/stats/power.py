"""Power before launch: the smallest effect a difference-in-differences can detect.

A difference-in-differences compares four cells: treated/control × before/after. With ``n``
independent responses per cell and the per-response variance ``σ²`` of the metric in each
group (for NPS the variance of the +100/0/−100 scores; for a share ``p(1 − p)``), the standard
error of the contrast is

    SE = √( σ_T² · (1/n_T,pre + 1/n_T,post) + σ_C² · (1/n_C,pre + 1/n_C,post) )

and the minimum detectable effect (two-sided test at level ``α`` with power ``1 − β``) is

    MDE = (z_{1−α/2} + z_{1−β}) · SE        (α = 0.05, power 0.8: 2.80 · SE)

— the normal approximation of :class:`statsmodels.stats.power.NormalIndPower`, against which
``tests/stats/test_power.py`` checks it (and against a seeded simulation). It ignores the
(negligible) chance of rejecting in the wrong direction, treats responses as independent
(repeat answers of one customer make the real interval wider) and takes the variances of the
pre-period as those after launch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy.stats import norm

from cxo.errors import InsufficientDataError, UsageError

ALPHA = 0.05
POWER = 0.8


@dataclass(frozen=True)
class Cell:
    """One group of a difference-in-differences before or after: responses and the variance
    of one response."""

    n: float
    variance: float


def multiplier(alpha: float = ALPHA, power: float = POWER) -> float:
    """``z_{1−α/2} + z_{power}``: the MDE in standard errors (2.80 at the defaults)."""
    if not 0.0 < alpha < 1.0 or not 0.0 < power < 1.0:
        raise UsageError(f"α and power must lie in (0, 1), not {alpha} and {power}")
    return float(norm.ppf(1.0 - alpha / 2.0) + norm.ppf(power))


def did_se(treated_pre: Cell, treated_post: Cell, control_pre: Cell, control_post: Cell) -> float:
    """Standard error of a difference-in-differences of four independent cell means."""
    cells = (treated_pre, treated_post, control_pre, control_post)
    for cell in cells:
        if not cell.n > 0:
            raise InsufficientDataError("a difference-in-differences needs responses in all cells")
        if not (cell.variance >= 0 and math.isfinite(cell.variance)):
            raise UsageError(f"a variance must be a finite number ≥ 0, not {cell.variance}")
    return math.sqrt(sum(c.variance / c.n for c in cells))


def mde(se: float, alpha: float = ALPHA, power: float = POWER) -> float:
    """Minimum detectable effect for a contrast with standard error ``se``."""
    return multiplier(alpha, power) * se


def power_at(effect: float, se: float, alpha: float = ALPHA) -> float:
    """Probability that a two-sided test at ``alpha`` detects ``effect`` (both tails)."""
    if se <= 0:
        return 1.0 if effect else alpha
    z = norm.ppf(1.0 - alpha / 2.0)
    shift = abs(effect) / se
    return float(norm.sf(z - shift) + norm.cdf(-z - shift))


def nps_variance(promoters: float, detractors: float) -> float:
    """Variance of one response's NPS score (+100 promoter, −100 detractor, 0 passive) from
    the shares of promoters and detractors."""
    mean = promoters - detractors
    return 10_000.0 * (promoters + detractors - mean * mean)


@dataclass(frozen=True)
class Mde:
    """The minimum detectable effect of one metric and the standard error it comes from."""

    metric: str
    mde: float
    se: float
    alpha: float = ALPHA
    power: float = POWER

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "metric": self.metric,
            "mde": self.mde,
            "se": self.se,
            "alpha": self.alpha,
            "power": self.power,
        }


__all__ = [
    "ALPHA",
    "POWER",
    "Cell",
    "Mde",
    "did_se",
    "mde",
    "multiplier",
    "nps_variance",
    "power_at",
]
