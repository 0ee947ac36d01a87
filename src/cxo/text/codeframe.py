"""Code frames: built-in themes in German and English, editable as YAML.

A code frame maps theme keys to lemma patterns per language (see the header of
``codeframe.yaml`` for the syntax). Patterns are compiled once into a :class:`PatternSet`
that runs over the lemma strings produced by :mod:`cxo.text.lemmas`.

cxo ships several frames (:data:`FRAMES`): ``cx``, the CX frame whose keys are
:data:`cxo.core.themes.THEME_KEYS` (``codeframe.yaml``), and ``product_review``, product
aspects of reviews (``codeframe_product_review.yaml``, keys namespaced ``review_*``). A
workspace picks one or combines several with ``[text] frames = ["cx", "product_review"]`` in
``cxo.toml`` (default ``["cx"]``); :meth:`CodeFrame.combined` joins them and refuses two
frames that define the same key. A workspace may also hold its own ``codeframe.yaml``: themes
listed there replace (or, with ``extend: true``, extend) the chosen frames' definitions; new
theme keys may be added too.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
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
_GROUP = re.compile(r"\{([a-z0-9_]+)\}")
_CACHE_LIMIT = 400_000

FRAMES: dict[str, str] = {"cx": "codeframe.yaml", "product_review": "codeframe_product_review.yaml"}
"""Built-in frames: key → YAML file in ``cxo.text``."""
DEFAULT_FRAMES: tuple[str, ...] = ("cx",)


@dataclass(frozen=True)
class FrameInfo:
    """What a built-in frame is (``cxo text frames`` lists them)."""

    key: str
    namespace: str
    label_de: str
    label_en: str
    description_de: str
    description_en: str
    themes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {**asdict(self), "themes": list(self.themes)}


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


def _builtin_text(frame: str = "cx") -> str:
    if frame not in FRAMES:
        raise InputError(
            f"unknown code frame {frame!r}", hint="built-in frames: " + ", ".join(FRAMES)
        )
    return resources.files("cxo.text").joinpath(FRAMES[frame]).read_text("utf-8")


def expand_groups(pattern: str, groups: dict[str, list[str]], where: str) -> list[str]:
    """``pattern`` with each ``{name}`` word replaced by every member of group ``name``."""
    out = [""]
    for word in str(pattern).split():
        m = _GROUP.fullmatch(word)
        if m is None:
            alts = [word]
        else:
            if m.group(1) not in groups:
                known = ", ".join(sorted(groups)) or "none"
                raise InputError(f"{where}: unknown group {word} (groups: {known})")
            alts = groups[m.group(1)]
        out = [f"{head} {alt}".strip() for head in out for alt in alts]
    return out


def _groups(value: Any, where: str) -> dict[str, dict[str, list[str]]]:
    """``groups: {lang: {name: [words]}}`` as lists of strings."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a mapping of language → group → words")
    return {str(lang): _as_lists(named, f"{where}.{lang}") for lang, named in value.items()}


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

    def __init__(
        self,
        themes: list[ThemeDef],
        negators: dict[str, list[str]],
        groups: dict[str, dict[str, list[str]]] | None = None,
        frames: tuple[str, ...] = (),
    ) -> None:
        self.themes = themes
        self.negator_words = negators
        self.groups = groups or {}
        self.frames = frames
        """Built-in frames this frame was made from (empty for a frame read from YAML)."""
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
            named = self.groups.get(lang, {})
            for t in themes:
                where = f"themes.{t.key}.{lang}"
                for label, pats in ((t.key, t.patterns), ("!" + t.key, t.exclude)):
                    for p in word_patterns(pats.get(lang, [])):
                        items += [(label, x) for x in expand_groups(p, named, where)]
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
    def builtin(cls, frame: str = "cx") -> CodeFrame:
        """The built-in code frame ``frame`` (see :data:`FRAMES`)."""
        got = cls.from_yaml_text(_builtin_text(frame), source=f"built-in {FRAMES.get(frame)}")
        got.frames = (frame,)
        return got

    @classmethod
    def combined(cls, frames: tuple[str, ...] | list[str] = DEFAULT_FRAMES) -> CodeFrame:
        """The built-in ``frames`` joined in order (their themes side by side).

        Negators and groups are merged per language; two frames defining the same theme key
        are refused (each frame's keys carry its namespace, so this only happens by mistake).
        """
        names = list(dict.fromkeys(str(f) for f in frames))
        if not names:
            raise InputError(
                "choose at least one code frame", hint="built-in: " + ", ".join(FRAMES)
            )
        parts = [cls.builtin(f) for f in names]
        if len(parts) == 1:
            return parts[0]
        themes: list[ThemeDef] = []
        owner: dict[str, str] = {}
        negators: dict[str, list[str]] = {}
        groups: dict[str, dict[str, list[str]]] = {}
        for name, part in zip(names, parts, strict=True):
            for t in part.themes:
                if t.key in owner:
                    raise InputError(
                        f"code frames {owner[t.key]!r} and {name!r} both define theme {t.key!r}"
                    )
                owner[t.key] = name
                themes.append(t)
            for lang, words in part.negator_words.items():
                have = negators.setdefault(lang, [])
                have += [w for w in words if w not in have]
            for lang, named in part.groups.items():
                for gname, members in named.items():
                    have = groups.setdefault(lang, {}).setdefault(gname, [])
                    have += [w for w in members if w not in have]
        return cls(themes, negators, groups, tuple(names))

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
        groups = {k: dict(v) for k, v in (base.groups if base else {}).items()}
        for lang, named in _groups(raw.get("groups"), f"{source}: groups").items():
            groups.setdefault(lang, {}).update(named)
        namespace = str((raw.get("frame") or {}).get("namespace") or "")
        raw_themes = raw.get("themes") or {}
        if not isinstance(raw_themes, dict):
            raise InputError(f"{source}: `themes` must map theme keys to definitions")
        for key, spec in raw_themes.items():
            key = str(key)
            if not re.fullmatch(r"[a-z0-9_]+", key):
                raise InputError(f"{source}: theme key {key!r} must be lowercase a-z, 0-9, _")
            if namespace and not key.startswith(namespace + "_"):
                raise InputError(f"{source}: theme key {key!r} must start with {namespace}_")
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
        frames = base.frames if base else ()
        got = cls(list(themes.values()), negators, groups)  # unknown groups raise here
        got.frames = frames
        return got

    @classmethod
    def load(
        cls, path: Path | None = None, frames: tuple[str, ...] | list[str] = DEFAULT_FRAMES
    ) -> CodeFrame:
        """The built-in ``frames`` combined, overridden by the YAML at ``path`` when it exists."""
        base = cls.combined(frames)
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
        data: dict[str, Any] = {"version": 1, "negators": self.negator_words}
        if self.groups:
            data["groups"] = self.groups
        data["themes"] = {}
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


