"""Shared pieces of the estimators: the one Estimate type, the result base class, quantiles."""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special as _sp

from cxo.errors import UsageError


class Result:
    """Mixin of the frozen result dataclasses: JSON-ready ``to_dict()``."""

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict of plain Python values (NaN and ±inf become ``None``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            out[f.name] = value
        return out


@dataclass(frozen=True, kw_only=True)
class Estimate(Result):
    """A point estimate with its interval: the one estimate type of cxo.

    ``se`` is NaN where the interval does not come from a standard error (percentile
    bootstrap, exact intervals); ``n`` is the number of units behind it where that is one
    number. Estimators with more to say subclass it (``NpsEstimate`` adds the counts).

    >>> e = Estimate(value=2.0, ci_low=1.0, ci_high=3.0)
    >>> e.excludes_zero, e.covers(0.5)
    (True, False)
    """

    value: float
    ci_low: float
    ci_high: float
    se: float = math.nan
    n: int | None = None
    level: float = 0.95

    @classmethod
    def normal(cls, value: float, se: float, n: int | None = None, level: float = 0.95) -> Estimate:
        """``value ± z·se`` (the normal-approximation interval)."""
        z = z_value(level)
        return cls(value=value, ci_low=value - z * se, ci_high=value + z * se, se=se, n=n,
                   level=level)  # fmt: skip

    @classmethod
    def missing(cls, n: int | None = 0, level: float = 0.95) -> Estimate:
        """An estimate that cannot be made (all NaN)."""
        nan = math.nan
        return cls(value=nan, ci_low=nan, ci_high=nan, n=n, level=level)

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies entirely on one side of zero."""
        return self.ci_low > 0 or self.ci_high < 0

    def covers(self, x: float) -> bool:
        """Whether ``x`` lies in the interval (inclusive)."""
        return self.ci_low <= x <= self.ci_high

    def scaled(self, factor: float, n: int | None = None) -> Estimate:
        """The estimate times ``factor`` (interval bounds swap for a negative factor)."""
        lo, hi = self.ci_low * factor, self.ci_high * factor
        return Estimate(
            value=self.value * factor,
            ci_low=min(lo, hi),
            ci_high=max(lo, hi),
            se=self.se * abs(factor),
            n=self.n if n is None else n,
            level=self.level,
        )

    def shifted(self, offset: float) -> Estimate:
        """The estimate plus ``offset``."""
        return Estimate(
            value=self.value + offset,
            ci_low=self.ci_low + offset,
            ci_high=self.ci_high + offset,
            se=self.se,
            n=self.n,
            level=self.level,
        )


@functools.lru_cache(maxsize=64)
def z_value(level: float) -> float:
    """The two-sided standard-normal quantile for confidence ``level`` (1.959964 for 0.95)."""
    check_level(level)
    return float(_sp.ndtri(0.5 + level / 2.0))


def check_level(level: float) -> None:
    """Reject confidence levels outside (0, 1)."""
    if not 0.0 < level < 1.0:
        raise UsageError(f"level must lie strictly between 0 and 1, got {level!r}")


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard-normal statistic."""
    if math.isnan(z):
        return math.nan
    return float(2.0 * _sp.ndtr(-abs(z)))


def as_float_array(values: Any) -> npt.NDArray[np.float64]:
    """Values as a float array without missing ones (None, NaN, pandas/polars nulls)."""
    if isinstance(values, np.ndarray):
        arr = values.astype(float)
    elif hasattr(values, "to_numpy"):
        try:
            arr = np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        except TypeError:
            arr = np.asarray(values.to_numpy(), dtype=float)
    else:
        arr = np.asarray(list(values), dtype=float)
    out: npt.NDArray[np.float64] = arr[~np.isnan(arr)]
    return out
