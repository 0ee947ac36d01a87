"""``cxo export-subject``: everything held about one customer, and nothing about anyone else."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.privacy.subject import FORMAT, export_subject
from cxo.store.audit import entries
from cxo.workspace import Workspace
from tests.privacy.support import COMMENT, COMMENT_2, CUSTOMER, EMAIL


def test_the_export_holds_every_row_of_the_customer(planted: Workspace) -> None:
    doc = export_subject(planted, CUSTOMER)
    assert doc["format"] == FORMAT
    assert doc["customer_id"] == CUSTOMER
    assert doc["emails"] == [EMAIL]
    tables = doc["analytics"]
    assert [r["customer_id"] for r in tables["customers"]] == [CUSTOMER]
    assert [r["contract_id"] for r in tables["contracts"]] == ["V-0"]
    assert sorted(r["response_id"] for r in tables["responses"]) == ["R-0-0", "R-0-1", "R-0-2"]
    comments = {r["comment"] for r in tables["responses"]}
    assert {COMMENT, COMMENT_2} <= comments
    assert {r["response_id"] for r in tables["response_text"]} <= {"R-0-0", "R-0-1", "R-0-2"}
    assert [r["line"] for r in tables["quarantine"]] == [125]
    assert EMAIL in tables["quarantine"][0]["raw"]
    followups = doc["operational"]["followups"]
    assert [(f["response_id"], f["comment"]) for f in followups] == [("R-0-0", COMMENT)]
    files = {f["path"]: f for f in doc["files"]}
    assert any(p.startswith("lake/responses/") for p in files)
    csv_lines = files["imports/responses.csv"]["lines"]
    assert len(csv_lines) == 4
    assert all(CUSTOMER in line for line in csv_lines)
    assert "reports/verbatims.json" in files


def test_the_export_holds_nobody_else(planted: Workspace) -> None:
    text = json.dumps(export_subject(planted, CUSTOMER), ensure_ascii=False)
    for other in ("K-10000", "K-10001", "K-10039", "V-1", "R-1-0"):
        assert f'"{other}"' not in text


def test_the_export_is_audited_without_the_id(planted: Workspace) -> None:
    export_subject(planted, CUSTOMER, actor="dpo")
    entry = entries(planted.app_database_url, action="customer.export")[0]
    assert entry.actor == "dpo"
    assert entry.after["rows"]["responses"] == 3
    assert CUSTOMER not in json.dumps(entry.to_dict())


def test_export_subject_cli_writes_utf8_json(planted: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "subject.json"
    result = CliRunner().invoke(
        app, ["export-subject", CUSTOMER, "-o", str(out), "-w", str(planted.root)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    assert doc["customer_id"] == CUSTOMER
    unknown = CliRunner().invoke(app, ["export-subject", "K-nobody", "-w", str(planted.root)])
    assert unknown.exit_code == 0
    assert json.loads(unknown.stdout)["analytics"] == {}
