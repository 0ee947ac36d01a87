"""Hand-written and simulated (seeded) comments for the text tests; no real data."""

from __future__ import annotations

import numpy as np
import pytest

# theme -> (German templates, English templates); every template is a complaint or praise
PLANTED = {
    "reachability_waiting": (
        ["Ich hing {n} Minuten in der Warteschleife.", "Die Hotline war wieder nicht erreichbar."],
        ["I waited {n} minutes on hold.", "Nobody answered the hotline again."],
    ),
    "delivery": (
        ["Die Lieferung kam {n} Tage zu spät.", "Mein Paket ist nie angekommen."],
        ["The delivery was {n} days late.", "My parcel never arrived."],
    ),
    "price_increase_loyalty": (
        [
            "Schon wieder eine Preiserhöhung nach {n} Jahren Treue.",
            "Als Bestandskunde zahle ich mehr als Neukunden.",
        ],
        [
            "Another price increase after {n} years as a loyal customer.",
            "Existing customers pay more than new customers.",
        ],
    ),
    "staff_friendliness": (
        ["Die Mitarbeiterin war sehr freundlich.", "Der Servicemitarbeiter war unfreundlich."],
        ["The agent was very friendly.", "The staff were rude to me."],
    ),
}
POSITIVE = (
    [
        "Alles super, vielen Dank!",
        "Toller Service, sehr zufrieden.",
        "Schnell und unkompliziert, gerne wieder.",
    ],
    [
        "Great service, thank you!",
        "Excellent and fast, very happy.",
        "Everything was perfect, love it.",
    ],
)
NEGATIVE = (
    [
        "Katastrophe, nie wieder.",
        "Sehr enttäuscht und verärgert.",
        "Schlechter Service, furchtbar.",
    ],
    [
        "Terrible experience, never again.",
        "Very disappointed and angry.",
        "Awful service, horrible.",
    ],
)


def simulate_comments(
    n: int, seed: int = 0
) -> tuple[list[str], list[str], list[set[str]], list[str]]:
    """(texts, sentiment labels, planted theme sets, languages) — seeded."""
    rng = np.random.default_rng(seed)
    keys = list(PLANTED)
    texts, labels, sets, langs = [], [], [], []
    for _ in range(n):
        lang = "de" if rng.random() < 0.55 else "en"
        li = 0 if lang == "de" else 1
        label = str(rng.choice(["negative", "neutral", "positive"], p=[0.45, 0.2, 0.35]))
        theme = keys[int(rng.integers(len(keys)))] if rng.random() < 0.8 else None
        parts = []
        if theme:
            tpl = PLANTED[theme][li][int(rng.integers(2))]
            parts.append(tpl.format(n=int(rng.integers(2, 60))))
        if label == "positive":
            parts.append(POSITIVE[li][int(rng.integers(3))])
        elif label == "negative":
            parts.append(NEGATIVE[li][int(rng.integers(3))])
        else:
            parts.append(
                f"Bestellnummer {int(rng.integers(100, 999))}."
                if lang == "de"
                else f"Order {int(rng.integers(100, 999))}."
            )
        texts.append(" ".join(parts))
        labels.append(label)
        sets.append({theme} if theme else set())
        langs.append(lang)
    return texts, labels, sets, langs


@pytest.fixture(scope="session")
def simulated() -> tuple[list[str], list[str], list[set[str]], list[str]]:
    return simulate_comments(600, seed=0)
