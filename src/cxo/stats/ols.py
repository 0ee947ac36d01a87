"""Ordinary least squares on grouped data, and the design matrix it takes.

When every observation of a group shares the same regressors, ``X'X``, ``X'y`` and the HC
"meat" ``Σ x x' e²`` are exact functions of each group's count, ``Σy`` and ``Σy²``. So a linear
model over millions of rows can be fitted from a few hundred aggregated groups (computed in
SQL) and still give exactly the row-level coefficients and HC1 standard errors, i.e. what
``statsmodels.OLS(y, X).fit(cov_type="HC1")`` gives on the expanded rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cxo.stats.estimate import Estimate


@dataclass(frozen=True)
class GroupedOLS:
    """OLS fitted on grouped data; exactly the row-level fit (coefficients and HC1 errors)."""

    names: list[str]
    coef: np.ndarray[Any, Any]
    se: np.ndarray[Any, Any]
    n: int

    def estimate(self, name: str, level: float = 0.95) -> Estimate:
        """Coefficient ``name`` with its normal interval (``coef ± z·se``)."""
        i = self.names.index(name)
        return Estimate.normal(float(self.coef[i]), float(self.se[i]), self.n, level)


def grouped_ols(
    x: np.ndarray[Any, Any],
    n: np.ndarray[Any, Any],
    sum_y: np.ndarray[Any, Any],
    sum_y2: np.ndarray[Any, Any],
    names: list[str],
) -> GroupedOLS:
    """Row-level OLS with HC1 standard errors, computed from per-group sufficient statistics.

    Each row of ``x`` is one group of observations sharing the same regressors; ``n`` counts
    them, ``sum_y``/``sum_y2`` are Σy and Σy² within the group.

    >>> x = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> fit = grouped_ols(x, np.array([2, 2]), np.array([2.0, 6.0]), np.array([2.0, 18.0]),
    ...                   ["Intercept", "x"])
    >>> [round(float(c), 6) for c in fit.coef]
    [1.0, 2.0]
    """
    w = n.astype(float)
    xtx = (x * w[:, None]).T @ x
    xty = x.T @ sum_y
    coef = np.linalg.lstsq(xtx, xty, rcond=None)[0]
    fitted = x @ coef
    rss_g = sum_y2 - 2 * fitted * sum_y + w * fitted**2
    rss_g = np.maximum(rss_g, 0.0)
    bread = np.linalg.pinv(xtx)
    meat = (x * rss_g[:, None]).T @ x
    total = int(w.sum())
    k = x.shape[1]
    cov = bread @ meat @ bread * total / max(total - k, 1)
    return GroupedOLS(names, coef, np.sqrt(np.maximum(np.diag(cov), 0.0)), total)


def design(
    levels: dict[str, list[Any]], rows: list[dict[str, Any]], numeric: list[str]
) -> tuple[np.ndarray[Any, Any], list[str]]:
    """A design matrix: intercept, ``numeric`` columns, and treatment dummies for ``levels``.

    The first level of each categorical variable is the reference.

    >>> x, names = design({"seg": ["a", "b"]}, [{"k": 1, "seg": "a"}, {"k": 2, "seg": "b"}],
    ...                   ["k"])
    >>> names, x.tolist()
    (['Intercept', 'k', 'seg[b]'], [[1.0, 1.0, 0.0], [1.0, 2.0, 1.0]])
    """
    names = ["Intercept", *numeric]
    for var, lv in levels.items():
        names += [f"{var}[{v}]" for v in lv[1:]]
    x = np.zeros((len(rows), len(names)))
    x[:, 0] = 1.0
    for j, col in enumerate(numeric, start=1):
        x[:, j] = [float(r[col]) for r in rows]
    offset = 1 + len(numeric)
    for var, lv in levels.items():
        index = {v: i for i, v in enumerate(lv[1:])}
        for i, r in enumerate(rows):
            k = index.get(r[var])
            if k is not None:
                x[i, offset + k] = 1.0
        offset += len(lv) - 1
    return x, names
