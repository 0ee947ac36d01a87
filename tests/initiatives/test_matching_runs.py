"""The matching over runs of equal pre-period level picks the same customers as the greedy
nearest-free search over every candidate (the algorithm before the matching moved into SQL)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cxo.initiatives.matching import _nearest

Array = np.ndarray[Any, Any]


def _reference(treated: Array, pool: Array, rng: np.random.Generator) -> Array:
    """Nearest free pool value per treated value in a random order, one candidate at a time
    (pool sorted stably by value; at equal distance the lower position)."""
    out = np.full(len(treated), -1, dtype=np.int64)
    n = len(pool)
    order = np.argsort(pool, kind="stable")
    values = pool[order]
    free = np.ones(n, dtype=bool)
    for t in rng.permutation(len(treated)):
        used = np.flatnonzero(free)
        if not len(used):
            break
        pos = int(np.searchsorted(values, treated[t]))
        below = used[used < pos]
        above = used[used >= pos]
        options = ([int(below[-1])] if len(below) else []) + ([int(above[0])] if len(above) else [])
        best = min(options, key=lambda j: (abs(values[j] - treated[t]), j))
        free[best] = False
        out[t] = order[best]
    return out


@pytest.mark.parametrize("seed", range(40))
def test_runs_choose_the_same_candidates_as_the_search_over_every_candidate(seed: int) -> None:
    gen = np.random.default_rng(1000 + seed)
    levels = np.array([-100.0, -50.0, 0.0, 100.0 / 3, 50.0, 100.0])  # many ties
    n_pool = int(gen.integers(0, 60))
    n_treated = int(gen.integers(1, 50))  # often more treated than pool: it runs out
    pool = gen.choice(levels, n_pool)
    treated = gen.choice(np.concatenate([levels, [10.0, -75.0]]), n_treated)
    expected = _reference(treated, pool, np.random.default_rng(seed))
    values, counts = np.unique(pool, return_counts=True)
    found, front, back = _nearest(treated, values, counts, np.random.default_rng(seed))
    # the same treated are matched, each to a candidate of the same level
    assert ((found >= 0) == (expected >= 0)).all()
    matched = expected >= 0
    assert (values[found[matched]] == pool[expected[matched]]).all()
    # and the very same candidates: per run, the first `front` and last `back` by position
    chosen = set()
    order = np.argsort(pool, kind="stable")
    start = 0
    for j, count in enumerate(counts):
        run = order[start : start + count]
        chosen |= set(run[: front[j]].tolist()) | set(run[count - back[j] :].tolist())
        start += count
    assert chosen == set(expected[matched].tolist())