def frame_info(frame: str) -> FrameInfo:
    """Key, namespace, labels, description and theme keys of the built-in ``frame``."""
    raw = yaml.safe_load(_builtin_text(frame)) or {}
    meta = raw.get("frame") or {}
    label = meta.get("label") or {}
    desc = meta.get("description") or {}
    return FrameInfo(
        key=frame,
        namespace=str(meta.get("namespace") or ""),
        label_de=str(label.get("de") or frame),
        label_en=str(label.get("en") or frame),
        description_de=str(desc.get("de") or ""),
        description_en=str(desc.get("en") or ""),
        themes=tuple(str(k) for k in (raw.get("themes") or {})),
    )


def untagged(theme_sets: Any, skip_reasons: Any = None) -> tuple[int, int]:
    """``(untagged, analysable)``: comments without any theme among those with text.

    ``skip_reasons`` (one per comment, as in :class:`~cxo.text.analyze.TextRow`) leaves out
    empty, binary and letter-free comments, which no code frame can tag.
    """
    sets = list(theme_sets)
    reasons = list(skip_reasons) if skip_reasons is not None else [None] * len(sets)
    unusable = ("empty", "binary", "no_letters")
    usable = [
        set(() if s is None else s) for s, r in zip(sets, reasons, strict=True) if r not in unusable
    ]
    return sum(1 for s in usable if not s), len(usable)


def check_theme_keys(frame: CodeFrame) -> list[str]:
    """Canonical theme keys missing from ``frame`` (empty for the built-in frame)."""
    have = set(frame.keys)
    return [k for k in THEME_KEYS if k not in have]


def workspace_frames(root: Path) -> tuple[str, ...]:
    """The built-in frames a workspace uses: ``[text] frames`` in ``<root>/cxo.toml``.

    Absent: ``("cx",)``. A string names one frame; a list combines several in order.
    """
    import tomllib

    path = Path(root) / "cxo.toml"
    if not path.is_file():
        return DEFAULT_FRAMES
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    value = raw.get("text", {}).get("frames")
    if value is None:
        return DEFAULT_FRAMES
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise InputError(
            f"{path}: [text] frames must be a frame name or a list of them",
            hint="built-in frames: " + ", ".join(FRAMES),
        )
    unknown = [n for n in names if n not in FRAMES]
    if unknown:
        raise InputError(
            f"{path}: [text] frames: unknown code frame {unknown[0]!r}",
            hint="built-in frames: " + ", ".join(FRAMES),
        )
    return tuple(names)
