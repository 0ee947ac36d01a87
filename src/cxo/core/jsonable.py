"""Plain JSON values from results: NaN/inf → ``None``, numpy scalars → Python, dates → ISO."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


def jsonable(obj: Any) -> Any:
    """``obj`` with every nested value valid in strict JSON (``allow_nan=False``)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and getattr(obj, "ndim", 0) > 0:  # numpy arrays
        return jsonable(obj.tolist())
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if hasattr(obj, "item"):
        return jsonable(obj.item())
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def jsonable_dict(obj: dict[str, Any]) -> dict[str, Any]:
    """:func:`jsonable` for a dict (typed)."""
    out: dict[str, Any] = jsonable(obj)
    return out
