"""The rendered-page cache: a real import changes the pages at once, one reader's scoped page
is never served to another, the warming thread renders in advance, and the sign-in state is
re-read when the store changes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cxo.store.users import set_password
from cxo.web import pagecache, pages
from cxo.web.app import create_app
from cxo.web.routes import view_data, views
from cxo.workspace import Workspace
from tests.web.manage_support import responses_csv
from tests.web.support import Browsers, serve


class Calls:
    """Counts the calls of a function and runs the real one."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.n = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.n += 1
        return self.real(*args, **kwargs)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    view_data.clear()
    spy = Calls(pages.render_main)
    monkeypatch.setattr(views, "render_main", spy)
    yield spy
    view_data.clear()


@pytest.fixture
def warm_pages(ws: Workspace) -> Iterator[Browsers]:
    """A real server that warms its pages, as ``cxo serve`` runs it."""
    with serve(create_app(ws, warm=True)) as url:
        found = Browsers(url)
        yield found
        found.close()


def _settled(ws: Workspace) -> None:
    """Wait until no file the pages depend on changed within the last second."""
    deadline = time.monotonic() + 30
    while pagecache.stamp(ws) is None:
        assert time.monotonic() < deadline, "the workspace files never settled"
        time.sleep(0.1)


def _import(client: httpx.Client, rows: int) -> None:
    """Upload a responses CSV through the imports page and wait for the import to end."""
    started = client.post(
        "/imports",
        data={"table": "responses"},
        files={"file": ("r.csv", responses_csv(rows, []), "text/csv")},
        headers={"HX-Request": "true"},
    )
    assert started.status_code == 200, started.text
    job = re.search(r'id="job-(\w+)"', started.text)
    assert job, started.text
    deadline = time.monotonic() + 120
    while True:
        html = client.get(f"/imports/jobs/{job.group(1)}", headers={"HX-Request": "true"}).text
        if 'data-state="running"' not in html:
            assert 'data-state="done"' in html, html
            return
        assert time.monotonic() < deadline, html
        time.sleep(0.2)


def _minute() -> int:
    return int(time.time() // 60)


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_an_import_through_the_app_changes_the_cached_pages(
    ws: Workspace, browsers: Browsers, renders: Calls
) -> None:
    lea = browsers.login("lea")
    _settled(ws)
    before = lea.get("/scorecard")
    assert before.status_code == 200
    assert 'class="missing"' in before.text or "cxo import responses" in before.text
    count = renders.n
    assert lea.get("/scorecard").text == before.text  # served from the cache
    assert renders.n == count
    overview = lea.get("/").text

    _import(lea, 30)
    after = lea.get("/scorecard").text
    assert after != before.text
    assert "portal" in _main(after).lower()
    assert re.search(r">\s*30\s*<", _main(after)), _main(after)  # the 30 new responses
    assert lea.get("/").text != overview
    _settled(ws)
    count = renders.n
    assert lea.get("/scorecard").text == lea.get("/scorecard").text
    assert renders.n <= count + 1  # cached again once the files settled


@pytest.mark.slow
def test_the_warming_thread_renders_before_the_first_reader(
    ws: Workspace, warm_pages: Browsers, renders: Calls
) -> None:
    deadline = time.monotonic() + 60
    while httpx.get(f"{warm_pages.base}/api/health").json()["pages"] != "warm":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    _settled(ws)
    while renders.n < 4:  # overview and scorecard, in both languages
        assert time.monotonic() < deadline, renders.n
        time.sleep(0.1)
    warmed = renders.n
    vic = warm_pages.login("vic")
    _settled(ws)  # signing in wrote the audit log: the warmer renders again
    while renders.n < warmed + 4:
        assert time.monotonic() < deadline, renders.n
        time.sleep(0.1)
    count, minute = renders.n, _minute()
    assert vic.get("/").status_code == 200
    assert vic.get("/scorecard").status_code == 200
    if _minute() == minute:  # the overview's follow-up SLA is rendered once a minute
        assert renders.n == count  # both served from what the warmer rendered


def _initiatives(html: str) -> set[str]:
    section = html[html.index('id="initiatives"') :]
    section = section[: section.index("</section>")]
    return set(re.findall(r"<tr><td>([^<]*)</td>", section))


def test_an_owners_page_is_not_served_to_anyone_else(
    ws: Workspace, browsers: Browsers, renders: Calls
) -> None:
    lea, tom, sab, vic = (browsers.login(n) for n in ("lea", "tom", "sab", "vic"))
    _settled(ws)
    seen = {name: c.get("/").text for name, c in (("lea", lea), ("tom", tom), ("sab", sab))}
    assert _initiatives(seen["lea"]) == {"Portal", "Chatbot"}
    assert _initiatives(seen["tom"]) == {"Portal"}
    assert _initiatives(seen["sab"]) == {"Chatbot"}
    count, minute = renders.n, _minute()
    again = {name: c.get("/").text for name, c in (("tom", tom), ("sab", sab), ("lea", lea))}
    viewer = vic.get("/").text
    if _minute() == minute:  # the overview's follow-up SLA is rendered once a minute
        assert renders.n == count  # all from the cache, the viewer's from lea's
    assert _initiatives(again["tom"]) == {"Portal"}
    assert _initiatives(again["sab"]) == {"Chatbot"}
    assert _initiatives(viewer) == {"Portal", "Chatbot"}
    # the reader's own name and CSRF token, never the one of the page's first reader
    for name, client, html in (("tom", tom, again["tom"]), ("vic", vic, viewer)):
        assert f'<a href="/me">{name}</a>' in html
        assert client.headers["X-CSRF-Token"] in html
        assert lea.headers["X-CSRF-Token"] not in html
        assert '<a href="/me">lea</a>' not in html


def test_a_new_password_still_ends_a_session_with_the_user_cached(
    ws: Workspace, browsers: Browsers
) -> None:
    tom = browsers.login("tom")
    _settled(ws)
    assert tom.get("/api/v1/me").status_code == 200
    assert tom.get("/api/v1/me").status_code == 200  # the user now comes from the cache
    set_password(ws.app_database_url, "tom", "another good passphrase")
    assert tom.get("/api/v1/me").status_code == 401


def test_the_diagnostics_page_uses_the_reports_saved_run(
    ws: Workspace, browsers: Browsers, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cxo.diagnostics
    from cxo.report import board_inputs
    from cxo.report.board import gather

    assert gather(ws).provenance == board_inputs.Provenance(reused=False, saved=True)
    spy = Calls(cxo.diagnostics.diagnose_all)
    monkeypatch.setattr(cxo.diagnostics, "diagnose_all", spy)
    view_data.clear()
    lea = browsers.login("lea")
    saved = lea.get("/diagnostics")
    assert saved.status_code == 200
    assert spy.n == 0  # the saved run of the board report, nothing computed
    board_inputs.path_of(ws).unlink()
    view_data.clear()
    computed = lea.get("/diagnostics")
    assert spy.n == 1
    assert _main(computed.text) == _main(saved.text)
