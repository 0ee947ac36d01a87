"""Which words an estimate earns: the pure rules every finding chooses its message key by.

A finding's sentence must agree with its numbers. These functions look only at the interval
of an :class:`~cxo.stats.Estimate` and return a short tag; each analysis maps the tag to a
catalogue key (``….evidence``, ``….opposite``, ``….none``) and :mod:`cxo.report` supplies the
words. So "no evidence" is said only when the interval covers the null, the direction words
follow the side of the null the interval lies on, and money is phrased by its sign.

>>> from cxo.stats import Estimate
>>> side(Estimate(value=-0.2, ci_low=-0.23, ci_high=-0.19))
'below'
>>> verdict(Estimate(value=-0.2, ci_low=-0.23, ci_high=-0.19), expected=1)
'opposite'
>>> verdict(Estimate(value=0.01, ci_low=-0.02, ci_high=0.04), expected=1)
'none'
>>> money_sign(Estimate(value=-510.0, ci_low=-600.0, ci_high=-400.0))
'loss'
>>> direction(Estimate(value=0.0, ci_low=-1.0, ci_high=1.0))
'none'
"""

from __future__ import annotations

import math
from typing import Literal, Protocol


class Interval(Protocol):
    """Anything with a point value and a 95 % interval (``Estimate``, ``RevenueAtRisk``)."""

    @property
    def value(self) -> float: ...

    @property
    def ci_low(self) -> float: ...

    @property
    def ci_high(self) -> float: ...


Side = Literal["above", "below", "covers", "missing"]
Verdict = Literal["evidence", "opposite", "none", "missing"]
MoneySign = Literal["gain", "loss", "unclear", "missing"]


def side(est: Interval, null: float = 0.0) -> Side:
    """Where the interval lies relative to ``null``: ``above``, ``below``, ``covers`` (the
    null is inside, bounds included) or ``missing`` (a bound or the value is NaN)."""
    values = (est.value, est.ci_low, est.ci_high)
    if any(v is None or not math.isfinite(float(v)) for v in values):
        return "missing"
    if est.ci_low > null:
        return "above"
    if est.ci_high < null:
        return "below"
    return "covers"


def verdict(est: Interval, expected: Literal[1, -1], null: float = 0.0) -> Verdict:
    """``evidence`` when the interval excludes ``null`` on the ``expected`` side (+1: above,
    −1: below), ``opposite`` when it excludes it on the other side, ``none`` when it covers
    it, ``missing`` when it cannot be said."""
    s = side(est, null)
    if s == "covers":
        return "none"
    if s == "missing":
        return "missing"
    return "evidence" if (s == "above") == (expected == 1) else "opposite"


def direction(est: Interval, null: float = 0.0) -> Literal["higher", "lower", "none", "missing"]:
    """``higher``/``lower`` when the interval excludes ``null`` above/below, else ``none``
    (or ``missing``)."""
    s = side(est, null)
    if s == "missing":
        return "missing"
    return "higher" if s == "above" else "lower" if s == "below" else "none"


def money_sign(est: Interval) -> MoneySign:
    """A money effect's sign: ``gain`` (interval above zero), ``loss`` (below), ``unclear``
    (covers zero) or ``missing``. Messages print a ``loss`` as a positive amount "at risk"."""
    s = side(est)
    if s == "missing":
        return "missing"
    return "gain" if s == "above" else "loss" if s == "below" else "unclear"
