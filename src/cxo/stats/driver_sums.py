"""The key drivers' sufficient statistics as SQL sums: aggregate first, on any engine.

Relative weights and LMG see the data only through correlation matrices, and the bootstrap of
:mod:`cxo.stats.drivers` resamples *groups* of rows through their summed statistics (count,
Σxᵢ, Σxᵢ², Σxᵢxⱼ per pair of variables). So the engine can do all the row-level work: every
row gets a bucket (one of ``G``) and a standard normal value (the random variable of the
significance test) from a pseudo-random function of its id, and one ``GROUP BY`` returns the
sums per bucket — ``G`` rows, whatever the number of rated responses.

The pseudo-random function must give the same numbers on DuckDB and on Spark (their ``hash``
functions differ): it reads hex digits of ``md5(id)`` (the same 32 characters everywhere) with
``strpos`` and ``substr``. Six digits give the bucket, twelve more two uniforms for a
Box–Muller normal. Buckets are therefore iid random groups of rows (as the random groups of
:func:`cxo.stats.drivers.group_stats`), and the noise is iid standard normal per row.

Listwise deletion sums the complete rows only (``count``, ``Σvᵢ``, ``Σvᵢvⱼ``); pairwise
deletion sums each pair over the rows where both are present (``count(vᵢ·vⱼ)``,
``Σ(vᵢ + 0·vⱼ)``, ``Σ(vᵢ² + 0·vⱼ)``, ``Σvᵢvⱼ``: SQL's nulls drop the other rows).
:func:`assemble` turns either into the ``(G, 4, k, k)`` array the decompositions read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

BUCKETS = 2000
"""Groups the bootstrap resamples (as :data:`cxo.stats.drivers.DEFAULT_GROUPS`)."""
_HEX = "'0123456789abcdef'"
_DIGITS = 6
_SCALE = 16.0**_DIGITS


def hex_int(md5: str, start: int, digits: int = _DIGITS) -> str:
    """SQL: the integer (below ``16**digits``) of ``digits`` hex digits of ``md5`` from
    position ``start`` (1-based); the same on every engine.

    >>> hex_int("h", 1, 2)
    "((strpos('0123456789abcdef', substr(h, 1, 1)) - 1) * 16 + (strpos('0123456789abcdef', substr(h, 2, 1)) - 1) * 1)"
    """  # noqa: E501
    terms = [
        f"(strpos({_HEX}, substr({md5}, {start + i}, 1)) - 1) * {16 ** (digits - 1 - i)}"
        for i in range(digits)
    ]
    return "(" + " + ".join(terms) + ")"


def bucket_sql(md5: str, buckets: int = BUCKETS) -> str:
    """SQL: the row's bucket ``0 … buckets-1`` from its ``md5`` hex string."""
    return f"({hex_int(md5, 1)} % {int(buckets)})"


def normal_sql(md5: str) -> str:
    """SQL: a standard normal value from its ``md5`` hex string (Box–Muller on two uniforms
    of 24 bits each, strictly inside (0, 1))."""
    u1 = f"(({hex_int(md5, 7)} + 0.5) / {_SCALE!r})"
    u2 = f"(({hex_int(md5, 13)} + 0.5) / {_SCALE!r})"
    return f"(sqrt(-2.0 * ln({u1})) * cos(6.283185307179586 * {u2}))"


def stat_columns(k: int, pairwise: bool, var: str = "v") -> list[str]:
    """SQL select list of the sums over the variables ``{var}0 … {var}{k-1}`` (NULL =
    missing; for listwise deletion, NULL on every variable of an incomplete row)."""
    v = [f"{var}{i}" for i in range(k)]
    if not pairwise:
        cols = [f"count({v[0]}) as n_"]
        cols += [f"sum({v[i]}) as s{i}_" for i in range(k)]
        cols += [f"sum({v[i]} * {v[j]}) as q{i}_{j}_" for i in range(k) for j in range(i, k)]
        return cols
    cols = []
    for i in range(k):
        for j in range(i, k):
            cols.append(f"count({v[i]} * {v[j]}) as c{i}_{j}_")
            cols.append(f"sum({v[i]} * {v[j]}) as q{i}_{j}_")
    for i in range(k):
        cols.append(f"sum({v[i]}) as s{i}_{i}_")
        cols.append(f"sum({v[i]} * {v[i]}) as ss{i}_{i}_")
        for j in range(k):
            if j != i:
                cols.append(f"sum({v[i]} + 0 * {v[j]}) as s{i}_{j}_")
                cols.append(f"sum({v[i]} * {v[i]} + 0 * {v[j]}) as ss{i}_{j}_")
    return cols


def stat_count(k: int, pairwise: bool) -> int:
    """How many columns :func:`stat_columns` returns."""
    return len(stat_columns(k, pairwise))


def assemble(values: Any, k: int, pairwise: bool) -> FloatArray:
    """The ``(G, 4, k, k)`` statistics (count, Σxᵢ, Σxᵢ², Σxᵢxⱼ over the rows where ``i`` and
    ``j`` are present) from ``G`` rows of :func:`stat_columns` values (NULL sums are 0)."""
    arr = np.asarray(values, dtype=object)
    arr = np.where(arr == None, 0.0, arr).astype(float)  # noqa: E711 (elementwise)
    arr = arr.reshape(-1, stat_count(k, pairwise))
    g = arr.shape[0]
    out = np.zeros((g, 4, k, k))
    if not pairwise:
        n = arr[:, 0]
        s = arr[:, 1 : 1 + k]
        q = np.zeros((g, k, k))
        pos = 1 + k
        for i in range(k):
            for j in range(i, k):
                q[:, i, j] = q[:, j, i] = arr[:, pos]
                pos += 1
        diag = np.arange(k)
        out[:, 0] = n[:, None, None]
        out[:, 1] = s[:, :, None]
        out[:, 2] = q[:, diag, diag][:, :, None]
        out[:, 3] = q
        return out
    pos = 0
    for i in range(k):
        for j in range(i, k):
            out[:, 0, i, j] = out[:, 0, j, i] = arr[:, pos]
            out[:, 3, i, j] = out[:, 3, j, i] = arr[:, pos + 1]
            pos += 2
    for i in range(k):
        out[:, 1, i, i] = arr[:, pos]
        out[:, 2, i, i] = arr[:, pos + 1]
        pos += 2
        for j in range(k):
            if j != i:
                out[:, 1, i, j] = arr[:, pos]
                out[:, 2, i, j] = arr[:, pos + 1]
                pos += 2
    return out


__all__ = [
    "BUCKETS",
    "assemble",
    "bucket_sql",
    "hex_int",
    "normal_sql",
    "stat_columns",
    "stat_count",
]
