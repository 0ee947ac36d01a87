"""``cxo erase``: the customer's id, e-mail address and comments are nowhere afterwards —
searched in every DuckDB table, every app-DB table and the bytes of every file."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.privacy.erase import erase_customer
from cxo.store.audit import entries
from cxo.workspace import Workspace
from tests.privacy.support import CUSTOMER, EMAIL, OTHERS, search


def _count(ws: Workspace, sql: str) -> int:
    con = duckdb.connect(str(ws.duckdb_path), read_only=True)
    try:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def test_the_planted_customer_is_everywhere_before(planted: Workspace) -> None:
    found = search(planted)
    for where in (
        "duckdb:customers",
        "duckdb:responses",
        "duckdb:response_text",
        "duckdb:quarantine",
        "app:followups",
        "imports/responses.csv",
        "reports/verbatims.json",
        "data/cxo.duckdb",
    ):
        assert where in found
    assert any(f.startswith("lake/responses/") for f in found)


def test_erase_removes_the_customer_from_every_table_and_file(planted: Workspace) -> None:
    others = _count(planted, "SELECT count(*) FROM responses") - 2
    result = erase_customer(planted, CUSTOMER)

    assert result.complete, result.remaining
    assert search(planted) == []
    assert result.analytics["customers"] == 1
    assert result.analytics["responses"] == 3
    assert result.analytics["quarantine"] == 1
    assert result.operational["followups"] == 1
    kinds = {f["path"]: f["kind"] for f in result.files}
    assert kinds["imports/responses.csv"] == "lines"
    assert kinds["reports/verbatims.json"] == "text"
    assert any(p.startswith("lake/") and k == "parquet" for p, k in kinds.items())
    # everybody else is still there, in the tables and in the files
    assert _count(planted, "SELECT count(*) FROM customers") == OTHERS
    assert _count(planted, "SELECT count(*) FROM responses") == others - 1
    lines = (planted.root / "imports/customers.csv").read_text("utf-8").splitlines()
    assert len(lines) == OTHERS + 1
    quotes = json.loads((planted.root / "reports/verbatims.json").read_text("utf-8"))["quotes"]
    assert quotes[2] == "ein anderer Kommentar"
    lake = _count(
        planted, f"SELECT count(*) FROM read_parquet('{planted.root}/lake/customers/**/*.parquet')"
    )
    assert lake == OTHERS


def test_the_erasure_is_audited_without_the_data(planted: Workspace) -> None:
    result = erase_customer(planted, CUSTOMER, actor="dpo")
    entry = entries(planted.app_database_url, action="customer.erase")[0]
    assert (entry.actor, entry.entity) == ("dpo", f"erasure:{result.erasure_id}")
    assert entry.after["analytics"]["customers"] == 1
    text = json.dumps(entry.to_dict())
    assert CUSTOMER not in text
    assert EMAIL not in text


@pytest.mark.slow
def test_erase_cli_prints_json_and_a_second_erasure_finds_nothing(planted: Workspace) -> None:
    runner = CliRunner()
    args = ["erase", "--customer", CUSTOMER, "-w", str(planted.root)]
    first = runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert doc["complete"] is True
    assert doc["rows"] > 10
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "0 rows" in second.stdout


def test_a_file_it_cannot_rewrite_is_reported_and_the_command_fails(planted: Workspace) -> None:
    model = planted.root / "models" / "opaque.bin"
    model.parent.mkdir()
    model.write_bytes(b"\x00\x01" + CUSTOMER.encode() + b"\x00")
    result = CliRunner().invoke(app, ["erase", "--customer", CUSTOMER, "-w", str(planted.root)])
    assert result.exit_code == 1
    assert "models/opaque.bin" in result.output
    assert search(planted) == ["models/opaque.bin"]


@pytest.mark.parametrize("bad", ["", "  ", "a\nb"])
def test_an_empty_or_odd_customer_id_is_refused(planted: Workspace, bad: str) -> None:
    result = CliRunner().invoke(app, ["erase", "--customer", bad, "-w", str(planted.root)])
    assert result.exit_code == 2
    assert "not a customer id" in result.output


def test_an_archive_in_the_workspace_is_reported_as_not_erased(planted: Workspace) -> None:
    from cxo.backup import backup

    backup(planted, planted.root / "backups" / "old.tar.gz")
    result = erase_customer(planted, CUSTOMER)
    assert result.remaining == ["backups/old.tar.gz"]
    assert not result.complete
