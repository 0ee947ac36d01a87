from __future__ import annotations

from pathlib import Path

import pytest

import cxo
import cxo.text as text
from cxo.core.themes import THEME_KEYS


def test_one_row_per_text_with_stable_columns() -> None:
    rows = cxo.text.analyze(["Die Hotline war nicht erreichbar.", "Great service, thank you!", ""])
    assert len(rows) == 3
    assert [r.language for r in rows] == ["de", "en", "other"]
    for col in ("language", "sentiment", "sentiment_score", "themes", "redacted_text"):
        assert len(rows[col]) == 3
    assert rows["sentiment"][:2] == ["negative", "positive"]
    assert rows[0].themes == ("reachability_waiting",)
    assert rows[2].skip_reason == "empty"
    table = rows.to_arrow()
    assert table.num_rows == 3
    assert table.column("themes").to_pylist()[0] == ["reachability_waiting"]
    assert list(rows.to_pandas()["language"]) == ["de", "en", "other"]
    assert all(-1.0 <= s <= 1.0 for s in rows["sentiment_score"])


def test_language_can_be_forced_and_checked() -> None:
    assert text.analyze(["Super"], language="en")[0].language == "en"
    with pytest.raises(cxo.CxoError):
        text.analyze(["x"], language="fr")


@pytest.mark.parametrize(
    ("sample", "sentiment"),
    [
        ("Der Service war gut.", "positive"),
        ("Der Service war nicht gut.", "negative"),
        ("Das war kein guter Service.", "negative"),
        ("The service was good.", "positive"),
        ("The service was not good.", "negative"),
        ("The food wasn't bad at all.", "positive"),
        ("Nicht schlecht, die Lieferung war pünktlich.", "positive"),
        # "no" is a negator (YAML once read the bare word as false)
        ("There were no problems at all.", "positive"),
        # a negator reaches the next sentiment term only
        ("No complaints, great service.", "positive"),
        ("Nothing works, bad support.", "negative"),
        # German negation after the verb, and reaching on from there
        ("Die Rechnung stimmt nicht.", "negative"),
        ("Das Internet funktioniert nicht.", "negative"),
        ("Die App funktioniert nicht richtig.", "negative"),
        ("Alles funktioniert, danke.", "positive"),
    ],
)
def test_negation_flips_sentiment(sample: str, sentiment: str) -> None:
    assert text.analyze([sample])[0].sentiment == sentiment


def test_clause_level_theme_sentiment() -> None:
    row = text.analyze(["Der Mitarbeiter war sehr freundlich, aber die Rechnung ist falsch."])[0]
    assert row.theme_sentiments["staff_friendliness"] == "positive"
    assert row.theme_sentiments["invoice_error"] == "negative"
    row = text.analyze(["The agent was friendly but the delivery was late again."])[0]
    assert row.theme_sentiments["staff_friendliness"] == "positive"
    assert row.theme_sentiments["delivery"] == "negative"


@pytest.mark.parametrize(
    ("sample", "theme"),
    [
        ("Ich hänge seit 40 Minuten in der Warteschleife", "reachability_waiting"),
        ("I was on hold for an hour", "reachability_waiting"),
        ("Schon wieder eine Preiserhöhung, obwohl ich Bestandskunde bin", "price_increase_loyalty"),
        ("Existing customers pay more than new customers", "price_increase_loyalty"),
        ("Die Kündigung wurde nicht bestätigt", "contract_cancellation"),
        ("I want to cancel my contract", "contract_cancellation"),
        ("Das Paket wurde nie zugestellt", "delivery"),
        ("Mein Passwort wird nicht akzeptiert, Login unmöglich", "login_access"),
        ("I get far too many marketing emails", "marketing_emails"),
        ("Ständig Werbung per Mail, Newsletter abbestellt", "marketing_emails"),
        ("Das Gerät ist nach zwei Tagen kaputt", "defect"),
        ("Der Chatbot versteht nichts", "chatbot"),
        ("Es gab keine Lösung, der Mitarbeiter durfte nichts entscheiden", "no_latitude"),
        ("Ich musste dreimal anrufen und wurde ständig weitergeleitet", "repeat_contact"),
        ("Internet-Störung seit drei Tagen", "outage"),
    ],
)
def test_builtin_themes_match(sample: str, theme: str) -> None:
    assert theme in text.analyze([sample])[0].themes


