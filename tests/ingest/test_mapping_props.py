"""Property tests over mapped imports: every table reconciles, and valid files are never
rejected (the telco mapping of ``tests/fixtures/mapping``: customers + contracts from one
CRM export)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxo.errors import CxoError
from cxo.ingest.api import import_mapped
from cxo.ingest.mapping import load_mapping
from cxo.workspace import Workspace

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mapping"
HEADER = ["customerID", "SeniorCitizen", "tenure", "InternetService", "MonthlyCharges", "Churn"]
SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
pytestmark = pytest.mark.slow

valid_row = st.tuples(
    st.sampled_from(["0", "1"]),
    st.integers(0, 72).map(str),
    st.sampled_from(["DSL", "Fiber optic", "No", "dsl"]),
    st.decimals(0, 200, places=2).map(str),
    st.sampled_from(["Yes", "No", "yes", " No "]),
)
any_value = st.one_of(
    st.sampled_from(["", " ", "x", "2.5", "-3", "999999", "Yes", "No", "Cable", "1e3", "nan"]),
    st.text(max_size=8),
)
any_row = st.lists(any_value, min_size=len(HEADER) - 2, max_size=len(HEADER) + 1)


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def telco(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace.create(tmp_path_factory.mktemp("props") / "ws", "service")


def quarantined_rows(ws: Workspace, batch_id: str) -> int:
    with ws.connect(read_only=True) as con:
        return int(
            con.execute(
                "select count(*) from quarantine where batch_id = ?", [batch_id]
            ).fetchall()[0][0]
        )


@SETTINGS
@given(rows=st.lists(any_row, max_size=20))
def test_mapped_imports_always_reconcile(
    telco: Workspace, tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    path = tmp_path_factory.mktemp("any") / "export.csv"
    path.write_bytes(csv_bytes(rows))
    mapping = load_mapping(None, str(FIXTURES / "telco.yaml"))
    try:
        batches = import_mapped(telco, path, mapping, force=True)
    except CxoError as exc:
        # A file-level answer (e.g. nothing fills a required column) is an answer too, when
        # it is typed and names the file.
        assert path.name in str(exc), str(exc)  # noqa: PT017
        assert exc.code  # noqa: PT017
        return
    assert [b.table for b in batches] == ["customers", "contracts"]
    for batch in batches:
        assert batch.read == batch.imported + batch.quarantined
        assert quarantined_rows(telco, batch.batch_id) == batch.quarantined


@SETTINGS
@given(rows=st.lists(valid_row, min_size=1, max_size=30), start=st.integers(0, 10_000))
def test_a_valid_mapped_file_is_never_rejected(
    telco: Workspace,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, ...]],
    start: int,
) -> None:
    data = [[f"C{start + i:06d}", *row] for i, row in enumerate(rows)]
    path = tmp_path_factory.mktemp("valid") / "export.csv"
    path.write_bytes(csv_bytes(data))
    mapping = load_mapping(None, str(FIXTURES / "telco.yaml"))
    batches = import_mapped(telco, path, mapping, force=True)
    for batch in batches:
        assert (batch.read, batch.imported, batch.quarantined) == (len(rows), len(rows), 0), (
            batch.examples
        )
