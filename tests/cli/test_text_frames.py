"""``cxo text frames``, ``--frame``, the untagged share and ``cxo text discover --json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxo.cli.main import app

runner = CliRunner()
REVIEWS = [
    "Really happy with this purchase",
    "Stopped working after two months",
    "Great gift for my grandma",
    "Perfect gift for grandma",
    "A gift for my grandma, she loves it",
    "Alarm clock every morning",
    "I use it as an alarm clock",
    "Great alarm clock in the morning",
    "Battery life is poor",
    "",
]


@pytest.fixture
def reviews(tmp_path: Path) -> Path:
    path = tmp_path / "reviews.csv"
    rows = ["text", *(f'"{t}"' for t in REVIEWS * 3)]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def test_frames_lists_the_built_in_frames() -> None:
    r = runner.invoke(app, ["text", "frames", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["workspace_frames"] == ["cx"]
    keys = {f["key"]: f for f in data["frames"]}
    assert keys["cx"]["used"]
    assert not keys["product_review"]["used"]
    assert "review_defect" in keys["product_review"]["themes"]
    r = runner.invoke(app, ["text", "frames", "--lang", "de"])
    assert r.exit_code == 0, r.output
    assert "* cx: CX-Themen" in r.stdout
    assert "  product_review: Produktbewertungen" in r.stdout


def test_frames_shows_the_workspace_choice(tmp_path: Path) -> None:
    from cxo.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws", "retail")
    toml = ws.root / "cxo.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[text]\nframes = ["product_review"]\n', "utf-8")
    r = runner.invoke(app, ["text", "frames", "--workspace", str(ws.root), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["workspace_frames"] == ["product_review"]
    r = runner.invoke(app, ["text", "themes", "--workspace", str(ws.root), "--json"])
    assert r.exit_code == 0, r.output
    assert {t["theme"] for t in json.loads(r.stdout)} >= {"review_defect", "review_battery"}


def test_analyze_reports_the_untagged_share_per_frame(reviews: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    r = runner.invoke(
        app, ["text", "analyze", "-i", str(reviews), "-o", str(out), "--frame", "product_review"]
    )
    assert r.exit_code == 0, r.output
    # 27 analysable comments (3 empty); defect and battery tagged, 7 of 9 texts untagged
    assert "untagged: 21 of 27 comments (77.8 %)" in r.stdout
    r = runner.invoke(
        app,
        [
            "text",
            "analyze",
            "-i",
            str(reviews),
            "-o",
            str(out),
            "--json",
            "--frame",
            "cx",
            "--frame",
            "product_review",
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["frames"] == ["cx", "product_review"]
    assert (data["analysable"], data["untagged"]) == (27, 21)
    assert data["untagged_share"] == pytest.approx(21 / 27, abs=1e-4)


def test_unknown_frame_is_a_typed_error(reviews: Path) -> None:
    r = runner.invoke(app, ["text", "analyze", "-i", str(reviews), "--frame", "shop"])
    assert r.exit_code == 2
    assert "unknown code frame 'shop'" in r.output


def test_discover_json_has_untagged_share_and_proposals(reviews: Path) -> None:
    r = runner.invoke(
        app,
        ["text", "discover", "-i", str(reviews), "--frame", "product_review", "-k", "2", "--json"],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["analysable"], data["untagged"]) == (27, 21)
    props = data["proposals"]
    assert props
    assert all({"key", "size", "top_terms", "examples"} <= set(p) for p in props)
    terms = " ".join(t for p in props for t in p["top_terms"])
    assert "gift" in terms
    assert "alarm" in terms


def test_discover_on_a_tagged_workspace_reports_the_untagged_share(tmp_path: Path) -> None:
    from cxo.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws", "retail")
    toml = ws.root / "cxo.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[text]\nframes = ["product_review"]\n', "utf-8")
    with ws.connect() as con:
        con.executemany(
            "INSERT INTO responses (response_id, survey, touchpoint, responded_at, nps, comment, "
            "language) VALUES (?, 'survey', 'delivery', '2026-01-10', 8, ?, 'en')",
            [(f"r{i:03d}", t) for i, t in enumerate(REVIEWS[:-1] * 3)],
        )
    w = str(ws.root)
    r = runner.invoke(app, ["text", "tag", "--workspace", w, "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["text", "discover", "--workspace", w, "-k", "2", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["analysable"], data["untagged"]) == (27, 21)
    r = runner.invoke(app, ["text", "discover", "--workspace", w, "-k", "2"])
    assert r.exit_code == 0, r.output
    assert "ohne Thema: 21 von 27 Kommentaren (77,8 %)" in r.stdout  # the workspace language
