"""Quarantine reasons in German: every reason real imports produce has a translation.

The reasons are produced by importing broken rows (not written by hand), so a new or changed
English template that the catalogue misses makes this test fail.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.ingest.api import import_file
from cxo.ingest.messages import translate
from cxo.workspace import Workspace

HEADER = "response_id;customer_id;survey;touchpoint;responded_at;nps;csat;language\n"
ROWS = [
    "r1;c1;s;support;01.03.2024;9;5;de",  # fine
    "r2;c1;s;support;01.03.2024;11;5;de",  # out of range
    "r3;c1;s;support;01.03.2024;neun;5;de",  # not a number
    "r4;c1;s;support;01.03.2024;7.5;5;de",  # not a whole number
    "r5;c1;s;support;31.02.2024;7;5;de",  # not a date
    "r6;c1;s;mond;01.03.2024;7;5;de",  # unknown touchpoint
    "r7;c1;;support;01.03.2024;7;5;de",  # required value empty
    "r8;c1;s;support;01.03.1850;7;5;de",  # outside the years
    "r9;c1;s;support;01.03.2024;7;5;fr",  # not one of
    "r1;c1;s;support;01.03.2024;9;5;de",  # duplicate key
    "r10;c9;s;support;01.03.2024;9;5;de",  # customer not found
    "r11;c1;s;support;01.03.2024;9",  # wrong number of fields
]


def test_every_real_reason_is_translated(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "software")
    (tmp_path / "customers.csv").write_text("customer_id;signup_date\nc1;01.01.2023\n", "utf-8")
    import_file(ws, "customers", tmp_path / "customers.csv")
    path = tmp_path / "responses.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", "utf-8")
    import_file(ws, "responses", path)
    with ws.connect(read_only=True) as con:
        reasons = [r[0] for r in con.execute("select reason from quarantine").fetchall()]
    assert len(reasons) >= 10
    english = ("is not", "required", "out of", "unknown", "duplicate", "not found", "fields")
    for reason in reasons:
        german = translate(reason, "de")
        assert german != reason, reason
        assert not any(word in german for word in english), (reason, german)
        assert translate(reason, "en") == reason
    # quoted values stay verbatim
    assert any("'11' liegt außerhalb des Bereichs 0–10" in str(translate(r, "de")) for r in reasons)


def test_cli_prints_reasons_in_the_workspace_language(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(HEADER + ROWS[0] + "\n" + ROWS[1] + "\n", "utf-8")
    for language, line, reason in (
        ("de", "gelesen 2 = importiert 1 + in Quarantäne 1", "liegt außerhalb des Bereichs"),
        ("en", "read 2 = imported 1 + quarantined 1", "is out of range"),
    ):
        ws = Workspace.create(tmp_path / language, "software", language=language)
        out = CliRunner().invoke(app, ["import", "responses", str(path), "-w", str(ws.root)])
        assert out.exit_code == 0, out.output
        assert line in out.output
        assert reason in out.output
