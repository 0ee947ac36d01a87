"""The vectorised shortcuts of the importer give exactly what the row-by-row code gave.

Float columns of typed sources (Parquet, DuckDB) become text without a Python call per value
(:func:`cxo.ingest.readers.float_to_text`), and yes/no words are typed by one simple
``CASE`` per column instead of ``IN`` lists (DuckDB planned those as one hash join each).
Both must produce the same text, the same typed values and the same quarantine.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cxo
from cxo.core.contract import get_table
from cxo.ingest.readers import float_to_text, to_text
from cxo.ingest.validate import FALSE_WORDS, TRUE_WORDS, Plan, _typed

SPECIAL = [
    0.0,
    -0.0,
    float("nan"),
    float("inf"),
    float("-inf"),
    1e-4,
    9.999999999999999e-05,
    1e-5,
    1.234e-5,
    0.1 + 0.2,
    1.5,
    123.456,
    1e14 + 0.5,
    123456789012345.6,
    999999999999999.0,
    1e15,
    1e15 + 1,
    2.0**53,
    1e16,
    1.5e16,
    1e21,
    5e-324,
    1.7976931348623157e308,
    -7.0,
    -2.5,
]


def _reference(arr: pa.Array) -> list[str | None]:
    return [to_text(v) for v in arr.to_pylist()]


@pytest.mark.parametrize("kind", ["bits", "decimals", "wholes", "special", "float32"])
def test_float_text_is_python_text(kind: str) -> None:
    rng = np.random.default_rng(17)
    n = 60_000
    if kind == "bits":  # every kind of double: subnormals, NaN payloads, huge exponents
        values = rng.integers(0, 2**64, n // 6, dtype=np.uint64).view(np.float64)
    elif kind == "decimals":  # what files hold: a few decimals, magnitudes 1e-9 … 1e19
        raw = 10 ** rng.uniform(-9, 19, n) * rng.choice([-1.0, 1.0], n)
        digits = rng.integers(0, 9, n)
        values = np.array([round(float(v), int(d)) for v, d in zip(raw, digits, strict=True)])
    elif kind == "wholes":  # around the 1e15 switch from integer to repr text
        values = rng.integers(-(10**17), 10**17, n).astype(np.float64)
        values[: n // 2] = rng.integers(-(10**15) - 5, 10**15 + 5, n // 2)
    elif kind == "special":
        values = np.array(SPECIAL * 3)
    else:
        values = rng.uniform(-1e7, 1e7, n).astype(np.float32)
    mask = rng.random(len(values)) < 0.05
    arr = pa.array(values, mask=mask)
    assert float_to_text(arr).to_pylist() == _reference(arr)


def test_float_column_import_keeps_values_and_quarantine_text(tmp_path: Path) -> None:
    scores = [5.0, 3.5, 1e-5, 11.0, None, 1e16, -0.0, 2.0]
    table = pa.table(
        {
            "response_id": [f"r{i}" for i in range(len(scores))],
            "attribute": ["waiting_time"] * len(scores),
            "score": pa.array(scores, pa.float64()),
            "scale_min": pa.array([1.0] * len(scores), pa.float32()),
            "scale_max": pa.array([10.0] * len(scores), pa.float64()),
        }
    )
    path = tmp_path / "ratings.parquet"
    pq.write_table(table, path)
    res = cxo.read(path, table="ratings")
    kept = res.table.to_pylist()
    by_id = {r["response_id"]: r["score"] for r in kept}
    rejected = {r["line"]: r for r in res.quarantine.to_pylist()}
    assert len(kept) + len(rejected) == len(scores)
    for i, score in enumerate(scores):
        line = i + 1
        if line in rejected:
            raw = json.loads(rejected[line]["raw"])
            assert raw["score"] == to_text(score)
            assert raw["scale_min"] == "1"
            assert f"'{to_text(score)}'" in rejected[line]["reason"] or score is None
        else:
            assert by_id[f"r{i}"] == score
    assert {by_id[f"r{i}"] for i in (0, 1, 7)} == {5.0, 3.5, 2.0}


def _old_boolean(v: str) -> str:
    """The expression the importer used before (IN lists), kept as the reference."""
    low = f"lower({v})"
    true = ", ".join(f"'{w}'" for w in TRUE_WORDS)
    false = ", ".join(f"'{w}'" for w in FALSE_WORDS)
    return f"CASE WHEN {low} IN ({true}) THEN true WHEN {low} IN ({false}) THEN false END"


@pytest.mark.parametrize("x_style", [False, True])
def test_boolean_case_equals_in_lists(x_style: bool) -> None:
    spec = get_table("sends")
    col = spec.column("opened")
    plan = Plan(table=spec, mapping={"opened": "c0"}, x_booleans={"opened"} if x_style else set())
    new, _ = _typed(col, plan)
    words = [*TRUE_WORDS, *FALSE_WORDS]
    values: list[str | None] = [*words, *(w.upper() for w in words), *(w.title() for w in words)]
    values += ["", "2", "maybe", "vielleicht", "tru", "yes!", "ÿes", "JA", "Wahr", "1.00", None]
    con = duckdb.connect()
    con.execute('CREATE TABLE t ("v_opened" VARCHAR)')
    con.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    old = _old_boolean('"v_opened"')
    if x_style:
        old = f'CASE WHEN "v_opened" IS NULL THEN false ELSE {old} END'
    rows = con.execute(f'SELECT "v_opened", {new}, {old} FROM t').fetchall()
    assert [r[1] for r in rows] == [r[2] for r in rows]
    for v, got, _ in rows:  # and both are the documented words, in any case
        want: bool | None = None
        if v is not None and v.lower() in TRUE_WORDS:
            want = True
        elif v is not None and v.lower() in FALSE_WORDS:
            want = False
        assert got == (False if x_style and v is None else want)
