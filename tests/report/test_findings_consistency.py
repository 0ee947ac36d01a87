"""Issue 16, item 3: every finding says what its numbers say, in German and English.

Hypothesis generates estimates (``ci_low ≤ value ≤ ci_high``, on both sides of zero, touching
it, money gains and losses) and runs each finding's key choice and its rendering:

* "no evidence" words appear only when the interval covers the null — and always then;
* the direction words follow the side of the null the interval lies on, and the first signed
  number printed (the estimate) has the same sign;
* no negative amount of money in the prose: outside the "(95 % CI …)" brackets, money is
  positive and its verb says which way it goes ("keeps" / "puts … at risk").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxo.assess.focus import money_key
from cxo.assess.trend import trend_direction
from cxo.core.messages import Finding, Message, msg
from cxo.diagnostics.complaint_handling import effect_finding
from cxo.diagnostics.loyalty_association import churn_finding, nps_finding, offer
from cxo.diagnostics.loyalty_penalty import tax_finding
from cxo.diagnostics.result import DiagnosticResult
from cxo.diagnostics.self_service import switch_finding
from cxo.diagnostics.watering_can import fatigue_finding, uplift_finding
from cxo.initiatives.priorities import stop_key
from cxo.report import diagnostics as render
from cxo.report.assessment import detractors_key
from cxo.report.messages import message, text
from cxo.stats import Estimate

LANGUAGES = ("en", "de")
NO_EVIDENCE = {"en": "No evidence", "de": "Kein Nachweis"}
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)


def _bounds(scale: float) -> st.SearchStrategy[float]:
    magnitude = st.floats(scale * 1e-3, scale, allow_nan=False, allow_infinity=False)
    return st.one_of(st.just(0.0), magnitude, magnitude.map(lambda x: -x))


@st.composite
def estimates(draw: st.DrawFn, scale: float = 0.5) -> Estimate:
    """An estimate with ``ci_low ≤ value ≤ ci_high``; bounds may sit exactly on zero."""
    a, b, c = sorted(draw(_bounds(scale)) for _ in range(3))
    return Estimate(value=b, ci_low=a, ci_high=c)


def side(e: Estimate) -> str:
    return "above" if e.ci_low > 0 else "below" if e.ci_high < 0 else "covers"


NUMBER = re.compile(r"(?<![\w%.,])([+\-−]?)\d")
CI = re.compile(r"\((?:[^()]*\b(?:CI|KI)\b[^()]*)\)|\[[^\]]*\]")
NEGATIVE_MONEY = re.compile(r"[-−]\s?\d[\d.,\u00a0\u202f]*\s?(?:EUR|€)")


def first_sign(s: str) -> str | None:
    """Sign of the first number in ``s`` (None when it is printed without one, e.g. 0.0)."""
    m = NUMBER.search(s)
    if m is None or not m.group(1):
        return None
    return "+" if m.group(1) == "+" else "-"


def prose(s: str) -> str:
    """The text without its interval brackets (where signed bounds belong)."""
    previous = None
    while previous != s:
        previous, s = s, CI.sub("", s)
    return s


@dataclass(frozen=True)
class Case:
    """One finding: how to build it from an estimate, and its words for each side."""

    name: str
    build: Callable[[Estimate], Finding | Message]
    above: dict[str, str]
    below: dict[str, str]
    signed: bool = True
    """Whether the estimate is the first number and printed with its sign."""


def _say(f: Finding | Message, language: str) -> str:
    m = f.message if isinstance(f, Finding) else f
    return render.say(m, language)


EXTRA = {"after_failure": 0.3, "after_success": 0.1, "contacts_per_month": 12.0}
CASES = [
    Case(
        "loyalty tax",
        lambda e: tax_finding("25+", e, Estimate(value=100.0, ci_low=80.0, ci_high=120.0)),
        {"en": "Loyal customers pay more", "de": "Treue wird bestraft"},
        {"en": "Loyal customers do not pay more", "de": "Treue wird nicht bestraft"},
        signed=False,
    ),
    Case(
        "loyalty churn",
        lambda e: churn_finding(Estimate(value=-0.2, ci_low=-0.25, ci_high=-0.15), e),
        {"en": "churn more than", "de": "wandern häufiger ab"},
        {"en": "churn less than", "de": "wandern seltener ab"},
    ),
    Case(
        "loyalty nps",
        lambda e: nps_finding(Estimate(value=3.0, ci_low=1.0, ci_high=5.0), e.scaled(100)),
        {"en": "give a higher NPS", "de": "einen höheren NPS"},
        {"en": "Paying more costs NPS", "de": "Mehrzahlen kostet NPS"},
    ),
    Case(
        "complaint churn",
        lambda e: effect_finding("churn_effect", e),
        {"en": "raises annual churn", "de": "erhöht die jährliche Abwanderung"},
        {"en": "lowers annual churn", "de": "senkt die jährliche Abwanderung"},
    ),
    Case(
        "complaint nps",
        lambda e: effect_finding("nps_effect", e.scaled(100)),
        {"en": "raises NPS", "de": "hebt den NPS"},
        {"en": "lowers NPS", "de": "senkt den NPS"},
    ),
    *[
        Case(
            f"fatigue {k}",
            lambda e, k=k: fatigue_finding(k, e),
            {"en": "rises with send volume", "de": "steigt mit der Sendungsmenge"},
            {"en": "falls with send volume", "de": "sinkt mit der Sendungsmenge"},
        )
        for k in ("fatigue_unsubscribe", "fatigue_churn")
    ],
    *[
        Case(
            f"uplift {o}",
            lambda e, o=o: uplift_finding(o, e),
            {"en": "is higher than", "de": "ist höher als"},
            {"en": "is lower than", "de": "ist niedriger als"},
        )
        for o in ("unsubscribed", "complained", "clicked")
    ],
    Case(
        "channel switch",
        lambda e: switch_finding(e, {**EXTRA, "cost_per_month": 300.0, "top": "x"}),
        {"en": "within 48 h, against", "de": "binnen 48 h in Anruf oder Chat, gegenüber"},
        {"en": "less often than successful", "de": "seltener in Anruf oder Chat"},
        signed=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@SETTINGS
@given(est=estimates())
def test_finding_words_follow_the_interval(case: Case, est: Estimate) -> None:
    where = side(est)
    finding = case.build(est)
    for lang in LANGUAGES:
        said = _say(finding, lang)
        no_evidence = said.startswith(NO_EVIDENCE[lang])
        assert no_evidence == (where == "covers"), (lang, est, said)
        if where != "covers":
            want, other = (case.above, case.below) if where == "above" else (case.below, case.above)
            assert want[lang] in said, (lang, est, said)
            assert other[lang] not in said, (lang, est, said)
            sign = first_sign(prose(said))
            if case.signed:
                assert sign in (None, "+" if where == "above" else "-"), (lang, est, said)
        assert not NEGATIVE_MONEY.search(prose(said)), (lang, est, said)
    if isinstance(finding, Finding) and where != "covers":
        assert finding.estimate is not None


@SETTINGS
@given(
    churn=estimates(),
    customers=st.integers(1, 100_000),
    tax=st.floats(0.0, 1e6),
    revenue=st.floats(1.0, 1e7),
)
def test_retention_offer_says_money_by_its_sign(
    churn: Estimate, customers: int, tax: float, revenue: float
) -> None:
    res = DiagnosticResult("loyalty", {}, currency="EUR")
    res.figures["churn_difference_adjusted"] = churn.to_dict()
    res.figures["_offer_inputs"] = {
        "customers_paying_more": customers,
        "tax_per_month": tax,
        "revenue_per_month_at_list": revenue,
    }
    offer(res)
    f = res.finding("retention_offer")
    kept = res.figures["retention_offer"]["revenue_kept_per_year"]
    where = "above" if kept["ci_low"] > 0 else "below" if kept["ci_high"] < 0 else "covers"
    words = {
        "above": {"en": "and keeps", "de": "und hält"},
        "below": {"en": "a year at risk", "de": "aufs Spiel"},
        "covers": {"en": "is unclear", "de": "ist unklar"},
    }
    for lang in LANGUAGES:
        said = render.say(f.message, lang)
        assert words[where][lang] in said, (lang, kept, said)
        for other in set(words) - {where}:
            assert words[other][lang] not in said, (lang, kept, said)
        assert not NEGATIVE_MONEY.search(prose(said)), (lang, kept, said)
        if f.evidence:
            assert "does not pay" not in said
            assert "may or may not" not in said


@SETTINGS
@given(rev=estimates(scale=1e6))
def test_revenue_at_risk_is_never_a_negative_amount(rev: Estimate) -> None:
    for lang in LANGUAGES:
        for base, extra in (
            ("assess.summary.money", {}),
            ("assess.focus.pain_money", {"label": "x", "reach": 10, "gap": -20.0}),
        ):
            params = {"value": rev.value, "low": rev.ci_low, "high": rev.ci_high, "cur": "EUR"}
            said = message(money_key(base, rev), lang, **params, **extra)
            assert not re.search(r"[-−]\d[\d.,]*\s?EUR", prose(said)), (lang, rev, said)


@SETTINGS
@given(est=estimates(scale=10.0))
def test_trend_verdict_follows_its_interval(est: Estimate) -> None:
    d = trend_direction(est.value, (est.ci_low, est.ci_high))
    assert d == {"above": "rising", "below": "falling", "covers": "flat"}[side(est)]
    for lang in LANGUAGES:
        said = message(
            "assess.trend.line",
            lang,
            quarters=8,
            slope=est.value,
            low=est.ci_low,
            high=est.ci_high,
            p=0.5,
            verdict=msg(f"assess.trend.verdict.{d}"),
        )
        flat = {"en": "no significant trend", "de": "kein signifikanter Trend"}[lang]
        assert (flat in said) == (d == "flat"), said


@SETTINGS
@given(est=estimates(scale=20.0), expected=st.floats(0.5, 20.0))
def test_stop_reason_follows_the_measured_interval(est: Estimate, expected: float) -> None:
    key = stop_key(est, expected)
    where = side(est)
    if where == "covers":
        assert key == ("initiatives.stop.did_not_deliver" if est.ci_high < expected else None)
    elif where == "below":
        assert key == "initiatives.stop.harmed"
    else:
        assert key is None
    if key is None:
        return
    params = {"estimate": est.value, "low": est.ci_low, "high": est.ci_high, "expected": expected}
    for lang in LANGUAGES:
        said = text(Message(key, params), lang)
        zero = {"en": "not different from zero", "de": "nicht von null verschieden"}[lang]
        assert (zero in said) == (where == "covers"), said


@SETTINGS
@given(excess=estimates(scale=0.2))
def test_detractor_line_words_follow_the_sign(excess: Estimate) -> None:
    ex = SimpleNamespace(excess=excess.value, ci_low=excess.ci_low, ci_high=excess.ci_high)
    result = SimpleNamespace(linkage=SimpleNamespace(detractor_excess=ex))
    for base in ("assess.summary.detractors", "assess.html.detractors"):
        key = detractors_key(base, result)  # type: ignore[arg-type]
        for lang in LANGUAGES:
            said = message(
                key, lang, points=100 * ex.excess, low=100 * ex.ci_low, high=100 * ex.ci_high,
                hr=1.0, p=0.5,
            )  # fmt: skip
            less = {"en": "less than promoters", "de": "seltener ab als"}[lang]
            assert (less in said) == (excess.value < 0), said
            assert first_sign(said) in (None, "-" if excess.value < 0 else "+"), said


def test_issue_example_reads_as_it_should() -> None:
    """The sentence of issue 16: −20.8 % (95 % CI −23.0 % to −18.6 %) is not 'no evidence',
    and −510,231 EUR of revenue is put at risk, not kept as a negative amount."""
    adj = Estimate(value=-0.208, ci_low=-0.230, ci_high=-0.186)
    said = render.say(churn_finding(adj, adj).message, "en")
    assert said.startswith("Customers paying more churn less")
    assert "-20.8 pp (95 % CI -23.0 pp to -18.6 pp)" in said
    res = DiagnosticResult("loyalty", {}, currency="EUR")
    res.figures["churn_difference_adjusted"] = adj.to_dict()
    revenue = 510_231 / 0.208 / 12
    res.figures["_offer_inputs"] = {
        "customers_paying_more": 1000,
        "tax_per_month": 1000.0,
        "revenue_per_month_at_list": revenue,
    }
    offer(res)
    said = render.say(res.finding("retention_offer").message, "en")
    assert "puts 510,231 EUR (95 % CI" in said
    assert "of revenue a year at risk" in said
    de = render.say(res.finding("retention_offer").message, "de")
    assert "510.231 EUR (95-%-KI" in de
    assert "aufs Spiel" in de
