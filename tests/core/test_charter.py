"""The charter: templates, validation messages with line and field, accountability check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cxo.cli.main import app
from cxo.core.charter import (
    COMPANY_TYPES,
    check_charter,
    diff_charters,
    parse_charter,
    template,
    template_text,
)
from cxo.core.themes import THEMES
from cxo.errors import CharterError
from cxo.workspace import Workspace

runner = CliRunner()

REQUIRED_TOUCHPOINTS = {
    "software": {"signup", "onboarding", "product_use", "support", "billing", "renewal"},
    "service": {
        "sales",
        "onboarding",
        "billing",
        "hotline",
        "chat",
        "portal",
        "field_service",
        "contract_change",
        "cancellation",
    },
    "retail": {"discovery", "webshop", "checkout", "delivery", "returns", "store", "service"},
}


@pytest.mark.parametrize("company_type", COMPANY_TYPES)
def test_templates_are_complete_bilingual_and_accountable(company_type: str) -> None:
    charter = template(company_type)
    assert charter.company.type == company_type
    assert charter.keys("touchpoint") == REQUIRED_TOUCHPOINTS[company_type]
    assert charter.definition.de
    assert charter.definition.en
    assert charter.principles
    for tp in charter.touchpoints:
        assert tp.de
        assert tp.en
        assert tp.department
        assert tp.accountable
        assert tp.raci.responsible
        assert tp.kpis
        assert all(k.target is not None for k in tp.kpis)
    assert check_charter(charter) == []
    # every theme that names a touchpoint of this template can find its owner
    for theme in THEMES:
        for tp in set(theme.touchpoints) & charter.keys("touchpoint"):
            assert charter.owner_of(tp)["accountable"]


def _broken(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_bad_yaml_reports_line_and_field() -> None:
    text = template_text("service")
    bad = _broken(text, "kpis: [{metric: nps, target: 30}", "kpis: [{metric: nps, target: 300}")
    with pytest.raises(CharterError) as err:
        parse_charter(bad, source="charter.yaml")
    line = next(i for i, row in enumerate(bad.splitlines(), 1) if "target: 300" in row)
    assert f"charter.yaml:{line} journey[0].touchpoints[0].kpis[0]" in err.value.message
    assert "outside -100…100" in err.value.message
    missing = _broken(
        text, "company:\n  name: Beispiel Telekom GmbH\n  type: service", "company:\n  name: X"
    )
    with pytest.raises(CharterError, match=r"charter.yaml:\d+ company.type: Field required"):
        parse_charter(missing, source="charter.yaml")
    syntax = text + "\njourney: [unclosed\n"
    with pytest.raises(CharterError, match=r"charter.yaml:\d+: invalid YAML"):
        parse_charter(syntax, source="charter.yaml")
    csat = _broken(text, "{metric: csat, target: 0.80}", "{metric: csat, target: 80}")
    with pytest.raises(CharterError, match=r"shares: 0\.85, not 85"):
        parse_charter(csat)
    attr = _broken(text, "touchpoint: field_service}", "touchpoint: garage}")
    with pytest.raises(CharterError, match="unknown touchpoint 'garage'"):
        parse_charter(attr)


def test_check_finds_what_breaks_accountability() -> None:
    data = yaml.safe_load(template_text("software"))
    tps = [tp for stage in data["journey"] for tp in stage["touchpoints"]]
    tps[0]["accountable"] = None
    tps[1]["kpis"][0]["target"] = None
    charter = parse_charter(yaml.safe_dump(data))
    issues = check_charter(charter, {"support", "Helpdesk", "webinar"})
    codes = {(i.code, i.touchpoint) for i in issues}
    assert ("no_accountable", "signup") in codes
    assert ("kpi_without_target", "onboarding") in codes
    assert ("unknown_touchpoint", "webinar") in codes
    assert ("unknown_touchpoint", "Helpdesk") not in codes  # mapped by an alias
    for tp in tps:
        tp["accountable"] = "Anna Schulz"
    one = check_charter(parse_charter(yaml.safe_dump(data)))
    assert [i.code for i in one if i.severity == "error"] == ["one_owner_for_everything"]


def test_diff_names_owner_and_kpi_changes() -> None:
    old = template("retail")
    data = yaml.safe_load(template_text("retail"))
    data["journey"][0]["touchpoints"][0]["accountable"] = "Neue Person"
    data["journey"][1]["touchpoints"][0]["kpis"][0]["target"] = 45
    changes = diff_charters(old, parse_charter(yaml.safe_dump(data)))
    assert "discovery.accountable: Claudia Wagner → Neue Person" in changes
    assert "webshop.kpi nps: 40.0 → 45.0" in changes


def test_cli_check_show_save_history_and_exit_codes(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "service")
    ok = runner.invoke(app, ["charter", "check", "-w", str(ws.root), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["ok"] is True
    shown = runner.invoke(app, ["charter", "show", "-w", str(ws.root)])
    assert shown.exit_code == 0
    assert "Beispiel Telekom GmbH" in shown.stdout
    shown_json = runner.invoke(app, ["charter", "show", "-w", str(ws.root), "--json"])
    assert json.loads(shown_json.stdout)["journey"][3]["touchpoints"][0]["accountable"] == (
        "Sabine Hoffmann"
    )
    text = ws.charter_path.read_text("utf-8")
    ws.charter_path.write_text(
        text.replace("accountable: Thomas Becker", "accountable: Jana Krüger")
    )
    saved = runner.invoke(
        app, ["charter", "save", "-w", str(ws.root), "--author", "sophie", "-m", "portal owner"]
    )
    assert saved.exit_code == 0, saved.output
    hist = runner.invoke(app, ["charter", "history", "-w", str(ws.root), "--json"])
    rows = json.loads(hist.stdout)
    assert [r["author"] for r in rows] == ["cxo init", "sophie"]
    assert "portal.accountable: Thomas Becker → Jana Krüger" in rows[1]["changes"]
    # broken accountability → exit 1; a touchpoint in the data but not in the charter too
    ws.charter_path.write_text(text.replace("accountable: Thomas Becker", "accountable: null"))
    bad = runner.invoke(app, ["charter", "check", "-w", str(ws.root)])
    assert bad.exit_code == 1
    assert "portal" in bad.stdout
    with ws.connect() as con:
        con.execute(
            "insert into responses (response_id, survey, touchpoint, responded_at, nps) "
            "values ('R1', 'relationship', 'kiosk', timestamp '2026-01-01 10:00', 9)"
        )
    ws.charter_path.write_text(text)
    unknown = runner.invoke(app, ["charter", "check", "-w", str(ws.root), "--json"])
    assert unknown.exit_code == 1
    assert json.loads(unknown.stdout)["issues"][0]["touchpoint"] == "kiosk"
    invalid = runner.invoke(
        app,
        ["charter", "check", "-w", str(ws.root)],
    )
    assert invalid.exit_code == 1
    ws.charter_path.write_text(text.replace("target: 30}", "target: 300}"))
    broken = runner.invoke(app, ["charter", "show", "-w", str(ws.root)])
    assert broken.exit_code == 1
    assert "charter.yaml:" in broken.output
    assert "kpis[0].target" in broken.output or "kpis[0]" in broken.output
