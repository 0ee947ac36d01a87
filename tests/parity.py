"""Compare two results of the same analysis from two engines (or storage layouts)."""

from __future__ import annotations

import math
from typing import Any


def assert_same(a: Any, b: Any, rel_tol: float, where: str = "") -> None:
    """Equal: keys, lengths, labels and counts exactly; floats to ``rel_tol`` relative (the
    engines may add in a different order); both NaN counts as equal."""
    if isinstance(a, dict):
        assert isinstance(b, dict), where
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], rel_tol, f"{where}.{key}")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple), where
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, rel_tol, f"{where}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float), where
        assert isinstance(b, int | float), where
        both_nan = math.isnan(a) and math.isnan(b)
        assert both_nan or math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12), (where, a, b)
    else:
        assert a == b, where
