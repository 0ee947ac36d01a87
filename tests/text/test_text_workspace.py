from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cxo
import cxo.text as text
from cxo.cli.main import app
from cxo.workspace import Workspace

from .conftest import simulate_comments


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "ws", "service")
    texts, labels, _, langs = simulate_comments(120, seed=2)
    texts[0] = "Hallo Frau Müller, Kundennummer C1234567, Hotline nie erreichbar!"
    texts[1] = ""
    nps = {"negative": 3, "neutral": 7, "positive": 10}
    rows = [
        (f"r{i:04d}", "survey", "hotline", f"2026-0{1 + i % 6}-10", nps[lab], t or None, lang)
        for i, (t, lab, lang) in enumerate(zip(texts, labels, langs, strict=True))
    ]
    with ws.connect() as con:
        con.executemany(
            "INSERT INTO responses (response_id, survey, touchpoint, responded_at, nps, comment, "
            "language) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return ws


def test_tag_workspace_is_incremental(ws: Workspace) -> None:
    res = text.tag_workspace(ws, workers=1)
    assert res.analysed == 119  # one comment is NULL
    with ws.connect(read_only=True) as con:
        n = con.execute("SELECT count(*) FROM response_text").fetchone()
        first = con.execute(
            "SELECT redacted_text, language FROM response_text WHERE response_id='r0000'"
        ).fetchone()
        themes = con.execute(
            "SELECT theme, sentiment FROM response_themes WHERE response_id='r0000'"
        ).fetchall()
        bad = con.execute(
            "SELECT count(*) FROM response_themes WHERE theme NOT IN (SELECT unnest(?))",
            [list(text.builtin_codeframe().keys)],
        ).fetchone()
    assert n == (119,)
    assert first == ("Hallo Frau [NAME], Kundennummer [ID], Hotline nie erreichbar!", "de")
    assert ("reachability_waiting", "negative") in themes
    assert bad == (0,)
    assert text.tag_workspace(ws, workers=1).analysed == 0  # nothing new
    with ws.connect() as con:
        con.execute(
            "UPDATE responses SET comment='Lieferung kam nie an', language='de' "
            "WHERE response_id='r0005'"
        )
    assert text.tag_workspace(ws, workers=1).analysed == 1  # only the changed comment
    with ws.connect(read_only=True) as con:
        got = con.execute("SELECT theme FROM response_themes WHERE response_id='r0005'").fetchall()
    assert got == [("delivery",)]


def test_tag_without_responses_table(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "w2", "retail")
    with ws.connect() as con:
        con.execute("DROP TABLE responses")
    with pytest.raises(cxo.CxoError, match="responses"):
        text.tag_workspace(ws)


def test_cli_train_analyze_and_workspace_commands(ws: Workspace, tmp_path: Path) -> None:
    import pandas as pd

    texts, labels, _sets, _ = simulate_comments(200, seed=4)
    src = tmp_path / "labelled.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(src, index=False)
    runner = CliRunner()
    model = tmp_path / "m.cxomodel"
    r = runner.invoke(
        app,
        [
            "text",
            "train",
            "--input",
            str(src),
            "--text-column",
            "text",
            "--label-column",
            "label",
            "--out",
            str(model),
            "--no-embeddings",
        ],
    )
    assert r.exit_code == 0, r.output
    out = tmp_path / "scored.parquet"
    r = runner.invoke(
        app, ["text", "analyze", "--input", str(src), "--model", str(model), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    scored = pd.read_parquet(out)
    assert len(scored) == 200
    assert (scored["sentiment"] == scored["label"]).mean() > 0.9
    jsonl = tmp_path / "in.jsonl"
    pd.DataFrame({"text": ["Die Hotline ist nie erreichbar"]}).to_json(
        jsonl, orient="records", lines=True
    )
    r = runner.invoke(
        app, ["text", "analyze", "--input", str(jsonl), "--out", str(tmp_path / "o.csv")]
    )
    assert r.exit_code == 0, r.output
    assert "reachability_waiting" in (tmp_path / "o.csv").read_text("utf-8")
    r = runner.invoke(app, ["text", "analyze", "--input", str(tmp_path / "nope.csv")])
    assert r.exit_code == 2
    w = str(ws.root)
    r = runner.invoke(app, ["text", "tag", "--workspace", w, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["analysed"] == 119
    r = runner.invoke(app, ["text", "impact", "--workspace", w, "--boot", "50", "--json"])
    assert r.exit_code == 0, r.output
    impacts = {d["theme"]: d for d in json.loads(r.stdout)}
    assert "reachability_waiting" in impacts
    for cmd in (["themes"], ["emerging"], ["verbatims", "-k", "1"], ["discover"]):
        r = runner.invoke(app, ["text", *cmd, "--workspace", w, "--json"])
        assert r.exit_code == 0, (cmd, r.output)
    r = runner.invoke(app, ["text", "train", "--workspace", w, "--no-embeddings"])
    assert r.exit_code == 0, r.output
    assert (ws.root / "models" / "sentiment.cxomodel").is_file()


def test_parallel_analysis_equals_single_process() -> None:
    from cxo.text.workspace import analyse_parallel

    texts, _, _, langs = simulate_comments(60, seed=9)
    frame = text.builtin_codeframe()
    single = text.Analyzer(frame).analyze(texts, langs)
    multi = analyse_parallel(
        texts, list(langs), frame, ["C\\d{7}", "K\\d{5,}"], workers=2, chunk=10
    )
    assert multi.rows == single.rows
