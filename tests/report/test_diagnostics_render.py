"""The four diagnostics in words: both languages, escaped user labels, German decimals, JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from cxo import diagnostics
from cxo.core.messages import Finding, msg
from cxo.diagnostics import DiagnosticResult, Table
from cxo.report import diagnostics as render
from cxo.stats import Estimate, proportion
from cxo.workspace import Workspace
from tests.diagnostics import diag_synth as synth

SCRIPT = "<script>alert(1)</script>"

GENERATORS: dict[str, tuple[str, Callable[..., dict[str, Any]], int]] = {
    "loyalty": ("service", synth.make_loyalty, 600),
    "marketing": ("software", synth.make_marketing, 300),
    "complaints": ("retail", synth.make_complaints, 800),
    "selfservice": ("service", synth.make_sessions, 400),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DiagnosticResult]:
    """Each diagnostic on a small hand-made company; one self-service task is named like a
    script (a user label that reaches findings and tables)."""
    root = tmp_path_factory.mktemp("diag_render")
    out: dict[str, DiagnosticResult] = {}
    for name, (kind, generator, n) in GENERATORS.items():
        ws = Workspace.create(Path(root) / name, kind)
        with ws.connect() as con:
            generator(con, n=n, seed=11)
            if name == "selfservice":
                con.execute("update sessions set task = ? where task = 'cancel'", [SCRIPT])
        out[name] = diagnostics.diagnose(ws, name)
    return out


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_diagnostic_renders_in_both_languages(
    results: dict[str, DiagnosticResult], name: str, language: str
) -> None:
    res = results[name]
    assert res.findings
    title = render.title(res, language)
    text = render.summary(res, language)
    lines = text.splitlines()
    assert lines[0] == title
    assert lines[1].startswith("Verantwortlich: " if language == "de" else "Owner: ")
    assert len(lines) == 2 + len(res.findings)
    html = render.section(res, language)
    assert html.startswith(f'<section class="diagnostic" id="diagnostic-{name}">')
    assert f"<h3>{escape(title)}</h3>" in html
    for f in res.findings:
        sentence = render.say(f.message, language, res.currency)
        assert f"- {sentence}" in lines
        assert str(escape(sentence)) in html
    for t in res.tables:
        assert f"<h4>{escape(render.say(t.title, language))}</h4>" in html
    summary_word = "Annahmen" if language == "de" else "Assumptions"
    assert f"<summary>{summary_word}</summary>" in html
    other = "en" if language == "de" else "de"
    assert render.title(res, other) != title


def test_script_label_is_escaped(results: dict[str, DiagnosticResult]) -> None:
    res = results["selfservice"]
    assert SCRIPT in render.summary(res, "en")  # plain text stays as it is
    for language in ("de", "en"):
        html = render.section(res, language)
        assert SCRIPT in json.dumps(res.to_dict())
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_german_decimals_in_german_output(results: dict[str, DiagnosticResult]) -> None:
    res = results["marketing"]
    de, en = render.summary(res, "de"), render.summary(res, "en")
    assert re.search(r"\d,\d %", de)
    assert not re.search(r"\d\.\d %", de)
    assert re.search(r"\d\.\d %", en)
    assert re.search(r"[+-]\d+,\d\d Pp\.", de)
    html_de = render.section(res, "de")
    # rates in the tables: percent with German decimals
    assert re.search(r"<td class=\"num\">\d+,\d+ % \[\d+,\d+ %; \d+,\d+ %\]</td>", html_de)
    assert not re.search(r"\d\.\d+ %", html_de)  # no English decimals


def test_to_json_keeps_the_old_keys(results: dict[str, DiagnosticResult]) -> None:
    for res in results.values():
        data = json.loads(json.dumps(render.to_json(res), allow_nan=False))
        assert (data["title"], data["title_de"]) == (
            render.title(res, "en"),
            render.title(res, "de"),
        )
        assert data["diagnostic"] == res.name
        for f, fd in zip(res.findings, data["findings"], strict=True):
            assert fd["text"] == render.say(f.message, "en", res.currency)
            assert fd["text_de"] == render.say(f.message, "de", res.currency)
            assert fd["message"] == f.message.key
        for t in res.tables:
            assert data["tables"][t.key]["title"] == render.say(t.title, "en")
        assert data["assumptions"] == [render.say(a, "en") for a in res.assumptions]
        assert all(isinstance(a, str) for a in data["assumptions_de"])


def _hand_made() -> DiagnosticResult:
    res = DiagnosticResult(
        "marketing",
        {"touchpoint": "marketing", "department": "Marketing", "accountable": None},
        language="de",
    )
    gaps = [
        {"moment": "onboarding", "segment": "<b>vip</b>"},
        {"moment": "winback", "segment": "x"},
    ]
    res.findings.append(
        Finding(
            "moments_without_communication",
            msg("diagnostics.marketing.moments.unserved", moments=gaps),
            True,
        )
    )
    share = Estimate(value=0.0058, ci_low=0.0046, ci_high=0.0069, n=77458)
    res.findings.append(
        Finding(
            "unsubscribed_uplift",
            msg(
                "diagnostics.marketing.uplift.unsubscribed.higher",
                value_pp=0.58,
                low_pp=0.46,
                high_pp=0.69,
            ),
            True,
            share,
            "share",
        )
    )
    res.tables.append(
        Table(
            "uplift",
            msg("diagnostics.marketing.table.uplift"),
            ["outcome", "difference"],
            [["unsubscribed", share], ["n", 1234], ["flag", True], ["none", None]],
        )
    )
    res.assumptions.append(msg("diagnostics.marketing.assumption.intervals"))
    return res


def test_exact_sentences_and_cells() -> None:
    res = _hand_made()
    assert render.summary(res).splitlines() == [
        "Marketing nach dem Gießkannenprinzip",
        "Verantwortlich: Marketing, marketing",
        "- Lebenszyklus-Momente ohne jede Ansprache (Moment / Segment): "
        "Onboarding / <b>vip</b>, Rückgewinnung / x.",
        "- Die Abmeldequote ungezielter Sendungen ist höher als die personalisierter: "
        "+0,58 Pp. (95-%-KI +0,46 bis +0,69).",
    ]
    en = render.summary(res, "en").splitlines()
    assert en[2] == (
        "- Lifecycle moments nobody serves (moment / segment): onboarding / <b>vip</b>, "
        "win-back / x."
    )
    html = render.section(res, "en")
    assert "onboarding / &lt;b&gt;vip&lt;/b&gt;" in html
    assert '<td class="num">+0.58 pp [+0.46 pp; +0.69 pp]</td>' in html  # a difference of rates
    assert '<td class="num">1,234</td>' in html
    assert "<td>True</td>" in html
    assert "<td></td>" in html
    assert render.cell(1234, "de") == "1.234"
    data = render.to_json(res)
    assert data["findings"][0]["params"]["moments"] == gaps_of(res)
    assert data["assumptions_de"][0].startswith("Intervalle: Wilson (Quoten)")


def gaps_of(res: DiagnosticResult) -> list[dict[str, str]]:
    return list(res.finding("moments_without_communication").message.params["moments"])


def test_owner_text_without_owner() -> None:
    assert render.owner_text({"touchpoint": "x"}, "de") == "kein Verantwortlicher im Charter"
    assert render.owner_text({"accountable": "A. B.", "touchpoint": None}, "en") == "? (A. B.)"


def test_table_cells_in_the_unit_of_their_column() -> None:
    """Shares read as percent, differences of shares as points, other decimals as three
    significant digits — in each language's format (the loyalty table showed "1 [0,996; 1]")."""
    share = Estimate(value=0.151, ci_low=0.149, ci_high=0.153)
    assert render.cell(share, "de", kind=render.column_kind("x", "share_paying_more")) == (
        "15,1 % [14,9 %; 15,3 %]"
    )
    assert render.cell(0.004, "en", kind=render.column_kind("x", "unsubscribe_rate_per_send")) == (
        "0.40 %"
    )
    assert render.cell(0.07, "en", kind=render.column_kind("x", "difference_within_bundle")) == (
        "+7.0 pp"
    )
    # rows of different units (churn share, NPS points): plain numbers, not "+280 pp"
    assert render.column_kind("association", "naive_difference") == "sig"
    assert render.column_kind("x", "contacts_per_case") == "sig"
    assert render.cell(1.2345, "de", kind="sig") == "1,23"
    shares = proportion(996, 1000)  # a share is percent even where the column is unknown
    assert render.cell(shares, "en").startswith("99.6 % [")


