"""The data contract: the eight analytical tables, declared once as data.

Importers, validation, the simulator, the engine and ``docs/data-contract.md`` all read
this declaration; nothing else defines a column. Aliases map German and English headers
(case-, space- and punctuation-insensitive, see :func:`normalise_header`) onto the
canonical names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "integer", "number", "date", "timestamp", "boolean"]
CharterKey = Literal["touchpoint", "segment", "product"]


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    type: ColumnType
    required: bool = False
    description: str = ""
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    aliases: tuple[str, ...] = ()
    references: str | None = None
    """Foreign key as ``"table.column"``; checked when the referenced table is loaded."""
    charter_key: CharterKey | None = None
    """Values must be keys the charter defines (or map through its alias table)."""


@dataclass(frozen=True)
class Table:
    """One contract table: its key and its columns."""

    name: str
    key: tuple[str, ...]
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Canonical column names in declaration order."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required columns."""
        return tuple(c.name for c in self.columns if c.required)


RESOLUTIONS = ("resolved", "refused", "goodwill", "replacement", "refund", "open")
LANGUAGES = ("de", "en", "other")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "customers",
            ("customer_id",),
            "One row per customer (account).",
            (
                Column(
                    "customer_id",
                    "string",
                    True,
                    "Customer number.",
                    aliases=(
                        "Kundennummer",
                        "Kunden-Nr",
                        "Kundennr",
                        "KdNr",
                        "Kunde",
                        "customer",
                        "customer number",
                        "client_id",
                        "account_id",
                    ),
                ),
                Column(
                    "segment",
                    "string",
                    description="Customer segment (charter key).",
                    aliases=("Segment", "Kundensegment", "Kundengruppe"),
                    charter_key="segment",
                ),
                Column(
                    "region",
                    "string",
                    description="Region or country.",
                    aliases=("Region", "Gebiet", "Bundesland", "Land", "country"),
                ),
                Column(
                    "language",
                    "string",
                    description="Preferred language.",
                    allowed=LANGUAGES,
                    aliases=("Sprache", "lang", "locale"),
                ),
                Column(
                    "signup_date",
                    "date",
                    True,
                    "Date the customer relationship began.",
                    aliases=(
                        "Anmeldedatum",
                        "Kunde seit",
                        "Kundenseit",
                        "Registrierung",
                        "Registrierungsdatum",
                        "signup",
                        "created_at",
                        "customer_since",
                    ),
                ),
                Column(
                    "churn_date",
                    "date",
                    description="Date the customer left; empty if active.",
                    aliases=(
                        "Kündigungsdatum",
                        "Abwanderungsdatum",
                        "Austrittsdatum",
                        "churned_at",
                        "cancellation_date",
                    ),
                ),
                Column(
                    "lifecycle_stage",
                    "string",
                    description="Lifecycle stage, e.g. onboarding.",
                    aliases=("Lebenszyklus", "Lebenszyklusphase", "Phase", "stage"),
                ),
            ),
        ),
        Table(
            "contracts",
            ("contract_id",),
            "One row per contract (subscription) a customer holds.",
            (
                Column(
                    "contract_id",
                    "string",
                    True,
                    "Contract number.",
                    aliases=(
                        "Vertragsnummer",
                        "Vertrags-Nr",
                        "Vertragsnr",
                        "Vertrag",
                        "contract",
                        "subscription_id",
                    ),
                ),
                Column(
                    "customer_id",
                    "string",
                    True,
                    "Customer holding the contract.",
                    aliases=("Kundennummer", "Kunden-Nr", "Kundennr", "KdNr", "Kunde", "customer"),
                    references="customers.customer_id",
                ),
                Column(
                    "product",
                    "string",
                    True,
                    "Product or tariff (charter key).",
                    aliases=("Produkt", "Tarif", "Artikel", "plan", "tariff"),
                    charter_key="product",
                ),
                Column(
                    "start_date",
                    "date",
                    True,
                    "Contract start.",
                    aliases=("Vertragsbeginn", "Beginn", "Startdatum", "start"),
                ),
                Column(
                    "end_date",
                    "date",
                    description="Contract end; empty if running.",
                    aliases=("Vertragsende", "Ende", "Enddatum", "end"),
                ),
                Column(
                    "monthly_price",
                    "number",
                    True,
                    "Price paid per month (currency).",
                    min=0,
                    aliases=(
                        "Monatspreis",
                        "Preis",
                        "Grundgebühr",
                        "Monatsbeitrag",
                        "price",
                        "mrr",
                    ),
                ),
                Column(
                    "channel",
                    "string",
                    description="Sales channel.",
                    aliases=("Kanal", "Vertriebskanal", "sales_channel"),
                ),
            ),
        ),
        Table(
            "price_list",
            ("product", "valid_from"),
            "Today's (and historic) new-customer price per product.",
            (
                Column(
                    "product",
                    "string",
                    True,
                    "Product or tariff (charter key).",
                    aliases=("Produkt", "Tarif", "Artikel", "plan", "tariff"),
                    charter_key="product",
                ),
                Column(
                    "valid_from",
                    "date",
                    True,
                    "First day the price applies.",
                    aliases=("gültig ab", "gueltig ab", "Gültig von", "from"),
                ),
                Column(
                    "valid_to",
                    "date",
                    description="Last day the price applies; empty if current.",
                    aliases=("gültig bis", "gueltig bis", "to"),
                ),
                Column(
                    "new_customer_price",
                    "number",
                    True,
                    "Monthly price for new customers.",
                    min=0,
                    aliases=("Neukundenpreis", "Listenpreis", "Preis", "list_price", "price"),
                ),
            ),
        ),
        Table(
            "responses",
            ("response_id",),
            "One row per survey response.",
            (
                Column(
                    "response_id",
                    "string",
                    True,
                    "Response identifier.",
                    aliases=(
                        "Antwort-ID",
                        "AntwortID",
                        "Antwortnummer",
                        "Antwort",
                        "id",
                        "response",
                    ),
                ),
                Column(
                    "customer_id",
                    "string",
                    description="Responding customer, if known.",
                    aliases=("Kundennummer", "Kunden-Nr", "Kundennr", "KdNr", "Kunde", "customer"),
                    references="customers.customer_id",
                ),
                Column(
                    "survey",
                    "string",
                    True,
                    "Survey name, e.g. relationship or transactional.",
                    aliases=("Umfrage", "Befragung", "Fragebogen", "questionnaire"),
                ),
                Column(
                    "touchpoint",
                    "string",
                    True,
                    "Touchpoint the response is about (charter key).",
                    aliases=("Kontaktpunkt", "Berührungspunkt", "Touchpunkt", "Kanalpunkt"),
                    charter_key="touchpoint",
                ),
                Column(
                    "channel",
                    "string",
                    description="Channel of the interaction.",
                    aliases=("Kanal", "Kontaktkanal"),
                ),
                Column(
                    "responded_at",
                    "timestamp",
                    True,
                    "When the response was given.",
                    aliases=(
                        "Datum",
                        "Antwortdatum",
                        "Zeitpunkt",
                        "Befragungsdatum",
                        "date",
                        "timestamp",
                        "created",
                    ),
                ),
                Column(
                    "nps",
                    "integer",
                    description="Likelihood to recommend, 0–10.",
                    min=0,
                    max=10,
                    aliases=(
                        "Weiterempfehlung",
                        "Weiterempfehlungsbereitschaft",
                        "NPS-Wert",
                        "Empfehlung",
                        "recommend",
                        "likelihood_to_recommend",
                        "ltr",
                    ),
                ),
                Column(
                    "csat",
                    "integer",
                    description="Satisfaction, 1–5.",
                    min=1,
                    max=5,
                    aliases=("Zufriedenheit", "Kundenzufriedenheit", "satisfaction"),
                ),
                Column(
                    "ces",
                    "integer",
                    description="Customer effort, 1–7.",
                    min=1,
                    max=7,
                    aliases=("Aufwand", "Kundenaufwand", "effort", "customer_effort"),
                ),
                Column(
                    "comment",
                    "string",
                    description="Free-text comment (user content).",
                    aliases=(
                        "Kommentar",
                        "Freitext",
                        "Anmerkung",
                        "Bemerkung",
                        "Begründung",
                        "text",
                        "verbatim",
                        "feedback",
                    ),
                ),
                Column(
                    "language",
                    "string",
                    description="Language of the comment.",
                    allowed=LANGUAGES,
                    aliases=("Sprache", "lang"),
                ),
            ),
        ),
        Table(
            "ratings",
            ("response_id", "attribute"),
            "Attribute ratings of a response, long format.",
            (
                Column(
                    "response_id",
                    "string",
                    True,
                    "Response the rating belongs to.",
                    aliases=("Antwort-ID", "AntwortID", "Antwortnummer", "Antwort", "response"),
                    references="responses.response_id",
                ),
                Column(
                    "attribute",
                    "string",
                    True,
                    "Rated attribute, e.g. friendliness.",
                    aliases=("Merkmal", "Attribut", "Kriterium", "item"),
                ),
                Column(
                    "score",
                    "number",
                    True,
                    "The rating on its scale.",
                    aliases=("Bewertung", "Wert", "Note", "value", "rating"),
                ),
                Column(
                    "scale_min",
                    "number",
                    True,
                    "Lowest value of the scale.",
                    aliases=("Skala min", "Skalenminimum", "min"),
                ),
                Column(
                    "scale_max",
                    "number",
                    True,
                    "Highest value of the scale.",
                    aliases=("Skala max", "Skalenmaximum", "max"),
                ),
            ),
        ),
        Table(
            "cases",
            ("case_id",),
            "Service cases (complaints, defects, requests).",
            (
                Column(
                    "case_id",
                    "string",
                    True,
                    "Case or ticket number.",
                    aliases=(
                        "Vorgangsnummer",
                        "Fallnummer",
                        "Ticketnummer",
                        "Ticket",
                        "Vorgang",
                        "ticket_id",
                    ),
                ),
                Column(
                    "customer_id",
                    "string",
                    True,
                    "Customer concerned.",
                    aliases=("Kundennummer", "Kunden-Nr", "Kundennr", "KdNr", "Kunde", "customer"),
                    references="customers.customer_id",
                ),
                Column(
                    "opened_at",
                    "timestamp",
                    True,
                    "When the case was opened.",
                    aliases=("Eröffnet", "Eröffnungsdatum", "Erstellt", "Datum", "created_at"),
                ),
                Column(
                    "closed_at",
                    "timestamp",
                    description="When it was closed; empty if open.",
                    aliases=("Geschlossen", "Abschlussdatum", "Erledigt", "resolved_at"),
                ),
                Column(
                    "channel",
                    "string",
                    True,
                    "Channel, e.g. phone, chat, email, store.",
                    aliases=("Kanal", "Kontaktkanal"),
                ),
                Column(
                    "reason",
                    "string",
                    True,
                    "Case reason, e.g. complaint, defect, billing.",
                    aliases=("Grund", "Anlass", "Kategorie", "category"),
                ),
                Column(
                    "product",
                    "string",
                    description="Product concerned (charter key).",
                    aliases=("Produkt", "Artikel", "Tarif"),
                    charter_key="product",
                ),
                Column(
                    "contacts",
                    "integer",
                    True,
                    "Customer contacts needed for the case.",
                    min=1,
                    aliases=("Kontakte", "Anzahl Kontakte", "Kontaktanzahl", "n_contacts"),
                ),
                Column(
                    "transfers",
                    "integer",
                    description="Hand-overs between agents/teams.",
                    min=0,
                    aliases=("Weiterleitungen", "Übergaben", "handoffs"),
                ),
                Column(
                    "escalated",
                    "boolean",
                    description="Whether the case was escalated.",
                    aliases=("Eskaliert", "Eskalation", "escalation"),
                ),
                Column(
                    "resolution",
                    "string",
                    description="Outcome.",
                    allowed=RESOLUTIONS,
                    aliases=("Lösung", "Ergebnis", "Ausgang", "outcome"),
                ),
                Column(
                    "goodwill_amount",
                    "number",
                    description="Goodwill paid (currency).",
                    min=0,
                    aliases=("Kulanz", "Kulanzbetrag", "goodwill"),
                ),
            ),
        ),
        Table(
            "sends",
            ("send_id",),
            "Marketing sends (e-mail, SMS, push), one row per message.",
            (
                Column(
                    "send_id",
                    "string",
                    True,
                    "Message identifier.",
                    aliases=("Versand-ID", "VersandID", "Nachricht", "message_id"),
                ),
                Column(
                    "customer_id",
                    "string",
                    True,
                    "Recipient.",
                    aliases=(
                        "Kundennummer",
                        "Kunden-Nr",
                        "Kundennr",
                        "KdNr",
                        "Kunde",
                        "customer",
                        "recipient",
                    ),
                    references="customers.customer_id",
                ),
                Column(
                    "campaign",
                    "string",
                    True,
                    "Campaign name.",
                    aliases=("Kampagne", "Aktion", "campaign_name"),
                ),
                Column(
                    "sent_at",
                    "timestamp",
                    True,
                    "When the message was sent.",
                    aliases=("Versanddatum", "Versendet", "Datum", "date"),
                ),
                Column(
                    "personalized",
                    "boolean",
                    True,
                    "Whether content was personalised.",
                    aliases=("personalisiert", "Personalisierung", "personalised"),
                ),
                Column(
                    "lifecycle_stage",
                    "string",
                    description="Recipient's lifecycle stage.",
                    aliases=("Lebenszyklus", "Lebenszyklusphase", "Phase", "stage"),
                ),
                Column("opened", "boolean", aliases=("geöffnet", "Öffnung", "open")),
                Column("clicked", "boolean", aliases=("geklickt", "Klick", "click")),
                Column(
                    "unsubscribed", "boolean", aliases=("abgemeldet", "Abmeldung", "unsubscribe")
                ),
                Column("complained", "boolean", aliases=("beschwert", "Beschwerde", "spam_report")),
                Column("converted", "boolean", aliases=("konvertiert", "Konversion", "conversion")),
            ),
        ),
        Table(
            "sessions",
            ("session_id",),
            "Self-service portal/app task attempts.",
            (
                Column(
                    "session_id",
                    "string",
                    True,
                    "Session identifier.",
                    aliases=("Sitzung", "Sitzungs-ID", "SitzungsID", "session"),
                ),
                Column(
                    "customer_id",
                    "string",
                    description="Customer, if logged in.",
                    aliases=("Kundennummer", "Kunden-Nr", "Kundennr", "KdNr", "Kunde", "customer"),
                    references="customers.customer_id",
                ),
                Column(
                    "started_at",
                    "timestamp",
                    True,
                    "When the session started.",
                    aliases=("Beginn", "Startzeit", "Datum", "start"),
                ),
                Column(
                    "task",
                    "string",
                    True,
                    "Self-service task, e.g. change_address.",
                    aliases=("Aufgabe", "Vorgang", "Anliegen"),
                ),
                Column(
                    "succeeded",
                    "boolean",
                    True,
                    "Whether the task was completed.",
                    aliases=("erfolgreich", "Erfolg", "success", "completed"),
                ),
                Column(
                    "steps",
                    "integer",
                    description="Steps (pages/clicks) taken.",
                    min=0,
                    aliases=("Schritte", "Klicks"),
                ),
                Column(
                    "duration_s",
                    "number",
                    description="Duration in seconds.",
                    min=0,
                    aliases=("Dauer", "Dauer_s", "Dauer in Sekunden", "duration"),
                ),
            ),
        ),
    )
}


def normalise_header(header: str) -> str:
    """Fold a header for alias matching: case, accents/umlauts, spaces and punctuation.

    ``"Kunden-Nr."`` and ``"kunden nr"`` both become ``"kundennr"``; ``"Gültig ab"`` becomes
    ``"gueltigab"`` (umlauts transliterated the German way before accents are stripped).
    """
    text = header.strip().lower().lstrip("\ufeff")
    for umlaut, repl in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, repl)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text)


def header_map(table: str) -> dict[str, str]:
    """Normalised header → canonical column name for ``table`` (canonical names win)."""
    spec = get_table(table)
    mapping: dict[str, str] = {}
    for col in spec.columns:
        for alias in col.aliases:
            mapping.setdefault(normalise_header(alias), col.name)
    for col in spec.columns:
        mapping[normalise_header(col.name)] = col.name
    return mapping


def get_table(name: str) -> Table:
    """The contract table ``name``, or a :class:`~cxo.errors.UsageError` listing the valid ones."""
    from cxo.errors import UsageError

    try:
        return TABLES[name]
    except KeyError:
        raise UsageError(
            f"unknown table {name!r}; the data contract has: {', '.join(TABLES)}"
        ) from None
