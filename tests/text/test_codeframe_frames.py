"""Code frames beyond the CX frame (issue 16): stricter matching, the product-review frame,
combining frames, the workspace setting and the untagged share. Hand-written sentences only."""

from __future__ import annotations

from pathlib import Path

import pytest

import cxo.text as text
from cxo.core.themes import THEME_KEYS
from cxo.errors import InputError
from cxo.text.codeframe import (
    FRAMES,
    CodeFrame,
    expand_groups,
    frame_info,
    untagged,
    workspace_frames,
)


def themes(sentence: str, frame: CodeFrame | None = None, language: str = "en") -> set[str]:
    return set(text.analyze([sentence], language=language, codeframe=frame)[0].themes)


@pytest.fixture(scope="module")
def review() -> CodeFrame:
    return CodeFrame.combined(["product_review"])


@pytest.fixture(scope="module")
def both() -> CodeFrame:
    return CodeFrame.combined(["cx", "product_review"])


# --- (a) false matches reported in issue 16, and their neighbours ---------------------------
@pytest.mark.parametrize(
    ("sentence", "wrong"),
    [
        ("Really happy with this purchase", "checkout_payment"),
        ("I get the news, weather", "outage"),
        ("Prime day", "appointment"),
        ("Bought it on Prime day, love it", "appointment"),
        ("I ordered it for my mom", "checkout_payment"),
        ("Nice speaker, great sound", "staff_friendliness"),
        ("Kid friendly and user friendly", "staff_friendliness"),
        ("It holds a charge for days", "reachability_waiting"),
        ("It holds a charge for days", "price_billing"),
        ("I can't wait to get another one", "reachability_waiting"),
        ("Works with my wifi", "outage"),
        ("I use it on my computer", "outage"),
        ("Great product line", "reachability_waiting"),
    ],
)
def test_generic_words_no_longer_tag_cx_themes(sentence: str, wrong: str) -> None:
    assert wrong not in themes(sentence)


@pytest.mark.parametrize("frame", ["cx", "product_review", "cx+product_review"])
def test_the_three_reported_sentences_under_every_frame(frame: str) -> None:
    cf = CodeFrame.combined(frame.split("+"))
    assert themes("Really happy with this purchase", cf) == set()
    assert themes("I get the news, weather", cf) == set()
    assert "appointment" not in themes("Prime day", cf)
    # and with the language detected per comment, as `cxo text tag` does
    rows = text.analyze(
        ["Really happy with this purchase", "I get the news, weather"], codeframe=cf
    )
    assert [r.themes for r in rows] == [(), ()]


@pytest.mark.parametrize(
    ("sentence", "theme"),
    [
        ("Payment declined three times", "checkout_payment"),
        ("Checkout failed twice", "checkout_payment"),
        ("They charged me twice", "invoice_error"),
        ("Waited 40 minutes on hold", "reachability_waiting"),
        ("I waited an hour for an agent", "reachability_waiting"),
        ("The staff was super nice", "staff_friendliness"),
        ("The advisor was not friendly", "staff_friendliness"),
        ("Flight delayed due to weather", "outage"),
        ("The internet is really stable", "outage"),
    ],
)
def test_specific_mentions_still_tag(sentence: str, theme: str) -> None:
    assert theme in themes(sentence)


# --- (b) the product-review frame ---------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "language", "expected"),
    [
        ("Stopped working after two months", "en", "review_defect"),
        ("Arrived quickly, well packaged", "en", "review_delivery"),
        ("Arrived quickly, well packaged", "en", "review_packaging"),
        ("Great value for money", "en", "review_price"),
        ("Very easy to set up", "en", "review_usability"),
        ("Customer service never answered my email", "en", "review_service"),
        ("I sent it back for a refund", "en", "review_returns"),
        ("Does not work with my Android phone", "en", "review_compatibility"),
        ("The bass is weak and the volume too low", "en", "review_sound"),
        ("The screen is too dark", "en", "review_display"),
        ("Battery life is poor", "en", "review_battery"),
        ("Build quality feels cheap", "en", "review_quality"),
        ("Nach zwei Wochen kaputt", "de", "review_defect"),
        ("Die Lieferung kam schnell", "de", "review_delivery"),
        ("Schön verpackt, ohne Plastik", "de", "review_packaging"),
        ("Preis-Leistung stimmt", "de", "review_price"),
        ("Einfach zu bedienen", "de", "review_usability"),
        ("Der Kundenservice hat nie geantwortet", "de", "review_service"),
        ("Der Kaffee schmeckt bitter", "de", "review_taste"),
        ("Der Akku hält nur zwei Stunden", "de", "review_battery"),
        ("Der Klang ist dumpf", "de", "review_sound"),
    ],
)
def test_product_review_frame_finds_aspects(
    review: CodeFrame, sentence: str, language: str, expected: str
) -> None:
    assert expected in themes(sentence, review, language)


