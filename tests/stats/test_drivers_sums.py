"""The key drivers' SQL sums (``cxo.stats.driver_sums``) against numpy and a Python reference.

* :func:`assemble` of the SQL sums equals :func:`cxo.stats.drivers.group_stats` on the same
  rows and groups, listwise and pairwise (NULLs = missing).
* The bucket and the normal value of a row are a function of ``md5(id)`` alone: DuckDB's
  numbers equal a Python reference (``hashlib``) exactly (buckets) and to 1e-12 (normals);
  Spark reads the same hex digits (the transpiled SQL is checked in ``to_spark``).
* The normals are standard normal and the buckets uniform (goodness of fit on 20,000 ids).
"""

from __future__ import annotations

import hashlib
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cxo.engine.sql import to_spark
from cxo.stats.driver_sums import (
    assemble,
    bucket_sql,
    hex_int,
    normal_sql,
    stat_columns,
    stat_count,
)
from cxo.stats.drivers import group_stats


def _reference(rid: str, buckets: int) -> tuple[int, float]:
    h = hashlib.md5(rid.encode()).hexdigest()  # a pseudo-random draw
    u1 = (int(h[6:12], 16) + 0.5) / 16.0**6
    u2 = (int(h[12:18], 16) + 0.5) / 16.0**6
    return int(h[0:6], 16) % buckets, math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)


def _draws(ids: list[str], buckets: int) -> pd.DataFrame:
    con = duckdb.connect()
    con.register("ids", pd.DataFrame({"id": ids}))
    con.execute("create table t as select id from ids")
    return con.execute(
        f"select id, {bucket_sql('h', buckets)} as b, {normal_sql('h')} as z "
        "from (select id, md5(id) as h from t) order by id"
    ).df()


def test_bucket_and_normal_equal_a_python_reference() -> None:
    got = _draws([*(f"R{i:09d}" for i in range(3000)), "é'x", "", "a b"], 2000)
    for rid, b, z in got.itertuples(index=False):
        want_b, want_z = _reference(rid, 2000)
        assert b == want_b
        assert z == pytest.approx(want_z, rel=1e-12, abs=1e-12)


def test_normals_are_standard_normal_and_buckets_uniform() -> None:
    got = _draws([f"C-{i}" for i in range(20_000)], 50)
    z = got["z"].to_numpy()
    assert sps.kstest(z, "norm").pvalue > 0.001
    assert abs(float(np.corrcoef(z[:-1], z[1:])[0, 1])) < 0.03
    counts = np.bincount(got["b"].to_numpy(), minlength=50)
    assert sps.chisquare(counts).pvalue > 0.001


def test_spark_reads_the_same_hex_digits() -> None:
    sql = to_spark(f"select {hex_int('h', 7, 2)} as x")
    assert "LOCATE(SUBSTRING(h, 7, 1), '0123456789abcdef')" in sql
    assert "LOCATE(SUBSTRING(h, 8, 1), '0123456789abcdef')" in sql
    spark = to_spark(f"select {normal_sql('h')} as z")
    assert "LN(" in spark
    assert "COS(" in spark


@pytest.mark.parametrize("pairwise", [False, True])
def test_sql_sums_equal_group_stats(pairwise: bool) -> None:
    rng = np.random.default_rng(3)
    n, k, groups = 600, 4, 7
    data = rng.integers(1, 6, size=(n, k)).astype(float)
    data[rng.random((n, k)) < 0.15] = np.nan
    if not pairwise:
        data[np.isnan(data).any(axis=1)] = np.nan  # listwise: incomplete rows all NULL
    group = rng.integers(0, groups, size=n)
    frame = pd.DataFrame(data, columns=[f"v{i}" for i in range(k)]).assign(g=group)
    con = duckdb.connect()
    con.register("src", frame)
    cols = stat_columns(k, pairwise)
    assert len(cols) == stat_count(k, pairwise)
    rows = con.execute(f"select g, {', '.join(cols)} from src group by g order by g").fetchall()
    got = assemble([r[1:] for r in rows], k, pairwise)
    # one group each: the plain sums (all-NULL rows add nothing)
    want = np.stack([group_stats(data[group == g], groups=1)[0] for g in range(groups)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)


def test_null_sums_are_zero() -> None:
    got = assemble([[None] * stat_count(2, True)], 2, True)
    assert got.shape == (1, 4, 2, 2)
    assert not got.any()
