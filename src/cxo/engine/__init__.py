"""Analytics over ibis: DuckDB by default, the pyspark backend for data beyond one machine.

The query layer only: aggregates (:mod:`~cxo.engine.aggregates`), their sums per group
(:mod:`~cxo.engine.sums`, :mod:`~cxo.engine.groups`), periods, KPI status, comparisons and the
scorecard that puts them together. Words and numbers for people come from
:mod:`cxo.report.scorecard`.
"""

from __future__ import annotations

from cxo.engine.aggregates import DIMENSIONS as DIMENSIONS
from cxo.engine.aggregates import churn_aggregates as churn_aggregates
from cxo.engine.aggregates import response_aggregates as response_aggregates
from cxo.engine.comparisons import Comparison as Comparison
from cxo.engine.kpis import KpiStatus as KpiStatus
from cxo.engine.scorecard import Scorecard as Scorecard
from cxo.engine.scorecard import ScorecardRow as ScorecardRow
from cxo.engine.scorecard import build_scorecard as build_scorecard
from cxo.engine.scorecard import scorecard as scorecard
