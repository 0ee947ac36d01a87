"""Property tests: whatever the input, the importer never crashes and always reconciles."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxo
from cxo.errors import CxoError

HEADER = ["response_id", "survey", "touchpoint", "responded_at", "nps", "csat", "comment"]
text_value = st.one_of(
    st.sampled_from(["", " ", "x", "9", "10", "11", "-1", "3,5", "0.5", "1e3", "nan", "ja"]),
    st.sampled_from(["2024-01-05", "05.01.2024", "31.02.2024", "5.1.24 13:00", "2024-01-05T10:00"]),
    st.sampled_from(["support", "billing", "Support", "moon", "r1", "r2"]),
    st.text(max_size=12),
)
row = st.lists(text_value, min_size=len(HEADER) - 2, max_size=len(HEADER) + 2)
SETTINGS = settings(
    max_examples=35, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

pytestmark = pytest.mark.slow  # hypothesis runs; CI runs them, the quick lane skips them


def check(data: bytes, expected_rows: int | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.csv"
        path.write_bytes(data)
        try:
            res = cxo.read(path, table="responses")
        except CxoError as exc:
            # A file-level error (e.g. the header itself is broken) is an answer too, when it
            # is typed and names the file.
            assert path.name in str(exc), str(exc)  # noqa: PT017
            assert exc.code  # noqa: PT017
            return
    rec = res.reconciliation
    assert rec.holds
    assert rec.imported == res.table.num_rows
    assert rec.quarantined == res.quarantine.num_rows
    if expected_rows is not None:
        assert rec.read + res.batch.empty_rows == expected_rows
    for q in res.quarantine.to_pylist():
        assert q["reason"]
        assert q["reason"].strip()
        assert q["raw"] is not None
    nps = [v for v in res.table.column("nps").to_pylist() if v is not None]
    assert all(0 <= v <= 10 for v in nps)
    ids = res.table.column("response_id").to_pylist()
    assert len(ids) == len(set(ids))
    assert None not in ids


@SETTINGS
@given(rows=st.lists(row, max_size=25), sep=st.sampled_from([",", ";", "\t", "|"]))
def test_random_rows_always_reconcile(rows: list[list[str]], sep: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    text = buf.getvalue().replace("\x00", "")
    # Rows that are only whitespace-free empties count as blank lines.
    check(text.encode("utf-8"))


@SETTINGS
@given(
    rows=st.lists(row, min_size=1, max_size=15),
    cut=st.floats(0, 1),
    noise=st.binary(max_size=8),
    at=st.floats(0, 1),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]),
)
def test_truncated_and_broken_bytes_never_crash(
    rows: list[list[str]], cut: float, noise: bytes, at: float, encoding: str
) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    data = buf.getvalue().encode(encoding, errors="replace")
    head = len(data.split(b"\n", 1)[0]) + 1
    body = data[head:]
    body = body[: int(len(body) * cut)]
    pos = int(len(body) * at)
    check(data[:head] + body[:pos] + noise + body[pos:])


@SETTINGS
@given(ids=st.lists(st.sampled_from(["a", "b", "c", " a", "A"]), min_size=1, max_size=30))
def test_duplicate_keys_keep_the_first(ids: list[str]) -> None:
    lines = ["response_id,survey,touchpoint,responded_at,nps"]
    lines += [f"{k},rel,support,2024-01-01,{i % 11}" for i, k in enumerate(ids)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.csv"
        path.write_text("\n".join(lines) + "\n", "utf-8")
        res = cxo.read(path, table="responses")
    first: dict[str, int] = {}
    for i, k in enumerate(ids):
        first.setdefault(k.strip(), i)
    assert res.table.column("response_id").to_pylist() == list(first)
    assert res.table.column("nps").to_pylist() == [i % 11 for i in first.values()]
    assert res.reconciliation.quarantined == len(ids) - len(first)
    for q in res.quarantine.to_pylist():
        assert q["reason"].startswith("duplicate key")
        key = q["reason"].split()[2]
        assert f"first seen on line {first[key] + 2})" in q["reason"]
