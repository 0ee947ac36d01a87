"""Baseline sentiment without training: a German and English lexicon with negation.

Each clause scores the positive minus the negative terms it contains (strong terms count
twice, an intensifier just before a term adds half, negative terms weigh ``NEGATIVE_WEIGHT``
because reviewers use praise words more freely than complaint words); a negation word up to
three words before a term flips its sign. English adds a supplement: word valences from VADER
(``data/vader_en.tsv``, MIT licence) for words the hand-written lexicon does not list, scaled
by ``SUPPLEMENT_WEIGHT`` and negated the same way. Contrast shifts the weight between clauses (see
:func:`clause_weights`): "good at first, but stopped working" is negative. The comment's score
is ``tanh(sum / 2)`` in [-1, 1]; labels use ±0.2 as the neutral band.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from cxo.text.codeframe import (
    LANGS,
    NEG,
    CodeFrame,
    builtin_codeframe,
    literal_patterns,
    word_patterns,
)
from cxo.text.lemmas import compound_parts
from cxo.text.matcher import PatternSet

NEUTRAL_BAND = 0.2
NEGATIVE_WEIGHT = 1.5
SUPPLEMENT_WEIGHT = 0.5
_NEG_WINDOW = 3
_RAW_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_RAW_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "without",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "werent",
        "wont",
        "wouldnt",
        "couldnt",
        "shouldnt",
        "aint",
        "hardly",
    ]
)
_BUT = re.compile(
    r"^\W*(?:but|however|yet|aber|jedoch|doch|allerdings|sondern|trotzdem)\b",
    re.IGNORECASE,
)
_ALTHOUGH = re.compile(
    r"^\W*(?:although|though|even though|while|whereas|obwohl|obgleich|zwar|auch wenn)\b",
    re.IGNORECASE,
)


def clause_weights(clauses: Sequence[str]) -> list[float]:
    """Weight of each clause's score: what follows "but"/"aber" counts 1.5, what precedes it
    0.5; a concession ("although"/"obwohl") counts 0.5 and the clause after it 1.5."""
    w = [1.0] * len(clauses)
    for i, c in enumerate(clauses):
        if _BUT.match(c):
            w[i] *= 1.5
            if i > 0:
                w[i - 1] *= 0.5
        elif _ALTHOUGH.match(c):
            w[i] *= 0.5
            if i + 1 < len(clauses):
                w[i + 1] *= 1.5
    return w


def label_of(score: float) -> str:
    """``negative``, ``neutral`` or ``positive`` for a score in [-1, 1]."""
    if score > NEUTRAL_BAND:
        return "positive"
    if score < -NEUTRAL_BAND:
        return "negative"
    return "neutral"


@dataclass
class _Compiled:
    terms: PatternSet
    pos_lit: tuple[str, ...]
    neg_lit: tuple[str, ...]


class Lexicon:
    """Compiled lexicon for both languages."""

    def __init__(self, text: str | None = None, frame: CodeFrame | None = None) -> None:
        raw = yaml.safe_load(
            text or resources.files("cxo.text").joinpath("sentiment_lexicon.yaml").read_text()
        )
        frame = frame or builtin_codeframe()
        self._c: dict[str, _Compiled] = {}
        for lang in LANGS:
            pos = raw["positive"][lang]
            neg = raw["negative"][lang]
            strong = raw["positive"]["strong"][lang] + raw["negative"]["strong"][lang]
            items = [("+", p) for p in word_patterns(pos)]
            items += [("-", p) for p in word_patterns(neg)]
            items += [("s", p) for p in word_patterns(strong)]
            items += [("i", p) for p in word_patterns(raw["intensifiers"][lang])]
            items += [("0", p) for p in word_patterns((raw.get("neutral") or {}).get(lang, []))]
            self._c[lang] = _Compiled(
                terms=frame.pattern_set(items, lang),
                pos_lit=literal_patterns(pos),
                neg_lit=literal_patterns(neg),
            )
        # the supplement only speaks for words the hand-written lexicon does not cover
        self._supplement: dict[str, dict[str, float]] = {}
        for lang, name in (("en", "vader_en.tsv"),):
            terms = self._c[lang].terms
            self._supplement[lang] = {
                w: v
                for w, v in _load_supplement(name).items()
                if not any(lab in "+-s" for lab, _, _ in terms.find([w]))
            }

    def clause_score(self, tokens: list[str], raw: str, language: str) -> float:
        """Signed raw score of one normalised clause (``raw`` is its original text)."""
        langs = (language,) if language in LANGS else LANGS
        total = 0.0
        for lang in langs:
            c = self._c[lang]
            hits = c.terms.find(tokens)
            if hits:
                strong = {(a, b) for lab, a, b in hits if lab == "s"}
                intens = {a for lab, a, _ in hits if lab == "i"}
                # the longest match per start wins ("neg erreich*" over "erreich*")
                best: dict[int, tuple[str, int]] = {}
                for lab, a, b in hits:
                    if lab in "+-0" and (
                        a not in best or b > best[a][1] or (b == best[a][1] and lab in "-0")
                    ):
                        best[a] = (lab, b)
                parts_end = _compound_spans(tokens) if lang == "de" else {}
                covered_until = -1
                for a in sorted(best):
                    lab, b = best[a]
                    if a < covered_until:
                        continue
                    # a German compound is followed by its parts: a term that matched the
                    # compound ("Hauptproblem") is not counted again for a part ("Problem")
                    b_cover = max(b, parts_end.get(a, b)) if b == a + 1 else b
                    # a negator reaches the next sentiment term only: "no complaints, great
                    # service" negates "complaints", not "great"; one that ends a term
                    # ("funktioniert nicht") also reaches the next ("… nicht richtig")
                    tail = covered_until > 0 and tokens[covered_until - 1] == NEG
                    scope = max(0, a - _NEG_WINDOW, covered_until - tail)
                    covered_until = b_cover
                    if lab == "0":  # a neutral phrase ("positiv getestet") hides its words
                        continue
                    w = 1.0 if lab == "+" else -NEGATIVE_WEIGHT
                    if (a, b) in strong:
                        w *= 2.0
                    if a - 1 in intens:
                        w *= 1.5
                    span = tokens[a:b]
                    if NEG in tokens[scope:a] and NEG not in span:
                        w = -w * (0.5 if w < 0 else 1.0)
                    total += w
            for lit in c.pos_lit:
                if lit in raw:
                    total += raw.count(lit)
            for lit in c.neg_lit:
                if lit in raw:
                    total -= NEGATIVE_WEIGHT * raw.count(lit)
            total += self._supplement_score(raw, lang)
        return total

    def _supplement_score(self, raw: str, lang: str) -> float:
        """Valences of listed words that the hand-written lexicon does not know."""
        table = self._supplement.get(lang)
        if not table:
            return 0.0
        words = _RAW_WORD.findall(raw.lower())
        total = 0.0
        for i, w in enumerate(words):
            v = table.get(w)
            if v is None:
                continue
            before = words[max(0, i - _NEG_WINDOW) : i]
            if any(b in _RAW_NEGATORS or b.endswith("n't") for b in before):
                v = -0.5 * v
            total += v * (NEGATIVE_WEIGHT if v < 0 else 1.0)
        return SUPPLEMENT_WEIGHT * total

    @staticmethod
    def squash(total: float) -> float:
        """Map a raw total onto [-1, 1]."""
        return math.tanh(total / 2.0)


@lru_cache(maxsize=100_000)
def _parts_of(key: str) -> tuple[str, ...]:
    return compound_parts(key) if len(key) >= 8 else ()


def _compound_spans(tokens: Sequence[str]) -> dict[int, int]:
    """Index of each German compound key → end of the run of its parts that follows it
    (:func:`cxo.text.lemmas.token_keys` emits a compound's lemma, then its parts)."""
    out: dict[int, int] = {}
    for i, tok in enumerate(tokens):
        parts = _parts_of(tok)
        if parts and tuple(tokens[i + 1 : i + 1 + len(parts)]) == parts:
            out[i] = i + 1 + len(parts)
    return out


def _load_supplement(name: str) -> dict[str, float]:
    """A ``word<TAB>valence`` table from ``cxo/text/data`` (``#`` starts a comment)."""
    text = resources.files("cxo.text").joinpath("data", name).read_text("utf-8")
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, _, val = line.partition("\t")
            out[word] = float(val)
    return out


_default: Lexicon | None = None


def builtin_lexicon() -> Lexicon:
    """The built-in lexicon (compiled once per process)."""
    global _default
    if _default is None:
        _default = Lexicon()
    return _default
