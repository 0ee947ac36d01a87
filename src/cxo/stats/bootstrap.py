"""Bootstrap helpers: percentile intervals and a vectorised Poisson bootstrap from moments.

The Poisson bootstrap resamples units (customers, cases) with independent Poisson(1) weights.
For a statistic that is a sum over units, a group's resampled sum vector ``Σ Wᵢ vᵢ`` has mean
``Σ vᵢ`` and covariance ``Σ vᵢ vᵢ'`` exactly; with thousands of units per group it is normal to
a very good approximation. So the engine computes those moments per group in SQL
(:func:`moment_sql`) and :func:`poisson_boot_normal` draws every resample's group sums at
once, without touching the units again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cxo.stats.estimate import Estimate


def percentile_interval(draws: np.ndarray[Any, Any], level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of 1-d ``draws`` (NaNs ignored; ``(nan, nan)`` if none).

    >>> percentile_interval(np.arange(101.0), 0.5)
    (25.0, 75.0)
    """
    alpha = (1 - level) / 2
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return math.nan, math.nan
    lo, hi = np.quantile(finite, [alpha, 1 - alpha])
    return float(lo), float(hi)


def moment_sql(stats: list[str]) -> str:
    """SQL select list: Σ of each statistic and Σ of each pairwise product (for
    :func:`poisson_boot_normal`). Columns are ``s{i}`` and ``c{i}_{j}`` (i ≤ j).

    >>> moment_sql(["a", "b"])
    'sum(a) as s0, sum(b) as s1, sum((a) * (a)) as c0_0, sum((a) * (b)) as c0_1, sum((b) * (b)) as c1_1'
    """  # noqa: E501
    parts = [f"sum({e}) as s{i}" for i, e in enumerate(stats)]
    for i, a in enumerate(stats):
        for j in range(i, len(stats)):
            parts.append(f"sum(({a}) * ({stats[j]})) as c{i}_{j}")
    return ", ".join(parts)


def poisson_boot_normal(
    rows: list[dict[str, Any]], k: int, n_boot: int, rng: np.random.Generator
) -> np.ndarray[Any, Any]:
    """Poisson bootstrap of per-group sums over units, vectorised, from the groups' moments.

    Each resample draws a group's sum vector from the normal with the exact bootstrap mean
    and covariance (see the module docstring). ``rows`` hold ``s{i}`` and ``c{i}_{j}`` from
    :func:`moment_sql`; returns ``n_boot × G × k`` draws.
    """
    out = np.zeros((n_boot, len(rows), k))
    for g, r in enumerate(rows):
        mean = np.array([float(r[f"s{i}"] or 0.0) for i in range(k)])
        cov = np.zeros((k, k))
        for i in range(k):
            for j in range(i, k):
                cov[i, j] = cov[j, i] = float(r[f"c{i}_{j}"] or 0.0)
        # Factor the correlation, not the covariance: the statistics differ in scale by up to
        # 1e8 (a count next to revenue × contacts), and the eigenvectors of so ill-conditioned
        # a covariance move by 1e-9 when the moments move by one rounding step (two engines
        # summing in a different order); those of the correlation move by 1e-15. The
        # eigen-decomposition tolerates the singular matrices of constant statistics.
        scale = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        scale = np.where(scale > 0, scale, 1.0)
        vals, vecs = np.linalg.eigh(cov / np.outer(scale, scale))
        # An eigenvector's sign is arbitrary, and rounding noise in the moments (parallel sums)
        # can flip it between runs; fix it (largest component positive) so the seeded draws
        # are the same run after run. Components of equal size are common in a correlation's
        # eigenvectors ((1, -1)/√2): the first of those within 1e-9 of the largest decides.
        size = np.abs(vecs)
        largest = np.argmax(size >= size.max(axis=0) * (1 - 1e-9), axis=0)
        vecs = vecs * np.where(vecs[largest, np.arange(k)] < 0, -1.0, 1.0)
        # Eigenvalues at rounding level are zero: a duplicated statistic makes the matrix
        # singular, and its null eigenvalue comes out as ±1e-16, whose root would add noise.
        vals = np.where(vals > k * 1e-12 * max(float(vals.max()), 0.0), vals, 0.0)
        root = scale[:, None] * (vecs * np.sqrt(vals))
        out[:, g, :] = mean + rng.standard_normal((n_boot, k)) @ root.T
    return out


def percentile_estimate(
    value: float, draws: np.ndarray[Any, Any], n: int | None = None, level: float = 0.95
) -> Estimate:
    """``value`` with the percentile interval of its bootstrap ``draws``.

    >>> percentile_estimate(50.0, np.arange(101.0), level=0.5).ci_low
    25.0
    """
    low, high = percentile_interval(draws, level)
    return Estimate(value=value, ci_low=low, ci_high=high, n=n, level=level)
