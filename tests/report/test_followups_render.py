"""The closed loop in words: tables in both languages, notes, escaped owners, the JSON keys."""

from __future__ import annotations

import datetime as dt

from cxo.core.messages import msg
from cxo.followups import NO_OWNER, FollowUp, Generated, LoopReport, LoopStats
from cxo.report import followups as words
from cxo.stats import Estimate, proportion

NOW = dt.datetime(2026, 3, 4, 9, 0)


def _stats(group: str, ok: int, due: int) -> LoopStats:
    share = proportion(ok, due) if due else Estimate.missing(0)
    return LoopStats(group, max(due, 1), due, share, 0.5, 26.5 if ok else None, due - ok)


def _report() -> LoopReport:
    return LoopReport(
        NOW,
        _stats("all", 1, 4),
        [_stats("<b>Jana</b>", 1, 3), _stats(NO_OWNER, 0, 1)],
        [_stats("hotline", 1, 2), _stats("kiosk", 0, 0)],
        1,
    )


def test_report_json_keeps_its_keys() -> None:
    out = words.to_json(_report())
    overall = out["overall"]
    expected = proportion(1, 4)
    assert overall["within_sla"] == expected.value
    assert overall["within_sla_ci"] == [expected.ci_low, expected.ci_high]
    assert set(overall) == {
        "group", "tasks", "due", "within_sla", "within_sla_ci", "contacted",
        "median_hours_to_contact", "overdue_open",
    }  # fmt: skip
    assert out["by_owner"][1]["group"] == "(no owner)"
    assert out["by_touchpoint"][1]["within_sla"] is None  # nothing due yet
    assert out["by_touchpoint"][1]["within_sla_ci"] == [None, None]
    assert out["now"] == NOW.isoformat()
    assert out["unrouted"] == 1


def test_report_table_in_german_and_english() -> None:
    de = words.report_table(_report(), "de")
    assert de.columns[0] == "Verantwortlich"
    assert de.rows[0][0] == "alle"
    assert de.rows[2][0] == "(ohne Verantwortliche:n)"
    assert de.rows[0][3] == "25 % [5 %; 70 %]"
    assert de.rows[1][6] == "2"
    en = words.report_table(_report(), "en", by="touchpoint")
    assert en.columns[:4] == ["touchpoint", "tasks", "due", "within SLA [95 % CI]"]
    assert en.rows[2][3] == "– [–; –]"
    assert words.unrouted_line(_report(), "en") == (
        "1 tasks have no owner (touchpoints without an accountable person)"
    )


def test_section_escapes_owner_names() -> None:
    html = words.section(_report(), "de")
    assert "<b>Jana" not in html
    assert "&lt;b&gt;Jana&lt;/b&gt;" in html
    assert "Kontaktpunkt" in html


def test_generated_summary_notes_and_json() -> None:
    gen = Generated(
        dt.date(2026, 2, 1),
        7,
        5,
        2,
        [msg("followups.generate.untagged"), msg("followups.generate.unrouted", tasks=2)],
    )
    assert words.summary(gen, "en") == (
        "5 new follow-up tasks from 7 detractors and complaints since 2026-02-01"
    )
    assert "seit 01.02.2026" in words.summary(gen, "de")
    assert words.notes(gen, "en")[1] == (
        "note: 2 tasks have no owner: their touchpoints lack an accountable person in the "
        "charter (`cxo charter check`)"
    )
    out = words.to_json(gen)
    assert out["since"] == "2026-02-01"
    assert out["notes"][0].startswith("comments are not tagged")
    assert out["note_messages"][1]["params"] == {"tasks": 2}


def test_task_table() -> None:
    task = FollowUp(
        3, "r1", "c1", "kiosk", "", "", "detractor", 5, "x" * 100, [], NOW, NOW, "open",
        None, None, "", "",
    )  # fmt: skip
    table = words.task_table([task], "de", limit=10)
    assert table.title == "Follow-ups (1)"
    assert table.rows[0][2] == "(ohne Verantwortliche:n)"
    assert table.rows[0][6] == "offen"
    assert len(table.rows[0][7]) == 80
    assert words.status_line(task, "en") == "task 3: open"
