"""The shipped English review model (issue 16, item 1): file, scores, rule with the lexicon."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cxo import text
from cxo.text.analyze import COLUMNS, Analyzer
from cxo.text.review_model import (
    CONFIDENT,
    MIN_WORDS,
    ReviewModel,
    builtin_review_model,
    combine,
    fit,
    hashed_counts,
    word_counts,
)

ROOT = Path(__file__).resolve().parents[2]
EXTDATA = Path(os.environ.get("CXO_EXTDATA", "/work/extdata"))

# P(negative) of the shipped file for these texts, with their lexicon scores (written down
# from the file as trained by scripts/train_sentiment_model.py; a retrained file must
# update them, and docs/sentiment-model.md with them)
KNOWN = [
    ("I found a six inch long piece of wire in my salsa.", 0.0, 0.809997),
    ("Hot dishes are not hot.", -0.6351, 0.994713),
    ("The battery lasts all day and the screen is bright.", 0.4422, 0.028298),
    ("It arrived on Tuesday.", 0.0, 0.293442),
    ("ok", 0.0, 0.794374),
    ("The food wasn't bad at all.", 0.6351, 0.784311),
]


def test_shipped_file_is_numbers_with_its_source_and_licence() -> None:
    model = builtin_review_model("en")
    assert model is not None
    assert model.info["language"] == "en"
    assert model.info["data_licence"] == "CC BY 4.0"
    assert "UCI Sentiment Labelled Sentences" in model.info["data"]
    assert model.info["script"] == "scripts/train_sentiment_model.py"
    from importlib import resources

    note = resources.files("cxo.text").joinpath("data", "sentiment_review_en.SOURCE.txt")
    assert "CC BY 4.0" in note.read_text("utf-8")
    # no German model ships: no openly licensed German star-labelled reviews were at hand
    assert builtin_review_model("de") is None


def test_shipped_file_reproduces_known_scores() -> None:
    model = builtin_review_model("en")
    assert model is not None
    texts = [t for t, _, _ in KNOWN]
    lex = Analyzer(review_models=False).analyze(texts, language="en")["sentiment_score"]
    assert lex == [s for _, s, _ in KNOWN]
    p = model.p_negative(texts, lex)
    np.testing.assert_allclose(p, [v for _, _, v in KNOWN], atol=2e-6)


def test_loads_and_scores_offline_in_a_fresh_process() -> None:
    code = (
        "import socket\n"
        "def _no(*a, **k):\n"
        "    raise OSError('network used')\n"
        "socket.socket.connect = _no\n"
        "socket.create_connection = _no\n"
        "from cxo.text.review_model import builtin_review_model\n"
        "m = builtin_review_model('en')\n"
        f"print([round(float(v), 6) for v in m.p_negative({[t for t, _, _ in KNOWN]!r}, "
        f"{[s for _, s, _ in KNOWN]!r})])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    got = [float(v) for v in out.stdout.strip().strip("[]").split(",")]
    np.testing.assert_allclose(got, [v for _, _, v in KNOWN], atol=2e-6)


def test_features_match_scikit_learn_tfidf() -> None:
    """The hand-written idf/normalisation equals scikit-learn's TfidfTransformer + predict."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    train = [
        "great phone, works well",
        "terrible, broke in a week",
        "love the screen",
        "waste of money",
        "fast delivery and good price",
        "it stopped working, very bad",
    ]
    y = [0, 1, 0, 1, 0, 1]
    lex = np.array([0.5, -0.6, 0.4, -0.7, 0.3, -0.8])
    arrays = fit(train, y, lex)
    ours = ReviewModel(arrays, info={"language": "en"})
    test = ["good screen but it broke", "bad price", "works"]
    test_lex = np.array([-0.2, -0.5, 0.1])

    tf = TfidfTransformer(sublinear_tf=True).fit(hashed_counts(train))
    lexf = 2.0 * np.column_stack([lex, lex < -0.2, lex > 0.2]).astype(float)
    xtr = sp.hstack([tf.transform(hashed_counts(train)), sp.csr_matrix(lexf)], format="csr")
    ref = LogisticRegression(C=10.0, max_iter=5000, class_weight="balanced").fit(xtr, y)
    tlexf = 2.0 * np.column_stack([test_lex, test_lex < -0.2, test_lex > 0.2]).astype(float)
    xte = sp.hstack([tf.transform(hashed_counts(test)), sp.csr_matrix(tlexf)], format="csr")
    np.testing.assert_allclose(
        ours.p_negative(test, test_lex), ref.predict_proba(xte)[:, 1], atol=1e-6
    )


