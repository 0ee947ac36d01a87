"""The latent experience model: cut-points, expected NPS and the calibrations.

A response's latent is ``L = η + noise`` with ``noise ~ N(0, σ²)``; NPS, CSAT, CES and the
ratings are cut from it at fixed points. :func:`expected_nps` is the exact expected NPS of a
response with structural part ``η``; the planted effects are calibrated on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import ndtr

Array = np.ndarray[Any, Any]

# NPS 0..10 = number of cut-points below L (L ~ N(0, 1) at η = 0: ~30 % detractors,
# ~35 % promoters).
NPS_CUTS = np.array([-2.3, -1.9, -1.6, -1.3, -1.05, -0.8, -0.52, -0.05, 0.385, 1.1])
DETRACTOR_BELOW = NPS_CUTS[6]  # score ≥ 7 from here
PROMOTER_FROM = NPS_CUTS[8]  # score ≥ 9 from here
CSAT_CUTS = np.array([-1.4, -0.7, 0.0, 0.9])  # 1..5
CES_CUTS = np.array([-1.6, -0.9, -0.3, 0.3, 0.9, 1.6])  # 7 − #cuts below → 7..1
RATING_CUTS = np.array([-1.5, -0.6, 0.3, 1.2])  # 1..5


def expected_nps(eta: Array, sigma: float) -> Array:
    """Expected NPS (points) of responses with structural latent ``eta``."""
    promoter = ndtr((eta - PROMOTER_FROM) / sigma)
    detractor = ndtr((DETRACTOR_BELOW - eta) / sigma)
    return np.asarray(100.0 * (promoter - detractor))


def bisect(fun: Callable[[float], float], lo: float, hi: float, tol: float = 1e-9) -> float:
    """Root of a monotone ``fun`` on ``[lo, hi]`` (clamped to the bounds)."""
    flo, fhi = fun(lo), fun(hi)
    if flo * fhi > 0:
        return lo if abs(flo) < abs(fhi) else hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        fm = fun(mid)
        if fm == 0 or hi - lo < tol:
            return mid
        if (fm > 0) == (fhi > 0):
            hi, fhi = mid, fm
        else:
            lo, flo = mid, fm
    return 0.5 * (lo + hi)


def calibrate_shift(eta: Array, weights: Array, target: float, sigma: float = 1.0) -> float:
    """The latent shift δ with Σ w·[F(η+δ) − F(η)] / Σ w = ``target`` NPS points."""
    if target == 0:
        return 0.0
    w = weights / weights.sum()
    base = float(np.sum(w * expected_nps(eta, sigma)))

    def gap(d: float) -> float:
        return float(np.sum(w * expected_nps(eta + d, sigma))) - base - target

    return bisect(gap, -4.0, 4.0)


def cut(latent: Array, cuts: Array) -> Array:
    """Number of cut-points below ``latent`` (vectorised)."""
    return np.searchsorted(cuts, latent, side="right").astype(np.int64)
