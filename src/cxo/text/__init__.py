"""Voice of the customer in German and English, offline.

Stable API (tested from outside the package):

- :func:`analyze` — language, sentiment, themes and redacted text, one row per text
  (a :class:`TextAnalysis`: ``len()``, iteration over :class:`TextRow`, ``result["column"]``,
  ``.to_arrow()``, ``.to_pandas()``).
- :func:`train_sentiment` → model with ``.predict(texts)`` and ``.save(path)``;
  :func:`load_model`; :func:`train_themes` → multi-label model whose ``.predict(texts)``
  returns one set of labels per text.

Also: :func:`redact`, :func:`detect_language`, :class:`CodeFrame` / :func:`load_codeframe`,
:func:`tag_workspace`, :func:`theme_impact`, :func:`emerging_themes`, :func:`verbatims`,
:func:`discover_themes`, :func:`benjamini_hochberg`.
"""

from __future__ import annotations

from cxo.text.analyze import Analyzer, TextAnalysis, TextRow, analyze
from cxo.text.codeframe import CodeFrame, builtin_codeframe
from cxo.text.discovery import ThemeProposal, discover_themes
from cxo.text.impact import (
    EmergingTheme,
    ThemeImpact,
    benjamini_hochberg,
    emerging_themes,
    theme_impact,
    verbatims,
)
from cxo.text.language import detect_language
from cxo.text.lemmas import split_compound
from cxo.text.models import (
    SentimentModel,
    ThemeModel,
    embeddings_available,
    load_model,
    train_sentiment,
    train_themes,
)
from cxo.text.redact import Redactor, redact
from cxo.text.workspace import load_codeframe, tag_workspace

__all__ = [
    "Analyzer",
    "CodeFrame",
    "EmergingTheme",
    "Redactor",
    "SentimentModel",
    "TextAnalysis",
    "TextRow",
    "ThemeImpact",
    "ThemeModel",
    "ThemeProposal",
    "analyze",
    "benjamini_hochberg",
    "builtin_codeframe",
    "detect_language",
    "discover_themes",
    "embeddings_available",
    "emerging_themes",
    "load_codeframe",
    "load_model",
    "redact",
    "split_compound",
    "tag_workspace",
    "theme_impact",
    "train_sentiment",
    "train_themes",
    "verbatims",
]