def test_owner_names_the_touchpoint_by_its_label() -> None:
    owner = {
        "touchpoint": "contract_change",
        "department": "Sales",
        "accountable": "Jana Krüger",
        "touchpoint_en": "Contract change",
        "touchpoint_de": "Vertragsänderung",
    }
    assert render.owner_text(owner, "de") == "Sales (Jana Krüger), Vertragsänderung"
    assert render.owner_text(owner, "en") == "Sales (Jana Krüger), Contract change"
    del owner["touchpoint_en"]  # results saved before labels were carried: the key
    assert render.owner_text(owner, "en") == "Sales (Jana Krüger), contract_change"


USER_DATA_COLUMNS = {
    ("share_paying_more", "tenure_band"),  # "0-12": numbers
    ("share_paying_more", "segment"),  # the customers' segments
    ("churn_by_band", "tenure_band"),
    ("penalty_by_band", "tenure_band"),
    ("handling", "reason"),  # the cases' reasons
    ("task_success", "task"),  # the sessions' tasks
    ("channel_switch", "task"),
    ("effort", "task"),
    ("usability_themes", "theme"),  # the text analysis' themes (labelled by the user)
    ("fatigue", "sends_per_month"),  # "6+"
    ("rates_by_stage", "lifecycle_stage"),  # the sends' lifecycle stages
    ("lifecycle_moments", "segment"),
}
"""Text cells that are the customer's data, shown as they are (in any language)."""


