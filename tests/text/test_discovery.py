from __future__ import annotations

import numpy as np

import cxo.text as text
from cxo.text.discovery import proposals_to_yaml


def test_discovery_clusters_an_unknown_theme_across_languages() -> None:
    rng = np.random.default_rng(0)
    de = [
        "Kein Parkplatz vor der Filiale, Parkplatzsuche dauert",
        "Parkplatz zu klein, Parkhaus voll",
        "Parkhaus teuer, kein Parkplatz frei",
    ]
    en = [
        "No parking space near the store, parking garage full",
        "Parking lot too small, parking expensive",
        "Could not find parking, garage full",
    ]
    other_de = [
        "Die Musik im Laden ist zu laut",
        "Musik viel zu laut im Geschäft",
        "Laute Musik nervt beim Einkaufen",
    ]
    other_en = [
        "The music in the store is too loud",
        "Music far too loud in the shop",
        "Loud music in the store",
    ]
    texts = []
    truth = []
    for _ in range(30):
        k = int(rng.integers(4))
        pool = [de, en, other_de, other_en][k]
        texts.append(pool[int(rng.integers(3))])
        truth.append("parking" if k < 2 else "music")
    props = text.discover_themes(texts, [set()] * len(texts), n_clusters=2, min_size=3)
    assert len(props) == 2
    for p in props:
        labels = {truth[i] for i in p.indices}
        assert len(labels) == 1  # each proposal is one planted theme
        assert set(p.languages) == {"de", "en"}  # clustered across both languages
        assert p.top_terms
        assert p.examples
    assert any("parking" in " ".join(p.top_terms) for p in props)
    y = proposals_to_yaml(props)
    frame = text.CodeFrame.from_yaml_text(y, base=text.builtin_codeframe())
    assert {p.key for p in props} <= set(frame.keys)


def test_discovery_skips_assigned_and_tiny_inputs() -> None:
    assert text.discover_themes(["Hotline nicht erreichbar"] * 3) == []
