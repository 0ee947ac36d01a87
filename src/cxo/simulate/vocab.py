"""Words the comment generator combines: per theme and language, subjects and predicates.

Each theme has subjects (noun phrases, several synonyms and German compounds), negative and
positive predicates (``{i}`` marks where an intensifier goes), and a few whole sentences.
:mod:`cxo.simulate.comments` multiplies these with intensifiers, time words and typos into
pools of distinct phrasings.
"""

from __future__ import annotations

from typing import TypedDict


class Words(TypedDict):
    """Building blocks for one theme in one language."""

    subj: list[str]
    neg: list[str]
    pos: list[str]
    neg_full: list[str]
    pos_full: list[str]


V = dict[str, dict[str, Words]]


def _w(
    subj: list[str],
    neg: list[str],
    pos: list[str],
    neg_full: list[str] | None = None,
    pos_full: list[str] | None = None,
) -> Words:
    return {
        "subj": subj,
        "neg": neg,
        "pos": pos,
        "neg_full": neg_full or [],
        "pos_full": pos_full or [],
    }


INTENS = {
    "de": {
        "neg": ["", "sehr ", "viel zu ", "extrem ", "echt ", "total "],
        "pos": ["", "sehr ", "super ", "wirklich ", "echt "],
    },
    "en": {
        "neg": ["", "very ", "way too ", "extremely ", "really ", "totally "],
        "pos": ["", "very ", "super ", "really ", "truly "],
    },
}
TIMES = {
    "de": {
        "neg": [
            "",
            "",
            ", schon wieder",
            " – wie immer",
            ", seit Monaten",
            " (letzte Woche)",
            ", seit Wochen",
            ", leider",
        ],
        "pos": ["", "", ", wie immer", " (gestern)", ", diesmal", ", danke"],
    },
    "en": {
        "neg": [
            "",
            "",
            ", again",
            " - as always",
            ", for months now",
            " (last week)",
            ", for weeks now",
            ", sadly",
        ],
        "pos": ["", "", ", as always", " (yesterday)", ", this time", ", thanks"],
    },
}

