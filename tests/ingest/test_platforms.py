"""Survey-platform exports: each fixture imports with the expected counts and no quarantine."""

from __future__ import annotations

from pathlib import Path

import pytest

import cxo
from cxo.errors import InputError
from cxo.ingest.platforms import read_survey, sniff, survey_name
from cxo.ingest.platforms.classify import attribute_name, value_of
from cxo.ingest.platforms.survey import import_survey
from cxo.workspace import Workspace

FIXTURES = Path(__file__).parent.parent / "fixtures" / "platforms"

# file, platform, touchpoint option, responses, ratings, nps/csat/ces found
CASES = [
    ("qualtrics_service_survey.csv", "qualtrics", None, 6, 17, (True, True, True)),
    ("qualtrics_hotline.tsv", "qualtrics", "hotline", 6, 17, (True, True, True)),
    ("surveymonkey_hotline.csv", "surveymonkey", "hotline", 5, 14, (True, True, True)),
    ("typeform_portal.csv", "typeform", None, 4, 4, (True, True, False)),
    ("google_forms_onboarding.csv", "google_forms", "onboarding", 4, 11, (True, False, False)),
    ("limesurvey_billing.csv", "limesurvey", "billing", 5, 9, (True, True, False)),
]


@pytest.fixture
def service(tmp_path: Path) -> Workspace:
    """A fresh service-company workspace (touchpoints hotline, billing, portal, …)."""
    return Workspace.create(tmp_path / "ws", "service", language="en")


