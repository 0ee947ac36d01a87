"""Tokens, lemmas and German compound splitting, cached per distinct token.

``normalise(text, language)`` turns a clause into a space-joined string of lowercase lemmas;
German compounds are followed by their parts, so that ``Kundenservicemitarbeiter`` yields
``kundenservicemitarbeiter kundenservice mitarbeiter kunde service``. The code frame's patterns
run over these strings. Lemmas come from simplemma's bundled dictionaries (no download).
"""

from __future__ import annotations

import re
from functools import lru_cache

TOKEN = re.compile(r"[^\W_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_LINKING = ("s", "es", "n", "en", "e")
_FUGEN_S = ("ung", "heit", "keit", "ion", "tät", "schaft", "ing", "tum", "ling", "t", "ts")
_MIN_HEAD = 4
_MIN_MODIFIER = 3


@lru_cache(maxsize=500_000)
def _is_known_de(word: str) -> bool:
    from simplemma import is_known

    return len(word) >= _MIN_MODIFIER and bool(is_known(word, "de"))


@lru_cache(maxsize=500_000)
def lemma(token: str, language: str) -> str:
    """Lowercase lemma of ``token`` (``language`` de or en; anything else: lowercase token)."""
    low = token.lower()
    if language not in ("de", "en") or len(low) < 3 or low.isdigit():
        return low
    from simplemma import lemmatize

    # German nouns are capitalised in the dictionary: keep the case the text gives.
    if language == "de":
        return str(lemmatize(token, lang="de")).lower()
    return str(lemmatize(low, lang="en")).lower()


def _split_once(word: str) -> tuple[str, str] | None:
    """The rightmost split ``modifier + head`` where both parts are known German words."""
    n = len(word)
    for i in range(n - _MIN_HEAD, _MIN_MODIFIER - 1, -1):
        head = word[i:]
        if not _is_known_de(head):
            continue
        modifier = word[:i]
        if (
            modifier.endswith("s")
            and modifier[:-1].endswith(_FUGEN_S)
            and _is_known_de(modifier[:-1])
        ):
            return modifier[:-1], head
        if _is_known_de(modifier):
            return modifier, head
        for link in _LINKING:
            stem = modifier[: -len(link)]
            if modifier.endswith(link) and len(stem) >= _MIN_MODIFIER and _is_known_de(stem):
                return stem, head
    return None


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """Top-level split of a German compound into modifier and head (lowercase).

    >>> split_compound("Kundenservicemitarbeiter")
    ('kundenservice', 'mitarbeiter')

    Words that are not compounds (or shorter than 8 letters) come back as a 1-tuple.
    """
    low = word.lower()
    if len(low) < 8 or not low.isalpha():
        return (low,)
    split = _split_once(low)
    return (low,) if split is None else split


@lru_cache(maxsize=200_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """All parts of a German compound, recursively, as lemmas (empty if not a compound)."""
    parts = split_compound(word)
    if len(parts) == 1:
        return ()
    out: list[str] = []
    modifier, head = parts
    out.append(lemma(modifier.capitalize(), "de"))
    if len(modifier) >= 8:
        sub = split_compound(modifier)
        if len(sub) == 2 and min(len(p) for p in sub) >= 4:
            out.extend(lemma(p.capitalize(), "de") for p in sub)
    out.append(lemma(head.capitalize(), "de"))
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=500_000)
def token_keys(token: str, language: str) -> str:
    """The space-joined keys that represent ``token``: its lemma, then compound parts."""
    lem = lemma(token, language)
    if language == "de" and len(lem) >= 8:
        parts = compound_parts(lem)
        if parts:
            return lem + " " + " ".join(parts)
    if language == "other":
        return token.lower()
    return lem


def normalise(text: str, language: str) -> str:
    """Space-joined lemma keys of ``text`` (German compounds followed by their parts)."""
    return " ".join(token_keys(t, language) for t in TOKEN.findall(text))


def tokens(text: str) -> list[str]:
    """Word tokens of ``text``."""
    return TOKEN.findall(text)