VOCAB: V = {
    "price_billing": {
        "de": _w(
            [
                "Der Preis",
                "Die Grundgebühr",
                "Der Monatspreis",
                "Das Preis-Leistungs-Verhältnis",
                "Der Tarif",
                "Die Rechnung",
            ],
            [
                "ist {i}teuer",
                "ist {i}überzogen",
                "passt nicht zur Leistung",
                "ist {i}hoch",
                "ist nicht fair",
            ],
            ["ist {i}fair", "ist {i}günstig", "passt", "ist völlig in Ordnung"],
            ["Viel zu teuer für das, was man bekommt.", "Die Konkurrenz ist deutlich billiger."],
            ["Für den Preis top.", "Preis und Leistung stimmen."],
        ),
        "en": _w(
            ["The price", "The monthly fee", "The plan", "The value for money", "The bill"],
            [
                "is {i}expensive",
                "is {i}high",
                "is not fair",
                "is a rip-off",
                "does not match what you get",
            ],
            ["is {i}fair", "is {i}reasonable", "is fine", "is good value"],
            ["Way overpriced for what you get.", "Competitors are much cheaper."],
            ["Great value for the money.", "Fair price."],
        ),
    },
    "price_increase_loyalty": {
        "de": _w(
            [
                "Die Preiserhöhung",
                "Die letzte Preisanpassung",
                "Mein Vertragspreis",
                "Der Bestandskundenpreis",
                "Die Erhöhung",
            ],
            [
                "ist eine Frechheit",
                "ist {i}unverschämt",
                "war nicht angekündigt",
                "bestraft treue Kunden",
                "ist {i}happig",
            ],
            ["war {i}moderat", "war nachvollziehbar", "war fair kommuniziert"],
            [
                "Neukunden zahlen weniger als ich nach zehn Jahren!",
                "Als Bestandskunde zahle ich drauf.",
                "Treue lohnt sich hier nicht.",
            ],
            ["Endlich ein Treuebonus für Bestandskunden.", "Danke für den Treuerabatt."],
        ),
        "en": _w(
            [
                "The price increase",
                "The latest price hike",
                "My renewal price",
                "The loyal-customer price",
                "The increase",
            ],
            [
                "is outrageous",
                "is {i}unfair",
                "was not announced",
                "punishes loyal customers",
                "is {i}steep",
            ],
            ["was {i}moderate", "was reasonable", "was communicated fairly"],
            [
                "New customers pay less than I do after ten years!",
                "Loyalty is punished here.",
                "Why do existing customers pay more?",
            ],
            ["Nice loyalty discount at renewal.", "Thanks for keeping my price."],
        ),
    },
    "invoice_error": {
        "de": _w(
            [
                "Die Rechnung",
                "Der Rechnungsbetrag",
                "Die letzte Abrechnung",
                "Die Monatsrechnung",
                "Die Rechnungsstellung",
                "Die Abbuchung",
            ],
            [
                "ist {i}falsch",
                "stimmt nicht",
                "war doppelt",
                "ist fehlerhaft",
                "war {i}hoch und falsch",
                "ist nicht korrekt",
            ],
            ["stimmt", "ist korrekt", "war {i}pünktlich und richtig"],
            [
                "Mir wurde zweimal abgebucht.",
                "Schon wieder eine falsche Rechnung bekommen.",
                "Auf der Rechnung stehen Posten, die ich nie bestellt habe.",
            ],
            ["Rechnung immer korrekt.", "Abrechnung ohne Fehler."],
        ),
        "en": _w(
            [
                "The invoice",
                "The bill",
                "The invoice amount",
                "My last statement",
                "The billing",
                "The direct debit",
            ],
            ["is {i}wrong", "is incorrect", "was charged twice", "has errors", "does not add up"],
            ["is correct", "is {i}accurate", "was right"],
            [
                "I was charged twice.",
                "Wrong bill again.",
                "There are items on my invoice I never ordered.",
            ],
            ["Invoices are always correct.", "Billing without errors."],
        ),
    },
    "contract_cancellation": {
        "de": _w(
            [
                "Die Kündigung",
                "Der Kündigungsprozess",
                "Die Vertragslaufzeit",
                "Die Vertragsänderung",
                "Das Kündigungsformular",
            ],
            [
                "ist {i}kompliziert",
                "wurde nicht bestätigt",
                "dauert {i}lang",
                "ist versteckt",
                "hat nicht funktioniert",
            ],
            ["war {i}einfach", "ging schnell", "wurde sofort bestätigt"],
            ["Ich will nur kündigen und finde keinen Weg.", "Kündigungsbestätigung kam nie an."],
            ["Vertrag unkompliziert angepasst.", "Kündigung in zwei Minuten erledigt."],
        ),
        "en": _w(
            [
                "Cancelling",
                "The cancellation",
                "The contract term",
                "Changing my contract",
                "The cancellation form",
            ],
            [
                "is {i}complicated",
                "was never confirmed",
                "takes {i}long",
                "is hidden",
                "did not work",
            ],
            ["was {i}easy", "was quick", "was confirmed right away"],
            [
                "I just want to cancel and cannot find how.",
                "Never got a cancellation confirmation.",
            ],
            ["Contract change was painless.", "Cancelled in two minutes."],
        ),
    },
    "reachability_waiting": {
        "de": _w(
            [
                "Die Wartezeit",
                "Die Warteschleife",
                "Die Hotline",
                "Die Erreichbarkeit",
                "Die Wartezeit am Telefon",
                "Der Rückruf",
            ],
            ["war {i}lang", "ist eine Zumutung", "dauert ewig", "ist {i}schlecht", "kam nie"],
            ["war {i}kurz", "ist {i}gut", "ging schnell"],
            [
                "Ich hing 40 Minuten in der Warteschleife.",
                "Niemand geht ans Telefon.",
                "Stundenlang gewartet und dann aufgelegt.",
            ],
            ["Sofort jemanden erreicht.", "Keine Wartezeit, toll."],
        ),
        "en": _w(
            [
                "The waiting time",
                "The hold time",
                "The hotline",
                "Getting through",
                "The call back",
                "The queue",
            ],
            ["was {i}long", "is unacceptable", "takes forever", "is {i}bad", "never happened"],
            ["was {i}short", "is {i}good", "was quick"],
            [
                "I was on hold for 40 minutes.",
                "Nobody picks up the phone.",
                "Waited for ages and got cut off.",
            ],
            ["Got through immediately.", "No waiting at all, great."],
        ),
    },
    "staff_friendliness": {
        "de": _w(
            [
                "Der Mitarbeiter",
                "Die Mitarbeiterin",
                "Der Kundenservicemitarbeiter",
                "Das Personal",
                "Die Dame am Telefon",
                "Der Berater",
            ],
            [
                "war {i}unfreundlich",
                "war nicht freundlich",
                "war {i}pampig",
                "war alles andere als höflich",
                "hat mich angeschnauzt",
            ],
            ["war {i}freundlich", "war {i}nett", "war {i}höflich", "war zuvorkommend"],
            ["So unfreundlich wurde ich noch nie behandelt."],
            ["Sehr nette Beratung!", "Total freundlich und geduldig."],
        ),
        "en": _w(
            [
                "The agent",
                "The staff",
                "The customer service rep",
                "The lady on the phone",
                "The advisor",
                "The person I spoke to",
            ],
            [
                "was {i}rude",
                "was not friendly",
                "was {i}unfriendly",
                "was dismissive",
                "snapped at me",
            ],
            ["was {i}friendly", "was {i}nice", "was {i}polite", "was helpful and kind"],
            ["Never been treated so rudely."],
            ["Very kind and patient staff!", "Lovely service."],
        ),
    },
    "staff_competence": {
        "de": _w(
            [
                "Der Mitarbeiter",
                "Die Beratung",
                "Der Support",
                "Der Kundenservicemitarbeiter",
                "Der Techniker",
                "Die Auskunft",
            ],
            [
                "hatte {i}keine Ahnung",
                "war {i}inkompetent",
                "war falsch",
                "konnte nicht helfen",
                "war nicht kompetent",
            ],
            ["war {i}kompetent", "wusste sofort Bescheid", "war {i}hilfreich"],
            ["Jeder sagt etwas anderes.", "Drei Mitarbeiter, drei Antworten."],
            ["Endlich jemand, der sich auskennt.", "Fachlich top beraten."],
        ),
        "en": _w(
            ["The agent", "The advice", "Support", "The technician", "The answer I got", "The rep"],
            [
                "had {i}no clue",
                "was {i}incompetent",
                "was wrong",
                "could not help",
                "was not competent",
            ],
            ["was {i}competent", "knew the answer right away", "was {i}helpful"],
            ["Everyone tells me something different.", "Three agents, three answers."],
            ["Finally someone who knows their stuff.", "Expert advice."],
        ),
    },
    "no_latitude": {
        "de": _w(
            [
                "Der Mitarbeiter",
                "Der Service",
                "Die Hotline",
                "Der Kundendienst",
                "Die Kulanzregelung",
            ],
            [
                "durfte nichts entscheiden",
                "hat mich nur vertröstet",
                "konnte nichts tun",
                "hat {i}keine Befugnis",
                "hat keine Lösung angeboten",
            ],
            ["hat {i}unbürokratisch geholfen", "hat sofort eine Lösung gefunden", "war {i}kulant"],
            [
                "Keiner fühlt sich zuständig.",
                "Ich werde nur von A nach B geschickt.",
                "Keine Kulanz, keine Lösung, nichts.",
            ],
            ["Schnelle Kulanz, so soll es sein.", "Problem direkt gelöst."],
        ),
        "en": _w(
            ["The agent", "Customer service", "The hotline", "Support", "The goodwill policy"],
            [
                "was not allowed to decide anything",
                "just fobbed me off",
                "could do nothing",
                "has {i}no authority",
                "offered no solution",
            ],
            ["solved it {i}quickly", "found a solution right away", "was {i}generous"],
            [
                "Nobody feels responsible.",
                "I keep getting passed around.",
                "No goodwill, no solution, nothing.",
            ],
            ["Quick goodwill gesture, that's how it should be.", "Problem solved on the spot."],
        ),
    },
    "repeat_contact": {
        "de": _w(
            ["Mein Anliegen", "Das Problem", "Die Reklamation", "Der Vorgang", "Mein Ticket"],
            [
                "ist nach fünf Anrufen {i}offen",
                "musste ich dreimal erklären",
                "ist immer noch nicht erledigt",
                "wurde {i}oft weitergeleitet",
            ],
            ["wurde beim ersten Anruf erledigt", "war {i}schnell gelöst"],
            [
                "Jedes Mal muss ich alles neu erzählen.",
                "Ich habe schon sechsmal angerufen.",
                "Dauernd neue Ansprechpartner.",
            ],
            ["Mit einem Anruf erledigt.", "Erster Kontakt, Problem gelöst."],
        ),
        "en": _w(
            ["My issue", "The problem", "My complaint", "The case", "My ticket"],
            [
                "is still open after five calls",
                "had to be explained three times",
                "is still not resolved",
                "was transferred {i}often",
            ],
            ["was solved on the first call", "was {i}quickly fixed"],
            [
                "Every time I have to explain everything again.",
                "I have called six times.",
                "New contact person every time.",
            ],
            ["Fixed with one call.", "First contact, problem solved."],
        ),
    },
    "portal_usability": {
        "de": _w(
            [
                "Das Kundenportal",
                "Die App",
                "Das Portal",
                "Die Webseite",
                "Das Menü",
                "Die Benutzeroberfläche",
            ],
            [
                "ist {i}umständlich",
                "ist {i}unübersichtlich",
                "ist wie eine Steuererklärung",
                "ist {i}kompliziert",
                "ist nicht intuitiv",
            ],
            ["ist {i}übersichtlich", "ist {i}einfach", "ist {i}intuitiv", "ist super zu bedienen"],
            [
                "Ich finde im Portal rein gar nichts.",
                "Zwanzig Klicks für eine Adressänderung.",
                "Bedienung ist eine Katastrophe.",
            ],
            ["Alles mit ein paar Klicks erledigt.", "Die App ist super."],
        ),
        "en": _w(
            [
                "The customer portal",
                "The app",
                "The portal",
                "The website",
                "The menu",
                "The interface",
            ],
            [
                "is {i}confusing",
                "is {i}clunky",
                "is like filing a tax return",
                "is {i}complicated",
                "is not intuitive",
            ],
            ["is {i}clear", "is {i}easy to use", "is {i}intuitive", "works great"],
            [
                "I can't find anything in the portal.",
                "Twenty clicks to change my address.",
                "Usability is a disaster.",
            ],
            ["Everything done in a few clicks.", "The app is great."],
        ),
    },
    "login_access": {
        "de": _w(
            [
                "Der Login",
                "Die Anmeldung",
                "Das Passwort-Zurücksetzen",
                "Der Zugang",
                "Die Zwei-Faktor-Anmeldung",
            ],
            ["funktioniert nicht", "ist {i}nervig", "hängt ständig", "klappt nie", "ist gesperrt"],
            ["klappt {i}problemlos", "geht {i}schnell", "funktioniert"],
            ["Ich komme nicht in mein Konto.", "Passwort vergessen geht nicht."],
            ["Anmeldung ohne Probleme."],
        ),
        "en": _w(
            ["The login", "Signing in", "The password reset", "Access", "Two-factor login"],
            ["does not work", "is {i}annoying", "keeps failing", "never works", "is locked"],
            ["works {i}smoothly", "is {i}quick", "works"],
            ["I can't get into my account.", "Password reset is broken."],
            ["Login without problems."],
        ),
    },
    "delivery": {
        "de": _w(
            [
                "Die Lieferung",
                "Das Paket",
                "Die Zustellung",
                "Der Versand",
                "Die Sendung",
                "Der Paketdienst",
            ],
            [
                "kam {i}spät",
                "ist nie angekommen",
                "dauerte {i}lang",
                "war beschädigt",
                "kam nicht wie angekündigt",
            ],
            ["kam {i}schnell", "war pünktlich", "kam am nächsten Tag"],
            [
                "Paket liegt seit einer Woche im Verteilzentrum.",
                "Lieferung eine Woche zu spät.",
                "Zusteller hat nicht mal geklingelt.",
            ],
            ["Blitzschnelle Lieferung!", "Am nächsten Tag da."],
        ),
        "en": _w(
            ["The delivery", "The parcel", "Shipping", "The package", "The courier"],
            [
                "was {i}late",
                "never arrived",
                "took {i}long",
                "was damaged",
                "did not come as promised",
            ],
            ["was {i}fast", "was on time", "came the next day"],
            [
                "Parcel stuck at the depot for a week.",
                "Delivery a week late.",
                "Courier didn't even ring the bell.",
            ],
            ["Super fast delivery!", "Arrived next day."],
        ),
    },
    "defect": {
        "de": _w(
            ["Das Gerät", "Der Router", "Das Produkt", "Die Ware", "Der Artikel"],
            [
                "ist {i}defekt",
                "ist kaputt",
                "funktioniert nicht mehr",
                "ging sofort kaputt",
                "war defekt angekommen",
            ],
            ["funktioniert {i}einwandfrei", "läuft ohne Probleme"],
            ["Nach zwei Wochen schon kaputt.", "Defekt ausgeliefert."],
            ["Läuft seit Jahren ohne Probleme."],
        ),
        "en": _w(
            ["The device", "The router", "The product", "The item", "The unit"],
            [
                "is {i}broken",
                "is defective",
                "stopped working",
                "broke right away",
                "arrived broken",
            ],
            ["works {i}perfectly", "runs without problems"],
            ["Broken after two weeks.", "Arrived defective."],
            ["Working fine for years."],
        ),
    },
    "repair_replacement": {
        "de": _w(
            [
                "Die Reparatur",
                "Das Ersatzgerät",
                "Der Austausch",
                "Die Garantieabwicklung",
                "Der Umtausch",
            ],
            ["dauert {i}lang", "kam nie", "war {i}umständlich", "wurde abgelehnt"],
            ["ging {i}schnell", "war {i}unkompliziert", "kam sofort"],
            ["Seit sechs Wochen warte ich auf das Ersatzgerät."],
            ["Ersatz kam innerhalb von zwei Tagen."],
        ),
        "en": _w(
            ["The repair", "The replacement", "The exchange", "The warranty claim", "The swap"],
            ["takes {i}long", "never came", "was {i}complicated", "was refused"],
            ["was {i}quick", "was {i}easy", "arrived right away"],
            ["Waiting six weeks for a replacement."],
            ["Replacement arrived within two days."],
        ),
    },
    "returns_refund": {
        "de": _w(
            [
                "Die Rücksendung",
                "Die Erstattung",
                "Die Rückerstattung",
                "Das Retourenlabel",
                "Die Gutschrift",
                "Der Rückgabeprozess",
            ],
            [
                "dauert {i}lang",
                "kam nie an",
                "ist {i}umständlich",
                "wurde nicht gebucht",
                "ist immer noch offen",
            ],
            ["war {i}einfach", "ging {i}schnell", "kam sofort"],
            [
                "Geld nach vier Wochen immer noch nicht zurück.",
                "Retoure angekommen, Erstattung nicht.",
            ],
            ["Rückgabe total easy.", "Geld war nach zwei Tagen zurück."],
        ),
        "en": _w(
            [
                "The return",
                "The refund",
                "The return label",
                "The credit note",
                "The returns process",
            ],
            [
                "takes {i}long",
                "never arrived",
                "is {i}complicated",
                "was not processed",
                "is still pending",
            ],
            ["was {i}easy", "was {i}quick", "came right away"],
            ["Still no refund after four weeks.", "Return arrived, refund didn't."],
            ["Returns were a breeze.", "Money back within two days."],
        ),
    },
    "marketing_emails": {
        "de": _w(
            [
                "Die Werbung",
                "Der Newsletter",
                "Die Werbemails",
                "Die E-Mail-Flut",
                "Die Angebotsmails",
            ],
            ["nervt {i}", "ist {i}irrelevant", "kommt {i}oft", "ist Spam", "passt nie zu mir"],
            ["ist {i}interessant", "passt zu mir", "ist {i}hilfreich"],
            [
                "Jeden Tag drei Mails mit Angeboten, die mich nicht interessieren.",
                "Abgemeldet und trotzdem Werbung.",
            ],
            ["Gute Angebote, passend für mich."],
        ),
        "en": _w(
            [
                "The advertising",
                "The newsletter",
                "The marketing emails",
                "The flood of emails",
                "The promo mails",
            ],
            ["is {i}annoying", "is {i}irrelevant", "comes {i}often", "is spam", "never fits me"],
            ["is {i}interesting", "fits me", "is {i}useful"],
            [
                "Three emails a day with offers I don't care about.",
                "Unsubscribed and still getting ads.",
            ],
            ["Good offers that fit me."],
        ),
    },
    "communication_clarity": {
        "de": _w(
            [
                "Das Schreiben",
                "Die Information",
                "Die Erklärung",
                "Der Brief",
                "Die Vertragsunterlagen",
            ],
            ["ist {i}unverständlich", "war {i}verwirrend", "ist Fachchinesisch", "war nicht klar"],
            ["war {i}verständlich", "war {i}klar", "ist gut erklärt"],
            ["Ich verstehe kein Wort von dem Schreiben."],
            ["Alles klar und verständlich erklärt."],
        ),
        "en": _w(
            [
                "The letter",
                "The information",
                "The explanation",
                "The notice",
                "The contract documents",
            ],
            ["is {i}confusing", "was {i}unclear", "is pure jargon", "was not clear"],
            ["was {i}clear", "was {i}easy to understand", "is well explained"],
            ["I don't understand a word of that letter."],
            ["Everything clearly explained."],
        ),
    },
    "outage": {
        "de": _w(
            [
                "Das Internet",
                "Die Verbindung",
                "Der Dienst",
                "Das Netz",
                "Das System",
                "Der Server",
            ],
            [
                "fällt {i}oft aus",
                "ist ständig weg",
                "war tagelang gestört",
                "funktioniert nicht",
                "bricht {i}oft ab",
            ],
            ["läuft {i}stabil", "ist {i}zuverlässig", "hatte keine Ausfälle"],
            ["Seit drei Tagen Störung und keiner sagt was.", "Schon wieder ein Ausfall."],
            ["Keine einzige Störung bisher."],
        ),
        "en": _w(
            [
                "The internet",
                "The connection",
                "The service",
                "The network",
                "The system",
                "The server",
            ],
            [
                "goes down {i}often",
                "keeps dropping",
                "was down for days",
                "does not work",
                "is {i}unstable",
            ],
            ["is {i}stable", "is {i}reliable", "had no outages"],
            ["Outage for three days and nobody says anything.", "Another outage."],
            ["Not a single outage so far."],
        ),
    },
    "onboarding_setup": {
        "de": _w(
            [
                "Die Einrichtung",
                "Der Start",
                "Die Aktivierung",
                "Das Onboarding",
                "Die Installation",
                "Die Freischaltung",
            ],
            ["war {i}kompliziert", "dauerte {i}lang", "hat nicht geklappt", "war {i}chaotisch"],
            ["war {i}einfach", "ging {i}schnell", "hat sofort geklappt"],
            ["Zwei Wochen bis zur Freischaltung.", "Keiner hat mir beim Start geholfen."],
            ["In zehn Minuten eingerichtet."],
        ),
        "en": _w(
            [
                "The setup",
                "Getting started",
                "The activation",
                "The onboarding",
                "The installation",
            ],
            ["was {i}complicated", "took {i}long", "did not work", "was {i}chaotic"],
            ["was {i}easy", "was {i}quick", "worked right away"],
            ["Two weeks until activation.", "Nobody helped me get started."],
            ["Set up in ten minutes."],
        ),
    },
    "performance_speed": {
        "de": _w(
            [
                "Die Software",
                "Die Anwendung",
                "Das Laden",
                "Die Performance",
                "Die Ladezeit",
                "Das Dashboard",
            ],
            ["ist {i}langsam", "hängt ständig", "braucht ewig", "ruckelt {i}", "ist quälend träge"],
            ["ist {i}schnell", "läuft {i}flüssig", "reagiert sofort"],
            ["Jede Seite lädt zehn Sekunden.", "Seit dem Update alles lahm."],
            ["Läuft flott."],
        ),
        "en": _w(
            [
                "The software",
                "The app",
                "Loading",
                "The performance",
                "The load time",
                "The dashboard",
            ],
            [
                "is {i}slow",
                "keeps freezing",
                "takes forever",
                "lags {i}badly",
                "is painfully sluggish",
            ],
            ["is {i}fast", "runs {i}smoothly", "responds instantly"],
            ["Every page takes ten seconds to load.", "Everything is slow since the update."],
            ["Snappy and fast."],
        ),
    },
    "missing_feature": {
        "de": _w(
            [
                "Die Exportfunktion",
                "Eine API",
                "Die Schnittstelle",
                "Der Dunkelmodus",
                "Die Mehrsprachigkeit",
            ],
            ["fehlt {i}", "gibt es immer noch nicht", "fehlt leider komplett"],
            ["ist endlich da", "ist {i}nützlich", "funktioniert gut"],
            ["Mir fehlt eine wichtige Funktion.", "Bitte endlich einen CSV-Export."],
            ["Tolle neue Funktionen."],
        ),
        "en": _w(
            [
                "The export feature",
                "An API",
                "The integration",
                "Dark mode",
                "Multi-language support",
            ],
            ["is {i}missing", "still does not exist", "is sadly missing"],
            ["is finally there", "is {i}useful", "works well"],
            ["An important feature is missing.", "Please add a CSV export."],
            ["Great new features."],
        ),
    },
    "product_quality": {
        "de": _w(
            ["Die Qualität", "Das Material", "Die Verarbeitung", "Das Produkt"],
            ["ist {i}schlecht", "ist billig", "lässt {i}nach", "ist minderwertig"],
            ["ist {i}gut", "ist {i}hochwertig", "überzeugt"],
            ["Nach dem ersten Waschen kaputt."],
            ["Top Qualität."],
        ),
        "en": _w(
            ["The quality", "The material", "The build quality", "The product"],
            ["is {i}poor", "is cheap", "has gotten {i}worse", "is shoddy"],
            ["is {i}good", "is {i}high", "is convincing"],
            ["Fell apart after the first wash."],
            ["Top quality."],
        ),
    },
    "availability_stock": {
        "de": _w(
            ["Der Artikel", "Die Größe", "Das Wunschprodukt", "Die Verfügbarkeit", "Das Sortiment"],
            ["ist {i}oft ausverkauft", "war nicht vorrätig", "ist nie verfügbar", "ist {i}dünn"],
            ["war sofort verfügbar", "ist {i}groß", "war vorrätig"],
            ["Ständig ausverkauft.", "Online verfügbar, im Laden nicht."],
            ["Alles vorrätig."],
        ),
        "en": _w(
            ["The item", "My size", "The product I wanted", "Availability", "The range"],
            ["is {i}often sold out", "was out of stock", "is never available", "is {i}limited"],
            ["was available right away", "is {i}wide", "was in stock"],
            ["Always sold out.", "Available online, not in store."],
            ["Everything in stock."],
        ),
    },
    "checkout_payment": {
        "de": _w(
            [
                "Die Bezahlung",
                "Der Bestellabschluss",
                "Der Checkout",
                "Die Zahlung mit PayPal",
                "Der Warenkorb",
                "Die Kartenzahlung",
            ],
            ["hat nicht funktioniert", "ist {i}umständlich", "ist abgebrochen", "bricht {i}oft ab"],
            ["ging {i}schnell", "war {i}einfach", "klappt problemlos"],
            ["Zahlung dreimal abgelehnt.", "Warenkorb nach dem Login leer."],
            ["Schnell bestellt und bezahlt."],
        ),
        "en": _w(
            ["Payment", "The checkout", "Paying with PayPal", "The basket", "Card payment"],
            ["did not work", "is {i}cumbersome", "failed", "breaks {i}often"],
            ["was {i}quick", "was {i}easy", "works smoothly"],
            ["Payment declined three times.", "Basket empty after login."],
            ["Ordered and paid in a minute."],
        ),
    },
    "appointment": {
        "de": _w(
            ["Der Techniker", "Der Termin", "Der Monteur", "Das Zeitfenster", "Der Servicetermin"],
            ["kam {i}spät", "ist nicht erschienen", "wurde abgesagt", "war {i}ungenau"],
            ["war {i}pünktlich", "hat gepasst", "wurde eingehalten"],
            ["Den ganzen Tag umsonst gewartet.", "Termin ohne Info verschoben."],
            ["Techniker auf die Minute pünktlich."],
        ),
        "en": _w(
            [
                "The technician",
                "The appointment",
                "The engineer",
                "The time slot",
                "The service visit",
            ],
            ["was {i}late", "did not show up", "was cancelled", "was {i}vague"],
            ["was {i}punctual", "worked out", "was kept"],
            ["Waited all day for nothing.", "Appointment moved without notice."],
            ["Technician right on time."],
        ),
    },
    "chatbot": {
        "de": _w(
            ["Der Chatbot", "Der Bot", "Der digitale Assistent", "Der Chat-Assistent"],
            ["versteht nichts", "ist {i}nutzlos", "dreht sich im Kreis", "ist nicht hilfreich"],
            ["war {i}hilfreich", "hat sofort geantwortet", "war {i}gut"],
            ["Ich will mit einem Menschen reden, nicht mit einem Bot."],
            ["Der Bot hat mein Problem gelöst."],
        ),
        "en": _w(
            ["The chatbot", "The bot", "The virtual assistant", "The chat assistant"],
            ["understands nothing", "is {i}useless", "goes round in circles", "is not helpful"],
            ["was {i}helpful", "answered right away", "was {i}good"],
            ["I want to talk to a human, not a bot."],
            ["The bot solved my problem."],
        ),
    },
    "data_privacy": {
        "de": _w(
            ["Der Datenschutz", "Die Datenweitergabe", "Die Einwilligung", "Das Tracking"],
            ["ist {i}fragwürdig", "ist nicht transparent", "macht mir Sorgen"],
            ["ist {i}vorbildlich", "ist transparent"],
            ["Woher haben die meine Daten?"],
            ["Datenschutz wird ernst genommen."],
        ),
        "en": _w(
            ["Data privacy", "Sharing my data", "The consent", "The tracking"],
            ["is {i}questionable", "is not transparent", "worries me"],
            ["is {i}exemplary", "is transparent"],
            ["Where did they get my data from?"],
            ["Privacy is taken seriously."],
        ),
    },
    "sales_pressure": {
        "de": _w(
            ["Der Verkäufer", "Die Beratung", "Das Verkaufsgespräch", "Der Vertrieb"],
            ["war {i}aufdringlich", "hat mich unter Druck gesetzt", "wollte nur verkaufen"],
            ["war {i}ehrlich", "war {i}kompetent", "hat gut beraten"],
            ["Mir wurde ein Vertrag aufgeschwatzt."],
            ["Ehrliche Beratung ohne Druck."],
        ),
        "en": _w(
            ["The salesperson", "The advice", "The sales call", "Sales"],
            ["was {i}pushy", "pressured me", "only wanted to sell"],
            ["was {i}honest", "was {i}competent", "gave good advice"],
            ["They talked me into a contract."],
            ["Honest advice, no pressure."],
        ),
    },
}

