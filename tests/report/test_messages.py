"""The message catalogue: every key in both languages, same placeholders, known formats."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from cxo.core.messages import Finding, msg
from cxo.report import format as fmt
from cxo.report.messages import (
    _SPEC,
    LANGUAGES,
    catalogue,
    message,
    placeholders,
    with_texts,
)
from cxo.stats import Estimate

LOCALE = Path(__file__).resolve().parents[2] / "src" / "cxo" / "report" / "locale"
AREAS = sorted({p.stem for p in LOCALE.glob("*/LC_MESSAGES/*.po")})


@pytest.mark.parametrize("area", AREAS)
def test_every_area_has_both_languages_with_the_same_keys(area: str) -> None:
    keys = {}
    for language in LANGUAGES:
        path = LOCALE / language / "LC_MESSAGES" / f"{area}.po"
        assert path.exists(), f"{area}.po is missing in {language}"
        with path.open("rb") as fh:
            keys[language] = {str(m.id): str(m.string) for m in read_po(fh) if m.id}
    assert set(keys["en"]) == set(keys["de"]), set(keys["en"]) ^ set(keys["de"])
    for key, en in keys["en"].items():
        de = keys["de"][key]
        assert en.strip(), f"{key} has an empty English text"
        assert de.strip(), f"{key} has an empty German text"
        assert placeholders(en) == placeholders(de), f"{key}: placeholders differ"
        for name, spec in placeholders(en).items():
            assert not spec or _SPEC.match(spec), f"{key}: unknown spec {spec!r} for {name}"


def test_keys_are_namespaced_by_their_area() -> None:
    for key in catalogue("en"):
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", key), key


def test_missing_key_names_the_key_and_language() -> None:
    with pytest.raises(KeyError, match=r"no\.such\.key.*de"):
        message("no.such.key", "de")


def test_formats_follow_the_locale() -> None:
    # Reference: Babel's CLDR data, German uses "." for thousands and "," for decimals.
    assert fmt.number(1234567.891, 2, "de") == "1.234.567,89"
    assert fmt.number(1234567.891, 2, "en") == "1,234,567.89"
    assert fmt.number(-0.04, 1, "en") == "0.0"
    assert fmt.signed(3.25, 1, "de") == "+3,2"  # banker's rounding of the float 3.25
    assert fmt.percent(0.125, 1, "de") == "12,5 %"
    assert fmt.money(-1234.6, "EUR", "de") == "-1.235 EUR"
    assert fmt.date(dt.date(2026, 12, 3), "de") == "03.12.2026"
    assert fmt.date(dt.date(2026, 12, 3), "en") == "2026-12-03"
    assert fmt.number(math.nan, 1, "de") == fmt.MISSING
    for x in (0.5, 12.34, 0.012345, 123.4, 5e-5, 999.96, -7.5):
        # three significant digits as Python's "g" (outside the exponent range)
        expected = f"{x:.3g}" if 1e-4 <= abs(x) < 999.5 else None
        if expected is not None:
            assert fmt.significant(x, 3, "en") == expected


def test_with_texts_adds_both_languages() -> None:
    finding = Finding("f", msg("common.estimate", value=1.5, low=1.0, high=2.0), evidence=True,
                      estimate=Estimate(value=1.5, ci_low=1.0, ci_high=2.0))  # fmt: skip
    out = with_texts({"findings": [finding.to_dict()], "title_message": "common.owner"})
    assert out["findings"][0]["text"] == "1.5 [1; 2]"
    assert out["findings"][0]["text_de"] == "1,5 [1; 2]"
    assert (out["title"], out["title_de"]) == ("Owner", "Verantwortlich")
