"""Offline language detection (``de``, ``en`` or ``other``) from stopwords and characters.

The detector is deliberately small: it counts very frequent German and English function
words, German-only characters (ä, ö, ü, ß) and, for short texts without function words,
whether the words are known to the bundled simplemma dictionaries. It never raises: empty,
binary, emoji-only or non-Latin text gets ``other`` together with a skip reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LANGUAGES = ("de", "en", "other")

_DE_STOP = _words(
    """
    der die das den dem des ein eine einen einem einer eines und oder aber nicht kein
    keine keinen ist sind war waren bin bist wird werden wurde wurden hat haben hatte
    hatten ich du er sie es wir ihr mich mir mein meine meinen sehr auch noch schon nur
    mit von zu zum zur bei nach aus für über auf im in ins ist wie was wenn weil dass
    daß man sich immer nie doch mal jetzt hier dort leider gut schlecht danke bitte ja
    nein kann können konnte seit bis unter vom am um dann denn als so ob wo wer warum
    wieso weder noch gar viel viele mehr einfach wieder
    """
)
_EN_STOP = _words(
    """
    the a an and or but not no is are was were be been being have has had do does did i
    you he she it we they me my mine your our their this that these those with from to
    of for on at in into by as if when because what which who why how very also still
    just only again never always can could would should will shall there here then than
    too thanks thank please yes get got any all some more much many after before about
    my its it's i'm don't can't didn't won't
    """
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_DE_CHARS = re.compile(r"[äöüßÄÖÜ]")
_DE_HINTS = re.compile(r"sch|ung\b|cht|ich\b|lich|keit|heit|tz|ei|ie|\bge|en\b|er\b")
_EN_HINTS = re.compile(r"th|ing\b|ea|ou|wh|ay\b|ly\b|\bw|ck|y\b|ee|oo")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")

#: The sample that is inspected; long texts are judged on their start.
SAMPLE_CHARS = 4000


@dataclass(frozen=True)
class LanguageGuess:
    """A language and, for ``other``, the reason (``empty``, ``binary``, ``no_letters``, …)."""

    language: str
    reason: str | None = None


@lru_cache(maxsize=200_000)
def _known(word: str) -> tuple[bool, bool]:
    from simplemma import is_known

    return bool(is_known(word, "de")), bool(is_known(word, "en"))


def detect(text: object) -> LanguageGuess:
    """Guess the language of one text; never raises."""
    if text is None:
        return LanguageGuess("other", "empty")
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = str(text)
    sample = text[:SAMPLE_CHARS]
    if not sample.strip():
        return LanguageGuess("other", "empty")
    if len(_CONTROL.findall(sample)) > max(2, 0.05 * len(sample)):
        return LanguageGuess("other", "binary")
    letters = _LETTER.findall(sample)
    if not letters:
        return LanguageGuess("other", "no_letters")
    latin = len(_LATIN.findall(sample))
    if latin < 0.6 * len(letters):
        return LanguageGuess("other", "non_latin_script")
    words = [w.lower() for w in _WORD.findall(sample)]
    de = 2.0 * sum(w in _DE_STOP for w in words)
    en = 2.0 * sum(w in _EN_STOP for w in words)
    de += 1.5 * min(3, len(_DE_CHARS.findall(sample)))
    if de + en < 4:
        # short text: fall back to dictionary knowledge of the content words
        for w in words[:40]:
            if len(w) < 3:
                continue
            k_de, k_en = _known(w)
            if k_de != k_en:
                de += k_de
                en += k_en
    if de + en < 4:
        low = " ".join(words)
        de += 0.5 * len(_DE_HINTS.findall(low))
        en += 0.5 * len(_EN_HINTS.findall(low))
    if de == en:
        return LanguageGuess("other", "undecided")
    return LanguageGuess("de" if de > en else "en")


def detect_language(text: object) -> str:
    """``de``, ``en`` or ``other`` for one text."""
    return detect(text).language
