"""Fuzzing imports through a mapping file: the in-flight survey mapping of
``tests/fixtures/mapping`` (one export → responses and wide ratings), as CSV and XLSX.

A valid export imports completely into both tables (fails when a valid file is rejected); a
corrupted one reconciles in every table, each quarantined row naming line and reason, or
fails with a typed error naming the file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxo.errors import CxoError
from cxo.ingest.api import import_mapped
from cxo.ingest.mapping import load_mapping
from cxo.workspace import Workspace
from tests.fuzz.support import FUZZ, check_fatal, check_quarantine

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent.parent / "fixtures" / "mapping"
HEADER = [
    "id",
    "Gender",
    "Customer Type",
    "Age",
    "Type of Travel",
    "Class",
    "Seat comfort",
    "Inflight wifi service",
    "Food and drink",
    "Cleanliness",
    "satisfaction",
]
ASPECTS = 4
valid_row = st.tuples(
    st.sampled_from(["Male", "Female", ""]),
    st.sampled_from(["Loyal Customer", "disloyal Customer"]),
    st.integers(7, 85).map(str),
    st.sampled_from(["Personal Travel", "Business travel"]),
    st.sampled_from(["Eco", "Eco Plus", "Business"]),
    *[st.integers(0, 5).map(str) for _ in range(ASPECTS)],
    st.sampled_from(["satisfied", "neutral or dissatisfied", "Satisfied"]),
)
hostile = st.one_of(
    st.sampled_from(["", "6", "-1", "2.5", "abc", "satisfied?", "9" * 30, "=1+1", "NaN"]),
    st.text(max_size=8),
)


def write(rows: list[list[str]], path: Path) -> None:
    if path.suffix == ".xlsx":
        import openpyxl
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        wb = openpyxl.Workbook()
        sheet = wb.active
        assert sheet is not None
        sheet.append(HEADER)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)  # what Excel cannot hold either
                if value != "":
                    sheet.cell(row=r, column=c, value=value).data_type = "s"
        wb.save(path)
        return
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(buf.getvalue().replace("\x00", ""), "utf-8")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace.create(tmp_path_factory.mktemp("mapped") / "ws", "service", language="en")


def quarantined(ws: Workspace, batch_id: str) -> list[dict[str, Any]]:
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "select line, field, reason from quarantine where batch_id = ?", [batch_id]
        ).fetchall()
    return [{"line": line, "field": fld, "reason": reason} for line, fld, reason in rows]


@FUZZ
@given(
    rows=st.lists(valid_row, min_size=1, max_size=25),
    start=st.integers(1, 10**9),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_a_valid_mapped_export_imports_completely(
    service: Workspace,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, ...]],
    start: int,
    suffix: str,
) -> None:
    path = tmp_path_factory.mktemp("valid") / f"inflight{suffix}"
    write([[str(start + i), *row] for i, row in enumerate(rows)], path)
    mapping = load_mapping(None, str(FIXTURES / "inflight.yaml"))
    responses, ratings = import_mapped(service, path, mapping, force=True)
    n = len(rows)
    assert (responses.read, responses.imported, responses.quarantined) == (n, n, 0), (
        responses.examples
    )
    assert (ratings.read, ratings.imported, ratings.quarantined) == (4 * n, 4 * n, 0), (
        ratings.examples
    )


@FUZZ
@given(
    rows=st.lists(st.lists(hostile, min_size=len(HEADER), max_size=len(HEADER)), max_size=20),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_a_corrupted_mapped_export_reconciles_or_fails_naming_the_file(
    service: Workspace,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[list[str]],
    suffix: str,
) -> None:
    path = tmp_path_factory.mktemp("broken") / f"inflight{suffix}"
    write(rows, path)
    mapping = load_mapping(None, str(FIXTURES / "inflight.yaml"))
    try:
        batches = import_mapped(service, path, mapping, force=True)
    except CxoError as exc:
        check_fatal(exc, path)
        return
    for batch in batches:
        assert batch.read == batch.imported + batch.quarantined
        found = quarantined(service, batch.batch_id)
        assert len(found) == batch.quarantined
        check_quarantine(found)