def test_codeframe_covers_canonical_keys_with_definitions() -> None:
    frame = text.builtin_codeframe()
    assert set(THEME_KEYS) <= set(frame.keys)
    assert len(frame.keys) >= 25
    for t in frame.themes:
        assert t.definition_de, t.key
        assert t.definition_en, t.key
        assert t.patterns.get("de"), t.key
        assert t.patterns.get("en"), t.key


def test_exclude_and_negation_in_yaml(tmp_path: Path) -> None:
    (tmp_path / "codeframe.yaml").write_text(
        "themes:\n"
        "  parking:\n"
        "    label: {de: Parken, en: Parking}\n"
        "    de: [parkplatz*, parken]\n"
        "    en: [parking, 'car park*']\n"
        "    exclude: {de: ['neg parkplatz*']}\n"
        "  delivery:\n"
        "    extend: true\n"
        "    de: [drohne*]\n",
        "utf-8",
    )
    frame = text.load_codeframe(tmp_path)
    rows = text.analyze(
        ["Kein Parkplatz vor dem Laden", "Der Parkplatz ist zu klein", "Lieferung per Drohne?"],
        codeframe=frame,
    )
    assert "parking" not in rows[0].themes
    assert "parking" in rows[1].themes
    assert "delivery" in rows[2].themes
    assert "parking" in frame.keys
    assert "delivery" in frame.keys
    # export/import round trip
    again = text.CodeFrame.from_yaml_text(frame.to_yaml())
    assert again.keys == frame.keys


def test_invalid_yaml_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "codeframe.yaml").write_text("themes: [unclosed", "utf-8")
    with pytest.raises(cxo.CxoError, match="invalid YAML"):
        text.load_codeframe(tmp_path)


def test_bare_yaml_boolean_is_named(tmp_path: Path) -> None:
    (tmp_path / "codeframe.yaml").write_text(
        "negators:\n  en: [not, no, never]\nthemes: {}\n", "utf-8"
    )
    with pytest.raises(cxo.CxoError, match=r"negators\.en: False is not text; quote it"):
        text.load_codeframe(tmp_path)


def test_theme_owners_via_charter() -> None:
    from cxo.core.charter import template

    owners = text.builtin_codeframe().owners(template("service"))
    assert any(o["touchpoint"] == "hotline" for o in owners["reachability_waiting"])
    assert all(o["department"] for o in owners["reachability_waiting"])


def test_bad_input_never_crashes() -> None:
    huge = ("Die Lieferung war zu spät. " * 40_000)[:1_000_000]
    inputs: list[object] = [
        "",
        None,
        float("nan"),
        b"\x00\x01\xff\xfe" * 100,
        "😀😡👍" * 50,
        "Привет мир, das ist Deutsch gemischt mit 中文",
        huge,
        "\x00" * 10 + "text",
        12345,
    ]
    rows = text.analyze(inputs)
    assert len(rows) == len(inputs)
    for r in rows:
        assert r.language in ("de", "en", "other")
        assert r.sentiment in ("negative", "neutral", "positive")
        if r.language == "other":
            assert r.skip_reason
    assert rows[6].skip_reason == "truncated"
    assert rows[6].language == "de"
    assert "delivery" in rows[6].themes
    assert rows[3].redacted_text == ""  # binary is not echoed


def test_analyze_with_trained_model(simulated: tuple) -> None:
    texts, labels, _, _ = simulated
    model = text.train_sentiment(texts, labels, embeddings=False)
    rows = text.analyze(["Katastrophe, nie wieder.", "Great service, thank you!"], model=model)
    assert rows["sentiment"] == ["negative", "positive"]


def test_negated_object_patterns_stay_with_their_object() -> None:
    """ "no service" (a negator and its object) must not match across other words: "No
    complaints, great service" is praise, not an outage; one word in between still matches."""
    rows = cxo.text.analyze(
        [
            "No complaints, great service",
            "No service since Monday",
            "Keine Beschwerden, super Service",
            "Kein stabiles Netz seit gestern",
        ]
    ).rows
    assert "outage" not in rows[0].themes
    assert "outage" in rows[1].themes
    assert "outage" not in rows[2].themes
    assert "outage" in rows[3].themes
