"""Baseline sentiment without training: a German and English lexicon with negation.

Each clause scores the positive minus the negative terms it contains (strong terms count
twice, an intensifier just before a term adds half); a negation word up to three words
before a term flips its sign. The comment's score is ``tanh(sum / 2)`` in [-1, 1]; labels
use ±0.2 as the neutral band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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
from cxo.text.matcher import PatternSet

NEUTRAL_BAND = 0.2
_NEG_WINDOW = 3


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
            self._c[lang] = _Compiled(
                terms=frame.pattern_set(items, lang),
                pos_lit=literal_patterns(pos),
                neg_lit=literal_patterns(neg),
            )

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
                    if lab in "+-" and (
                        a not in best or b > best[a][1] or (b == best[a][1] and lab == "-")
                    ):
                        best[a] = (lab, b)
                covered_until = -1
                for a in sorted(best):
                    lab, b = best[a]
                    if a < covered_until:
                        continue
                    # a negator reaches the next sentiment term only: "no complaints, great
                    # service" negates "complaints", not "great"; one that ends a term
                    # ("funktioniert nicht") also reaches the next ("… nicht richtig")
                    tail = covered_until > 0 and tokens[covered_until - 1] == NEG
                    scope = max(0, a - _NEG_WINDOW, covered_until - tail)
                    covered_until = b
                    w = 1.0 if lab == "+" else -1.0
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
                    total -= raw.count(lit)
        return total

    @staticmethod
    def squash(total: float) -> float:
        """Map a raw total onto [-1, 1]."""
        return math.tanh(total / 2.0)


_default: Lexicon | None = None


def builtin_lexicon() -> Lexicon:
    """The built-in lexicon (compiled once per process)."""
    global _default
    if _default is None:
        _default = Lexicon()
    return _default
