from __future__ import annotations

import pytest

import cxo.text as text
from cxo.text.lemmas import compound_parts, lemma


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Kundenservicemitarbeiter", ("kundenservice", "mitarbeiter")),
        ("Preiserhöhung", ("preis", "erhöhung")),
        ("Rechnungsbetrag", ("rechnung", "betrag")),
        ("Kündigungsbestätigung", ("kündigung", "bestätigung")),
        ("Stromausfall", ("strom", "ausfall")),
        ("Lieferung", ("lieferung",)),
        ("Haus", ("haus",)),
    ],
)
def test_compound_splitting(word: str, parts: tuple[str, ...]) -> None:
    assert text.split_compound(word) == parts


def test_compound_parts_are_recursive_lemmas() -> None:
    parts = compound_parts("kundenservicemitarbeiter")
    assert parts[:1] == ("kundenservice",)
    assert {"kunde", "service", "mitarbeiter"} <= set(parts)


def test_lemmas() -> None:
    assert lemma("Lieferungen", "de") == "lieferung"
    assert lemma("deliveries", "en") == "delivery"
    assert lemma("waited", "en") == "wait"


def test_compound_finds_theme() -> None:
    rows = text.analyze(
        ["Der Servicemitarbeiter war unfreundlich.", "Endlose Hotlinewarteschleife!"]
    )
    assert "staff_friendliness" in rows[0].themes
    assert "reachability_waiting" in rows[1].themes
