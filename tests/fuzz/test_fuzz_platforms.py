"""Fuzzing the survey-platform readers (Qualtrics, SurveyMonkey, Typeform, Google Forms,
LimeSurvey): new exports are bred from the fixtures' own header rows and answer cells.

A bred export whose every cell comes from a real export of that platform (same column) is
valid: it must import completely as responses and ratings. A corrupted one (answers
replaced by hostile text, the file cut short) must reconcile, every quarantined row naming
its line and reason, or fail with a typed error naming the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxo.errors import CxoError
from cxo.ingest.platforms.survey import import_survey
from cxo.workspace import Workspace
from tests.fuzz.support import FUZZ, check_fatal, check_quarantine

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent.parent / "fixtures" / "platforms"
HOSTILE = ["", " ", "11", "-1", "abc", "9999999", "31.02.2024", "1e309", "<b>x</b>", "NaN", "="]


@dataclass(frozen=True)
class Export:
    """A fixture: how it is written, its header rows, its answer rows, its id column."""

    name: str
    encoding: str
    delimiter: str
    header_rows: int
    id_column: str | None
    touchpoint: str | None


EXPORTS = [
    Export("qualtrics_service_survey.csv", "utf-8-sig", ",", 3, "ResponseId", None),
    Export("qualtrics_hotline.tsv", "utf-16", "\t", 3, "ResponseId", "hotline"),
    Export("surveymonkey_hotline.csv", "utf-8", ",", 2, "Respondent ID", "hotline"),
    Export("typeform_portal.csv", "utf-8", ",", 1, "#", None),
    Export("google_forms_onboarding.csv", "utf-8", ",", 1, None, "onboarding"),
    Export("limesurvey_billing.csv", "utf-8", ";", 1, "id", "billing"),
]


def records(export: Export) -> tuple[list[list[str]], list[list[str]]]:
    text = (FIXTURES / export.name).read_text(export.encoding)
    rows = list(csv.reader(io.StringIO(text), delimiter=export.delimiter))
    rows = [r for r in rows if any(c.strip() for c in r)]
    return rows[: export.header_rows], rows[export.header_rows :]


@st.composite
def bred(draw: Any, export: Export, *, corrupt: bool) -> tuple[bytes, int]:
    """An export of 1–15 answers bred from the fixture's; its bytes and answer count."""
    head, answers = records(export)
    width = len(head[0])
    id_at = head[0].index(export.id_column) if export.id_column else None
    n = draw(st.integers(1, 15))
    rows = []
    for i in range(n):
        base = list(draw(st.sampled_from(answers)))
        base += [""] * (width - len(base))
        for c in range(width):
            if c != id_at and draw(st.integers(0, 2)) == 0:
                other = draw(st.sampled_from(answers))
                base[c] = other[c] if c < len(other) else ""
            if corrupt and c != id_at and draw(st.integers(0, 5)) == 0:
                base[c] = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=10)))
        if id_at is not None:
            base[id_at] = f"{base[id_at]}{i}"
        rows.append(base)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=export.delimiter, lineterminator="\r\n")
    writer.writerows(head)
    writer.writerows(rows)
    data = buf.getvalue().replace("\x00", "").encode(export.encoding)
    if corrupt and draw(st.booleans()):
        data = data[: draw(st.integers(len(data) // 2, len(data)))]
    return data, n


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace.create(tmp_path_factory.mktemp("platforms") / "ws", "service", language="en")


def quarantined(ws: Workspace, batch_id: str) -> list[dict[str, Any]]:
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "select line, field, reason from quarantine where batch_id = ?", [batch_id]
        ).fetchall()
    return [{"line": line, "field": fld, "reason": reason} for line, fld, reason in rows]


def run(ws: Workspace, export: Export, data: bytes, folder: Path) -> list[Any]:
    path = folder / export.name
    path.write_bytes(data)
    return import_survey(ws, path, touchpoint=export.touchpoint, force=True)


@FUZZ
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.name)
@given(data=st.data())
def test_a_bred_valid_export_imports_completely(
    service: Workspace, tmp_path_factory: pytest.TempPathFactory, export: Export, data: Any
) -> None:
    content, n = data.draw(bred(export, corrupt=False))
    responses, ratings = run(service, export, content, tmp_path_factory.mktemp("valid"))
    assert (responses.read, responses.imported, responses.quarantined) == (n, n, 0), (
        responses.examples
    )
    assert ratings.read == ratings.imported, ratings.examples
    assert ratings.quarantined == 0, ratings.examples


@FUZZ
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.name)
@given(data=st.data())
def test_a_corrupted_export_reconciles_or_fails_naming_the_file(
    service: Workspace, tmp_path_factory: pytest.TempPathFactory, export: Export, data: Any
) -> None:
    content, _n = data.draw(bred(export, corrupt=True))
    folder = tmp_path_factory.mktemp("broken")
    try:
        batches = run(service, export, content, folder)
    except CxoError as exc:
        check_fatal(exc, folder / export.name)
        return
    for batch in batches:
        assert batch.read == batch.imported + batch.quarantined
        rows = quarantined(service, batch.batch_id)
        assert len(rows) == batch.quarantined
        check_quarantine(rows)
