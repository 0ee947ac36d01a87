"""Discovery of new themes among comments the code frame does not assign.

Comments are turned into lemma strings (German compounds split, negators dropped), German
lemmas are mapped onto English ones with a small glossary (``glossary.yaml``) so that both
languages share features, and split into topics with TF-IDF + NMF (``method="nmf"``, the
default: each comment goes to its strongest topic) or clustered with TF-IDF + k-means
(``method="kmeans"``); both are seeded. With the ``embeddings``
extra, multilingual e5 sentence embeddings are clustered instead (top terms still come from
TF-IDF). Each cluster becomes a :class:`ThemeProposal` with top terms, examples and a YAML
snippet for the code frame; :func:`accept_theme` (``cxo text accept``) adds one to the
workspace's ``codeframe.yaml``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from cxo.errors import InputError
from cxo.text.codeframe import NEG, CodeFrame, builtin_codeframe
from cxo.text.language import detect_language


@dataclass(frozen=True)
class ThemeProposal:
    """A proposed new theme."""

    key: str
    size: int
    top_terms: list[str]
    examples: list[str]
    languages: dict[str, int]
    indices: list[int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (without the member indices)."""
        d = asdict(self)
        d.pop("indices")
        return d

    def to_codeframe_entry(self) -> dict[str, Any]:
        """An entry for ``themes:`` in a workspace ``codeframe.yaml``."""
        terms = [t for t in self.top_terms[:6] if " " not in t]
        return {
            "label": {"de": ", ".join(terms[:3]), "en": ", ".join(terms[:3])},
            "definition": {
                "de": "Vorschlag aus der Themenentdeckung",
                "en": "Proposed by discovery",
            },
            "de": terms,
            "en": terms,
        }


def proposals_to_yaml(proposals: Sequence[ThemeProposal]) -> str:
    """Proposals as a ``codeframe.yaml`` fragment (review, rename, then add to the workspace)."""
    data = {"themes": {p.key: p.to_codeframe_entry() for p in proposals}}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@lru_cache(maxsize=1)
def _glossary() -> dict[str, str]:
    raw = yaml.safe_load(resources.files("cxo.text").joinpath("glossary.yaml").read_text("utf-8"))
    return {str(k): str(v) for k, v in (raw or {}).items()}


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    import stopwordsiso

    words = set(stopwordsiso.stopwords("de")) | set(stopwordsiso.stopwords("en"))
    return frozenset(w.lower() for w in words) | {NEG, "sein", "haben", "werden", "be", "have"}


def bridge(texts: Sequence[str], frame: CodeFrame | None = None) -> list[str]:
    """Language-bridged lemma strings (German lemmas mapped to English where known)."""
    cf = frame or builtin_codeframe()
    gl = _glossary()
    stop = _stopwords()
    out = []
    for t in texts:
        lang = detect_language(t)
        norm = cf.normalise(t[:5000], lang)
        words = [gl.get(w, w) for w in norm if w not in stop and len(w) > 2]
        out.append(" ".join(w for w in words if not w.isdigit()))
    return out


def _slug(terms: list[str], taken: set[str]) -> str:
    base = "new_" + "_".join(re.sub(r"[^a-z0-9]+", "", t.lower()) for t in terms[:2] if t)
    base = base.strip("_") or "new_theme"
    key, i = base, 2
    while key in taken:
        key, i = f"{base}_{i}", i + 1
    taken.add(key)
    return key


