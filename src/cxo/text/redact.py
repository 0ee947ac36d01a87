"""PII redaction for German and English comments.

Replaces e-mail addresses, phone numbers (German and international), IBANs, payment-card
numbers (Luhn-checked), customer/contract numbers (configurable patterns) and personal
names after salutations or in signature lines by placeholders such as ``[EMAIL]``.
The raw text is never needed downstream: everything cxo stores for display is redacted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Default customer/contract number patterns (a charter or the workspace settings may add more).
DEFAULT_ID_PATTERNS: tuple[str, ...] = (r"C\d{7}", r"K\d{5,}")

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"\bhttps?://\S+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}[\s./-]?(?:\(0\)[\s./-]?)?\(?\d{1,5}\)?(?:[\s./-]?\d{2,}){1,5}"  # intl
    r"|\(?0\d{2,5}\)?(?:[\s./-]?\d{2,}){1,4}"  # German national: 030 1234567, (089) 12 34 56
    r")(?!\w)"
)
_ID_LABEL = re.compile(
    r"(?i)\b(?:kunden-?(?:nummer|nr\.?)|kd\.?-?nr\.?|vertrags-?(?:nummer|nr\.?)|"
    r"auftrags-?(?:nummer|nr\.?)|bestell-?(?:nummer|nr\.?)|rechnungs-?(?:nummer|nr\.?)|"
    r"customer\s+(?:no\.?|number|id|#)|contract\s+(?:no\.?|number|id|#)|account\s+(?:no\.?|number)|"
    r"order\s+(?:no\.?|number|#))"
    r"[\s:#.]*(?=[A-Z0-9-]*\d)([A-Z0-9][A-Z0-9-]{3,})"
)
_SALUTATION = (
    r"(?:Herrn?|Frau|Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Miss|Dear|Hallo|Hello|Hi|Hey|Liebe[rs]?|"
    r"Sehr\s+geehrte[rs]?|Guten\s+Tag|Moin|Servus)"
)
_TITLE = r"(?:(?:Dr|Prof|Dipl\.-Ing)\.?\s+)*"
_NAME_WORD = r"(?:[A-ZÄÖÜ][a-zäöüßéèáàç]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàç]+)?)"
_PARTICLE = r"(?:\s+(?:von|van|de|zu|der|den)\b)?"
# Capitalised words that follow a salutation but are not names.
_NOT_NAMES = _words(
    """
    Team Kundenservice Service Support Damen Herren Sir Madam Zusammen Alle All Everyone
    There Ihr Sie Du Leute Hotline Kunde Kundin Customer Frau Herr Herrn Mr Mrs Ms Dr
    Prof Kolleginnen Kollegen Liebe Lieber Sehr Geehrte Geehrter Und And Ich Wir Bitte
    Danke Thanks Guten Tag Morgen Abend
    """
)
_SAL_NAME = re.compile(
    rf"\b({_SALUTATION}(?:\s+(?:Herrn?|Frau|Mr\.?|Mrs\.?|Ms\.?))?\s+{_TITLE})"
    rf"((?:(?:von|van|de|zu)\s+)?{_NAME_WORD}{_PARTICLE}(?:\s+{_NAME_WORD}){{0,2}})"
)
_CLOSING = re.compile(
    r"(?im)(?:^|(?<=[.!?]\s))(?P<close>\s*(?:mit\s+freundlichen\s+grü(?:ß|ss)en|freundliche\s+grü(?:ß|ss)e|"
    r"viele\s+grü(?:ß|ss)e|beste\s+grü(?:ß|ss)e|liebe\s+grü(?:ß|ss)e|herzliche\s+grü(?:ß|ss)e|"
    r"grü(?:ß|ss)e|gruß|mfg|lg|vg|best\s+regards|kind\s+regards|warm\s+regards|regards|"
    r"best\s+wishes|best|cheers|sincerely|yours\s+sincerely|yours\s+truly|thanks|thank\s+you|"
    r"danke)\b[ \t]*[,!.]?)(?P<rest>[^\n]*)(?P<next>(?:\n[ \t]*[^\n]*){0,2})"
)
_SIG_NAME = re.compile(
    rf"^\s*(?:[-–—]\s*)?{_TITLE}{_NAME_WORD}{_PARTICLE}(?:\s+{_NAME_WORD}){{0,2}}\s*$"
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _iban_ok(raw: str) -> bool:
    s = raw.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in moved))
    except ValueError:
        return False
    return number % 97 == 1


class Redactor:
    """A compiled set of redaction rules; reuse one instance for many texts."""

    def __init__(self, id_patterns: Iterable[str] | None = None) -> None:
        patterns = list(DEFAULT_ID_PATTERNS if id_patterns is None else id_patterns)
        self._ids = (
            re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b")
            if patterns
            else None
        )

    def __call__(self, text: str) -> str:
        """``text`` with PII replaced by placeholders."""
        return self.redact(text)

    def redact(self, text: str) -> str:
        """``text`` with PII replaced by placeholders."""
        if not text:
            return text
        has_digit = any(c.isdigit() for c in text)
        if "@" in text:
            text = _EMAIL.sub("[EMAIL]", text)
        if has_digit:
            text = _IBAN.sub(lambda m: "[IBAN]" if _iban_ok(m.group()) else m.group(), text)
            text = _CARD.sub(self._card, text)
            text = _ID_LABEL.sub(lambda m: m.group()[: m.start(1) - m.start()] + "[ID]", text)
            if self._ids is not None:
                text = self._ids.sub("[ID]", text)
            text = _PHONE.sub(self._phone, text)
        text = _SAL_NAME.sub(self._name, text)
        text = _CLOSING.sub(self._signature, text)
        return text

    def redact_many(self, texts: Sequence[str]) -> list[str]:
        """Redact each text."""
        return [self.redact(t) for t in texts]

    @staticmethod
    def _card(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group())
        return "[CARD]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else m.group()

    @staticmethod
    def _phone(m: re.Match[str]) -> str:
        raw = m.group()
        digits = sum(c.isdigit() for c in raw)
        if digits < 7 or digits > 16:
            return raw
        # dates (01.02.2024) and amounts are not phone numbers
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}", raw.strip()):
            return raw
        return "[PHONE]"

    @staticmethod
    def _name(m: re.Match[str]) -> str:
        words = m.group(2).split()
        if words[0] in _NOT_NAMES:
            return m.group()
        return m.group(1) + "[NAME]"

    @staticmethod
    def _signature(m: re.Match[str]) -> str:
        close, rest, nxt = m.group("close"), m.group("rest"), m.group("next")
        inline_ok = not re.match(r"(?i)\s*(?:thank|danke|best\s*[,!.]?\s*$)", close)
        if inline_ok and rest.strip() and _SIG_NAME.match(rest.lstrip(" ,")):
            return close + " [NAME]" + nxt
        if not rest.strip() and nxt:
            lines = nxt.split("\n")
            # lines[0] is '' (text before the first newline)
            for i in range(1, len(lines)):
                if lines[i].strip():
                    if _SIG_NAME.match(lines[i]):
                        lines[i] = "[NAME]"
                    break
            return close + rest + "\n".join(lines)
        return m.group()


_default: Redactor | None = None


def redact(text: str, id_patterns: Iterable[str] | None = None) -> str:
    """Redact one text with the default rules (plus ``id_patterns`` if given)."""
    global _default
    if id_patterns is not None:
        return Redactor(id_patterns).redact(text)
    if _default is None:
        _default = Redactor()
    return _default.redact(text)
