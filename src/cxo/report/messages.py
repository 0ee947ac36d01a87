"""The one message catalogue of cxo, German and English, as gettext ``.po`` files.

Every sentence, label and heading that cxo shows a person has a key (``msgid``) here; its
text (``msgstr``) is a Python format string whose placeholders name the parameters of the
:class:`~cxo.core.messages.Message` and how to format them for the reader's locale:

==========  ===========================================================  ====================
spec        meaning                                                      example (de)
==========  ===========================================================  ====================
(none)      strings as they are; numbers as ``sig``                      ``Service``
``sig``     three significant digits (``sig2``: two)                     ``0,0123``
``num1``    fixed decimals with separators (``num0`` … ``num4``)          ``1.234,5``
``signed1`` fixed decimals with a ``+`` sign (``signed0`` … ``signed4``)  ``+3,2``
``int``     a count                                                      ``12.345``
``pct1``    a share as percent (``pct0`` … ``pct2``)                      ``81,2 %``
``pp1``     a difference of shares in percentage points                  ``+2,5 Pp.``
``money``   an amount in the workspace currency                          ``12.345 EUR``
``date``    a calendar date                                              ``31.12.2026``
``abs…``    any numeric spec on the absolute value (``absmoney``)        ``12.345 EUR``
==========  ===========================================================  ====================

The files live in ``cxo/report/locale/<lang>/LC_MESSAGES/<area>.po``, one per area (common,
scorecard, assess, diagnostics, initiatives, followups, ingest, cli); Babel reads them and
they merge into one catalogue per language. A key must exist in both languages with the same
placeholders (``tests/report/test_messages.py``).
"""

from __future__ import annotations

import functools
import math
import re
import string
from collections.abc import Mapping
from importlib import resources
from typing import Any

from babel.messages.pofile import read_po

from cxo.core.messages import Message
from cxo.errors import UsageError
from cxo.report import format as fmt

LANGUAGES = ("en", "de")
_SPEC = re.compile(r"^(abs)?(sig|num|signed|pct|pp)(\d)?$|^(abs)?(int|money|date)$")


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """Every key and its text in ``language`` (``en`` or ``de``)."""
    if language not in LANGUAGES:
        raise UsageError(f"no messages in language {language!r}; choose one of de, en")
    folder = resources.files("cxo.report").joinpath("locale", language, "LC_MESSAGES")
    out: dict[str, str] = {}
    origin: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as fh:
            po = read_po(fh, locale=language)
        for m in po:
            if not m.id:
                continue
            key = str(m.id)
            if key in out:
                raise RuntimeError(f"message {key!r} is defined in {origin[key]} and {entry.name}")
            out[key] = str(m.string)
            origin[key] = entry.name
    return out


class _Formatter(string.Formatter):
    def __init__(self, language: str, currency: str) -> None:
        super().__init__()
        self.language = language
        self.currency = currency

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Message):
            return text(value, self.language, currency=self.currency)
        if not format_spec:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return fmt.MISSING if value is None else str(value)
            format_spec = "int" if isinstance(value, int) else "sig"
        return format_value(value, format_spec, self.language, self.currency)


def format_value(value: Any, spec: str, language: str, currency: str = "EUR") -> str:
    """``value`` formatted by a catalogue ``spec`` (see the table in the module docstring)."""
    m = _SPEC.match(spec)
    if not m:
        raise UsageError(f"unknown format spec {spec!r} in a message")
    absolute = bool(m.group(1) or m.group(4))
    kind = m.group(2) or m.group(5)
    digits = int(m.group(3)) if m.group(3) else None
    if kind == "date":
        return fmt.date(value, language)
    if value is not None and absolute:
        value = abs(float(value))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return fmt.MISSING
    match kind:
        case "sig":
            return fmt.significant(value, digits or 3, language)
        case "num":
            return fmt.number(value, 1 if digits is None else digits, language)
        case "signed":
            return fmt.signed(value, 1 if digits is None else digits, language)
        case "pct":
            return fmt.percent(value, 1 if digits is None else digits, language)
        case "pp":
            return fmt.points(value, 1 if digits is None else digits, language)
        case "int":
            return fmt.integer(value, language)
        case _:  # money
            return fmt.money(value, currency, language)


def message(key: str, language: str = "en", /, *, currency: str = "EUR", **params: Any) -> str:
    """The text of ``key`` in ``language`` with ``params`` formatted for that locale.

    >>> message("common.owner", "de")
    'Verantwortlich'
    """
    try:
        template = catalogue(language)[key]
    except KeyError:
        raise KeyError(f"message {key!r} is missing in the {language} catalogue") from None
    return _Formatter(language, currency).vformat(template, (), params)


def text(m: Message, language: str = "en", *, currency: str = "EUR") -> str:
    """The text of a :class:`Message`."""
    return message(m.key, language, currency=currency, **m.params)


def column_label(name: str, language: str = "en") -> str:
    """The heading of a result table's column ``name`` (``column.<name>`` in the catalogue);
    a column without one reads as its name with spaces (tests/report/test_column_labels.py
    keeps every column the analyses produce labelled)."""
    return catalogue(language).get(f"column.{name}") or name.replace("_", " ")


def placeholders(template: str) -> dict[str, str]:
    """The ``{name:spec}`` placeholders of a catalogue text (name → spec)."""
    return {
        name: spec or ""
        for _, name, spec, _ in string.Formatter().parse(template)
        if name is not None
    }


def with_texts(obj: Any, *, currency: str = "EUR") -> Any:
    """A ``to_dict()`` tree with the words added for readers of its JSON.

    A dict with ``message`` and ``params`` gains ``text`` (English) and ``text_de`` (German);
    a key ``<name>_message`` (a bare key) gains ``<name>`` and ``<name>_de``.
    """
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out[k] = with_texts(v, currency=currency)
        if isinstance(obj.get("message"), str) and isinstance(obj.get("params"), Mapping):
            m = Message(obj["message"], dict(obj["params"]))
            out["text"] = text(m, "en", currency=currency)
            out["text_de"] = text(m, "de", currency=currency)
        for k, v in obj.items():
            if k.endswith("_message") and isinstance(v, str):
                name = k.removesuffix("_message")
                out[name] = message(v, "en", currency=currency)
                out[f"{name}_de"] = message(v, "de", currency=currency)
        return out
    if isinstance(obj, list | tuple):
        return [with_texts(v, currency=currency) for v in obj]
    return obj


def notes_as_texts(tree: dict[str, Any]) -> dict[str, Any]:
    """A :func:`with_texts` tree whose ``notes`` hold message dicts, with ``notes`` as the
    English texts (as the JSON always had them), ``notes_de`` in German and the message dicts
    kept as ``note_messages``."""
    said = tree["notes"]
    tree["notes"] = [m["text"] for m in said]
    tree["notes_de"] = [m["text_de"] for m in said]
    tree["note_messages"] = said
    return tree