@pytest.mark.parametrize(
    ("sentence", "language", "wrong"),
    [
        ("Sound quality is amazing", "en", "review_quality"),
        ("Easy to set up", "en", "review_delivery"),  # "ups" is no parcel service here
        ("Preis-Leistung stimmt", "de", "review_performance"),
        ("Fast shipping", "en", "review_performance"),
        ("It holds a charge for days, charged me nothing extra", "en", "review_price"),
        ("I replaced my old speaker with this one", "en", "review_returns"),
    ],
)
def test_product_review_frame_keeps_aspects_apart(
    review: CodeFrame, sentence: str, language: str, wrong: str
) -> None:
    assert wrong not in themes(sentence, review, language)


def test_generic_praise_stays_untagged(review: CodeFrame) -> None:
    for s in ("Love it!", "My kids love it", "Great gift", "Meine Kinder lieben es"):
        assert themes(s, review) == set(), s


def test_product_review_keys_are_namespaced_and_labelled(review: CodeFrame) -> None:
    info = frame_info("product_review")
    assert info.namespace == "review"
    assert review.keys == list(info.themes)
    assert all(k.startswith("review_") for k in review.keys)
    assert not set(review.keys) & set(THEME_KEYS)
    for t in review.themes:
        assert t.key not in (t.label_de, t.label_en), t.key
        assert t.patterns.get("de"), t.key
        assert t.patterns.get("en"), t.key


# --- (c) combining frames, the workspace setting ------------------------------------------
def test_combined_frame_holds_both_in_order(both: CodeFrame) -> None:
    assert both.frames == ("cx", "product_review")
    assert both.keys[: len(THEME_KEYS)] == list(THEME_KEYS)
    assert len(both.keys) == len(THEME_KEYS) + len(frame_info("product_review").themes)
    got = themes("Stopped working after two months, returned it for a refund", both)
    assert {"defect", "review_defect", "returns_refund", "review_returns"} <= got


def test_combined_frame_survives_the_yaml_round_trip(both: CodeFrame) -> None:
    # workers get the frame as YAML (cxo.text.workspace.analyse_parallel)
    again = CodeFrame.from_yaml_text(both.to_yaml())
    assert again.keys == both.keys
    s = ["The staff was super nice, easy to set up"]
    assert text.analyze(s, codeframe=again)[0].themes == text.analyze(s, codeframe=both)[0].themes


def test_clashing_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown code frame 'nope'"):
        CodeFrame.combined(["cx", "nope"])
    with pytest.raises(InputError, match="at least one"):
        CodeFrame.combined([])
    # a namespaced frame must keep its keys in its namespace
    bad = "frame: {namespace: shop}\nthemes:\n  quality:\n    en: [quality]\n"
    with pytest.raises(InputError, match="must start with shop_"):
        CodeFrame.from_yaml_text(bad)


def test_groups_expand_and_unknown_groups_are_named() -> None:
    assert expand_groups("{p} * {q}", {"p": ["a", "b"], "q": ["c"]}, "x") == ["a * c", "b * c"]
    with pytest.raises(InputError, match=r"x: unknown group \{q\}"):
        expand_groups("{q}", {}, "x")
    bad = "groups: {en: {p: [agent]}}\nthemes:\n  t:\n    en: ['{p} {nope}']\n"
    with pytest.raises(InputError, match="unknown group"):
        CodeFrame.from_yaml_text(bad)


def _toml(root: Path, body: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cxo.toml").write_text('[workspace]\ncompany_type = "retail"\n' + body, "utf-8")
    return root


def test_workspace_setting_picks_frames(tmp_path: Path) -> None:
    assert workspace_frames(_toml(tmp_path / "a", "")) == ("cx",)
    assert workspace_frames(_toml(tmp_path / "b", '[text]\nframes = "product_review"\n')) == (
        "product_review",
    )
    both = _toml(tmp_path / "c", '[text]\nframes = ["cx", "product_review"]\n')
    assert workspace_frames(both) == ("cx", "product_review")
    with pytest.raises(InputError, match="unknown code frame 'shop'"):
        workspace_frames(_toml(tmp_path / "d", '[text]\nframes = ["shop"]\n'))
    with pytest.raises(InputError, match="frame name or a list"):
        workspace_frames(_toml(tmp_path / "e", "[text]\nframes = 3\n"))
    assert set(FRAMES) == {"cx", "product_review"}


def test_workspace_codeframe_yaml_overrides_the_chosen_frames(tmp_path: Path) -> None:
    from cxo.text.workspace import load_codeframe

    root = _toml(tmp_path / "ws", '[text]\nframes = ["product_review"]\n')
    (root / "codeframe.yaml").write_text(
        "themes:\n  review_taste:\n    extend: true\n    en: [yummy]\n", "utf-8"
    )
    frame = load_codeframe(root)
    assert frame.frames == ("product_review",)
    assert "review_taste" in themes("Yummy!", frame)
    assert "price_billing" not in frame.keys


# --- (e) the untagged share ---------------------------------------------------------------
def test_untagged_counts_only_analysable_comments() -> None:
    sets = [(), ("delivery",), (), ()]
    reasons = [None, None, "empty", "truncated"]
    assert untagged(sets, reasons) == (2, 3)
    assert untagged(sets) == (3, 4)
