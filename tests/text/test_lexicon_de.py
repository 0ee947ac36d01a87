"""German review language in the built-in lexicon (issue 16, item 1): one case per rule added
after reading the errors on the dev app of the German app-review set (bench/sentiment.py)."""

from __future__ import annotations

import pytest

from cxo import text
from cxo.text.analyze import Analyzer
from cxo.text.lexicon import Lexicon, _compound_spans, builtin_lexicon


def _label(sample: str) -> str:
    return str(text.analyze([sample], language="de")["sentiment"][0])


def _score(sample: str, language: str = "de") -> float:
    return float(
        Analyzer(review_models=False).analyze([sample], language=language)["sentiment_score"][0]
    )


@pytest.mark.parametrize(
    "sample",
    [
        "Die App ist leider absoluter Blödsinn.",  # blöd*, Blödsinn
        "Totaler Unsinn diese Anwendung.",  # unsinn*
        "Völlig sinnfrei das Ganze.",  # sinnfrei*
        "Absolut witzlos, weder Zeit noch Ort werden angezeigt.",  # witzlos*
        "Eine unnütze Anschaffung.",  # unnütz*
        "Das Gerät ist wertlos.",  # wertlos*
        "Die Preise sind extrem übertrieben.",  # übertrieben*
        "Der Support ist sehr lahm.",  # lahm*
        "Ein echter Stromfresser.",  # *fresser (compound)
        "Habe die App deinstalliert.",  # deinstallier*
        "Sofort wieder gelöscht.",  # "wieder gelöscht"
        "App gelöscht.",  # "app gelöscht"
        "Die App wird jetzt gelöscht.",  # "app * * gelöscht"
        "Bringt gar nichts.",  # "bringt gar neg"
        "Das bringt nix.",  # "bringt nix"
        "Taugt nichts.",  # "taugt neg"
        "Kein Mehrwert erkennbar.",  # "neg mehrwert"
        "Hat keinen Nutzen für mich.",  # "neg nutzen"
        "Das macht keinen Sinn.",  # "neg sinn"
        "Funktioniert sie überhaupt?",  # "funktionier* überhaupt"
        "Das geht gar nicht.",  # "geht gar neg"
        "Reine Zeitverschwendung und Ressourcenverschwendung.",  # *verschwendung
        "Totaler Dreck.",  # dreck
        "Was für ein Reinfall.",  # reinfall
        "Lieferung nach drei Tagen? Fehlanzeige.",  # fehlanzeige
        "Die Werbung ist lästig.",  # lästig*
        "Das Geräusch ist störend.",  # störend*
        "Stümperhaft programmiert.",  # stümperhaft*
        "Amateurhaft gemacht.",  # amateurhaft*
        "Auf den Hersteller ist kein Verlass.",  # "neg verlass"
        "Die Informationen sind veraltet.",  # veraltet*
        "Das Programm hängt sich ständig auf.",  # "hängt sich * auf"
        "Das Bild ist eingefroren.",  # eingefroren
        "Viel zu viel Zucker.",  # "zu viel"
        "Danke für nichts.",  # "danke für neg"
        "Lässt sich seit einer Woche nicht öffnen.",  # "lässt sich * * * neg"
        "Nicht zu gebrauchen.",  # "neg zu gebrauchen"
        "Man kann nicht bezahlen.",  # "kann neg"
        "Funktioniert nicht 👎",  # emoji
        "Immer noch kaputt 😡",  # emoji
    ],
)
def test_new_german_negative_terms(sample: str) -> None:
    assert _label(sample) == "negative", sample


@pytest.mark.parametrize(
    "sample",
    [
        "Tut was es soll.",  # "tut was * soll"
        "Macht was sie soll.",  # "macht was * soll"
        "Erfüllt seinen Zweck.",  # "erfüllt * zweck"
        "Eine sinnvolle Anschaffung.",  # sinnvoll*
        "Sehr informativ.",  # informativ*
        "Bin froh über den Kauf.",  # froh
        "Das ist echt geil.",  # geil*
        "Gibt ein sicheres Gefühl.",  # "sicheres gefühl"
        "Ich kann nicht klagen.",  # idiom beats "kann neg"
        "Kann nicht meckern.",  # idiom beats "kann neg"
        "Lieferung kam an 😊",  # emoji
    ],
)
def test_new_german_positive_terms(sample: str) -> None:
    assert _label(sample) == "positive", sample


def test_negation_still_flips_the_new_terms() -> None:
    assert _label("Gar nicht übertrieben, ein tolles Gerät.") == "positive"
    assert _label("Die Lautstärke stört nicht.") != "negative"
    assert _label("Nicht zu viel versprochen!") != "negative"


def test_wenig_sinnvoll_is_not_praise() -> None:
    assert _label("Leider wenig sinnvoll.") == "negative"


def test_a_test_result_is_no_praise() -> None:
    # `neutral` phrases hide their words: "positiv getestet" is not "positiv"
    assert _score("Ich bin positiv getestet worden.") == 0.0
    assert _score("Ich bin positiv überrascht.") > 0.2


def test_a_compound_and_its_part_count_once() -> None:
    # "Hauptproblem" is followed by its parts "haupt", "problem": one complaint, not two
    lex = builtin_lexicon()
    tokens = ["der", "hauptproblem", "haupt", "problem"]
    assert _compound_spans(tokens) == {1: 4}
    assert lex.clause_score(tokens, "Das Hauptproblem", "de") == pytest.approx(-1.5)
    # a part still counts when the compound itself is not a lexicon term ("Datenschrott")
    assert _label("Kurz und knapp Datenschrott") == "negative"


def test_compound_rule_is_german_only() -> None:
    assert _compound_spans(["no", "compound", "here"]) == {}
    lex = Lexicon()
    assert lex.clause_score(["terrible"], "terrible", "en") == pytest.approx(-3.0)
