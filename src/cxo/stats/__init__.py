"""Estimators with intervals; they run on aggregates so the engine can compute counts in SQL.

Stable API: ``nps(scores, level=0.95)`` and ``nps_difference(a, b)`` (see PRODUCT.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cxo.stats.estimate import Estimate as Estimate
from cxo.stats.estimate import Result as Result
from cxo.stats.means import MeanEstimate as MeanEstimate
from cxo.stats.means import WelchTest as WelchTest
from cxo.stats.means import mean_t as mean_t
from cxo.stats.means import mean_t_from_sums as mean_t_from_sums
from cxo.stats.means import welch_t as welch_t
from cxo.stats.means import welch_t_from_sums as welch_t_from_sums
from cxo.stats.multiple import fdr_bh as fdr_bh
from cxo.stats.nps import NpsDifference as NpsDifference
from cxo.stats.nps import NpsEstimate as NpsEstimate
from cxo.stats.nps import nps as nps
from cxo.stats.nps import nps_counts as nps_counts
from cxo.stats.nps import nps_difference as nps_difference
from cxo.stats.nps import nps_from_counts as nps_from_counts
from cxo.stats.proportions import ProportionEstimate as ProportionEstimate
from cxo.stats.proportions import TwoProportionTest as TwoProportionTest
from cxo.stats.proportions import csat_top2box as csat_top2box
from cxo.stats.proportions import proportion as proportion
from cxo.stats.proportions import two_proportion_test as two_proportion_test
from cxo.stats.proportions import wilson_interval as wilson_interval
from cxo.stats.rates import RateEstimate as RateEstimate
from cxo.stats.rates import churn_rate as churn_rate
from cxo.stats.rates import churn_rate_per_year as churn_rate_per_year

if TYPE_CHECKING:
    from cxo.stats.churn import ExcessChurn as ExcessChurn
    from cxo.stats.churn import RevenueAtRisk as RevenueAtRisk
    from cxo.stats.churn import churn_by_group as churn_by_group
    from cxo.stats.churn import cox_churn as cox_churn
    from cxo.stats.churn import excess_churn as excess_churn
    from cxo.stats.churn import revenue_at_risk as revenue_at_risk
    from cxo.stats.drivers import DriverResult as DriverResult
    from cxo.stats.drivers import key_drivers as key_drivers
    from cxo.stats.drivers import relative_weights as relative_weights
    from cxo.stats.drivers import shapley_r2 as shapley_r2

# Loaded on first use, so that importing cxo.stats stays light (scipy.stats, pandas and
# statsmodels come with the estimators that need them).
_LAZY = {
    "ExcessChurn": "cxo.stats.churn",
    "RevenueAtRisk": "cxo.stats.churn",
    "churn_by_group": "cxo.stats.churn",
    "cox_churn": "cxo.stats.churn",
    "excess_churn": "cxo.stats.churn",
    "revenue_at_risk": "cxo.stats.churn",
    "DriverResult": "cxo.stats.drivers",
    "key_drivers": "cxo.stats.drivers",
    "relative_weights": "cxo.stats.drivers",
    "shapley_r2": "cxo.stats.drivers",
}

__all__ = [
    "DriverResult",
    "Estimate",
    "ExcessChurn",
    "MeanEstimate",
    "NpsDifference",
    "NpsEstimate",
    "ProportionEstimate",
    "RateEstimate",
    "Result",
    "RevenueAtRisk",
    "TwoProportionTest",
    "WelchTest",
    "churn_by_group",
    "churn_rate",
    "churn_rate_per_year",
    "cox_churn",
    "csat_top2box",
    "excess_churn",
    "fdr_bh",
    "key_drivers",
    "mean_t",
    "mean_t_from_sums",
    "nps",
    "nps_counts",
    "nps_difference",
    "nps_from_counts",
    "proportion",
    "relative_weights",
    "revenue_at_risk",
    "shapley_r2",
    "two_proportion_test",
    "welch_t",
    "welch_t_from_sums",
    "wilson_interval",
]


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'cxo.stats' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
