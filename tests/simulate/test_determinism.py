"""Same seed and settings → byte-identical files; another seed → different data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from cxo.core.contract import TABLES
from cxo.simulate import simulate


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a = simulate("service", 1_800, 11, tmp_path / "a", chunk_size=700)
    b = simulate("service", 1_800, 11, tmp_path / "b", chunk_size=700)
    da, db = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert set(da) == {f"{t}.parquet" for t in TABLES} | {
        "truth.json",
        "charter.yaml",
        "truth_affected.parquet",
        "portfolio.yaml",
    }
    assert da == db
    assert a.truth == b.truth
    c = simulate("service", 1_800, 12, tmp_path / "c", chunk_size=700)
    dc = digests(tmp_path / "c")
    assert dc["responses.parquet"] != da["responses.parquet"]
    assert c.truth["counts"] != a.truth["counts"] or c.truth["pains"] != a.truth["pains"]


def test_streamed_files_equal_the_in_memory_tables(tmp_path: Path) -> None:
    disk = simulate("retail", 1_200, 5, tmp_path / "r", chunk_size=500)
    mem = simulate("retail", 1_200, 5, chunk_size=500)
    for name in TABLES:
        assert disk.tables[name].equals(mem.tables[name]), name
    truth = json.loads((tmp_path / "r" / "truth.json").read_text("utf-8"))
    assert truth == mem.truth
    assert (tmp_path / "r" / "charter.yaml").read_text("utf-8").startswith("# cxo charter")
    # the company's plan of its initiatives, one per planted initiative, same on disk and in memory
    plan = yaml.safe_load((tmp_path / "r" / "portfolio.yaml").read_text("utf-8"))
    assert plan == mem.portfolio()
    assert [i["key"] for i in plan["initiatives"]] == [i["name"] for i in truth["initiatives"]]
    assert all(i["owner"] and i["launch"] for i in plan["initiatives"])
