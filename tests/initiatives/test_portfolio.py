"""The portfolio in the operational store and from YAML: round trip, updates, audit, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from cxo.errors import InputError, UsageError
from cxo.initiatives import (
    Initiative,
    get_initiative,
    initiatives,
    load_portfolio,
    remove_initiative,
    save_initiative,
)
from cxo.store.db import session_scope
from cxo.store.models import AuditEntry
from cxo.workspace import Workspace


@pytest.fixture
def url(tmp_path: Path) -> str:
    return Workspace.create(tmp_path / "ws", "service").app_database_url


def test_round_trip_update_and_remove(url: str) -> None:
    portal = Initiative(
        key="portal_relaunch",
        name="Kundenportal-Relaunch",
        owner="Thomas Becker",
        touchpoints=["portal"],
        pains=["portal:portal_usability"],
        one_off_cost=50_000,
        running_cost_month=1_000,
        expected_nps_effect=8,
        expected_churn_effect=-0.01,
        launch=dt.date(2025, 10, 1),
        status="running",
    )
    assert save_initiative(url, portal, author="sophie") is True
    assert get_initiative(url, "portal_relaunch") == portal
    portal.status = "done"
    assert save_initiative(url, portal, author="sophie") is False
    assert [i.status for i in initiatives(url)] == ["done"]
    remove_initiative(url, "portal_relaunch", author="sophie")
    assert initiatives(url) == []
    with session_scope(url) as session:
        actions = [a.action for a in session.scalars(select(AuditEntry)).all()]
    assert actions[-3:] == ["initiative.add", "initiative.update", "initiative.remove"]


def test_unknown_key_lists_the_known_ones(url: str) -> None:
    save_initiative(url, Initiative(key="chatbot", name="Chatbot"))
    with pytest.raises(UsageError, match="no initiative 'bot'; known: chatbot"):
        get_initiative(url, "bot")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": "Portal Relaunch"}, "lower-case"),
        ({"status": "maybe"}, "status 'maybe'"),
        ({"pains": ["portal"]}, "touchpoint:theme"),
        ({"expected_churn_effect": 5.0}, "annual churn"),
        ({"one_off_cost": -1.0}, "negative"),
    ],
)
def test_invalid_initiatives_name_the_field(
    url: str, changes: dict[str, object], message: str
) -> None:
    item = Initiative(key="x", name="X")
    for k, v in changes.items():
        setattr(item, k, v)
    with pytest.raises(UsageError, match=message):
        save_initiative(url, item)


def test_yaml_portfolio_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "portfolio.yaml"
    good.write_text(
        "initiatives:\n"
        "  - key: portal_relaunch\n"
        "    name: Kundenportal\n"
        "    touchpoints: portal\n"
        "    one_off_cost: 1000\n"
        "    launch: 2025-10-01\n",
        "utf-8",
    )
    (item,) = load_portfolio(good)
    assert item.touchpoints == ["portal"]
    assert item.launch == dt.date(2025, 10, 1)
    head = "initiatives:\n  - key: a\n    name: A\n"
    cases = {
        head + "    budget: 3\n": r"initiatives\[1\]: unknown field\(s\) budget",
        head + "  - name: B\n": r"initiatives\[2\]: field `key` is missing",
        head + "    launch: soon\n": "launch 'soon' is not a date",
        head + "    one_off_cost: lots\n": "`one_off_cost` is not a number",
        "initiatives: [\n": "line 2: not valid YAML",
        "portfolio: []\n": "expected a list under `initiatives:`",
    }
    for text, message in cases.items():
        bad = tmp_path / "bad.yaml"
        bad.write_text(text, "utf-8")
        with pytest.raises(InputError, match=message):
            load_portfolio(bad)


def test_yaml_values_are_coerced_or_rejected(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "initiatives:\n  - key: a\n    name: 2024\n    description:\n"
        "    expected_nps_effect: '8'\n",
        "utf-8",
    )
    (item,) = load_portfolio(path)
    assert item.name == "2024"
    assert item.description == ""
    assert item.expected_nps_effect == 8.0
    path.write_text("initiatives:\n  - key: a\n    name: A\n    one_off_cost: .nan\n", "utf-8")
    with pytest.raises(InputError, match="`one_off_cost` must be finite"):
        load_portfolio(path)


def test_markup_in_names_is_printed_as_text(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cxo.cli.main import app

    ws = Workspace.create(tmp_path / "markup", "service")
    save_initiative(ws.app_database_url, Initiative(key="x", name="x [/x] [bold]", owner="[red]o"))
    out = CliRunner().invoke(app, ["initiative", "list", "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    assert "[/x]" in out.stdout
