"""Key drivers in words: the text of ``cxo drivers``, the HTML table, the JSON."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxo.stats
from cxo.report.drivers import quadrant_label, section, summary, to_json
from cxo.stats.drivers import QUADRANTS, DriverResult


@pytest.fixture(scope="module")
def boot() -> DriverResult:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3000, 4))
    x[:, 1] += 0.5 * x[:, 0]
    y = 0.5 * x[:, 0] + 0.3 * x[:, 1] + 0.2 * x[:, 2] + rng.standard_normal(3000)  # d is noise
    frame = pd.DataFrame(x, columns=["a", "b", "<b>c</b>", "d"])
    return cxo.stats.relative_weights(frame, pd.Series(y, name="nps"), n_boot=300, seed=2)


def test_summary_in_both_languages(boot: DriverResult) -> None:
    en = summary(boot, "en")
    lines = en.splitlines()
    assert lines[0] == f"Relative weights on nps: R² = {boot.r2_:.3f} (n = 3,000, listwise)"
    assert lines[1].startswith("  a: ")
    assert "% (raw 0." in lines[1]
    assert "95 % CI 0." in lines[1]
    assert lines[-1].startswith("  d: ")
    assert lines[-1].endswith(" — not different from zero")
    de = summary(boot, "de")
    assert de.splitlines()[0].startswith("Relative Gewichte für nps: R² = 0,")
    assert "(n = 3.000, listwise)" in de
    assert "95 %-KI" in de
    assert de.endswith(" — nicht von null verschieden")
    small = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 4, 3, 6, 5]})
    plain = cxo.stats.shapley_r2(small, pd.Series([1.0, 2, 3, 4, 6, 5]))
    text = summary(plain, "en")
    assert text.startswith("LMG (Shapley) on y: R² = ")
    assert "CI" not in text
    assert "not different" not in text


def test_section_escapes_driver_names(boot: DriverResult) -> None:
    html = section(boot, "en")
    assert "<b>c</b>" not in html
    assert "&lt;b&gt;c&lt;/b&gt;" in html
    assert "beats random variable" in html
    assert "not different from zero" in html
    assert "95 % interval" in html
    de = section(boot, "de")
    assert "besser als Zufallsvariable" in de
    assert "Anteil an R²" in de


def test_json_keeps_notes_in_english() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.standard_normal((500, 2)), columns=["a", "b"])
    frame.loc[rng.random(500) < 0.2, "a"] = np.nan
    y = pd.Series(frame["b"].to_numpy() + rng.standard_normal(500))
    res = cxo.stats.relative_weights(frame, y, missing="pairwise")
    data = to_json(res)
    assert data["notes"] == [f"pairwise deletion: smallest pair count {res.n_:,}"]
    assert data["note_messages"][0]["text_de"].startswith("paarweiser Ausschluss")
    assert "note: pairwise deletion" in summary(res, "en")
    assert "Hinweis: paarweiser Ausschluss" in summary(res, "de")
    assert to_json(cxo.stats.relative_weights(frame.fillna(0), y))["notes"] == []


def test_quadrant_labels() -> None:
    assert [quadrant_label(q, "en") for q in QUADRANTS] == [
        "Concentrate here",
        "Keep up the good work",
        "Low priority",
        "Possible overkill",
    ]
    assert quadrant_label("concentrate_here", "de") == "Hier ansetzen"
