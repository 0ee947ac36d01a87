"""Business case arithmetic against closed forms, break-even, sensitivity and verdicts."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from cxo.errors import UsageError
from cxo.initiatives.business_case import CaseInputs, business_case, npv

BASE = CaseInputs(
    one_off_cost=100_000.0,
    running_cost_month=1_000.0,
    customers=20_000,
    mrr=40.0,
    baseline_churn=0.15,
    churn_effect=-0.02,
    horizon_months=36,
    discount_rate=0.0,
)


def _geometric(q: float, h: int) -> float:
    """Σ_{t=1..h} q^t = q (1 − q^h) / (1 − q)."""
    return q * (1 - q**h) / (1 - q)


def test_value_matches_closed_form_without_discounting() -> None:
    case = business_case(BASE)
    q0 = (1 - 0.15) ** (1 / 12)
    q1 = (1 - 0.13) ** (1 / 12)
    value = 20_000 * 40.0 * (_geometric(q1, 36) - _geometric(q0, 36))
    assert case.value_kept == pytest.approx(value, rel=1e-12)
    assert case.cost == pytest.approx(100_000 + 36 * 1_000, rel=1e-12)
    assert case.npv == pytest.approx(value - 136_000, rel=1e-12)
    # customers still there after 36 months thanks to the initiative: N (q1^36 − q0^36)
    assert case.customers_kept == pytest.approx(20_000 * (0.87**3 - 0.85**3), rel=1e-9)


def test_discounting_monthly_at_the_annual_rate() -> None:
    inp = replace(BASE, discount_rate=0.10, running_cost_month=0.0)
    q0, q1 = (1 - 0.15) ** (1 / 12), (1 - 0.13) ** (1 / 12)
    v = 1.10 ** (-1 / 12)
    # Σ N m (q1^t − q0^t) v^t  =  N m [G(q1 v) − G(q0 v)]
    value = 20_000 * 40.0 * (_geometric(q1 * v, 36) - _geometric(q0 * v, 36))
    # the one-off cost is paid up front (not discounted)
    assert npv(inp) == pytest.approx(value - 100_000, rel=1e-12)


def test_break_even_effect_gives_zero_npv_and_verdicts() -> None:
    case = business_case(BASE)
    assert case.break_even_effect is not None
    assert npv(replace(BASE, churn_effect=case.break_even_effect)) == pytest.approx(0, abs=1e-2)
    assert BASE.churn_effect < case.break_even_effect < 0
    strong = business_case(replace(BASE, churn_effect=-0.05))
    assert strong.verdict == "robust"
    assert all(s.npv_low > 0 for s in strong.sensitivity)
    weak = business_case(replace(BASE, churn_effect=-0.001))
    assert weak.verdict == "weak"
    assert weak.npv < 0
    assert weak.reason.key == "initiatives.case.weak.expected"
    assert weak.reason.params["loss"] == pytest.approx(-weak.npv)
    # barely above break-even: fragile, with the reason in words
    thin = business_case(replace(BASE, churn_effect=case.break_even_effect * 1.1))
    assert thin.verdict == "fragile"
    assert thin.npv > 0
    none = business_case(replace(BASE, churn_effect=0.0))
    assert none.verdict == "weak"
    assert none.reason.key == "initiatives.case.no_effect"
    never = business_case(replace(BASE, one_off_cost=1e12))
    assert never.break_even_effect is None
    assert never.verdict == "weak"


def test_sensitivity_sorted_by_swing() -> None:
    case = business_case(BASE)
    swings = [s.swing for s in case.sensitivity]
    assert all(a >= b * (1 - 1e-9) for a, b in itertools.pairwise(swings))
    # customers and mrr act alike (equal swings): they are ordered by name, not by float noise
    names = [s.input for s in case.sensitivity]
    assert names.index("customers") < names.index("mrr")
    assert {s.input for s in case.sensitivity} >= {"churn_effect", "one_off_cost", "mrr"}
    effect = next(s for s in case.sensitivity if s.input == "churn_effect")
    assert effect.npv_low < case.npv < effect.npv_high
    assert case.verdict == "robust"
    assert case.reason.params["safety"] == pytest.approx(
        1 - (case.break_even_effect or 0) / BASE.churn_effect
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("baseline_churn", 1.5, "annual probability"),
        ("churn_effect", -3.0, "change of the annual churn"),
        ("one_off_cost", -1.0, "negative"),
        ("margin", 0.0, "margin"),
        ("horizon_months", 0, "horizon"),
    ],
)
def test_impossible_inputs_are_named(field: str, value: float, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        business_case(replace(BASE, **{field: value}))


def test_more_churn_and_non_finite_inputs() -> None:
    worse = business_case(replace(BASE, churn_effect=0.02))
    assert worse.verdict == "weak"
    assert worse.reason.key == "initiatives.case.raises_churn.expected"
    measured = business_case(replace(BASE, churn_effect=0.02), measured=True)
    assert measured.reason.key == "initiatives.case.raises_churn.measured"
    with pytest.raises(UsageError, match="discount_rate must be a finite number"):
        business_case(replace(BASE, discount_rate=float("nan")))
    with pytest.raises(UsageError, match="horizon must be between 1 and 600"):
        business_case(replace(BASE, horizon_months=10**9))