def _rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    with ws.connect(read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize(("name", "platform", "touchpoint", "n_resp", "n_rat", "found"), CASES)
def test_fixture_imports_as_responses_and_ratings(
    service: Workspace,
    name: str,
    platform: str,
    touchpoint: str | None,
    n_resp: int,
    n_rat: int,
    found: tuple[bool, bool, bool],
) -> None:
    path = FIXTURES / name
    assert sniff(path) == platform
    responses, ratings = import_survey(service, path, touchpoint=touchpoint)
    assert (responses.read, responses.imported, responses.quarantined) == (n_resp, n_resp, 0)
    assert (ratings.read, ratings.imported, ratings.quarantined) == (n_rat, n_rat, 0)
    assert _rows(service, "select count(*) from quarantine") == [(0,)]
    counts = _rows(
        service,
        "select count(nps), count(csat), count(ces), count(*) filter (where touchpoint is null) "
        "from responses",
    )[0]
    assert tuple(int(str(c)) > 0 for c in counts[:3]) == found
    assert counts[3] == 0
    scales = _rows(service, "select min(score >= scale_min and score <= scale_max) from ratings")
    assert scales == [(True,)]
    assert any(n.key == "platforms.note.recognised" for n in responses.notes)


def test_qualtrics_values_land_in_the_right_columns(service: Workspace) -> None:
    import_survey(service, FIXTURES / "qualtrics_service_survey.csv")
    row = _rows(
        service,
        "select survey, touchpoint, nps, csat, ces, language, comment, responded_at "
        "from responses where response_id = 'R_2b3C4d5E6f7G8h9'",
    )[0]
    assert row[:6] == ("qualtrics_service_survey", "hotline", 6, 2, 2, "en")
    assert row[6] == "Waited 40 minutes, then the line dropped.\nCalled again the next day."
    assert str(row[7]) == "2025-03-02 09:21:05"
    attrs = _rows(
        service,
        "select attribute, score from ratings where response_id = 'R_2b3C4d5E6f7G8h9' "
        "order by attribute",
    )
    assert attrs == [("friendliness_of_the_staff", 2.0), ("speed_of_the_answer", 1.0)]


def test_labels_and_numbers_in_labels_are_scored(service: Workspace) -> None:
    import_survey(service, FIXTURES / "surveymonkey_hotline.csv", touchpoint="hotline")
    got = _rows(service, "select response_id, nps, csat from responses order by response_id")
    assert got[0] == ("114227583914", 10, 5)  # "10 - Extremely likely", "Very satisfied"
    assert got[4] == ("114227583918", 0, 2)  # "0 - Not at all likely", "Dissatisfied"
    assert _rows(service, "select max(scale_max), min(scale_min) from ratings") == [(5.0, 1.0)]


def test_german_questions_and_language_column(service: Workspace) -> None:
    import_survey(service, FIXTURES / "limesurvey_billing.csv", touchpoint="billing")
    got = _rows(service, "select response_id, nps, csat, language from responses order by 1")
    assert got[1] == ("2", 3, 2, "de")
    assert got[2][3] == "en"
    attrs = {r[0] for r in _rows(service, "select distinct attribute from ratings")}
    assert attrs == {"verständlichkeit_der_rechnung", "richtigkeit_der_beträge"}


def test_missing_touchpoint_is_asked_for(service: Workspace) -> None:
    with pytest.raises(InputError, match="no touchpoint column") as info:
        import_survey(service, FIXTURES / "qualtrics_hotline.tsv")
    assert "--touchpoint" in (info.value.hint or "")
    assert _rows(service, "select count(*) from responses") == [(0,)]


def test_unknown_touchpoint_option_names_the_charter_keys(service: Workspace) -> None:
    with pytest.raises(InputError, match="not a touchpoint of the charter") as info:
        import_survey(service, FIXTURES / "qualtrics_hotline.tsv", touchpoint="callcentre")
    assert "hotline" in (info.value.hint or "")


def test_plain_file_is_not_a_platform_export(service: Workspace, tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text(
        "response_id,survey,touchpoint,responded_at,nps\nr1,rel,hotline,2025-01-02,9\n"
    )
    assert sniff(plain) is None
    with pytest.raises(InputError, match="not a survey-platform export"):
        import_survey(service, plain)
    result = cxo.read(plain, table="responses")
    assert result.reconciliation.imported == 1


def test_read_recognises_platform_for_both_tables() -> None:
    path = FIXTURES / "typeform_portal.csv"
    responses = cxo.read(path, table="responses")
    ratings = cxo.read(path, table="ratings")
    assert responses.reconciliation.holds
    assert responses.reconciliation.imported == 4
    assert ratings.reconciliation.imported == 4
    assert responses.table.column("touchpoint").to_pylist() == ["portal"] * 4
    assert set(ratings.table.column("attribute").to_pylist()) == {"übersichtlichkeit_des_portals"}


def test_reimport_is_unchanged_and_touchpoint_changes_the_hash(service: Workspace) -> None:
    path = FIXTURES / "google_forms_onboarding.csv"
    import_survey(service, path, touchpoint="onboarding")
    again = import_survey(service, path, touchpoint="onboarding")
    assert [b.status for b in again] == ["unchanged", "unchanged"]
    other = import_survey(service, path, touchpoint="sales")
    assert [b.status for b in other] == ["ok", "ok"]
    assert _rows(service, "select count(*), min(touchpoint) from responses") == [(4, "sales")]


def test_helpers() -> None:
    assert value_of("10 - Extremely likely") == (10.0, None, None)
    assert value_of("Sehr zufrieden") == (5.0, 1.0, 5.0)
    assert value_of("3,5") == (3.5, None, None)
    assert value_of("I called 3 times and nobody answered") is None
    assert attribute_name("Speed of the answer?") == "speed_of_the_answer"
    assert survey_name(Path("NPS Hotline_March 3, 2025_10.22.csv")) == "NPS Hotline"
    assert survey_name(Path("Onboarding (Responses).csv")) == "Onboarding"


def test_read_survey_classifies_without_a_workspace(tmp_path: Path) -> None:
    got = read_survey(FIXTURES / "qualtrics_service_survey.csv", tmp_path)
    assert got is not None
    sf, _digest = got
    assert (sf.cls.nps and sf.cls.nps.code, sf.cls.csat and sf.cls.csat.code) == ("Q1", "Q2")
    assert [q.code for q in sf.cls.comments] == ["Q5"]


def test_cli_import_responses_recognises_a_qualtrics_export(service: Workspace) -> None:
    from typer.testing import CliRunner

    from cxo.cli.main import app

    path = FIXTURES / "qualtrics_service_survey.csv"
    done = CliRunner().invoke(app, ["import", "responses", str(path), "-w", str(service.root)])
    assert done.exit_code == 0, done.output
    assert "Qualtrics export" in done.output
    assert _rows(service, "select count(*) from responses") == [(6,)]
