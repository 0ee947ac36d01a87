"""Analytics over ibis: DuckDB by default, the pyspark backend for data beyond one machine."""

from __future__ import annotations

from cxo.engine.aggregates import DIMENSIONS as DIMENSIONS
from cxo.engine.aggregates import churn_aggregates as churn_aggregates
from cxo.engine.aggregates import response_aggregates as response_aggregates
from cxo.engine.format import format_number as format_number
from cxo.engine.scorecard import Comparison as Comparison
from cxo.engine.scorecard import KpiStatus as KpiStatus
from cxo.engine.scorecard import Scorecard as Scorecard
from cxo.engine.scorecard import ScorecardRow as ScorecardRow
from cxo.engine.scorecard import build_scorecard as build_scorecard
from cxo.engine.scorecard import scorecard as scorecard
