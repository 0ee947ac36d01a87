"""The canonical CX theme keys shared by the code frame, the simulator and the assessment.

The text code frame (``cxo.text``) defines how each theme is recognised; this module only
fixes the keys, their labels and the touchpoints a theme usually belongs to, so that themes
found in comments carry an owner through the charter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """A built-in CX theme."""

    key: str
    de: str
    en: str
    touchpoints: tuple[str, ...] = ()
    """Touchpoint keys (across all company templates) where this theme typically arises."""


THEMES: tuple[Theme, ...] = (
    Theme("price_billing", "Preis und Rechnung", "Price and billing", ("billing", "checkout")),
    Theme(
        "price_increase_loyalty",
        "Preiserhöhung / Treue bestraft",
        "Price increase / loyalty punished",
        ("billing", "renewal", "contract_change"),
    ),
    Theme("invoice_error", "Fehlerhafte Rechnung", "Invoice errors", ("billing",)),
    Theme(
        "contract_cancellation",
        "Vertrag und Kündigung",
        "Contract and cancellation",
        ("cancellation", "contract_change", "renewal"),
    ),
    Theme(
        "reachability_waiting",
        "Erreichbarkeit und Wartezeit",
        "Reachability and waiting time",
        ("hotline", "support", "chat", "service"),
    ),
    Theme(
        "staff_friendliness",
        "Freundlichkeit der Mitarbeiter",
        "Staff friendliness",
        ("hotline", "support", "store", "chat", "service"),
    ),
    Theme(
        "staff_competence",
        "Kompetenz der Mitarbeiter",
        "Staff competence",
        ("hotline", "support", "store", "chat", "service", "field_service"),
    ),
    Theme(
        "no_latitude",
        "Kein Handlungsspielraum / keine Lösung",
        "No latitude / no solution",
        ("hotline", "support", "chat", "service", "returns"),
    ),
    Theme(
        "repeat_contact",
        "Mehrfachkontakt",
        "Repeat contact",
        ("hotline", "support", "chat", "service"),
    ),
    Theme(
        "portal_usability",
        "Bedienbarkeit Portal/App",
        "Portal/app usability",
        ("portal", "product_use", "webshop"),
    ),
    Theme(
        "login_access", "Login und Zugang", "Login and access", ("portal", "product_use", "webshop")
    ),
    Theme("delivery", "Lieferung", "Delivery", ("delivery",)),
    Theme("defect", "Defekt", "Defect", ("product_use", "service", "returns", "field_service")),
    Theme(
        "repair_replacement",
        "Reparatur und Ersatz",
        "Repair and replacement",
        ("service", "field_service", "returns"),
    ),
    Theme("returns_refund", "Rücksendung und Erstattung", "Returns and refunds", ("returns",)),
    Theme(
        "marketing_emails",
        "Irrelevante / zu viele Werbe-E-Mails",
        "Irrelevant or too many marketing e-mails",
        ("discovery", "sales", "renewal"),
    ),
    Theme(
        "communication_clarity",
        "Verständlichkeit der Kommunikation",
        "Communication clarity",
        ("billing", "onboarding", "contract_change", "sales"),
    ),
    Theme("outage", "Störung / Ausfall", "Outage", ("product_use", "field_service", "hotline")),
    Theme(
        "onboarding_setup",
        "Einrichtung und Start",
        "Onboarding and setup",
        ("onboarding", "signup"),
    ),
    Theme(
        "performance_speed",
        "Geschwindigkeit / Performance",
        "Speed and performance",
        ("product_use", "portal", "webshop"),
    ),
    Theme("missing_feature", "Fehlende Funktion", "Missing feature", ("product_use",)),
    Theme(
        "product_quality",
        "Produktqualität",
        "Product quality",
        ("product_use", "store", "delivery"),
    ),
    Theme(
        "availability_stock",
        "Verfügbarkeit / Lagerbestand",
        "Availability and stock",
        ("webshop", "store", "discovery"),
    ),
    Theme("checkout_payment", "Bestellung und Bezahlung", "Checkout and payment", ("checkout",)),
    Theme(
        "appointment",
        "Termin und Pünktlichkeit",
        "Appointments and punctuality",
        ("field_service", "delivery"),
    ),
    Theme("chatbot", "Chatbot", "Chatbot", ("chat",)),
    Theme("data_privacy", "Datenschutz", "Data privacy", ("signup", "portal", "sales")),
    Theme(
        "sales_pressure",
        "Verkaufsdruck / Beratung",
        "Sales pressure and advice",
        ("sales", "store"),
    ),
)

THEME_KEYS: tuple[str, ...] = tuple(t.key for t in THEMES)


def theme(key: str) -> Theme:
    """The built-in theme ``key``."""
    for t in THEMES:
        if t.key == key:
            return t
    raise KeyError(key)
