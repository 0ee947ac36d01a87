"""Quarantine reasons in the workspace language, translated at the edges.

The ``quarantine`` table keeps each reason in English — one stable, searchable wording for
scripts (``where reason like '%not a date%'``). The CLI, the API and reports show it in the
workspace language: :func:`translate` rewrites every English template of
``cxo.ingest.validate``, ``cxo.ingest.load`` and ``cxo.ingest.readers`` into German. Values
quoted from the file are kept verbatim; a reason this catalogue does not know stays English.
"""

from __future__ import annotations

import re

# (English pattern, German replacement); the value group is the quoted, shortened cell text
_V = r"(?P<v>'.*?')"
_F = r"(?P<f>[\w.]+)"
_DE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"{_F}: required value is empty"), r"\g<f>: Pflichtwert ist leer"),
    (re.compile(rf"{_F}: {_V} is not a whole number"), r"\g<f>: \g<v> ist keine ganze Zahl"),
    (re.compile(rf"{_F}: {_V} is not a number"), r"\g<f>: \g<v> ist keine Zahl"),
    (
        re.compile(
            rf"{_F}: {_V} is not a date \(expected dd\.mm\.yyyy, dd\.mm\.yy or yyyy-mm-dd\)"
        ),
        r"\g<f>: \g<v> ist kein Datum (erwartet TT.MM.JJJJ, TT.MM.JJ oder JJJJ-MM-TT)",
    ),
    (
        re.compile(
            rf"{_F}: {_V} is not a date/time \(expected dd\.mm\.yyyy \[hh:mm\[:ss\]\] "
            r"or yyyy-mm-dd\[Thh:mm:ss\]\)"
        ),
        r"\g<f>: \g<v> ist kein Zeitpunkt (erwartet TT.MM.JJJJ [hh:mm[:ss]] "
        r"oder JJJJ-MM-TT[Thh:mm:ss])",
    ),
    (
        re.compile(rf"{_F}: {_V} is not a yes/no value \((?P<w>[^)]*)\)"),
        r"\g<f>: \g<v> ist kein Ja/Nein-Wert (\g<w>)",
    ),
    (
        re.compile(rf"{_F}: {_V} is outside the years (?P<a>\d+)–(?P<b>\d+)"),
        r"\g<f>: \g<v> liegt außerhalb der Jahre \g<a>–\g<b>",
    ),
    (
        re.compile(rf"{_F}: {_V} is out of range (?P<a>[-\d.]+)–(?P<b>[-\d.]+)"),
        r"\g<f>: \g<v> liegt außerhalb des Bereichs \g<a>–\g<b>",
    ),
    (
        re.compile(rf"{_F}: {_V} is out of minimum (?P<a>[-\d.]+)"),
        r"\g<f>: \g<v> liegt unter dem Minimum \g<a>",
    ),
    (
        re.compile(rf"{_F}: {_V} is out of maximum (?P<a>[-\d.]+)"),
        r"\g<f>: \g<v> liegt über dem Maximum \g<a>",
    ),
    (
        re.compile(rf"{_F}: {_V} is not one of (?P<w>[\w, \-]+)"),
        r"\g<f>: \g<v> ist keiner der Werte \g<w>",
    ),
    (
        re.compile(
            rf"{_F}: unknown (?P<k>\w+) {_V} \(not in the charter; add it or an alias under "
            r"aliases\.(?P<k2>\w+)\)"
        ),
        r"\g<f>: unbekannter Schlüssel (\g<k>) \g<v> (nicht in der Charta; ergänzen oder "
        r"Alias unter aliases.\g<k2> anlegen)",
    ),
    (
        re.compile(rf"{_F}: {_V} not found in table (?P<t>\w+)"),
        r"\g<f>: \g<v> fehlt in Tabelle \g<t>",
    ),
    (
        re.compile(r"duplicate key (?P<v>.+?) \(first seen on line (?P<n>[\d?]+)\)"),
        r"doppelter Schlüssel \g<v> (zuerst in Zeile \g<n>)",
    ),
    (
        re.compile(r"row has (?P<n>\d+) fields, the header has (?P<m>\d+)"),
        r"Zeile hat \g<n> Felder, die Kopfzeile \g<m>",
    ),
    (re.compile(r"unreadable CSV row: "), "unlesbare CSV-Zeile: "),
    (re.compile(r"invalid JSON: "), "ungültiges JSON: "),
    (
        re.compile(r"expected a JSON object, got (?P<t>\w+)"),
        r"JSON-Objekt erwartet, erhalten: \g<t>",
    ),
    (
        re.compile(r"bytes not valid in encoding (?P<e>[\w-]+)"),
        r"Bytes, die in der Kodierung \g<e> ungültig sind",
    ),
    (
        re.compile(rf"{_F}: bytes that are not valid (?P<e>[\w-]+) \(shown as (?P<m>.+?)NN\)"),
        r"\g<f>: Bytes, die kein gültiges \g<e> sind (dargestellt als \g<m>NN)",
    ),
]


def translate(reason: str | None, language: str) -> str | None:
    """``reason`` (English, as stored) in ``language`` (``de`` or ``en``)."""
    if reason is None or language != "de":
        return reason
    out = reason
    for pattern, replacement in _DE:
        out = pattern.sub(replacement, out)
    return out


__all__ = ["translate"]
