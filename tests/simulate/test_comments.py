"""Comment pools: variety per theme, both languages, compounds, negations, PII."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cxo.core.themes import THEME_KEYS
from cxo.simulate import SimulatedCompany
from cxo.simulate.comments import assemble, pools


@pytest.mark.parametrize("theme", THEME_KEYS)
def test_at_least_30_phrasings_per_theme_language_and_sentiment(theme: str) -> None:
    p = pools()
    for lang in ("de", "en"):
        for sentiment in ("neg", "pos"):
            phrasings = p.phrasings(theme, lang, sentiment)
            assert len(set(phrasings)) >= 30, (theme, lang, sentiment)


def test_pools_hold_compounds_negations_and_typos() -> None:
    p = pools()
    text = " ".join(str(x) for x in p.text.to_pylist())
    for word in ("Kundenservicemitarbeiter", "Rechnungsbetrag", "nicht freundlich", "not friendly"):
        assert word in text
    friendly = p.phrasings("staff_friendliness", "de", "neg")
    assert any(t[0].islower() or "!!" in t for t in friendly)  # typo variants


def test_assemble_mixed_sentiment_and_pii() -> None:
    rng = np.random.default_rng(0)
    n = 400
    theme = np.full(n, THEME_KEYS.index("invoice_error"))
    second = np.full(n, THEME_KEYS.index("portal_usability"))
    out = assemble(
        rng, theme, np.zeros(n, np.int64), np.zeros(n, np.int64), second, np.ones(n, bool)
    )
    texts = out.to_pylist()
    assert all(
        ", aber " in t or "; aber " in t or " – aber " in t or ", nur " in t or ", doch " in t
        for t in texts
    )
    assert len(set(texts)) > 200


def test_simulated_comments_have_pii_offtopic_and_both_languages(
    service20k: SimulatedCompany,
) -> None:
    r = service20k.tables["responses"]
    comments = [c for c in r["comment"].to_pylist() if c]
    assert any(re.search(r"[\w.]+@[\w.]+", c) for c in comments)
    assert any(re.search(r"DE\d{2} ?\d{4}", c) for c in comments)
    assert any("Herr Müller" in c for c in comments)
    assert any(c in ("k.A.", "n/a", "Test", "test") for c in comments)
    langs = r["language"].to_pylist()
    share_de = langs.count("de") / len(langs)
    assert 0.65 < share_de < 0.75
    assert len(set(comments)) > 0.3 * len(comments)
