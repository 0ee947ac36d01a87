"""The pages that change things in a real browser (Debian's Chromium through Playwright):
create an initiative, import a CSV with bad rows and see the quarantine, work a follow-up as
its owner without a page reload. Zero console errors; no request leaves 127.0.0.1;
screenshots are kept in the test's tmp dir."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect, sync_playwright

from cxo.followups import tasks
from cxo.initiatives import get_initiative
from cxo.workspace import Workspace
from tests.web.manage_support import XSS, manage_app, responses_csv
from tests.web.support import PASSWORD, serve

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def base(ws: Workspace) -> Iterator[str]:
    with serve(manage_app(ws)) as url:
        yield url


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium")
def test_lead_and_owner_change_things_in_the_browser(
    base: str, ws: Workspace, tmp_path: Path
) -> None:
    problems: list[str] = []
    outside: list[str] = []
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for user in ("lea", "tom"):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.on("console", lambda m: _console(m, problems))
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.on(
                    "response",
                    lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
                )
                page.on(
                    "request",
                    lambda r: None if r.url.startswith(base + "/") else outside.append(r.url),
                )
                page.goto(f"{base}/login")
                page.fill("input[name=name]", user)
                page.fill("input[name=password]", PASSWORD)
                page.click("form[action='/login'] button[type=submit]")
                page.wait_for_load_state()
                if user == "lea":
                    _create_initiative(page, base, shots)
                    _import_with_bad_rows(page, base, shots, tmp_path)
                else:
                    _work_followup(page, base, shots)
                context.close()
        finally:
            browser.close()
    assert problems == []
    assert outside == []
    assert get_initiative(ws.app_database_url, "faster_hotline").name == XSS
    task = next(t for t in tasks(ws) if t.id == 1)
    assert (task.status, task.note, task.closed_by) == ("closed", "Called back, solved", "tom")
    assert len(list(shots.glob("*.png"))) == 3


def _console(message: ConsoleMessage, problems: list[str]) -> None:
    if message.type != "error":
        return
    url = str(message.location.get("url", ""))
    problems.append(f"{message.text} at {url}")


def _create_initiative(page: Page, base: str, shots: Path) -> None:
    page.goto(f"{base}/initiatives")
    page.click("a[href='/initiatives/new']")
    page.fill("#f-key", "faster_hotline")
    page.fill("#f-name", XSS)
    page.fill("#f-owner", "Sabine Hoffmann")
    page.check("input[name=touchpoints][value=hotline]")
    page.fill("#f-one_off_cost", "12000")
    page.fill("#f-expected_nps_effect", "4")
    page.select_option("#f-status", "planned")
    page.click("form.cxo-form button[type=submit]")
    page.wait_for_url(f"{base}/initiatives/faster_hotline")
    expect(page.locator("h1")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("#case")).to_contain_text("import it with")  # loaded by htmx
    page.screenshot(path=str(shots / "initiative.png"), full_page=True)


def _import_with_bad_rows(page: Page, base: str, shots: Path, tmp_path: Path) -> None:
    csv = tmp_path / "survey.csv"
    csv.write_bytes(
        responses_csv(
            30,
            ["b1,relationship,not a date,portal,5,late", "b2,relationship,2026-10-02,portal,12,x"],
        )
    )
    page.goto(f"{base}/imports")
    page.select_option("#f-table", "responses")
    page.set_input_files("#f-file", str(csv))
    page.click("#upload-form button[type=submit]")
    quarantine = page.locator("#quarantine tbody tr")
    expect(quarantine).to_have_count(2, timeout=60_000)
    expect(page.locator("[data-count=read]")).to_have_text("32")
    expect(page.locator("[data-count=imported]")).to_have_text("30")
    expect(page.locator("[data-count=quarantined]")).to_have_text("2")
    expect(quarantine.nth(1)).to_contain_text("out of range")
    assert page.url == f"{base}/imports"  # htmx: no page load
    page.screenshot(path=str(shots / "import.png"), full_page=True)


def _work_followup(page: Page, base: str, shots: Path) -> None:
    page.goto(f"{base}/followups")
    expect(page.locator("#task-2")).to_have_count(0)  # Sabine's task is not Tom's
    expect(page.locator("[data-sla=overdue]")).to_have_text("overdue: 1")
    page.evaluate("window.cxoMarker = 42")
    row = page.locator("#task-1")
    row.locator("button", has_text="Contacted").click()
    expect(page.locator("#task-1")).to_have_attribute("data-status", "contacted")
    expect(page.locator("[data-sla=overdue]")).to_have_text("overdue: 0")  # swapped too
    expect(page.locator("[data-sla=late]")).to_have_text("contacted late: 1")
    page.locator("#task-1 input[name=note]").fill("Called back, solved")
    page.locator("#task-1 .cxo-note button").click()
    expect(page.locator("#task-1")).to_contain_text("Called back, solved")
    page.locator("#task-1 button", has_text="Close").click()
    expect(page.locator("#task-1")).to_have_attribute("data-status", "closed")
    assert page.evaluate("window.cxoMarker") == 42  # the page was never reloaded
    page.screenshot(path=str(shots / "followups.png"), full_page=True)
