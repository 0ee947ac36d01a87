"""Shared pieces of the estimators: the result base class and the normal quantile."""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special as _sp


class Estimate:
    """Mixin of the frozen result dataclasses: JSON-ready ``to_dict()``."""

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict of plain Python values (NaN becomes ``None``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, float) and math.isnan(value):
                value = None
            out[f.name] = value
        return out


@functools.lru_cache(maxsize=64)
def z_value(level: float) -> float:
    """The two-sided standard-normal quantile for confidence ``level`` (1.959964 for 0.95)."""
    check_level(level)
    return float(_sp.ndtri(0.5 + level / 2.0))


def check_level(level: float) -> None:
    """Reject confidence levels outside (0, 1)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")


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
