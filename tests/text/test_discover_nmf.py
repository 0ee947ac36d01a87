"""``discover_themes(method="nmf")``: seeded TF-IDF + NMF topics across German and English."""

from __future__ import annotations

import numpy as np
import pytest

import cxo.text as text
from cxo.errors import InputError

GIFT = (
    ["Ein tolles Geschenk für meine Oma", "Geschenk für die Oma, sie freut sich"],
    ["A great gift for my grandma", "Bought it as a gift for grandma"],
)
ALARM = (
    ["Als Wecker am Morgen perfekt", "Nutze ihn als Wecker jeden Morgen"],
    ["Perfect alarm clock every morning", "I use it as an alarm clock in the morning"],
)


def planted(n: int = 40, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    texts, truth = [], []
    for _ in range(n):
        name, pools = [("gift", GIFT), ("alarm", ALARM)][int(rng.integers(2))]
        pool = pools[int(rng.integers(2))]
        texts.append(pool[int(rng.integers(len(pool)))])
        truth.append(name)
    return texts, truth


def test_nmf_recovers_planted_topics_across_languages() -> None:
    texts, truth = planted()
    props = text.discover_themes(
        texts, [set()] * len(texts), n_clusters=2, min_size=3, method="nmf", seed=0
    )
    assert len(props) == 2
    assert sum(p.size for p in props) == len(texts)
    for p in props:
        assert len({truth[i] for i in p.indices}) == 1, p.top_terms  # one planted topic each
        assert set(p.languages) == {"de", "en"}  # the glossary bridges Geschenk/gift
        assert len(p.examples) == len(set(p.examples)) > 1  # distinct examples
        assert p.key.startswith("new_")
    terms = " ".join(t for p in props for t in p.top_terms)
    assert "gift" in terms
    assert "alarm" in terms


def test_nmf_is_seeded_and_skips_tagged_comments() -> None:
    texts, _ = planted(seed=1)
    sets: list[set[str]] = [set() for _ in texts]
    sets[0] = {"delivery"}
    a = text.discover_themes(texts, sets, n_clusters=2, min_size=3, method="nmf", seed=3)
    b = text.discover_themes(texts, sets, n_clusters=2, min_size=3, method="nmf", seed=3)
    assert [p.to_dict() for p in a] == [p.to_dict() for p in b]
    assert all(0 not in p.indices for p in a)
    with pytest.raises(InputError, match="kmeans or nmf"):
        text.discover_themes(texts, sets, method="lda")
