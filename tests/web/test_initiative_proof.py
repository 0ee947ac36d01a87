"""The proof shown to people (issue 19): the event study on the web initiative page (vega-embed,
in a real browser) and in the board report (offline SVG) with its pre-trend words, the contact
effect in the board report, and ``control`` in ``GET /api/v1/initiatives/{key}/effect`` — on a
small simulated company (``cxo demo``'s, ≈2000 customers) served on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, expect, sync_playwright

from cxo.initiatives import get_initiative, rank, save_initiative
from cxo.report.board import gather, render_board
from cxo.workspace import Workspace
from tests.web.manage_support import manage_app
from tests.web.simulated import SCRIPT, build
from tests.web.support import PASSWORD, login, serve

pytestmark = pytest.mark.slow

KEY = "portal_relaunch"
NAME = f"Portal relaunch {SCRIPT}"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    found = build(tmp_path_factory.mktemp("proof") / "ws")
    url = found.app_database_url
    save_initiative(url, dataclasses.replace(get_initiative(url, KEY), name=NAME))
    return found


@pytest.fixture(scope="module")
def base(ws: Workspace) -> Iterator[str]:
    with serve(manage_app(ws)) as url:
        yield url


@pytest.fixture(scope="module")
def lea(base: str) -> Iterator[httpx.Client]:
    client = login(base, "lea")
    yield client
    client.close()


def test_the_api_measures_with_each_comparison_group(lea: httpx.Client) -> None:
    url = f"/api/v1/initiatives/{KEY}/effect"
    plain = lea.get(url)
    assert plain.status_code == 200, plain.text
    assert plain.json()["effect"]["comparison"] == "touchpoints"
    same = lea.get(url, params={"control": "touchpoints"}).json()
    assert same["effect"]["nps"] == plain.json()["effect"]["nps"]
    prepost = lea.get(url, params={"control": "prepost"})
    assert prepost.status_code == 200, prepost.text
    body = prepost.json()
    assert body["effect"]["comparison"] == "prepost"
    assert body["effect"]["controls"] == []
    assert body["effect"]["nps"] != plain.json()["effect"]["nps"]
    assert any("before" in n.lower() for n in body["notes"])  # pre/post carries its warning
    matched = lea.get(url, params={"control": "matched"})
    assert matched.status_code == 422
    err = matched.json()
    assert set(err) == {"error", "message", "hint"}
    assert "no stored target list" in err["message"]
    assert "--control matched --customers FILE" in err["hint"]
    assert f"POST the list to /api/v1/initiatives/{KEY}/effect" in err["hint"]
    wrong = lea.get(url, params={"control": "random"})
    assert wrong.status_code == 422
    assert wrong.json()["error"] == "invalid_request"


def test_the_api_measures_against_matched_customers_it_is_given(
    ws: Workspace, lea: httpx.Client
) -> None:
    launch = get_initiative(ws.app_database_url, KEY).launch
    assert launch is not None
    with ws.connect(read_only=True) as con:  # a campaign list: every third earlier respondent
        rows = con.execute(
            "select distinct customer_id from responses where customer_id is not null "
            "and responded_at < ? order by customer_id",
            [launch],
        ).fetchall()
    ids = [str(r[0]) for r in rows][::3]
    url = f"/api/v1/initiatives/{KEY}/effect"
    got = lea.post(url, json={"control": "matched", "customers": ids})
    assert got.status_code == 200, got.text
    effect = got.json()["effect"]
    assert effect["comparison"] == "matched"
    assert effect["matching"]["targeted"] == len(ids)
    assert effect["matching"]["matched"] > 0
    # the same measurement as the library's (what `cxo initiative measure --customers` runs)
    from cxo.initiatives import measure
    from cxo.report.initiatives import to_json

    proof = measure(
        ws, get_initiative(ws.app_database_url, KEY), comparison="matched", customers=ids
    )
    expected = to_json(proof, ws.settings.language, ws.settings.currency)
    assert effect["nps"] == expected["effect"]["nps"]
    none = lea.post(url, json={"control": "matched", "customers": []})
    assert none.status_code == 400
    assert "needs `customers`" in none.json()["message"]
    blank = lea.post(url, json={"control": "matched", "customers": [ids[0], " "]})
    assert blank.status_code == 400
    assert "customers[1]" in blank.json()["message"]
    extra = lea.post(url, json={"control": "matched", "customers": ids, "seed": 3})
    assert extra.status_code == 422
    no_csrf = httpx.post(f"{lea.base_url}{url}", json={"customers": ids}, cookies=lea.cookies)
    assert no_csrf.status_code in (401, 403)


def test_the_effect_fragment_carries_the_event_study(lea: httpx.Client) -> None:
    html = lea.get(f"/initiatives/{KEY}/effect", headers={"HX-Request": "true"}).text
    assert 'data-spec="spec-event-study"' in html
    spec = re.search(r'<script type="application/json" id="spec-event-study">(.*?)</script>', html)
    assert spec is not None
    assert '"month"' in spec.group(1)
    assert "Vortrend-Test über 12 Monate" in html  # the workspace speaks German
    assert SCRIPT not in html  # the hostile name is escaped in the caption
    assert "&lt;script&gt;" in html


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium")
def test_the_initiative_page_draws_the_event_study(base: str, tmp_path: Path) -> None:
    problems: list[str] = []
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: _console(m, problems))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "request",
                lambda r: None if r.url.startswith(base + "/") else outside.append(r.url),
            )
            page.goto(f"{base}/login")
            page.fill("input[name=name]", "lea")
            page.fill("input[name=password]", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"{base}/initiatives/{KEY}")
            chart = page.locator("#effect figure.chart .vis svg")
            expect(chart).to_have_count(1, timeout=120_000)
            expect(page.locator("#effect figure.chart")).not_to_have_class(re.compile("failed"))
            expect(page.locator("#effect")).to_contain_text("Vortrend-Test")
            marks = page.locator("#effect figure.chart .vis svg path, #effect .vis svg rect")
            assert marks.count() > 10
            page.screenshot(path=str(tmp_path / "initiative-event-study.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert outside == []
    assert (tmp_path / "initiative-event-study.png").stat().st_size > 10_000


def _console(message: ConsoleMessage, problems: list[str]) -> None:
    if message.type == "error":
        problems.append(f"{message.text} at {message.location.get('url', '')}")


def test_the_board_report_shows_the_event_study_and_the_contact_effect(ws: Workspace) -> None:
    priorities = rank(ws)
    headings = {
        "en": ("effect month by month around the launch", "pre-trend test over 12 months"),
        "de": ("Effekt Monat für Monat um den Start", "Vortrend-Test über 12 Monate"),
    }
    contact = {
        "en": ("Effect of being contacted", "Not estimated: none of the"),
        "de": ("Wirkung des Nachfassens", "Nicht geschätzt: keiner der"),
    }
    for lang, (title, words) in headings.items():
        html = render_board(gather(ws, lang, priorities=priorities))
        section = html[html.index('class="cxo-initiatives"') :]
        figures = re.findall(
            r'<h3>([^<]*)</h3>\s*<figure role="img"[^>]*>(<svg.*?</svg>)</figure>', section, re.S
        )
        names = [h for h, _ in figures if title in h]
        assert len(names) == 2, names  # both demo initiatives were measured
        assert any("Portal relaunch &lt;script&gt;" in h for h in names)
        assert all("<script" not in svg for _, svg in figures)
        assert words in section
        loop = html[html.index('class="cxo-followups"') :]
        assert f"<h3>{contact[lang][0]}" in loop
        assert contact[lang][1] in loop  # the simulator records no contacts
