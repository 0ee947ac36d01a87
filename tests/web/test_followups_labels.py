"""The follow-ups page speaks the reader's words: touchpoint labels from the charter in their
language, times in the workspace's time zone (or UTC), each labelled with its zone."""

from __future__ import annotations

import re

import pytest

from cxo.errors import WorkspaceError
from cxo.workspace import SETTINGS_FILE, Workspace
from tests.web.manage_support import pages_of


def _cells(html: str, task: int) -> list[str]:
    row = re.search(rf'<tr id="task-{task}".*?</tr>', html, re.S)
    assert row, html[:2000]
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)
    ]


def _set_zone(ws: Workspace, zone: str) -> Workspace:
    path = ws.root / SETTINGS_FILE
    text = path.read_text("utf-8").replace("# timezone = ", f'timezone = "{zone}"\n# ', 1)
    path.write_text(text, "utf-8")
    return Workspace(ws.root)


def test_labels_in_the_readers_language_and_times_in_utc(ws: Workspace) -> None:
    with pages_of(ws) as pages:
        lea = pages.login("lea")
        html = lea.get("/followups").text
        hotline, portal = _cells(html, 2), _cells(html, 1)
        assert hotline[2] == "Hotline"
        assert portal[2] == "Customer portal"
        assert 'data-touchpoint="portal"' in html
        # due 2 December 2026 09:00 UTC (responded 30 November 09:00, SLA 48 h)
        assert hotline[0].endswith("09:00 UTC"), hotline[0]
        assert "2026" in hotline[0]
        # the filter offers labels, keyed by the touchpoint
        assert '<option value="portal">Customer portal</option>' in html
        assert '<option value="hotline">Hotline</option>' in html
        # the htmx row after an action carries the label too
        row = lea.post("/followups/1/contact", headers={"HX-Request": "true"}).text
        assert ">Customer portal</td>" in row
        assert re.search(r"\d\d:\d\d UTC", row)
        # German reader: the German label, German date
        assert (
            lea.post("/language", data={"language": "de", "next": "/followups"}).status_code == 303
        )
        german = lea.get("/followups").text
        assert _cells(german, 1)[2] == "Kundenportal"
        assert _cells(german, 2)[0] == "02.12.2026 09:00 UTC"


def test_times_in_the_workspace_time_zone(ws: Workspace) -> None:
    berlin = _set_zone(ws, "Europe/Berlin")
    assert berlin.settings.timezone == "Europe/Berlin"
    with pages_of(berlin) as pages:
        html = pages.login("lea").get("/followups").text
        assert _cells(html, 2)[0].endswith("10:00 CET"), _cells(html, 2)[0]
        assert " UTC" not in " ".join(_cells(html, 2))


def test_an_unknown_time_zone_is_refused(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="Mars/Olympus"):
        _set_zone(ws, "Mars/Olympus")
