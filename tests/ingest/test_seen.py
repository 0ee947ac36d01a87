"""Duplicate keys across streamed groups keep their original text without a second read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxo.ingest.csv_source as csv_source
import cxo.ingest.stage as stage
from cxo.ingest.api import import_file
from cxo.ingest.seen import BITS_LOG2, MAX_BITS_LOG2, SeenKeys, bits_log2
from cxo.workspace import Workspace

from .conftest import Query


@settings(deadline=None)  # each example allocates the 32 MB filter: slow on a busy machine
@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=40), max_size=6))
def test_seen_keys_has_no_false_negatives(groups: list[list[int]]) -> None:
    seen = SeenKeys()
    before: set[int] = set()
    for group in groups:
        flags = seen.check_and_add(np.array(group, dtype=np.uint64))
        for value, flag in zip(group, flags, strict=True):
            if value in before:
                assert flag
        before.update(group)


def test_seen_keys_false_positive_rate_is_small() -> None:
    rng = np.random.default_rng(3)
    seen = SeenKeys()
    seen.check_and_add(rng.integers(0, 2**63, 1_000_000, dtype=np.uint64))
    fresh = seen.check_and_add(rng.integers(0, 2**63, 100_000, dtype=np.uint64))
    # One probe into 2^28 bits holding 1M keys: expected share 1 − e^(−1M/2^28) ≈ 0.37 %.
    assert 0.002 < fresh.mean() < 0.006


def test_duplicates_across_groups_keep_their_text(
    ws: Workspace, tmp_path: Path, q: Query, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_source, "CSV_BLOCK_BYTES", 2048)  # many Arrow batches …
    monkeypatch.setattr(stage, "GROUP_ROWS", 150)  # … validated in many groups
    passes: list[int] = []
    grouped = stage._grouped

    def counting(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
        passes.append(1)
        return grouped(batches)

    monkeypatch.setattr(stage, "_grouped", counting)
    lines = ["response_id,survey,touchpoint,responded_at,nps,comment"]
    for i in range(2000):
        lines.append(f"r{i},rel,support,2024-01-01,{i % 11},first {i}")
    lines.append(' r5 ,rel,support,2024-02-02,3,"again, five"')  # trimmed key = r5
    lines.append("r1999,rel,support,2024-02-02,4,again 1999")  # repeat inside the last group
    lines.append("x1,rel,support,2024-02-02,99,bad nps")  # invalid first occurrence …
    lines.append("x1,rel,support,2024-02-02,5,valid second")  # … so this one is imported
    lines.append("x1,rel,support,2024-02-02,6,third")  # and this one is the duplicate
    path = tmp_path / "dups.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    batch = import_file(ws, "responses", path)
    assert (batch.read, batch.imported, batch.quarantined) == (2005, 2001, 4)
    got = q("select line, reason, raw from quarantine order by line")
    assert got == [
        (
            2002,
            "duplicate key r5 (first seen on line 7)",
            ' r5 ,rel,support,2024-02-02,3,"again, five"',
        ),
        (
            2003,
            "duplicate key r1999 (first seen on line 2001)",
            "r1999,rel,support,2024-02-02,4,again 1999",
        ),
        (2004, "nps: '99' is out of range 0–10", "x1,rel,support,2024-02-02,99,bad nps"),
        (2006, "duplicate key x1 (first seen on line 2005)", "x1,rel,support,2024-02-02,6,third"),
    ]
    assert q("select comment from responses where response_id = 'x1'") == [("valid second",)]
    assert passes == [1]  # the file was read once: no second pass for the duplicates' text
    assert q("select count(*) from quarantine where raw is null") == [(0,)]


def test_seen_keys_grow_with_the_expected_rows() -> None:
    assert bits_log2(None) == BITS_LOG2 == 28
    assert bits_log2(1_000_000) == 28  # 16M bits would do; never below the 32 MB default
    assert bits_log2(20_000_000) == 29  # 320M bits → 2^29
    assert bits_log2(100_000_000) == MAX_BITS_LOG2 == 31  # 1.6G bits → 2^31 (256 MB)
    assert bits_log2(10**12) == 31
    rng = np.random.default_rng(4)
    seen = SeenKeys(expected=20_000_000)
    assert seen.bits_log2 == 29
    keys = rng.integers(0, 2**63, 2_000_000, dtype=np.uint64)
    assert not seen.check_and_add(keys[:1_000_000]).all()
    assert seen.check_and_add(keys[:1000]).all()  # no false negatives in the bigger filter
    fresh = seen.check_and_add(rng.integers(0, 2**63, 100_000, dtype=np.uint64))
    # 1M keys in 2^29 bits: 1 − e^(−1M/2^29) ≈ 0.19 % (half the default filter's 0.37 %)
    assert 0.0008 < fresh.mean() < 0.003


def test_the_filter_is_sized_to_the_source(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    sizes: list[int | None] = []

    class Recording(SeenKeys):
        def __init__(self, expected: int | None = None) -> None:
            sizes.append(expected)
            super().__init__(expected)

    monkeypatch.setattr(stage, "SeenKeys", Recording)
    rows = {
        "response_id": [f"r{i}" for i in range(300)],
        "survey": ["rel"] * 300,
        "touchpoint": ["support"] * 300,
        "responded_at": ["2024-01-01"] * 300,
        "nps": [i % 11 for i in range(300)],
    }
    pq.write_table(pa.table(rows), tmp_path / "r.parquet")
    assert import_file(ws, "responses", tmp_path / "r.parquet").imported == 300
    csv = tmp_path / "r.csv"
    csv.write_text(
        "response_id,survey,touchpoint,responded_at,nps\n"
        + "".join(f"c{i},rel,support,2024-01-01,{i % 11}\n" for i in range(300)),
        "utf-8",
    )
    assert import_file(ws, "responses", csv).imported == 300
    # Parquet knows its rows; a CSV only its bytes (rows are taken as at most one per 32)
    assert sizes == [300, csv.stat().st_size // 32]
