"""The CX code frame: built-in themes in German and English, editable as YAML.

A code frame maps each theme key of :data:`cxo.core.themes.THEME_KEYS` to lemma patterns per
language (see the header of ``codeframe.yaml`` for the syntax). Patterns are compiled once into
regular expressions that run over the lemma strings produced by :mod:`cxo.text.lemmas`.
A workspace may hold its own ``codeframe.yaml``: themes listed there replace (or, with
``extend: true``, extend) the built-in definitions; new theme keys may be added too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cxo.core.themes import THEME_KEYS, THEMES
from cxo.errors import InputError
from cxo.text.lemmas import TOKEN, lemma, token_keys
from cxo.text.matcher import PatternSet

LANGS = ("de", "en")
NEG = "neg"
_WORD_CHAR = re.compile(r"\w")
_CACHE_LIMIT = 400_000


def _word_regex(word: str) -> str:
    body = re.escape(word.strip("*"))
    if word.startswith("*"):
        body = r"\w*" + body
    if word.endswith("*"):
        body = body + r"\w*"
    return body


def literal_patterns(patterns: list[str]) -> tuple[str, ...]:
    """Patterns without word characters (emoticons, emoji), matched on the raw text."""
    return tuple(str(p) for p in patterns if not _WORD_CHAR.search(str(p)))


def word_patterns(patterns: list[str]) -> list[str]:
    """Patterns with at least one word character."""
    return [str(p) for p in patterns if _WORD_CHAR.search(str(p))]


@dataclass
class ThemeDef:
    """One theme of a code frame."""

    key: str
    label_de: str
    label_en: str
    definition_de: str = ""
    definition_en: str = ""
    patterns: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    touchpoints: tuple[str, ...] = ()


def _builtin_text() -> str:
    return resources.files("cxo.text").joinpath("codeframe.yaml").read_text("utf-8")


def _as_lists(value: Any, where: str) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a mapping of language → list of patterns")
    out: dict[str, list[str]] = {}
    for lang, pats in value.items():
        if not isinstance(pats, list):
            raise InputError(f"{where}.{lang}: expected a list of patterns")
        for p in pats:
            if not isinstance(p, str):
                # YAML 1.1 reads bare no/yes/on/off/true as booleans and 1.0 as a number
                hint = ' (YAML reads bare no/yes/on/off as true/false): "no"'
                raise InputError(
                    f"{where}.{lang}: {p!r} is not text; quote it"
                    + (hint if isinstance(p, bool) else "")
                )
        out[str(lang)] = list(pats)
    return out


class CodeFrame:
    """A compiled code frame (themes, negators) for German and English."""

    def __init__(self, themes: list[ThemeDef], negators: dict[str, list[str]]) -> None:
        self.themes = themes
        self.negator_words = negators
        self.negator_regex: dict[str, re.Pattern[str]] = {}
        # pattern words: only negators without a leading wildcard ("*n't" would eat words)
        self.pattern_negators: dict[str, re.Pattern[str]] = {}
        for lang in LANGS:
            words = negators.get(lang, [])
            self.negator_regex[lang] = _alternation(words)
            self.pattern_negators[lang] = _alternation([w for w in words if not w.startswith("*")])
        self.negator_regex["other"] = _alternation(
            [w for lang in LANGS for w in negators.get(lang, [])]
        )
        self._sets: dict[str, PatternSet] = {}
        for lang in LANGS:
            items: list[tuple[str, str]] = []
            for t in themes:
                items += [(t.key, p) for p in word_patterns(t.patterns.get(lang, []))]
                items += [("!" + t.key, p) for p in word_patterns(t.exclude.get(lang, []))]
            self._sets[lang] = self.pattern_set(items, lang)
        self._keys: dict[str, dict[str, str]] = {lang: {} for lang in (*LANGS, "other")}

    def pattern_set(self, items: list[tuple[str, str]], lang: str) -> PatternSet:
        """A :class:`PatternSet` using this frame's negators and lemmas for ``lang``."""
        neg = self.pattern_negators[lang]
        return PatternSet(
            items,
            is_negator=lambda w: bool(neg.fullmatch(w)),
            lemma_of=lambda w: lemma(w, lang),
            neg_token=NEG,
        )

    # --- construction ----------------------------------------------------------------
    @classmethod
    def builtin(cls) -> CodeFrame:
        """The built-in code frame shipped with cxo."""
        return cls.from_yaml_text(_builtin_text(), source="built-in codeframe.yaml")

    @classmethod
    def from_yaml_text(
        cls, text: str, *, source: str = "codeframe.yaml", base: CodeFrame | None = None
    ) -> CodeFrame:
        """Parse a code frame; with ``base``, the YAML overrides/extends ``base``'s themes."""
        try:
            raw = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"{source}: invalid YAML: {exc}") from None
        if not isinstance(raw, dict):
            raise InputError(f"{source}: expected a mapping with `themes`")
        labels = {t.key: t for t in THEMES}
        themes: dict[str, ThemeDef] = {t.key: t for t in (base.themes if base else [])}
        negators = dict(base.negator_words) if base else {}
        negators.update(_as_lists(raw.get("negators"), f"{source}: negators"))
        raw_themes = raw.get("themes") or {}
        if not isinstance(raw_themes, dict):
            raise InputError(f"{source}: `themes` must map theme keys to definitions")
        for key, spec in raw_themes.items():
            key = str(key)
            if not re.fullmatch(r"[a-z0-9_]+", key):
                raise InputError(f"{source}: theme key {key!r} must be lowercase a-z, 0-9, _")
            spec = spec or {}
            if not isinstance(spec, dict):
                raise InputError(f"{source}: theme {key}: expected a mapping")
            where = f"{source}: themes.{key}"
            pats = _as_lists({k: v for k, v in spec.items() if k in LANGS}, where)
            excl = _as_lists(spec.get("exclude"), f"{where}.exclude")
            definition = spec.get("definition") or {}
            old = themes.get(key)
            builtin = labels.get(key)
            if old is not None and spec.get("extend"):
                for lang, p in pats.items():
                    old.patterns.setdefault(lang, []).extend(p)
                for lang, p in excl.items():
                    old.exclude.setdefault(lang, []).extend(p)
                continue
            label = spec.get("label") or {}
            themes[key] = ThemeDef(
                key=key,
                label_de=str(label.get("de") or (builtin.de if builtin else key)),
                label_en=str(label.get("en") or (builtin.en if builtin else key)),
                definition_de=str(definition.get("de", "")),
                definition_en=str(definition.get("en", "")),
                patterns=pats,
                exclude=excl,
                touchpoints=tuple(
                    spec.get("touchpoints") or (builtin.touchpoints if builtin else ())
                ),
            )
        return cls(list(themes.values()), negators)

    @classmethod
    def load(cls, path: Path | None = None) -> CodeFrame:
        """The built-in code frame, overridden by the YAML at ``path`` when it exists."""
        base = cls.builtin()
        if path is None or not Path(path).is_file():
            return base
        return cls.from_yaml_text(Path(path).read_text("utf-8"), source=str(path), base=base)

    # --- use -------------------------------------------------------------------------
    @property
    def keys(self) -> list[str]:
        """Theme keys in code-frame order."""
        return [t.key for t in self.themes]

    def theme(self, key: str) -> ThemeDef:
        """The theme ``key``."""
        for t in self.themes:
            if t.key == key:
                return t
        raise KeyError(key)

    def owners(self, charter: Any) -> dict[str, list[dict[str, str | None]]]:
        """Theme → owners (via the charter's touchpoints that the theme belongs to)."""
        keys = charter.keys("touchpoint")
        return {
            t.key: [charter.owner_of(tp) for tp in t.touchpoints if tp in keys] for t in self.themes
        }

    def to_yaml(self) -> str:
        """The code frame as YAML (the shape ``from_yaml_text`` reads)."""
        data: dict[str, Any] = {"version": 1, "negators": self.negator_words, "themes": {}}
        for t in self.themes:
            spec: dict[str, Any] = {
                "label": {"de": t.label_de, "en": t.label_en},
                "definition": {"de": t.definition_de, "en": t.definition_en},
            }
            spec.update({lang: list(p) for lang, p in t.patterns.items()})
            if t.exclude:
                spec["exclude"] = t.exclude
            if t.touchpoints:
                spec["touchpoints"] = list(t.touchpoints)
            data["themes"][t.key] = spec
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    def key_of(self, token: str, language: str) -> str:
        """Normalised key(s) of one token: ``neg`` for negators, else lemma + compound parts."""
        cache = self._keys[language]
        got = cache.get(token)
        if got is None:
            low = token.lower()
            if self.negator_regex[language].fullmatch(low):
                got = NEG
            else:
                got = token_keys(token, language if language in LANGS else "other")
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            cache[token] = got
        return got

    def normalise(self, text: str, language: str) -> list[str]:
        """Lemma keys of one clause (negators as ``neg``, compounds followed by parts)."""
        key = self.key_of
        out: list[str] = []
        for t in TOKEN.findall(text):
            k = key(t, language)
            if " " in k:
                out.extend(k.split(" "))
            else:
                out.append(k)
        return out

    def match(self, clauses: list[list[str]], language: str) -> dict[str, list[int]]:
        """Theme → indices of the (normalised) clauses that mention it."""
        langs = (language,) if language in LANGS else LANGS
        found: dict[str, set[int]] = {}
        for lang in langs:
            ps = self._sets[lang]
            for i, toks in enumerate(clauses):
                hits = {label for label, _, _ in ps.find(toks)}
                for label in hits:
                    if label[0] != "!" and "!" + label not in hits:
                        found.setdefault(label, set()).add(i)
        return {k: sorted(v) for k, v in found.items()}


def _alternation(words: list[str]) -> re.Pattern[str]:
    alts = [_word_regex(w) for w in words]
    return re.compile("(?:" + "|".join(alts or ["(?!)"]) + ")")


_default: CodeFrame | None = None


def builtin_codeframe() -> CodeFrame:
    """The built-in code frame (compiled once per process)."""
    global _default
    if _default is None:
        _default = CodeFrame.builtin()
    return _default


def check_theme_keys(frame: CodeFrame) -> list[str]:
    """Canonical theme keys missing from ``frame`` (empty for the built-in frame)."""
    have = set(frame.keys)
    return [k for k in THEME_KEYS if k not in have]