def _cells(section_html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", section_html)]


def test_german_tables_have_no_english_row_labels(
    results: dict[str, DiagnosticResult],
) -> None:
    """Every text cell of every diagnostic table is either the customer's data or a machine key
    the renderer puts in the reader's language; the German report shows no English label."""
    english = {
        "annual churn probability",
        "NPS (points)",
        "NPS points",
        "churn (12 months)",
        "(none)",
        "(all)",
        "(no session)",
        *synth_kinds(),
        *(v for k, v in _catalogue("en").items() if k.startswith("diagnostics.row.")),
    }
    labelled: set[tuple[str, str]] = set()
    for res in results.values():
        german = set(_cells(render.section(res, "de")))
        assert not german & english, (res.name, sorted(german & english))
        for table in res.tables:
            for row in table.rows:
                for column, value in zip(table.columns, row, strict=True):
                    if not isinstance(value, str):
                        continue
                    key = (table.key, column)
                    if key in render.ROW_LABELS:
                        labelled.add(key)
                        de = render.row_label(table.key, column, value, "de")
                        assert de is not None, key
                        assert de != value, key
                        assert de in german, (key, de)
                    elif (column, value) not in render.PLACEHOLDERS:
                        assert key in USER_DATA_COLUMNS, f"text cell {key}={value!r}: a label?"
    # the four tables whose rows are labels were all rendered (the test is not vacuous)
    assert labelled == set(render.ROW_LABELS)
    data = render.to_json(results["loyalty"])["tables"]["association"]["rows"][0]
    assert data["outcome"] == "annual_churn"  # the stable machine key, then the words
    assert data["outcome_label"] == "Annual churn probability"
    assert data["outcome_label_de"] == "Abwanderungswahrscheinlichkeit pro Jahr"


def synth_kinds() -> tuple[str, ...]:
    """The marketing diagnostic's send kinds and outcomes as its data holds them (English)."""
    from cxo.diagnostics.watering_can import KINDS, OUTCOMES

    return (*KINDS, *OUTCOMES)


def _catalogue(language: str) -> dict[str, str]:
    from cxo.report.messages import catalogue

    return catalogue(language)
