"""The pages in a real browser (Playwright driving Debian's /usr/bin/chromium): sign in, the
overview draws its charts, the scorecard filter swaps the table, a pain opens with its
verbatims, the language switch shows German decimals, the board report opens from the nav with
inline SVG charts and its PDF downloads. Zero console errors, no request
leaves 127.0.0.1; screenshots are kept under the test's tmp dir."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from cxo.web.app import create_app
from tests.web.simulated import build
from tests.web.support import PASSWORD, serve

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ws = build(tmp_path_factory.mktemp("browser") / "ws")
    with serve(create_app(ws)) as url:
        yield url


def test_pages_in_a_browser(base: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium (scripts/system-deps.sh installs it)")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    errors: list[str] = []
    foreign: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def record(request: object) -> None:
            url = request.url  # type: ignore[attr-defined]
            if urlparse(url).hostname not in ("127.0.0.1", None) and not url.startswith(
                ("data:", "blob:", "about:")
            ):
                foreign.append(url)

        page.on("request", record)

        # sign in, land on the overview (the workspace speaks German)
        page.goto(f"{base}/")
        page.fill("#name", "lea")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        for chart in ("trend", "pains", "sla"):
            page.wait_for_selector(f"#vis-{chart} svg", timeout=20_000)
        page.screenshot(path=str(shots / "overview-de.png"), full_page=True)

        # the scorecard: changing the breakdown swaps the table in place (htmx)
        page.goto(f"{base}/scorecard")
        page.select_option("#by", "channel")
        sync_api.expect(page.locator("#scorecard-table thead >> nth=0")).to_contain_text(
            "Kanal", timeout=20_000
        )
        page.wait_for_url(re.compile(r"by=channel"))
        page.screenshot(path=str(shots / "scorecard-channel.png"), full_page=True)

        # the assessment: open the first pain and read its verbatims
        page.goto(f"{base}/assessment")
        page.wait_for_selector("#vis-drivers svg", timeout=20_000)
        page.click("#pains table a >> nth=0")
        page.wait_for_selector("#verbatims blockquote.verbatim")
        page.screenshot(path=str(shots / "pain.png"), full_page=True)

        # German decimals, then English after the switch, remembered on the next page
        page.goto(f"{base}/voice")
        page.wait_for_selector("#vis-impact svg", timeout=30_000)
        body = page.inner_text("#impact table")
        assert re.search(r"[+−-]\d+,\d", body), body[:300]
        page.click("button[name=language][value=en]")
        page.wait_for_selector("html[lang=en]")
        body = page.inner_text("#impact table")
        assert re.search(r"[+−-]\d+\.\d", body), body[:300]
        page.goto(f"{base}/diagnostics")
        assert page.get_attribute("html", "lang") == "en"
        page.wait_for_selector("#vis-loyalty svg", timeout=20_000)
        page.screenshot(path=str(shots / "diagnostics-en.png"), full_page=True)
        page.goto(f"{base}/")
        for chart in ("trend", "pains"):
            page.wait_for_selector(f"#vis-{chart} svg", timeout=20_000)
        page.screenshot(path=str(shots / "overview-en.png"), full_page=True)

        # the board report: the nav link opens it with its charts inline; the PDF downloads
        # with the signed-in session
        page.click('header nav a[href="/report"]')
        page.wait_for_url(f"{base}/report")
        page.wait_for_selector("svg", state="attached", timeout=60_000)
        assert page.locator("svg").count() > 0
        assert "<svg" in page.content()
        assert page.locator("script[src], link[href^=http], img[src^=http]").count() == 0
        page.screenshot(path=str(shots / "report-en.png"), full_page=True)
        pdf = page.request.get(f"{base}/report.pdf", timeout=180_000)
        assert pdf.status == 200, pdf.text()[:300]
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        browser.close()
    assert not errors, errors
    assert not foreign, foreign
    assert len(list(shots.glob("*.png"))) == 6
