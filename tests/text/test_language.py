from __future__ import annotations

import pytest

import cxo.text as text
from cxo.text.language import detect


@pytest.mark.parametrize(
    ("sample", "lang"),
    [
        ("Die Lieferung kam leider viel zu spät und niemand hat sich gemeldet.", "de"),
        ("The delivery was late and nobody called me back.", "en"),
        ("Hotline nicht erreichbar", "de"),
        ("Great service!", "en"),
        ("Schnelle Lieferung", "de"),
        ("Kündigung bestätigt", "de"),
        ("Totally useless app", "en"),
    ],
)
def test_detects_german_and_english(sample: str, lang: str) -> None:
    assert text.detect_language(sample) == lang


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        (None, "empty"),
        ("😀😡👍🎉", "no_letters"),
        ("12345 !!! ???", "no_letters"),
        (b"\x00\x01\x02\x03\xff\xfe\x00\x00", "binary"),
        ("\x00\x01\x02garbage\x03\x04\x05\x06\x07", "binary"),
        ("Привет, как дела? Всё плохо.", "non_latin_script"),
        ("这是一个测试", "non_latin_script"),
    ],
)
def test_bad_input_is_other_with_reason(sample: object, reason: str) -> None:
    guess = detect(sample)
    assert guess.language == "other"
    assert guess.reason == reason


def test_mixed_script_mostly_german() -> None:
    assert text.detect_language("Die App stürzt ab 😡 und der Login 登录 geht nicht") == "de"
