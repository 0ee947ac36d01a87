from __future__ import annotations

import pytest

import cxo.text as text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # e-mail
        ("Schreiben Sie an max.mustermann@web.de bitte.", "Schreiben Sie an [EMAIL] bitte."),
        ("Contact me at john.smith+cx@example.co.uk today", "Contact me at [EMAIL] today"),
        # phone, German and international
        ("Rufen Sie mich unter 030 12345678 an.", "Rufen Sie mich unter [PHONE] an."),
        ("Mobil: 0171/1234567", "Mobil: [PHONE]"),
        ("Tel. +49 (0) 89 123456 oder 0049 30 1234567", "Tel. [PHONE] oder [PHONE]"),
        ("Call me on +1 (212) 555-0199 please", "Call me on [PHONE] please"),
        ("UK number +44 20 7946 0958", "UK number [PHONE]"),
        # IBAN (valid checksums)
        ("Meine IBAN: DE89 3704 0044 0532 0130 00", "Meine IBAN: [IBAN]"),
        ("My IBAN is GB82WEST12345698765432.", "My IBAN is [IBAN]."),
        # cards (Luhn)
        ("Karte 4111 1111 1111 1111 belastet", "Karte [CARD] belastet"),
        ("card 5500-0000-0000-0004 was charged", "card [CARD] was charged"),
        # customer / contract numbers
        ("Kundennummer: 98765432 bitte prüfen", "Kundennummer: [ID] bitte prüfen"),
        ("Meine Nummer ist C1234567.", "Meine Nummer ist [ID]."),
        ("Vertragsnr. K445566 wurde gekündigt", "Vertragsnr. [ID] wurde gekündigt"),
        (
            "my customer number 55512345 and contract no. AB-12345",
            "my customer number [ID] and contract no. [ID]",
        ),
        # names after salutations
        ("Hallo Frau Müller, danke!", "Hallo Frau [NAME], danke!"),
        ("Herr Dr. Schmidt hat nicht geholfen.", "Herr Dr. [NAME] hat nicht geholfen."),
        ("Sehr geehrte Frau von Bülow,", "Sehr geehrte Frau [NAME],"),
        ("Dear Mr. Smith, thanks.", "Dear Mr. [NAME], thanks."),
        ("Ms Johnson was great", "Ms [NAME] was great"),
        # signatures
        (
            "Gerne wieder.\nMit freundlichen Grüßen\nMax Mustermann",
            "Gerne wieder.\nMit freundlichen Grüßen\n[NAME]",
        ),
        ("Great service. Best regards, John Smith", "Great service. Best regards, [NAME]"),
        ("Viele Grüße, Anna", "Viele Grüße, [NAME]"),
        ("Cheers\nTom", "Cheers\n[NAME]"),
    ],
)
def test_redaction_of_each_pii_type(raw: str, expected: str) -> None:
    assert text.redact(raw) == expected


@pytest.mark.parametrize(
    "clean",
    [
        "Die Lieferung kam am 01.02.2024 an, Preis 49,99 EUR.",
        "Hallo zusammen, alles gut.",
        "Dear Sir or Madam, the train was late.",
        "Order of 3 items for 120 euros",
        "Danke Deutsche Bahn",
        "Karte 4111 1111 1111 1112 (keine gültige Prüfziffer)",
    ],
)
def test_no_false_redaction(clean: str) -> None:
    assert text.redact(clean) == clean


def test_custom_id_patterns() -> None:
    r = text.Redactor(id_patterns=[r"KD-\d{6}"])
    assert r.redact("Mein Konto KD-123456 ist gesperrt") == "Mein Konto [ID] ist gesperrt"
    # the defaults are replaced when patterns are given explicitly
    assert r.redact("C1234567") == "C1234567"


def test_analyze_returns_redacted_text() -> None:
    rows = text.analyze(["Hallo Frau Meier, meine Mail ist a.b@c.de und Tel 030 1234567."])
    assert rows[0].redacted_text == "Hallo Frau [NAME], meine Mail ist [EMAIL] und Tel [PHONE]."
