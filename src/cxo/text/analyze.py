"""``cxo.text.analyze``: language, redaction, themes and sentiment for many comments.

The result is a :class:`TextAnalysis`, a sequence with one :class:`TextRow` per input text
(in input order). ``len(result)``, ``result[i]`` and ``for row in result`` work on rows;
``result["sentiment"]`` gives a column as a list; ``result.to_arrow()`` /
``result.to_pandas()`` convert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from cxo.errors import UsageError
from cxo.text.codeframe import CodeFrame, builtin_codeframe
from cxo.text.language import detect
from cxo.text.lexicon import Lexicon, builtin_lexicon, clause_weights, label_of
from cxo.text.redact import Redactor
from cxo.text.review_model import builtin_review_model, combine, word_counts

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from cxo.text.models import SentimentModel

#: Texts longer than this are analysed on their first ``MAX_ANALYSED_CHARS`` characters.
MAX_ANALYSED_CHARS = 20_000

_CLAUSE = re.compile(
    r"(?:[.!?;:\n]+\s*|\s+[-–—]\s+|,\s*(?=(?:aber|jedoch|sondern|doch|allerdings|obwohl|"
    r"but|however|although|though|yet|whereas)\b)|\s+(?=(?:aber|jedoch|sondern|but|however|"
    r"although)\b))",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class TextRow:
    """The analysis of one comment."""

    language: str
    sentiment: str
    sentiment_score: float
    themes: tuple[str, ...]
    redacted_text: str
    theme_sentiments: dict[str, str] = field(default_factory=dict)
    """Sentiment of each theme mention (clause level)."""
    skip_reason: str | None = None
    """Why a text was not analysed (``empty``, ``binary``, ``no_letters``, …), else ``None``."""


COLUMNS = tuple(f.name for f in fields(TextRow))


class TextAnalysis(Sequence[TextRow]):
    """One :class:`TextRow` per input text, with column access and conversions."""

    def __init__(self, rows: list[TextRow]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[TextRow]:
        return iter(self.rows)

    @overload
    def __getitem__(self, key: int) -> TextRow: ...
    @overload
    def __getitem__(self, key: slice) -> TextAnalysis: ...
    @overload
    def __getitem__(self, key: str) -> list[Any]: ...
    def __getitem__(self, key: int | slice | str) -> TextRow | TextAnalysis | list[Any]:
        if isinstance(key, str):
            if key not in COLUMNS:
                raise KeyError(key)
            return [getattr(r, key) for r in self.rows]
        if isinstance(key, slice):
            return TextAnalysis(self.rows[key])
        return self.rows[key]

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names."""
        return COLUMNS

    def to_dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts (themes as lists)."""
        out = []
        for r in self.rows:
            d = asdict(r)
            d["themes"] = list(r.themes)
            out.append(d)
        return out

    def to_arrow(self) -> pa.Table:
        """A pyarrow Table (``themes`` as list<string>, ``theme_sentiments`` as JSON)."""
        import json

        import pyarrow as pa

        return pa.table(
            {
                "language": pa.array(self["language"], pa.string()),
                "sentiment": pa.array(self["sentiment"], pa.string()),
                "sentiment_score": pa.array(self["sentiment_score"], pa.float64()),
                "themes": pa.array([list(t) for t in self["themes"]], pa.list_(pa.string())),
                "redacted_text": pa.array(self["redacted_text"], pa.string()),
                "theme_sentiments": pa.array(
                    [json.dumps(d, ensure_ascii=False) for d in self["theme_sentiments"]],
                    pa.string(),
                ),
                "skip_reason": pa.array(self["skip_reason"], pa.string()),
            }
        )

    def to_pandas(self) -> pd.DataFrame:
        """A pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.to_dicts(), columns=list(COLUMNS))

    def __repr__(self) -> str:
        return f"TextAnalysis({len(self.rows)} rows)"


def _clean(text: object) -> tuple[str, str | None]:
    """Text as str and a skip reason for unusable input."""
    if text is None:
        return "", "empty"
    if isinstance(text, float) and text != text:  # NaN from pandas
        return "", "empty"
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = str(text)
    return text, None


