"""Built-in review sentiment model: a small linear model shipped with the package.

English only: ``data/sentiment_review_en.npz``, trained at development time by
``scripts/train_sentiment_model.py`` on the UCI "Sentiment Labelled Sentences" (CC BY 4.0;
card: ``docs/sentiment-model.md``). No German model ships (no openly licensed German
star-labelled reviews were available), so German keeps the lexicon alone.

Features: hashed word 1–2-gram and char_wb 2–5-gram counts (2**18 buckets each), sublinear tf,
idf from the training documents, L2 norm; plus the lexicon score ``s`` as ``2·[s, s<-0.2,
s>0.2]``. A logistic regression gives P(negative). Everything is vectorised (one sparse
matrix product per batch), deterministic and offline; the file holds only numbers (no pickle).

How it meets the lexicon (:func:`combine`): the lexicon's polarity always stands (it handles
negation and contrast: "wasn't bad at all"); where the lexicon is neutral the model decides,
but only when it is confident (``|m| >= CONFIDENT``, with ``m = 1 - 2·P(negative)``) and the
text has at least ``MIN_WORDS`` words; otherwise the text stays neutral. The model never saw
neutral text, so "ok", "nothing", "Don't know." keep the lexicon's neutral. ``CONFIDENT``
and ``MIN_WORDS`` were chosen on cross-fitted predictions of the training sentences and on
cxo's simulated comments (``docs/sentiment-model.md``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import scipy.sparse as sp

from cxo.text.lexicon import NEUTRAL_BAND

N_BUCKETS = 2**18
FILES = {"en": "sentiment_review_en.npz"}
CONFIDENT = 0.5
"""Where the lexicon is neutral, the model speaks only where ``|1 - 2·P(neg)|`` reaches this."""
MIN_WORDS = 4
"""… and only in texts of at least this many words."""
C = 10.0
"""Inverse regularisation strength of the logistic regression (balanced class weights)."""
_WORD = re.compile(r"[^\W\d_]+")


def word_counts(texts: Sequence[str]) -> np.ndarray:
    """Number of words (runs of letters) per text."""
    return np.array([len(_WORD.findall(t)) for t in texts], dtype=np.int64)


def hashed_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Word 1–2-gram and char_wb 2–5-gram counts in ``2 · N_BUCKETS`` hashed columns."""
    from sklearn.feature_extraction.text import HashingVectorizer

    kw: dict[str, Any] = {"n_features": N_BUCKETS, "alternate_sign": False, "norm": None}
    words = HashingVectorizer(ngram_range=(1, 2), **kw)
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), **kw)
    t = list(texts)
    return sp.hstack([words.transform(t), chars.transform(t)], format="csr")


def lexicon_features(scores: np.ndarray) -> np.ndarray:
    """The lexicon score as three columns: ``2·[s, s < -band, s > band]``."""
    s = np.asarray(scores, dtype=np.float64)
    return np.column_stack([s, s < -NEUTRAL_BAND, s > NEUTRAL_BAND]).astype(np.float64) * 2.0


class ReviewModel:
    """The shipped linear review model of one language."""

    def __init__(self, arrays: dict[str, np.ndarray], info: dict[str, Any] | None = None) -> None:
        self.info: dict[str, Any] = info if info is not None else json.loads(str(arrays["meta"]))
        n = int(arrays["n_docs"][0])
        width = 2 * N_BUCKETS
        index = arrays["index"].astype(np.int64)
        df = arrays["df"].astype(np.float64)
        # columns never seen in training have df = 0: they weigh in the norm, not the score
        self.idf = np.full(width, np.log(1.0 + n) + 1.0)
        self.idf[index] = np.log((1.0 + n) / (1.0 + df)) + 1.0
        self.coef = np.zeros(width)
        self.coef[index] = arrays["coef"]
        self.lexicon_coef = np.asarray(arrays["lexicon_coef"], dtype=np.float64)
        self.intercept = float(arrays["intercept"][0])
        self.language = str(self.info["language"])

    def p_negative(
        self, texts: Sequence[str], lexicon_scores: Sequence[float] | np.ndarray
    ) -> np.ndarray:
        """P(negative) per text (``lexicon_scores`` from the lexicon, same order)."""
        if not texts:
            return np.zeros(0)
        x = hashed_counts(texts).astype(np.float64)
        x.data = 1.0 + np.log(x.data)
        x.data *= self.idf[x.indices]
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        z = (x @ self.coef) / np.where(norms > 0, norms, 1.0)
        z += lexicon_features(np.asarray(lexicon_scores)) @ self.lexicon_coef + self.intercept
        out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
        return out


def combine(lexicon: np.ndarray, p_negative: np.ndarray, n_words: np.ndarray) -> np.ndarray:
    """Final score in [-1, 1]: the lexicon's; where it is neutral, the confident model's."""
    lex = np.asarray(lexicon, dtype=np.float64)
    m = 1.0 - 2.0 * np.asarray(p_negative, dtype=np.float64)
    lex_side = np.where(lex > NEUTRAL_BAND, 1, np.where(lex < -NEUTRAL_BAND, -1, 0))
    override = (np.abs(m) >= CONFIDENT) & (lex_side == 0) & (np.asarray(n_words) >= MIN_WORDS)
    return np.where(override, np.round(m, 4), lex)


def fit(
    texts: Sequence[str], labels: Sequence[int], lexicon_scores: Sequence[float] | np.ndarray
) -> dict[str, np.ndarray]:
    """Train the recipe (labels: 1 = negative); the arrays a model file stores.

    Used at development time by ``scripts/train_sentiment_model.py`` and by
    ``bench/sentiment.py`` (leave-one-site-out figures of the same recipe).
    """
    from sklearn.linear_model import LogisticRegression

    counts = hashed_counts(texts)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    seen = np.flatnonzero(df).astype(np.int32)
    n = len(texts)
    idf = np.log((1 + n) / (1 + df)) + 1.0
    x = counts.astype(np.float64)
    x.data = 1.0 + np.log(x.data)
    x = x @ sp.diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x
    lex = lexicon_features(np.asarray(lexicon_scores, dtype=np.float64))
    xx = sp.hstack([x, sp.csr_matrix(lex)], format="csr")
    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    clf.fit(xx, list(labels))
    coef = clf.coef_.ravel()
    width = counts.shape[1]
    return {
        "index": seen,
        "df": df[seen].astype(np.int32),
        "coef": coef[:width][seen].astype(np.float64),
        "lexicon_coef": coef[width:].astype(np.float64),
        "intercept": np.array([clf.intercept_[0]], dtype=np.float64),
        "n_docs": np.array([n], dtype=np.int64),
    }


@cache
def builtin_review_model(language: str) -> ReviewModel | None:
    """The shipped model for ``language`` (``None`` where none ships)."""
    name = FILES.get(language)
    if name is None:
        return None
    ref = resources.files("cxo.text").joinpath("data", name)
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as z:
        return ReviewModel({k: z[k] for k in z.files})