def test_lexicon_polarity_stands_and_the_model_fills_neutral_only() -> None:
    lex = np.array([0.6, -0.6, 0.0, 0.0, 0.0, 0.1])
    p_neg = np.array([0.95, 0.05, 0.9, 0.6, 0.9, 0.1])
    words = np.array([8, 8, 8, 8, 2, 8])
    out = combine(lex, p_neg, words)
    assert out[0] == 0.6  # the lexicon's polarity is never flipped
    assert out[1] == -0.6
    assert out[2] == pytest.approx(1 - 2 * 0.9)  # neutral lexicon, confident model
    assert out[3] == 0.0  # |m| = 0.2 < CONFIDENT: stays neutral
    assert out[4] == 0.0  # too short (fewer than MIN_WORDS words): stays neutral
    assert out[5] == pytest.approx(0.8)  # a weakly positive lexicon score counts as neutral
    assert CONFIDENT == 0.5
    assert MIN_WORDS == 4
    assert list(word_counts(["Don't know.", "It's fine, 100 %"])) == [3, 3]


def test_review_sentences_the_lexicon_misses() -> None:
    """Hand-written reviews without any lexicon word: the model decides."""
    samples = [
        "Took forty minutes for our food to arrive and it was cold.",
        "The sound quality is crisp and the bass is deep.",
    ]
    before = Analyzer(review_models=False).analyze(samples, language="en")["sentiment"]
    assert before == ["neutral", "neutral"]
    assert text.analyze(samples, language="en")["sentiment"] == ["negative", "positive"]
    assert text.analyze(samples)["sentiment"] == ["negative", "positive"]


def test_neutral_and_german_texts_keep_the_lexicon() -> None:
    neutral = ["ok", "Don't know.", "nothing", "It arrived on Tuesday."]
    assert set(text.analyze(neutral, language="en")["sentiment"]) == {"neutral"}
    german = ["Kam am Dienstag an.", "Die Lieferung dauerte drei Wochen.", "Alles bestens."]
    a = text.analyze(german, language="de").to_dicts()
    b = Analyzer(review_models=False).analyze(german, language="de").to_dicts()
    assert a == b


def test_output_schema_unchanged_and_themes_follow_the_document() -> None:
    rows = text.analyze(["Took forty minutes for our food to arrive and it was cold."])
    assert (
        rows.columns
        == COLUMNS
        == (
            "language",
            "sentiment",
            "sentiment_score",
            "themes",
            "redacted_text",
            "theme_sentiments",
            "skip_reason",
        )
    )
    row = rows[0]
    assert -1.0 <= row.sentiment_score <= 1.0
    for label in row.theme_sentiments.values():
        assert label in ("negative", "neutral", "positive")


def test_a_user_model_still_replaces_the_untrained_sentiment() -> None:
    samples = ["great", "awful", "fine", "bad"] * 10
    labels = ["positive", "negative", "positive", "negative"] * 10
    model = text.train_sentiment(samples, labels, embeddings=False)
    rows = text.analyze(["The sound quality is crisp and the bass is deep."], model=model)
    assert rows["sentiment"][0] in model.classes_


@pytest.mark.slow
def test_training_script_reproduces_the_shipped_file() -> None:
    """Seeded, deterministic: retraining on the UCI sentences gives identical arrays."""
    if not (EXTDATA / "uci-sentiment-labelled-sentences" / "yelp_labelled.txt").is_file():
        pytest.skip("the UCI sentences are not in $CXO_EXTDATA (see docs/sentiment-model.md)")
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_sentiment_model.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "identical" in out.stdout