OFFTOPIC = {
    "de": [
        "Schönes Wetter heute.",
        "k.A.",
        "-",
        "Test",
        "Weiß nicht.",
        "nichts",
        "Passt schon.",
        "Grüße an das Team",
        "Keine Anmerkungen.",
        "siehe oben",
        "Frohe Weihnachten!",
        "Mein Hund mag euer Logo.",
        "???",
        "ok",
        "Bitte nicht mehr anrufen wegen Umfragen.",
    ],
    "en": [
        "Nice weather today.",
        "n/a",
        "-",
        "test",
        "Don't know.",
        "nothing",
        "It's fine.",
        "Greetings to the team",
        "No comments.",
        "see above",
        "Merry Christmas!",
        "My dog likes your logo.",
        "???",
        "ok",
        "Please stop calling me for surveys.",
    ],
}

PII = {
    "de": [
        "Bitte melden Sie sich unter {email}.",
        "Rufen Sie mich an: {phone}.",
        "Meine IBAN ist {iban}, bitte Geld zurück.",
        "Herr Müller war sehr hilfreich.",
        "Frau Schneider hat mir nicht geholfen.",
        "Kundennummer {cid}, bitte prüfen.",
        "Erreichbar unter {phone} oder {email}.",
    ],
    "en": [
        "Please contact me at {email}.",
        "Call me on {phone}.",
        "My IBAN is {iban}, please refund.",
        "Mr Miller was very helpful.",
        "Ms Smith did not help at all.",
        "Customer number {cid}, please check.",
        "Reach me at {phone} or {email}.",
    ],
}
EMAILS = [
    "max.mustermann@example.de",
    "j.schmidt@web.example",
    "anna.meier@mail.example",
    "peter_k@example.com",
    "info.kunde@example.org",
]
PHONES = ["0171 2345678", "+49 30 1234567", "089/9876543", "0176-55512345", "+44 20 7946 0958"]
IBANS = ["DE89 3704 0044 0532 0130 00", "DE02120300000000202051", "DE44 5001 0517 5407 3249 31"]
CIDS = ["C0001234", "KD-778812", "4711-0815"]

JOIN = {
    "de": [", aber ", "; aber ", " – aber ", ", nur ", ", doch "],
    "en": [", but ", "; but ", " - but ", ", only ", ", yet "],
}
