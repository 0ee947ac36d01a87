"""Churn: share of customers lost (Wilson) and churn per customer-year (exact Poisson).

* ``churn_rate(churned, at_risk)``: customers whose churn date falls in the period divided by
  the customers active at its start, with the Wilson interval.
* ``churn_rate_per_year(churned, customer_years)``: churn events per customer-year of exposure,
  with the exact (Garwood) Poisson interval ``χ²(α/2, 2k)/2T … χ²(1−α/2, 2k+2)/2T``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxo.stats.estimate import Estimate, check_level
from cxo.stats.proportions import ProportionEstimate, proportion


@dataclass(frozen=True, kw_only=True)
class RateEstimate(Estimate):
    """Events per unit of exposure with the exact Poisson interval."""

    events: int
    exposure: float


def churn_rate(churned: int, at_risk: int, level: float = 0.95) -> ProportionEstimate:
    """Share of the ``at_risk`` customers who churned, with its Wilson interval."""
    return proportion(churned, at_risk, level)


def churn_rate_per_year(churned: int, customer_years: float, level: float = 0.95) -> RateEstimate:
    """Churn events per customer-year with the exact Poisson (Garwood) interval."""
    check_level(level)
    if customer_years <= 0:
        nan = math.nan
        return RateEstimate(
            value=nan,
            ci_low=nan,
            ci_high=nan,
            se=nan,
            events=int(churned),
            exposure=float(customer_years),
            level=level,
        )
    from scipy import stats as _st  # heavy: loaded when a rate is estimated, not at import

    alpha = 1.0 - level
    k = int(churned)
    low = 0.0 if k == 0 else float(_st.chi2.ppf(alpha / 2.0, 2 * k)) / (2.0 * customer_years)
    high = float(_st.chi2.ppf(1.0 - alpha / 2.0, 2 * k + 2)) / (2.0 * customer_years)
    return RateEstimate(
        value=k / customer_years,
        ci_low=low,
        ci_high=high,
        se=math.sqrt(k) / customer_years,
        events=k,
        exposure=float(customer_years),
        level=level,
    )
