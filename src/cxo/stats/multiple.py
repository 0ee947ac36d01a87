"""Multiple testing: Benjamini–Hochberg false-discovery-rate control."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def fdr_bh(
    pvalues: Sequence[float] | npt.NDArray[np.float64], alpha: float = 0.05
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """Benjamini–Hochberg step-up: ``(reject, adjusted p-values)`` in the input order.

    The adjusted p-value of the i-th smallest of m p-values is
    ``min_{j ≥ i} min(1, m·p₍ⱼ₎ / j)``; a hypothesis is rejected when it is ≤ ``alpha``.
    NaN p-values are left out of m and are never rejected.
    """
    p = np.asarray(pvalues, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m:
        sub = p[ok]
        order = np.argsort(sub, kind="mergesort")
        scaled = sub[order] * m / np.arange(1, m + 1)
        monotone = np.minimum.accumulate(scaled[::-1])[::-1]
        out = np.empty(m)
        out[order] = np.minimum(monotone, 1.0)
        adjusted[ok] = out
    reject = np.zeros(p.shape, dtype=bool)
    reject[ok] = adjusted[ok] <= alpha
    return reject, adjusted
