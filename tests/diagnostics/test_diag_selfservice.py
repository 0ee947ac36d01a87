"""A portal like a tax return on hand-made sessions with planted success and switching."""

from __future__ import annotations

import json

import pytest

from cxo import diagnostics
from cxo.errors import MissingDataError
from cxo.report import diagnostics as render

from . import diag_synth as synth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_task_success_and_switch_recovered(make_ws, seed: int) -> None:
    ws, info = make_ws("service", synth.make_sessions, n=8000, seed=seed)
    res = diagnostics.selfservice(ws, language="en")
    assert json.loads(json.dumps(res.to_dict()))["owner"] == res.owner
    assert render.title(res, "en") in render.section(res)
    for task, planted in info["task_success"].items():
        est = res.figures["task_success"][task]
        assert est["ci_low"] <= planted <= est["ci_high"], (task, est)
    caused = res.figures["switch_probability_caused"]
    assert caused["ci_low"] <= info["switch"] <= caused["ci_high"], caused
    assert res.finding("channel_switch").evidence
    assert res.owner == {
        "touchpoint": "portal",
        "department": "IT",
        "accountable": "Thomas Becker",
        "touchpoint_en": "Customer portal",
        "touchpoint_de": "Kundenportal",
    }
    # the weakest task causes the most contacts
    assert res.figures["ranking"][0] == "cancel"
    # CES: failed sessions were planted ~3 points worse, so the weakest task has the worst effort
    ces = res.figures["ces_by_task"]
    assert ces["cancel"]["value"] > ces["change_address"]["value"]


def test_cost_follows_cost_per_contact(make_ws) -> None:
    ws, _ = make_ws("software", synth.make_sessions, n=3000, seed=3)
    a = diagnostics.selfservice(ws).figures
    b = diagnostics.selfservice(ws, cost_per_contact=12.0).figures
    assert a["cost_per_contact"] == 6.0
    assert b["cost_per_month"] == pytest.approx(2 * a["cost_per_month"])
    assert a["cost_per_month"] == pytest.approx(6.0 * a["contacts_caused_per_month"])


def test_no_switching_planted_says_no_evidence(make_ws) -> None:
    ws, _ = make_ws("retail", synth.make_sessions, n=8000, seed=4, switch=0.0)
    res = diagnostics.selfservice(ws, language="en")
    f = res.finding("channel_switch")
    assert not f.evidence
    assert render.say(f.message, "en").startswith("No evidence of channel switching")
    assert res.owner["touchpoint"] == "webshop"


def test_themes_when_materialised_and_escaped(make_ws) -> None:
    ws, _ = make_ws("service", synth.make_sessions, n=500, seed=5)
    with ws.connect() as con:
        con.execute(
            "create table response_themes (response_id varchar, theme varchar, sentiment varchar)"
        )
        con.execute(
            "insert into response_themes select response_id, "
            "case when ces >= 4 then '<i>login</i>' else 'navigation' end, "
            "case when ces >= 4 then 'negative' else 'positive' end from responses"
        )
    res = diagnostics.selfservice(ws)
    assert set(res.figures["themes"]) == {"<i>login</i>", "navigation"}
    html = render.section(res)
    assert "&lt;i&gt;login&lt;/i&gt;" in html
    assert "<i>login" not in html


def test_missing_sessions_and_missing_cases(make_ws) -> None:
    ws, _ = make_ws("service", synth.make_loyalty, n=200, seed=0)
    with pytest.raises(MissingDataError) as err:
        diagnostics.selfservice(ws)
    assert "`sessions`" in err.value.message
    assert "cxo import sessions" in (err.value.hint or "")
    ws2, _ = make_ws("service", synth.make_sessions, n=300, seed=6)
    with ws2.connect() as con:
        con.execute("delete from cases")
    res = diagnostics.selfservice(ws2, language="en")
    assert "needs table `cases`" in render.say(res.finding("channel_switch").message, "en")