class Analyzer:
    """Reusable analysis pipeline (compiled code frame, lexicon, redactor, caches)."""

    def __init__(
        self,
        codeframe: CodeFrame | None = None,
        *,
        lexicon: Lexicon | None = None,
        redactor: Redactor | None = None,
        model: SentimentModel | None = None,
        review_models: bool = True,
    ) -> None:
        self.codeframe = codeframe or builtin_codeframe()
        self.lexicon = lexicon or builtin_lexicon()
        self.redactor = redactor or Redactor()
        self.model = model
        self.review_models = review_models
        """Use the shipped review models (English) where no ``model`` is given."""

    def analyze(
        self, texts: Iterable[object], language: str | Sequence[str | None] | None = None
    ) -> TextAnalysis:
        """Analyse ``texts``.

        ``language`` forces de/en for all texts, or gives one language (or ``None``) per text;
        ``None`` detects per text.
        """
        items = list(texts)
        if language is None or isinstance(language, str):
            langs: list[str | None] = [language] * len(items)
        else:
            langs = list(language)
            if len(langs) != len(items):
                raise UsageError(f"{len(items)} texts but {len(langs)} languages")
        for lang in set(langs):
            if lang is not None and lang not in ("de", "en", "other"):
                raise UsageError(f"language must be de, en or other, not {lang!r}")
        parts = [self._one(t, lang) for t, lang in zip(items, langs, strict=True)]
        rows = [row for row, _ in parts]
        if self.model is None and self.review_models and rows:
            self._apply_review_models(rows, [fallback for _, fallback in parts])
        if self.model is not None and rows:
            ok = [i for i, r in enumerate(rows) if r.skip_reason is None]
            if ok:
                labels, scores = self.model.predict_with_score(
                    [_clean(items[i])[0][:MAX_ANALYSED_CHARS] for i in ok]
                )
                for i, lab, sc in zip(ok, labels, scores, strict=True):
                    r = rows[i]
                    rows[i] = TextRow(
                        r.language,
                        str(lab),
                        float(sc),
                        r.themes,
                        r.redacted_text,
                        r.theme_sentiments,
                        r.skip_reason,
                    )
        return TextAnalysis(rows)

    def _apply_review_models(self, rows: list[TextRow], fallback: list[tuple[str, ...]]) -> None:
        """Let the shipped model of each language revise the document sentiment (in place).

        Themes whose sentiment fell back to the document label follow the revised label.
        """
        for lang in ("de", "en"):
            model = builtin_review_model(lang)
            if model is None:
                continue
            idx = [i for i, r in enumerate(rows) if r.language == lang and r.redacted_text]
            if not idx:
                continue
            lex = np.array([rows[i].sentiment_score for i in idx], dtype=np.float64)
            bodies = [rows[i].redacted_text[:MAX_ANALYSED_CHARS] for i in idx]
            final = combine(lex, model.p_negative(bodies, lex), word_counts(bodies))
            for i, old, new in zip(idx, lex, final, strict=True):
                if new == old:
                    continue
                r = rows[i]
                label = label_of(float(new))
                themes = dict(r.theme_sentiments)
                for key in fallback[i]:
                    themes[key] = label
                rows[i] = TextRow(
                    r.language, label, float(new), r.themes, r.redacted_text, themes, r.skip_reason
                )

    def _one(self, raw: object, language: str | None) -> tuple[TextRow, tuple[str, ...]]:
        """The row and the themes whose sentiment is the document's (no opinion of their own)."""
        text, _reason = _clean(raw)
        guess = detect(text)
        if guess.reason in ("empty", "binary", "no_letters"):
            redacted = "" if guess.reason == "binary" else self.redactor.redact(text)
            return TextRow("other", "neutral", 0.0, (), redacted, {}, guess.reason), ()
        lang = language or guess.language
        text = _CONTROL.sub(" ", text)
        redacted = self.redactor.redact(text)
        body = redacted[:MAX_ANALYSED_CHARS]
        skip = "truncated" if len(redacted) > MAX_ANALYSED_CHARS else None
        if lang == "other" and skip is None:
            skip = guess.reason
        raw_clauses = [c for c in _CLAUSE.split(body) if c and c.strip()]
        cf = self.codeframe
        clauses = [cf.normalise(c, lang) for c in raw_clauses]
        lex = self.lexicon
        weights = clause_weights(raw_clauses)
        clause_scores = [
            w * lex.clause_score(n, r, lang)
            for n, r, w in zip(clauses, raw_clauses, weights, strict=True)
        ]
        total = sum(clause_scores)
        score = lex.squash(total)
        doc_label = label_of(score)
        found = cf.match(clauses, lang)
        theme_sent: dict[str, str] = {}
        fallback: list[str] = []
        for key, idx in found.items():
            s = sum(clause_scores[i] for i in idx)
            theme_sent[key] = label_of(lex.squash(s)) if s != 0 else doc_label
            if s == 0:
                fallback.append(key)
        themes = tuple(k for k in cf.keys if k in found)
        row = TextRow(lang, doc_label, round(score, 4), themes, redacted, theme_sent, skip)
        return row, tuple(fallback)


def analyze(
    texts: Iterable[object],
    language: str | None = None,
    *,
    codeframe: CodeFrame | None = None,
    model: SentimentModel | None = None,
    id_patterns: Iterable[str] | None = None,
) -> TextAnalysis:
    """Language, sentiment, themes and redacted text for each text (one row per text).

    ``language`` forces ``de`` or ``en`` for every text; by default it is detected per text.
    ``model`` (from :func:`cxo.text.train_sentiment` / :func:`cxo.text.load_model`) replaces
    the lexicon baseline for the document sentiment. ``codeframe`` replaces the built-in one.

    >>> rows = analyze(["Die Hotline war nicht erreichbar.", "Great service, thank you!"])
    >>> rows["language"], rows["sentiment"]
    (['de', 'en'], ['negative', 'positive'])
    >>> rows[0].themes
    ('reachability_waiting',)
    """
    redactor = Redactor(id_patterns) if id_patterns is not None else None
    return Analyzer(codeframe, redactor=redactor, model=model).analyze(texts, language)
