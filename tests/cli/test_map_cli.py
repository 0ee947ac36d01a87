"""``cxo map suggest|check`` and ``cxo import --map`` in-process; the import defects of #15."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.ingest.mapping import parse_mapping
from cxo.workspace import Workspace

runner = CliRunner()
FIXTURES = Path(__file__).parent.parent / "fixtures" / "mapping"
TELCO = str(FIXTURES / "telco_churn.csv")
SURVEY = str(FIXTURES / "inflight_survey.csv")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A service-company (telco) workspace in English with the fixture mappings."""
    ws = Workspace.create(tmp_path / "ws", "service", language="en")
    (ws.root / "mappings").mkdir()
    for name in ("telco.yaml", "inflight.yaml"):
        shutil.copy(FIXTURES / name, ws.root / "mappings" / name)
    return ws


def run(ws: Workspace, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "-w", str(ws.root)])
    return result.exit_code, result.stdout, result.stderr


def count(ws: Workspace, sql: str) -> int:
    with ws.connect(read_only=True) as con:
        return int(con.execute(sql).fetchall()[0][0])


def test_suggest_prints_a_mapping_that_parses(ws: Workspace) -> None:
    rc, out, _ = run(ws, "map", "suggest", "customers", TELCO)
    assert rc == 0, out
    parsed = parse_mapping(out)
    assert parsed.tables["customers"].rename == {"customer_id": "customerID"}
    # the decisions are left to the person, as commented TODOs
    assert "# export_date: 2026-01-31  # TODO: the day the file was exported" in out
    assert "# signup_date: export_date - months(tenure)" in out
    assert '# churn_date: if(Churn == "Yes", export_date, null)' in out
    assert "#   tenure: whole numbers 1–62 (1, 34, 2)" in out


def test_the_suggest_output_in_the_docs_is_real(ws: Workspace) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "import.md").read_text("utf-8")
    shown = docs.split("$ cxo map suggest customers telco_churn.csv\n", 1)[1].split("```", 1)[0]
    rc, out, _ = run(ws, "map", "suggest", "customers", TELCO)
    assert rc == 0
    assert out == shown


def test_suggest_finds_a_wide_rating_block_and_missing_constants(ws: Workspace) -> None:
    rc, out, _ = run(ws, "map", "suggest", "responses", SURVEY)
    assert rc == 0, out
    data = yaml.safe_load(out)
    assert data["tables"]["ratings"] == {
        "from_columns": {
            "Seat comfort": "seat_comfort",
            "Inflight wifi service": "inflight_wifi_service",
            "Food and drink": "food_and_drink",
            "Cleanliness": "cleanliness",
        },
        "id": "id",
        "scale": [1, 5],
    }
    assert data["tables"]["responses"]["rename"] == {"id": "response_id", "satisfaction": "csat"}
    for name in ("survey", "touchpoint", "responded_at"):
        assert f"# {name}: TODO  # TODO: required; nothing in the file fills it" in out
    assert "# csat: {neutral or dissatisfied: TODO, satisfied: TODO}" in out


def test_suggest_out_writes_into_mappings_and_keeps_existing_files(ws: Workspace) -> None:
    rc, out, _ = run(ws, "map", "suggest", "customers", TELCO, "--out", "crm")
    assert rc == 0, out
    path = ws.root / "mappings" / "crm.yaml"
    assert path.is_file()
    assert "cxo map check crm" in out
    rc, _, err = run(ws, "map", "suggest", "customers", TELCO, "--out", "crm")
    assert rc == 2
    assert "exists" in err
    assert run(ws, "map", "suggest", "customers", TELCO, "--out", "crm", "--force")[0] == 0
    assert run(ws, "map", "suggest", "customers", TELCO, "--out", "../x")[0] == 2


def test_suggest_comments_speak_the_workspace_language(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "de", "service", language="de")
    rc, out, _ = run(ws, "map", "suggest", "customers", TELCO)
    assert rc == 0
    assert "TODO: der Tag, an dem die Datei exportiert wurde" in out
    assert "ganze Zahlen 1–62" in out


