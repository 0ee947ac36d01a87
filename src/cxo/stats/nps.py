"""Net Promoter Score with the adjusted-Wald interval (Rocks 2016), and two-sample differences.

NPS values, intervals and standard errors are in NPS points (−100 … 100).

One sample, ``P`` promoters (9–10), ``D`` detractors (0–6), ``n`` answers:

* ``value = 100 · (P − D) / n`` (the plain NPS);
* adjusted Wald: ``n′ = n + 3``, ``p′ = (P + ¾) / n′``, ``d′ = (D + ¾) / n′``; the interval is
  centred on ``p′ − d′`` with variance ``[p′ + d′ − (p′ − d′)²] / n′``, clipped to [−100, 100].

Two independent samples (``nps_difference``): each sample is adjusted as above; the difference
``(p′₁ − d′₁) − (p′₂ − d′₂)`` has variance ``v₁/n′₁ + v₂/n′₂`` with
``vᵢ = p′ᵢ + d′ᵢ − (p′ᵢ − d′ᵢ)²``.
The interval is centred on the adjusted difference; the p-value is the two-sided z test of that
same adjusted difference, so ``p < 1 − level`` exactly when the interval excludes 0. The
reported ``difference`` is the plain NPS difference.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cxo.errors import UsageError
from cxo.stats.estimate import Estimate, Result, as_float_array, two_sided_p, z_value


@dataclass(frozen=True, kw_only=True)
class NpsEstimate(Estimate):
    """An NPS with its adjusted-Wald interval (all in NPS points)."""

    n: int
    promoters: int
    passives: int
    detractors: int

    def summary(self) -> str:
        """One line: NPS, interval and sample size."""
        return (
            f"NPS {self.value:.1f} [{self.ci_low:.1f}, {self.ci_high:.1f}] "
            f"({self.level:.0%} adjusted Wald, n={self.n})"
        )


@dataclass(frozen=True)
class NpsDifference(Result):
    """Difference ``a − b`` of two independent NPS, with adjusted-Wald interval and p-value."""

    difference: float
    ci_low: float
    ci_high: float
    se: float
    z: float
    p_value: float
    value_a: float
    value_b: float
    n_a: int
    n_b: int
    level: float = 0.95

    def summary(self) -> str:
        """One line: difference, interval, p-value."""
        return (
            f"ΔNPS {self.difference:+.1f} [{self.ci_low:+.1f}, {self.ci_high:+.1f}] "
            f"p={self.p_value:.3g} (n={self.n_a} vs {self.n_b})"
        )


def nps_counts(scores: Iterable[float]) -> tuple[int, int, int]:
    """``(promoters, passives, detractors)`` of 0–10 scores; missing values (NaN) are skipped."""
    arr = as_float_array(scores)
    if arr.size and (arr.min() < 0 or arr.max() > 10):
        raise UsageError("NPS scores must lie between 0 and 10")
    promoters = int(np.count_nonzero(arr >= 9))
    detractors = int(np.count_nonzero(arr <= 6))
    return promoters, int(arr.size) - promoters - detractors, detractors


def _adjusted(promoters: float, detractors: float, n: float) -> tuple[float, float, float]:
    """Adjusted-Wald centre, variance of one answer, and n′ (as shares, not points)."""
    n_adj = n + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    centre = p - d
    return centre, p + d - centre * centre, n_adj


def nps_from_counts(
    promoters: int, passives: int, detractors: int, level: float = 0.95
) -> NpsEstimate:
    """NPS and adjusted-Wald interval from the three counts.

    >>> nps_from_counts(50, 30, 20).value
    30.0
    """
    for name, count in (
        ("promoters", promoters),
        ("passives", passives),
        ("detractors", detractors),
    ):
        if count < 0:
            raise UsageError(f"{name} must not be negative")
    n = promoters + passives + detractors
    z = z_value(level)
    centre, var1, n_adj = _adjusted(promoters, detractors, n)
    se = math.sqrt(var1 / n_adj)
    value = 100.0 * (promoters - detractors) / n if n else math.nan
    return NpsEstimate(
        value=value,
        ci_low=100.0 * max(-1.0, centre - z * se),
        ci_high=100.0 * min(1.0, centre + z * se),
        se=100.0 * se,
        n=int(n),
        promoters=int(promoters),
        passives=int(passives),
        detractors=int(detractors),
        level=level,
    )


def nps(scores: Iterable[float], level: float = 0.95) -> NpsEstimate:
    """NPS of raw 0–10 scores with the adjusted-Wald interval (see the module docstring).

    >>> round(nps([10, 9, 8, 7, 3]).value, 1)
    20.0
    """
    promoters, passives, detractors = nps_counts(scores)
    return nps_from_counts(promoters, passives, detractors, level)


def _as_counts(sample: NpsEstimate | Iterable[float]) -> tuple[int, int, int]:
    if isinstance(sample, NpsEstimate):
        return sample.promoters, sample.passives, sample.detractors
    return nps_counts(sample)


def nps_difference(
    a: NpsEstimate | Iterable[float], b: NpsEstimate | Iterable[float], level: float = 0.95
) -> NpsDifference:
    """NPS of ``a`` minus NPS of ``b`` for two independent samples.

    ``a`` and ``b`` are raw 0–10 scores or :class:`NpsEstimate` results. Method: adjusted Wald
    for a difference of two NPS (see the module docstring).
    """
    pa, qa, da = _as_counts(a)
    pb, qb, db = _as_counts(b)
    na, nb = pa + qa + da, pb + qb + db
    ca, va, nadj_a = _adjusted(pa, da, na)
    cb, vb, nadj_b = _adjusted(pb, db, nb)
    se = math.sqrt(va / nadj_a + vb / nadj_b)
    centre = ca - cb
    z_crit = z_value(level)
    z = centre / se if se > 0 else math.nan
    value_a = 100.0 * (pa - da) / na if na else math.nan
    value_b = 100.0 * (pb - db) / nb if nb else math.nan
    return NpsDifference(
        difference=value_a - value_b,
        ci_low=100.0 * max(-2.0, centre - z_crit * se),
        ci_high=100.0 * min(2.0, centre + z_crit * se),
        se=100.0 * se,
        z=z,
        p_value=two_sided_p(z),
        value_a=value_a,
        value_b=value_b,
        n_a=int(na),
        n_b=int(nb),
        level=level,
    )