def discover_themes(
    texts: Sequence[str],
    theme_sets: Iterable[Iterable[str]] | None = None,
    *,
    n_clusters: int | None = None,
    min_size: int = 5,
    n_terms: int = 8,
    n_examples: int = 3,
    embeddings: bool | None = False,
    seed: int = 0,
    method: str = "kmeans",
) -> list[ThemeProposal]:
    """Cluster the comments without a theme and propose new themes (largest first).

    ``theme_sets`` (e.g. ``analyze(texts)["themes"]``) marks which comments are already
    assigned; by default the built-in code frame decides. ``embeddings=None`` uses the
    embeddings extra when installed (``False``, the default, keeps TF-IDF, which is fast).
    Pass redacted texts: examples are for display. ``method`` is ``"kmeans"`` (clusters of
    TF-IDF vectors or embeddings) or ``"nmf"`` (non-negative matrix factorisation of the TF-IDF
    matrix; each comment joins its strongest topic, top terms are the topic's heaviest terms).
    """
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    from cxo.text.models import embed, embeddings_available

    texts = [t if isinstance(t, str) else "" for t in texts]
    if theme_sets is None:
        from cxo.text.analyze import analyze

        theme_sets = analyze(texts)["themes"]
    assigned = [bool(set(s)) for s in theme_sets]
    idx = [i for i, (t, a) in enumerate(zip(texts, assigned, strict=True)) if not a and t.strip()]
    docs = bridge([texts[i] for i in idx])
    keep = [j for j, d in enumerate(docs) if len(d.split()) >= 2]
    idx = [idx[j] for j in keep]
    docs = [docs[j] for j in keep]
    if len(idx) < max(2 * min_size, 4):
        return []
    vec = TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, max_df=0.5, sublinear_tf=True, token_pattern=r"\S+"
    )
    try:
        x = vec.fit_transform(docs)
    except ValueError:
        return []
    if x.shape[1] == 0:
        return []
    k = n_clusters or int(np.clip(round(np.sqrt(len(idx) / 4)), 2, 25))
    k = min(k, len(idx) // max(min_size, 1))
    if k < 2:
        k = 2
    if method not in ("kmeans", "nmf"):
        raise InputError(f"discovery method must be kmeans or nmf, not {method!r}")
    terms = np.asarray(vec.get_feature_names_out())
    if method == "nmf":
        return _nmf_proposals(x, terms, texts, idx, k, min_size, n_terms, n_examples, seed)
    use_emb = embeddings_available() if embeddings is None else embeddings
    feats: Any = embed([texts[i] for i in idx]) if use_emb else x
    labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(feats)
    taken: set[str] = set()
    out = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if len(members) < min_size:
            continue
        sub = x[members]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        order = np.argsort(-centroid, kind="mergesort")[:n_terms]
        top = [str(terms[i]) for i in order if centroid[i] > 0]
        sims = np.asarray(sub @ centroid).ravel()
        ex = _distinct([texts[idx[members[i]]] for i in np.argsort(-sims, kind="mergesort")])
        ex = ex[:n_examples]
        langs = Counter(detect_language(texts[idx[i]]) for i in members)
        out.append(
            ThemeProposal(
                key=_slug(top, taken),
                size=len(members),
                top_terms=top,
                examples=ex,
                languages=dict(langs),
                indices=[idx[i] for i in members],
            )
        )
    return sorted(out, key=lambda p: -p.size)


def _distinct(texts: list[str]) -> list[str]:
    """``texts`` without repeats (case and spacing ignored), in order."""
    seen: set[str] = set()
    out = []
    for t in texts:
        key = " ".join(t.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


def _nmf_proposals(
    x: Any,
    terms: np.ndarray,
    texts: list[str],
    idx: list[int],
    k: int,
    min_size: int,
    n_terms: int,
    n_examples: int,
    seed: int,
) -> list[ThemeProposal]:
    """Topics of the TF-IDF matrix ``x`` (rows: the comments ``idx``) by seeded NMF."""
    from sklearn.decomposition import NMF

    k = min(k, x.shape[1])
    if k < 2:
        return []
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    weights = model.fit_transform(x)
    labels = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    taken: set[str] = set()
    out = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if len(members) < min_size:
            continue
        comp = model.components_[c]
        order = np.argsort(-comp, kind="mergesort")[:n_terms]
        top = [str(terms[i]) for i in order if comp[i] > 0]
        best = members[np.argsort(-weights[members, c], kind="mergesort")]
        langs = Counter(detect_language(texts[idx[i]]) for i in members)
        out.append(
            ThemeProposal(
                key=_slug(top, taken),
                size=len(members),
                top_terms=top,
                examples=_distinct([texts[idx[i]] for i in best])[:n_examples],
                languages=dict(langs),
                indices=[idx[i] for i in members],
            )
        )
    return sorted(out, key=lambda p: (-p.size, p.key))


def accept_theme(
    root: Path,
    proposals: Path,
    key: str,
    *,
    as_key: str | None = None,
    label_de: str | None = None,
    label_en: str | None = None,
    touchpoints: Sequence[str] = (),
    known_touchpoints: Sequence[str] | None = None,
) -> Path:
    """Add proposal ``key`` from ``proposals`` (``cxo text discover --out``) to the workspace
    code frame ``<root>/codeframe.yaml``, as ``as_key`` with the given labels and touchpoints.

    The merged code frame is validated before the file is replaced (atomically); a key that
    already exists (built in or in the workspace) is refused. Returns the file written.
    """
    from cxo.text.workspace import CODEFRAME_FILE

    if not proposals.is_file():
        raise InputError(
            f"{proposals}: no such file (write proposals with `cxo text discover --out`)"
        )
    try:
        data = yaml.safe_load(proposals.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{proposals}: invalid YAML: {exc}") from None
    offered = data.get("themes") if isinstance(data, dict) else None
    if not isinstance(offered, dict) or key not in offered:
        keys = ", ".join(map(str, offered)) if isinstance(offered, dict) else "none"
        raise InputError(f"{proposals}: no proposed theme `{key}` (proposed: {keys})")
    new_key = as_key or key
    target = root / CODEFRAME_FILE
    current: dict[str, Any] = {}
    if target.is_file():
        loaded = yaml.safe_load(target.read_text("utf-8")) or {}
        if not isinstance(loaded, dict):
            raise InputError(f"{target}: expected a mapping with `themes`")
        current = loaded
    themes = current.setdefault("themes", {}) or {}
    current["themes"] = themes
    if new_key in themes or new_key in builtin_codeframe().keys:
        raise InputError(
            f"theme `{new_key}` already exists in the code frame",
            hint="choose another key with --as, or edit codeframe.yaml by hand",
        )
    unknown = [
        t for t in touchpoints if known_touchpoints is not None and t not in known_touchpoints
    ]
    if unknown:
        raise InputError(
            f"touchpoint `{unknown[0]}` is not in the charter",
            hint=f"known touchpoints: {', '.join(known_touchpoints or [])}",
        )
    entry = dict(offered[key])
    label = dict(entry.get("label") or {})
    if label_de:
        label["de"] = label_de
    if label_en:
        label["en"] = label_en
    entry["label"] = label
    if touchpoints:
        entry["touchpoints"] = list(touchpoints)
    themes[new_key] = entry
    text = yaml.safe_dump(current, allow_unicode=True, sort_keys=False)
    CodeFrame.from_yaml_text(text, source=str(target), base=builtin_codeframe())
    tmp = target.with_suffix(".yaml.tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(target)
    return target
