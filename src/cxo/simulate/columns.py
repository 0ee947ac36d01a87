"""Arrow columns from a chunk's NumPy arrays: schemas, ids, dates, labels, categorical draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxo.core.contract import TABLES

Array = np.ndarray[Any, Any]
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "boolean": pa.bool_(),
}
ID_PREFIX = {
    "customers": ("C", 7),
    "contracts": ("K", 8),
    "responses": ("R", 9),
    "cases": ("F", 9),
    "sends": ("S", 9),
    "sessions": ("P", 9),
}


def schema(table: str) -> pa.Schema:
    """The Arrow schema of a contract table (canonical names and types, in order)."""
    spec = TABLES[table]
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.type], nullable=not c.required) for c in spec.columns]
    )


def make_ids(table: str, numbers: Array) -> pa.Array:
    """String ids like ``C0000001`` for 1-based ``numbers``."""
    prefix, width = ID_PREFIX[table]
    text = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


@dataclass
class Counters:
    """Running id numbers per table (ids are global across chunks)."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ID_PREFIX, 0))

    def take(self, table: str, n: int) -> Array:
        """``n`` consecutive 1-based numbers for ``table``."""
        start = self.next[table]
        self.next[table] = start + n
        return np.arange(start + 1, start + n + 1, dtype=np.int64)


def timestamps(days: Array, mask: Array | None = None) -> pa.Array:
    """Microsecond timestamps of epoch days (fractions of a day are the time of day)."""
    us = (np.floor(np.asarray(days) * 86_400.0).astype(np.int64)) * 1_000_000
    return pa.array(us, pa.timestamp("us"), mask=mask)


def dates(days: Array, mask: Array | None = None) -> pa.Array:
    """Dates of whole epoch days."""
    return pa.array(np.asarray(days, dtype=np.int32), pa.date32(), mask=mask)


def strings(values: list[str], idx: Array, mask: Array | None = None) -> pa.Array:
    """The labels ``values[idx]`` (null where ``mask``)."""
    arr = pa.array(values, pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))
    if mask is not None and mask.any():
        arr = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)
    return arr


def choice(rng: np.random.Generator, probs: Array, size: int) -> Array:
    """``size`` category indices drawn with weights ``probs`` (one uniform draw each)."""
    cdf = np.cumsum(probs)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(probs) - 1)


def order(cust: Array, t: Array) -> Array:
    """Sort by customer, then time (one float key: customer · 10⁶ + epoch day)."""
    return np.argsort(cust.astype(float) * 1e6 + t, kind="stable")


def concat(parts: list[Array], dtype: Any) -> Array:
    """The parts end to end as ``dtype`` (empty without parts)."""
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)
