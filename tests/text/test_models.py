from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cxo
import cxo.text as text

from .conftest import simulate_comments


def test_sentiment_round_trip(tmp_path: Path, simulated: tuple) -> None:
    texts, labels, _, _ = simulated
    model = cxo.text.train_sentiment(texts[:400], labels[:400], embeddings=False)
    held_out, truth = texts[400:], labels[400:]
    pred = model.predict(held_out)
    assert len(pred) == len(held_out)
    acc = float(np.mean(np.array(pred) == np.array(truth)))
    assert acc > 0.9
    path = model.save(tmp_path / "sentiment.cxomodel")
    loaded = cxo.text.load_model(path)
    assert loaded.predict(held_out) == pred
    assert model.predict([]) == []


def test_themes_round_trip(tmp_path: Path, simulated: tuple) -> None:
    texts, _, sets, _ = simulated
    model = cxo.text.train_themes(texts[:400], sets[:400], embeddings=False, inner_folds=2)
    pred = model.predict(texts[400:])
    assert all(isinstance(p, set) for p in pred)
    gold = sets[400:]
    tp = sum(len(p & g) for p, g in zip(pred, gold, strict=True))
    fp = sum(len(p - g) for p, g in zip(pred, gold, strict=True))
    fn = sum(len(g - p) for p, g in zip(pred, gold, strict=True))
    assert 2 * tp / (2 * tp + fp + fn) > 0.9
    loaded = cxo.text.load_model(model.save(tmp_path / "themes.cxomodel"))
    assert loaded.predict(texts[400:]) == pred


def test_training_needs_enough_labels() -> None:
    with pytest.raises(cxo.CxoError, match="at least two labels"):
        text.train_sentiment(["gut", "schlecht"], ["positive", "negative"], embeddings=False)
    with pytest.raises(cxo.CxoError):
        text.train_sentiment(["a", "b"], ["x"], embeddings=False)


def test_load_rejects_foreign_files(tmp_path: Path) -> None:
    bogus = tmp_path / "x.cxomodel"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(cxo.CxoError, match="not a cxo text model"):
        text.load_model(bogus)
    with pytest.raises(cxo.CxoError, match="no such model"):
        text.load_model(tmp_path / "missing")


def test_embeddings_default_follows_the_extra() -> None:
    texts, labels, _, _ = simulate_comments(60, seed=3)
    model = text.train_sentiment(texts, labels, embeddings=False)
    assert model.info["embeddings"] is False
    if not text.embeddings_available():
        with pytest.raises(cxo.CxoError, match="embeddings"):
            text.train_sentiment(texts, labels, embeddings=True)
