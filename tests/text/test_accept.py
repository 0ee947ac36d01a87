"""Accepting a discovered theme into the workspace code frame, and re-tagging after it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import cxo.text as text
from cxo.cli.main import app
from cxo.text.discovery import ThemeProposal, proposals_to_yaml
from cxo.workspace import Workspace

PARKING = [
    "Vor der Filiale gibt es keinen Parkplatz.",
    "Parkplatz immer belegt, bin wieder weggefahren.",
    "No parking anywhere near the store.",
    "The parking lot was full again.",
]
OTHER = ["Die Hotline war nicht erreichbar.", "Great service, thank you!"]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "ws", "service")
    comments = PARKING * 3 + OTHER * 3
    rows = [
        (f"r{i:03d}", "survey", "hotline", "2026-03-10", 4, c, None) for i, c in enumerate(comments)
    ]
    with ws.connect() as con:
        con.executemany(
            "INSERT INTO responses (response_id, survey, touchpoint, responded_at, nps, comment, "
            "language) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return ws


def _proposals(tmp_path: Path) -> Path:
    prop = ThemeProposal(
        key="parkplatz_parking",
        size=12,
        top_terms=["parkplatz", "parking"],
        examples=PARKING[:2],
        languages={"de": 6, "en": 6},
        indices=[],
    )
    path = tmp_path / "proposals.yaml"
    path.write_text(proposals_to_yaml([prop]), "utf-8")
    return path


def _themes(ws: Workspace) -> dict[str, set[str]]:
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT r.comment, th.theme FROM responses r JOIN response_themes th USING "
            "(response_id)"
        ).fetchall()
    out: dict[str, set[str]] = {}
    for comment, theme in rows:
        out.setdefault(comment, set()).add(theme)
    return out


def test_accepted_theme_tags_comments_after_retagging(ws: Workspace, tmp_path: Path) -> None:
    assert text.tag_workspace(ws, workers=1).analysed == 18
    assert not any("parking" in t for t in _themes(ws).values())
    assert text.tag_workspace(ws, workers=1).analysed == 0  # nothing changed
    runner = CliRunner()
    args = ["text", "accept", str(_proposals(tmp_path)), "parkplatz_parking", "--as", "parking"]
    args += ["--label-de", "Parkplatz", "--label-en", "Parking", "-t", "hotline"]
    res = runner.invoke(app, [*args, "--workspace", str(ws.root)])
    assert res.exit_code == 0, res.output
    frame = text.load_codeframe(ws)
    theme = frame.theme("parking")
    assert (theme.label_de, theme.label_en, theme.touchpoints) == (
        "Parkplatz",
        "Parking",
        ("hotline",),
    )
    # The code frame changed, so every comment is analysed again, not only new ones.
    assert text.tag_workspace(ws, workers=1).analysed == 18
    tagged = _themes(ws)
    for comment in PARKING:
        assert "parking" in tagged.get(comment, set()), comment
    assert all("parking" not in tagged.get(c, set()) for c in OTHER)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["parkplatz_parking", "--as", "delivery"], "already exists"),
        (["nope"], "no proposed theme `nope`"),
        (["parkplatz_parking", "-t", "moon_base"], "touchpoint `moon_base` is not in the charter"),
        (["parkplatz_parking", "--as", "Bad Key"], "must be lowercase"),
    ],
)
def test_accept_refuses_what_would_break_the_code_frame(
    ws: Workspace, tmp_path: Path, extra: list[str], message: str
) -> None:
    proposals = _proposals(tmp_path)
    res = CliRunner().invoke(
        app, ["text", "accept", str(proposals), *extra, "--workspace", str(ws.root)]
    )
    assert res.exit_code == 2
    assert message in res.output
    assert not (ws.root / "codeframe.yaml").exists()  # nothing written
