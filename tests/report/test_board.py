"""The board report: summary first with charts, offline, both languages, inert user content,
and (slow) the PDF printed by Chromium, checked as images.

The workspace holds a saved assessment (the chart fixture ``assess.json``, a trimmed
``cxo assess --json`` of a demo), a charter whose company name and an initiative whose name
are attacks; responses, diagnostics' tables and follow-ups are missing, so the report must
say which command provides them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from cxo.errors import UsageError
from cxo.initiatives import Initiative, save_initiative
from cxo.report.board import board_report, gather, render_board
from cxo.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "charts"
ATTACK = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
INITIATIVE_ATTACK = '<script>alert(3)</script>"><img src=x onerror=alert(4)>'


def _workspace(root: Path, language: str) -> Workspace:
    ws = Workspace.create(root, "service", language=language)
    charter = ws.charter_path.read_text("utf-8")
    name = ws.charter().company.name
    ws.charter_path.write_text(charter.replace(f"name: {name}", f"name: '{ATTACK}'", 1), "utf-8")
    assessment = json.loads((FIXTURES / "assess.json").read_text("utf-8"))
    assessment.update(number=1, as_of="2026-09-30", responses=30_000, customers=8_000)
    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    (ws.reports_dir / "assessment-1.json").write_text(json.dumps(assessment), "utf-8")
    pain = assessment["pains"][0]
    save_initiative(
        ws.app_database_url,
        Initiative(
            "fix_hotline",
            INITIATIVE_ATTACK,
            owner=ATTACK,
            touchpoints=[pain["touchpoint"]],
            pains=[f"{pain['touchpoint']}:{pain['theme']}"],
            one_off_cost=10_000.0,
            status="planned",
        ),
    )
    return ws


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Workspace]:
    root = tmp_path_factory.mktemp("board")
    return {lang: _workspace(root / lang, lang) for lang in ("en", "de")}


@pytest.fixture(scope="module")
def pages(workspaces: dict[str, Workspace]) -> dict[str, str]:
    return {lang: board_report(ws) for lang, ws in workspaces.items()}


class _Page(HTMLParser):
    """Every tag with its attributes, and the text of <style> and <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _summary(html: str) -> str:
    start = html.index('<section class="summary"')
    return html[start : html.index("</section>", start)]


def test_summary_comes_first_with_two_inline_charts(pages: dict[str, str]) -> None:
    for html in pages.values():
        body = html[html.index("<body") :]
        assert body.index('class="summary"') < body.index('class="detail"')
        summary = _summary(html)
        assert summary.count("<svg") >= 2, "page one needs the trend and the pains chart"
        assert summary.index("<svg") < summary.index("<table")


def test_no_external_reference(pages: dict[str, str]) -> None:
    for html in pages.values():
        page = _parse(html)
        for tag, attrs in page.tags:
            assert tag not in ("script", "link", "iframe", "object", "embed", "img"), tag
            for name in ("src", "href", "xlink:href", "action", "srcset", "data"):
                value = attrs.get(name)
                if value is not None:
                    assert value.startswith("#"), f"<{tag} {name}={value!r}> leaves the page"
        for url in re.findall(r"url\(([^)]*)\)", html):
            assert url.strip("'\" ").startswith("#"), url
        assert "@import" not in page.style
        assert "http://" not in page.style
        assert "https://" not in page.style


def test_both_languages_with_their_numbers(pages: dict[str, str]) -> None:
    de, en = _summary(pages["de"]), _summary(pages["en"])
    assert "<title>Vorstandsbericht" in pages["de"]
    assert "<title>Board report" in pages["en"]
    assert "Was getan wird" in de
    assert "What is being done" in en
    # The latest quarter's NPS with one decimal: a decimal comma in German, a point in English.
    assert re.search(r'class="value">-?\d+,\d<', de), "German decimals"
    assert re.search(r'class="value">-?\d+\.\d<', en), "English decimals"
    assert re.search(r"\d\.\d{3} EUR", pages["de"]) or re.search(r"\d+ EUR", de)


def test_attacks_in_charter_and_initiative_names_are_inert(pages: dict[str, str]) -> None:
    for html in pages.values():
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the company, escaped
        assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html  # the initiative, escaped
        tags = {tag for tag, _ in _parse(html).tags}
        assert "script" not in tags
        assert "img" not in tags
        for _, attrs in _parse(html).tags:
            assert not any(k.startswith("on") for k in attrs), attrs


def test_missing_data_are_named_with_the_command_that_provides_them(
    workspaces: dict[str, Workspace], pages: dict[str, str]
) -> None:
    data = gather(workspaces["en"])
    assert data.assessment is not None
    assert data.priorities is not None
    assert data.scorecard is None
    assert data.followups is None
    assert not data.diagnostics
    html = pages["en"]
    assert "cxo import responses FILE" in html
    assert "cxo followup generate" in html
    assert "Left out because data are missing" in html


def test_an_unknown_language_is_a_usage_error(workspaces: dict[str, Workspace]) -> None:
    with pytest.raises(UsageError, match="fr"):
        board_report(workspaces["en"], "fr")


def test_a_workspace_without_anything_still_renders(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "empty", "software", language="en")
    html = render_board(gather(ws))
    assert "cxo assess" in html
    assert "<svg" not in html


# --------------------------------------------------------------------------------------------
# the PDF
# --------------------------------------------------------------------------------------------


def _gray_pages(pdf: Path, out: Path) -> list[np.ndarray]:
    """Each page of ``pdf`` as a grey image (pdftoppm, 40 dpi, binary PGM)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "40", str(pdf), str(out / "page")], check=True)
    images = []
    for path in sorted(out.glob("page-*.pgm")):
        raw = path.read_bytes()
        m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", raw)
        assert m, path
        w, h = int(m.group(1)), int(m.group(2))
        images.append(np.frombuffer(raw[m.end() : m.end() + w * h], np.uint8).reshape(h, w))
    return images


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftoppm") is None,
    reason="needs Debian's chromium and poppler-utils (scripts/system-deps.sh installs them)",
)
@pytest.mark.parametrize("language", ["de", "en"])
def test_pdf_pages_summary_chart_and_no_blank_page(
    workspaces: dict[str, Workspace], tmp_path: Path, language: str
) -> None:
    from cxo.report.pdf import board_pdf

    pdf = tmp_path / "board.pdf"
    pdf.write_bytes(board_pdf(workspaces[language]))
    assert pdf.read_bytes().startswith(b"%PDF")
    images = _gray_pages(pdf, tmp_path)
    assert len(images) >= 2, "summary page, then the details"
    for number, image in enumerate(images, 1):
        assert image.std() > 8, f"page {number} is blank"
        assert image.shape[0] > image.shape[1], "A4 portrait"
    # Page one holds the trend chart: its title is text on that page, and its region (top
    # left, below the heading) is drawn, not white.
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ("NPS je Quartal" if language == "de" else "NPS by quarter") in text
    h, w = images[0].shape
    chart = images[0][int(0.08 * h) : int(0.35 * h), int(0.05 * w) : int(0.55 * w)]
    assert (chart < 200).mean() > 0.03, "no chart drawn in the top left of page one"
    kept = tmp_path / f"page1-{language}.png"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(kept.with_suffix(""))],
        check=True,
    )  # fmt: skip
    assert kept.exists()