def test_check_is_a_dry_run_with_reasons(ws: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "telco.csv"
    text = Path(TELCO).read_text("utf-8").replace("Fiber optic,Month", "Cable,Month", 1)
    bad.write_text(text.replace(",2,DSL", ",two,DSL", 1), "utf-8")
    rc, out, _ = run(ws, "map", "check", "telco", str(bad))
    assert rc == 0, out
    assert "customers ← " in out
    assert "would import 13, quarantine 1 (read 14)" in out
    assert "telco.csv:4 [row] signup_date: 'two' is not a number" in out
    assert "contracts ← " in out
    assert "would import 12, quarantine 2 (read 14)" in out
    assert "unknown product 'Cable'" in out
    assert "dry run: nothing was changed" in out
    assert count(ws, "select count(*) from import_batches") == 0
    assert count(ws, "select count(*) from quarantine") == 0


def test_check_exits_1_when_everything_would_be_rejected(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    header = "id,Seat comfort,Inflight wifi service,Food and drink,Cleanliness,satisfaction\n"
    path.write_text(header + "1,9,9,9,9,great\n", "utf-8")
    rc, out, _err = run(ws, "map", "check", "inflight", str(path), "--json")
    assert rc == 1
    data = json.loads(out)
    assert data["all_rejected"] is True
    assert [(t["table"], t["imported"]) for t in data["tables"]] == [
        ("responses", 0),
        ("ratings", 0),
    ]


def test_import_with_a_mapping_fills_every_table_in_order(ws: Workspace) -> None:
    rc, out, _ = run(ws, "import", "--map", "telco", TELCO)
    assert rc == 0, out
    assert out.index("customers ←") < out.index("contracts ←")
    assert "read 14 = imported 14 + quarantined 0" in out
    assert count(ws, "select count(*) from contracts") == 14
    rc, out, _ = run(
        ws, "import", "all", SURVEY, "--map", str(ws.root / "mappings" / "inflight.yaml")
    )
    assert rc == 0, out
    assert count(ws, "select count(*) from ratings") == 31
    rc, out, _ = run(ws, "import", "ratings", SURVEY, "--map", "inflight", "--json")
    assert rc == 0, out
    assert json.loads(out)["status"] == "unchanged"


def test_mapping_errors_exit_2_and_name_line_and_key(ws: Workspace) -> None:
    (ws.root / "mappings" / "bad.yaml").write_text(
        "tables:\n  customers:\n    derive:\n      signup_date: open('x')\n", "utf-8"
    )
    rc, _, err = run(ws, "import", "--map", "bad", TELCO)
    assert rc == 2
    assert "bad.yaml:4 tables.customers.derive.signup_date: unknown function open()" in err
    rc, _, err = run(ws, "import", "--map", "nope", TELCO)
    assert rc == 2
    assert "mapping 'nope' not found" in err


def test_tables_imported_before_a_failing_one_are_reported(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "telco.csv"
    text = Path(TELCO).read_text("utf-8")
    path.write_text(text.replace("DSL", "Cable").replace("Fiber optic", "Cable"), "utf-8")
    rc, out, err = run(ws, "import", "--map", "telco", str(path))
    assert rc == 1
    assert "customers ← " in out
    assert "read 14 = imported 14 + quarantined 0" in out
    assert "contracts ← " in err
    assert "13 of 14 rows rejected (92.9%), more than --max-rejected 50.0%" in err
    assert count(ws, "select count(*) from customers") == 14
    assert count(ws, "select count(*) from contracts") == 0


# --- defects of issue 15 -------------------------------------------------------------------

RESPONSES = "response_id;survey;touchpoint;responded_at;nps\n"


def test_an_import_whose_every_row_is_quarantined_exits_1(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(RESPONSES + "r1;s;moon;01.03.2024;9\nr2;s;hotline;01.03.2024;11\n", "utf-8")
    rc, out, err = run(ws, "import", "responses", str(path), "--max-rejected", "100%")
    assert rc == 1
    assert "read 2 = imported 0 + quarantined 2" in out
    assert "every row was quarantined: nothing was imported into responses" in err
    assert count(ws, "select count(*) from quarantine") == 2


def test_max_rejected_defaults_to_half(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    rows = "r1;s;hotline;01.03.2024;9\nr2;s;moon;01.03.2024;9\nr3;s;moon;01.03.2024;9\n"
    path.write_text(RESPONSES + rows, "utf-8")
    rc, _, err = run(ws, "import", "responses", str(path))
    assert rc == 1
    assert "2 of 3 rows rejected (66.7%), more than --max-rejected 50.0%" in err
    assert count(ws, "select count(*) from responses") == 0
    rc, out, _ = run(ws, "import", "responses", str(path), "--max-rejected", "1")
    assert rc == 0, out
    assert count(ws, "select count(*) from responses") == 1


def test_reimport_after_a_charter_change_revalidates(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        RESPONSES + "r1;s;hotline;01.03.2024;9\nr2;s;Hotline-Team;01.03.2024;7\n", "utf-8"
    )
    rc, out, _ = run(ws, "import", "responses", str(path))
    assert rc == 0
    assert "read 2 = imported 1 + quarantined 1" in out
    rc, out, _ = run(ws, "import", "responses", str(path))
    assert "unchanged" in out
    assert "re-apply it with --force" in out
    charter = ws.charter_path.read_text("utf-8")
    fixed = charter.replace("  touchpoint: {", "  touchpoint: {Hotline-Team: hotline, ", 1)
    assert fixed != charter
    ws.charter_path.write_text(fixed, "utf-8")
    rc, out, _ = run(ws, "import", "responses", str(path))
    assert rc == 0, out
    assert "read 2 = imported 2 + quarantined 0" in out
    assert count(ws, "select count(*) from responses") == 2
    rc, out, _ = run(ws, "import", "responses", str(path), "--force")
    assert "unchanged" not in out
