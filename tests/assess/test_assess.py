"""The assessment on small seeded workspaces (planted by construction) and its CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import cxo
from cxo.cli.main import app
from cxo.errors import InsufficientDataError, MissingDataError
from cxo.report.assessment import summary
from cxo.workspace import Workspace

runner = CliRunner()
AS_OF = np.datetime64("2026-09-30")


def _insert(ws: Workspace, table: str, data: dict[str, Any]) -> None:
    with ws.connect() as con:
        con.register("_in", pa.table(data))
        cols = ", ".join(f'"{c}"' for c in data)
        con.execute(f'insert into "{table}" ({cols}) select {cols} from _in')
        con.unregister("_in")


def _themes_table(ws: Workspace) -> None:
    with ws.connect() as con:
        con.execute(
            "create table if not exists response_themes "
            "(response_id varchar, theme varchar, sentiment varchar)"
        )


def build(root: Path, n: int = 4000, seed: int = 1, *, pain: bool = True) -> Workspace:
    """Service company: a pain at billing × invoice_error × private (−NPS, +0.15 churn/yr),
    a null theme at hotline (mentioned at random), ratings with known driver order."""
    rng = np.random.default_rng(seed)
    ws = Workspace.create(root, "service", language="en")
    ids = np.char.add("C", np.arange(n).astype(str))
    seg = rng.choice(["private", "business"], size=n, p=[0.7, 0.3])
    signup = AS_OF - rng.integers(400, 1500, size=n).astype("timedelta64[D]")
    affected = pain & (seg == "private") & (rng.random(n) < 0.25)
    u = rng.standard_normal(n) * 0.5
    p_year = 0.08 + 0.15 * affected
    lam = -np.log1p(-p_year) / 365.25
    first = AS_OF - np.timedelta64(730, "D")
    t_churn = first + rng.exponential(1 / lam).astype("timedelta64[D]")
    churn = np.where(t_churn < AS_OF, t_churn, np.datetime64("NaT"))
    _insert(
        ws,
        "customers",
        {
            "customer_id": ids,
            "segment": seg,
            "signup_date": pa.array(signup, pa.date32()),
            "churn_date": pa.array(churn.astype("datetime64[D]"), pa.date32()),
        },
    )
    _insert(
        ws,
        "contracts",
        {
            "contract_id": np.char.add("K", ids),
            "customer_id": ids,
            "product": np.full(n, "mobile_m"),
            "start_date": pa.array(signup, pa.date32()),
            "end_date": pa.array(churn.astype("datetime64[D]"), pa.date32()),
            "monthly_price": np.full(n, 40.0),
        },
    )
    # responses: 6 per customer over two years, alternating hotline/billing; those after churn
    # are dropped (the response process does not look into the future)
    k = 6
    cust_all = np.repeat(np.arange(n), k)
    day_all = first + (rng.random(n * k) * 730).astype("timedelta64[D]")
    end = np.where(np.isnat(churn), AS_OF, churn)
    keep = day_all < end[cust_all]
    cust, day = cust_all[keep], day_all[keep]
    m = len(cust)
    tp = np.where(np.arange(n * k)[keep] % 2 == 0, "hotline", "billing")
    z = rng.standard_normal((m, 3))
    latent = u[cust] + z @ np.array([0.5, 0.3, 0.0]) + rng.standard_normal(m) * 0.6
    latent -= 0.9 * (affected[cust] & (tp == "billing"))
    nps = np.clip(np.round(7 + 2.2 * latent), 0, 10)
    rid = np.char.add("R", np.arange(m).astype(str))
    _insert(
        ws,
        "responses",
        {
            "response_id": rid,
            "customer_id": ids[cust],
            "survey": np.full(m, "transactional"),
            "touchpoint": tp,
            "responded_at": pa.array(day.astype("datetime64[s]"), pa.timestamp("us")),
            "nps": nps,
        },
    )
    attrs = ["first_contact_resolution", "waiting_time", "network_quality"]
    score = np.clip(np.round(3 + 1.2 * z), 1, 5)
    _insert(
        ws,
        "ratings",
        {
            "response_id": np.repeat(rid, 3),
            "attribute": np.tile(attrs, m),
            "score": score.reshape(-1),
            "scale_min": np.ones(m * 3),
            "scale_max": np.full(m * 3, 5.0),
        },
    )
    mention = (affected[cust] & (tp == "billing") & (rng.random(m) < 0.8)) | (
        (tp == "hotline") & (rng.random(m) < 0.1)
    )
    theme = np.where(tp == "billing", "invoice_error", "staff_friendliness")
    _themes_table(ws)
    _insert(
        ws,
        "response_themes",
        {
            "response_id": rid[mention],
            "theme": theme[mention],
            "sentiment": np.full(int(mention.sum()), "negative"),
        },
    )
    return ws


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return build(tmp_path_factory.mktemp("assess") / "ws")


def test_planted_pain_ranked_first_with_owner_money_and_flag(planted: Workspace) -> None:
    result = cxo.assess(planted, n_boot=100)
    top = result.pains[0]
    assert top.key() == ("billing", "invoice_error", "private")
    assert top.flagged
    assert top.owner == {
        "touchpoint": "billing",
        "department": "Finance",
        "accountable": "Petra Schmitt",
    }
    assert top.churn is not None
    assert top.revenue is not None
    assert top.churn.ci_low < 0.15 < top.churn.ci_high
    planted_rar = 0.15 * top.revenue.monthly_revenue_exposed
    assert top.revenue.ci_low < planted_rar < top.revenue.ci_high
    assert top.gap < -15
    null = next(p for p in result.pains if p.theme == "staff_friendliness")
    assert not null.flagged
    # drivers: planted order first_contact_resolution > waiting_time > network_quality (0)
    assert result.drivers is not None
    rw = result.drivers.relative_weights
    assert rw.ranking() == ["first_contact_resolution", "waiting_time", "network_quality"]
    assert rw.significant_ is not None
    assert not bool(rw.significant_["network_quality"])
    assert result.focus.recommendations[0].touchpoint == "billing"
    assert result.focus.recommendations[0].owner["accountable"] == "Petra Schmitt"
    assert any(
        m.key == "assess.focus.stop.not_a_driver" and m.params["attribute"] == "network_quality"
        for m in result.focus.stop_doing
    )
    assert result.linkage is not None
    assert result.trend is not None
    d = result.to_dict()
    json.dumps(d)  # JSON-ready
    assert d["pains"][0]["owner"]["accountable"] == "Petra Schmitt"
    # The summary speaks the workspace language, German number formats included.
    assert result.language == "en"
    english = summary(result)
    assert "Pains (top 5 of" in english
    assert "owner Petra Schmitt" in english
    assert "Start with billing" in english
    german = summary(dataclasses.replace(result, language="de"))
    assert "Schmerzpunkte (Top 5 von" in german
    assert "verantwortlich Petra Schmitt" in german
    assert "Beginnen Sie bei billing" in german
    assert "Pains (top" not in german
    assert f"{result.customers:,} Kunden".replace(",", ".") in german


def test_each_step_is_announced_in_order(planted: Workspace) -> None:
    from cxo.assess import STEPS

    seen: list[str] = []
    cxo.assess(planted, n_boot=0, on_step=seen.append)
    assert tuple(seen) == STEPS


def test_no_pain_means_nothing_flagged_at_billing(tmp_path: Path) -> None:
    ws = build(tmp_path / "ws", n=2500, seed=3, pain=False)
    result = cxo.assess(ws, n_boot=0)
    assert not [p for p in result.pains if p.flagged]


def test_cli_writes_versioned_json_and_escaped_html(planted: Workspace) -> None:
    text = planted.charter_path.read_text("utf-8")
    planted.charter_path.write_text(
        text.replace("name: Beispiel Telekom GmbH", "name: '<script>x</script> AG'"), "utf-8"
    )
    try:
        first = runner.invoke(app, ["assess", "-w", str(planted.root), "--json", "--boot", "50"])
        assert first.exit_code == 0, first.output
        data = json.loads(first.stdout)
        assert data["pains"][0]["theme"] == "invoice_error"
        second = runner.invoke(app, ["assess", "-w", str(planted.root), "--boot", "0"])
        assert second.exit_code == 0, second.output
    finally:
        planted.charter_path.write_text(text, "utf-8")
    reports = planted.reports_dir
    assert json.loads((reports / "assessment-1.json").read_text())["number"] == 1
    assert (reports / "assessment-2.json").is_file()
    html = (reports / "assessment-1.html").read_text()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html


def test_cli_drivers_on_workspace_and_file(planted: Workspace, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        ["drivers", "-w", str(planted.root), "--target", "nps", "--drivers",
         "first_contact_resolution,waiting_time", "--boot", "0", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [r["method"] for r in out] == ["relative_weights", "lmg"]
    assert out[0]["drivers"][0]["driver"] == "first_contact_resolution"
    csv = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, size=(300, 2))
    y = 2 * x[:, 0] + rng.standard_normal(300)
    csv.write_text(
        "a;b;nps\n"
        + "\n".join(
            f"{a};{b};{str(round(v, 2)).replace('.', ',')}" for (a, b), v in zip(x, y, strict=True)
        )
    )
    res = runner.invoke(
        app, ["drivers", "--input", str(csv), "--na", "0", "--method", "lmg", "--json"]
    )
    assert res.exit_code == 0, res.output
    lmg = json.loads(res.stdout)[0]
    assert lmg["drivers"][0]["driver"] == "a"
    assert lmg["n"] == int(((x[:, 0] != 0) & (x[:, 1] != 0)).sum())


def test_too_little_data_says_what_is_missing(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "empty", "retail")
    with pytest.raises(MissingDataError, match="customers"):
        cxo.assess(ws)
    res = runner.invoke(app, ["assess", "-w", str(ws.root)])
    assert res.exit_code == 1
    assert "cxo import customers" in res.output
    _insert(
        ws,
        "customers",
        {
            "customer_id": ["C1", "C2"],
            "signup_date": pa.array(np.array(["2025-01-01", "2025-02-01"], "datetime64[D]")),
        },
    )
    with pytest.raises(MissingDataError, match="responses"):
        cxo.assess(ws)
    _insert(
        ws,
        "responses",
        {
            "response_id": ["R1", "R2"],
            "customer_id": ["C1", "C2"],
            "survey": ["s", "s"],
            "touchpoint": ["webshop", "webshop"],
            "responded_at": pa.array(np.array(["2026-01-01", "2026-01-02"], "datetime64[us]")),
            "nps": [10.0, 3.0],
        },
    )
    with pytest.raises(InsufficientDataError, match="only 2 responses carry an NPS answer"):
        cxo.assess(ws)


def test_decomposition_with_a_group_missing_in_one_quarter() -> None:
    # A group seen only in the first quarter once made pandas fill the text column "quarter"
    # with 0.0 (a warning, so an error in this suite). Hand check of the split:
    # q0: a 10 answers NPS 30, b 5 answers NPS -40; q1: a 8 answers NPS 37.5 (b absent).
    # total = 37.5 - (10*30 + 5*(-40))/15 = 30.8333; within = 1.0*(37.5-30) = 7.5; mix = rest.
    import pandas as pd

    from cxo.assess.trend import decompose

    frame = pd.DataFrame(
        {
            "quarter": ["2026Q1", "2026Q1", "2026Q2"],
            "group": ["a", "b", "a"],
            "n": [10, 5, 8],
            "p": [5, 1, 4],
            "d": [2, 3, 1],
        }
    )
    d = decompose(frame, "2026Q1", "2026Q2", "segment")
    assert d.total == pytest.approx(30.8333333, abs=1e-6)
    assert d.within == pytest.approx(7.5)
    assert d.mix == pytest.approx(d.total - d.within)
