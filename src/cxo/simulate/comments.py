"""Comment pools and their vectorised assembly.

Pools of distinct phrasings are built once per theme × sentiment × language from
:mod:`cxo.simulate.vocab` (subjects × predicates × intensifiers × time words, plus whole
sentences and typo variants) with a fixed generator, so they never depend on the run's seed.
Comments are then assembled with index arithmetic and Arrow kernels, never per-row loops.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxo.core.themes import THEME_KEYS
from cxo.simulate.vocab import (
    CIDS,
    EMAILS,
    IBANS,
    INTENS,
    JOIN,
    OFFTOPIC,
    PHONES,
    PII,
    TIMES,
    VOCAB,
)

LANGS = ("de", "en")
SENTIMENTS = ("neg", "pos", "short")
POOL_SIZE = 200
"""Combinatorial phrasings drawn per theme × sentiment × language (before typo variants)."""

NEG, POS, SHORT = 0, 1, 2


def _typo(text: str, rng: np.random.Generator) -> str:
    kind = int(rng.integers(0, 5))
    if kind == 0:
        return text.lower().rstrip(".")
    if kind == 1:
        return (
            text.replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")
            if any(ch in text for ch in "äöüß")
            else text.replace("e", "ee", 1)
        )
    if kind == 2 and len(text) > 6:
        i = int(rng.integers(1, len(text) - 2))
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 3 and len(text) > 6:
        i = int(rng.integers(1, len(text) - 1))
        return text[:i] + text[i + 1 :]
    return text.rstrip(".") + "!!"


def _phrasings(theme: str, lang: str, sentiment: str, seed: int) -> list[str]:
    words = VOCAB[theme][lang]
    rng = np.random.default_rng([20260930, seed])
    short = sentiment == "short"
    sentiment = "pos" if short else sentiment
    intens = INTENS[lang][sentiment]
    times = [""] if short else TIMES[lang][sentiment]
    combos: list[str] = []
    for subj in words["subj"]:
        for pred in words[sentiment]:  # type: ignore[literal-required]
            for inten in intens if "{i}" in pred else [""]:
                for tail in times:
                    combos.append(f"{subj} {pred.format(i=inten).strip()}{tail}.")
    combos = sorted(set(combos))
    take = min(POOL_SIZE, len(combos))
    chosen = [combos[i] for i in sorted(rng.choice(len(combos), size=take, replace=False))]
    if short:
        return chosen
    full = words["neg_full" if sentiment == "neg" else "pos_full"]
    pool = chosen + list(full)
    typos = [_typo(pool[i], rng) for i in rng.choice(len(pool), size=len(pool) // 6, replace=False)]
    out: list[str] = []
    seen: set[str] = set()
    for text in pool + typos:
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


@dataclass(frozen=True)
class Pools:
    """All phrasings in one Arrow array, addressed by (theme, language, sentiment)."""

    text: pa.Array
    lowered: pa.Array
    """The same phrasings with a lower-case first letter (for the second clause)."""
    start: np.ndarray[Any, Any]
    size: np.ndarray[Any, Any]
    offtopic_start: np.ndarray[Any, Any]
    offtopic_size: np.ndarray[Any, Any]
    pii_start: np.ndarray[Any, Any]
    pii_size: np.ndarray[Any, Any]
    joins: pa.Array
    join_start: np.ndarray[Any, Any]
    join_size: np.ndarray[Any, Any]

    def phrasings(self, theme: str, lang: str, sentiment: str) -> list[str]:
        """The pool for one theme, language and sentiment (for tests and docs)."""
        k = _slot(THEME_KEYS.index(theme), LANGS.index(lang), SENTIMENTS.index(sentiment))
        s, n = int(self.start[k]), int(self.size[k])
        return [str(x) for x in self.text.slice(s, n).to_pylist()]


def _slot(theme: Any, lang: Any, sent: Any) -> Any:
    return (theme * len(LANGS) + lang) * len(SENTIMENTS) + sent


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


@functools.lru_cache(maxsize=1)
def pools() -> Pools:
    """Build (once) every pool."""
    texts: list[str] = []
    n_slots = len(THEME_KEYS) * len(LANGS) * len(SENTIMENTS)
    start = np.zeros(n_slots, dtype=np.int64)
    size = np.zeros(n_slots, dtype=np.int64)
    for ti, theme in enumerate(THEME_KEYS):
        for li, lang in enumerate(LANGS):
            for si, sent in enumerate(SENTIMENTS):
                k = _slot(ti, li, si)
                items = _phrasings(theme, lang, sent, k)
                start[k], size[k] = len(texts), len(items)
                texts.extend(items)
    off_start = np.zeros(2, dtype=np.int64)
    off_size = np.zeros(2, dtype=np.int64)
    for li, lang in enumerate(LANGS):
        off_start[li], off_size[li] = len(texts), len(OFFTOPIC[lang])
        texts.extend(OFFTOPIC[lang])
    pii_start = np.zeros(2, dtype=np.int64)
    pii_size = np.zeros(2, dtype=np.int64)
    for li, lang in enumerate(LANGS):
        items = []
        for j, tpl in enumerate(PII[lang]):
            for k in range(4):
                items.append(
                    tpl.format(
                        email=EMAILS[(j + k) % len(EMAILS)],
                        phone=PHONES[(j + 2 * k) % len(PHONES)],
                        iban=IBANS[(j + k) % len(IBANS)],
                        cid=CIDS[(j + k) % len(CIDS)],
                    )
                )
        items = list(dict.fromkeys(items))
        pii_start[li], pii_size[li] = len(texts), len(items)
        texts.extend(items)
    joins: list[str] = []
    join_start = np.zeros(2, dtype=np.int64)
    join_size = np.zeros(2, dtype=np.int64)
    for li, lang in enumerate(LANGS):
        join_start[li], join_size[li] = len(joins), len(JOIN[lang])
        joins.extend(JOIN[lang])
    return Pools(
        text=pa.array(texts, pa.string()),
        lowered=pa.array([_lower_first(t) for t in texts], pa.string()),
        start=start,
        size=size,
        offtopic_start=off_start,
        offtopic_size=off_size,
        pii_start=pii_start,
        pii_size=pii_size,
        joins=pa.array(joins, pa.string()),
        join_start=join_start,
        join_size=join_size,
    )


def _pick(rng: np.random.Generator, start: Any, size: Any) -> np.ndarray[Any, Any]:
    u = rng.random(len(start))
    return np.asarray(start + np.floor(u * size).astype(np.int64), dtype=np.int64)


def assemble(
    rng: np.random.Generator,
    theme: np.ndarray[Any, Any],
    sentiment: np.ndarray[Any, Any],
    lang: np.ndarray[Any, Any],
    second: np.ndarray[Any, Any],
    pii: np.ndarray[Any, Any],
) -> pa.Array:
    """Comments for rows with a main theme (−1 = off-topic) and an optional second theme.

    ``sentiment`` is 0 (negative) or 1 (positive) for the main theme; a second theme
    (≥ 0) is written first with positive sentiment, then a contrastive join, then the
    main clause (mixed sentiment: "App ist super, aber die Rechnung ist falsch"). ``pii``
    appends a sentence with an e-mail address, phone number, IBAN or a name.
    """
    p = pools()
    n = len(theme)
    if n == 0:
        return pa.array([], pa.string())
    topical = theme >= 0
    main_idx = np.empty(n, dtype=np.int64)
    slots = _slot(np.where(topical, theme, 0), lang, sentiment)
    main_idx[:] = _pick(rng, p.start[slots], p.size[slots])
    off = ~topical
    if off.any():
        main_idx[off] = _pick(rng, p.offtopic_start[lang[off]], p.offtopic_size[lang[off]])
    has2 = (second >= 0) & topical
    join_idx = _pick(rng, p.join_start[lang], p.join_size[lang])
    joins = p.joins.take(pa.array(join_idx))
    # every join continues the sentence: the main clause starts lower-case
    main = pc.if_else(
        pa.array(has2), p.lowered.take(pa.array(main_idx)), p.text.take(pa.array(main_idx))
    )
    slots2 = _slot(np.where(has2, second, 0), lang, SHORT)
    first_idx = _pick(rng, p.start[slots2], p.size[slots2])
    first = pc.utf8_rtrim(p.text.take(pa.array(first_idx)), characters=".!")
    mixed = pc.binary_join_element_wise(first, joins, main, "")
    text = pc.if_else(pa.array(has2), mixed, main)
    if pii.any():
        pii_idx = _pick(rng, p.pii_start[lang], p.pii_size[lang])
        with_pii = pc.binary_join_element_wise(text, p.text.take(pa.array(pii_idx)), " ")
        text = pc.if_else(pa.array(pii), with_pii, text)
    return text
