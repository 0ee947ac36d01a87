"""A tiny hand-made workspace whose every scorecard number is computed by hand in the tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from cxo.workspace import Workspace

CUSTOMERS = [
    # customer_id, segment, signup_date, churn_date
    ("c1", "private", "2025-01-01", None),
    ("c2", "private", "2025-01-01", "2026-02-10"),
    ("c3", "business", "2025-06-01", None),
    ("c4", "business", "2025-06-01", "2026-03-15"),
    ("c5", "premium", "2026-02-01", None),
    ("c6", "private", "2024-01-01", "2025-03-01"),
]
RESPONSES = [
    # response_id, customer_id, touchpoint, channel, responded_at, nps, csat, ces
    ("r1", "c1", "hotline", "phone", "2026-01-05 10:00:00", 10, 5, 2),
    ("r2", "c2", "hotline", "phone", "2026-01-20 11:00:00", 9, 4, 3),
    ("r3", "c3", "hotline", "chat", "2026-02-03 09:30:00", 6, 2, 6),
    ("r4", "c4", "billing", "email", "2026-02-15 16:00:00", 3, 1, 7),
    ("r5", "c5", "billing", "email", "2026-03-10 08:00:00", 8, 3, None),
    ("r6", "c1", "billing", "phone", "2026-03-20 12:00:00", 7, None, 4),
    ("r7", "c3", "hotline", "phone", "2026-03-25 18:45:00", 10, 5, 1),
    ("r8", "c2", "sales", "web", "2026-01-10 14:00:00", None, 4, None),
]


def fill(ws: Workspace, customers: list[tuple], responses: list[tuple]) -> None:
    """Insert rows straight into the contract tables (via Arrow: fast for a few thousand rows)."""
    cust = pa.table(
        dict(
            zip(
                ["customer_id", "segment", "signup_date", "churn_date"],
                map(list, zip(*customers, strict=True)),
                strict=True,
            )
        )
    )
    resp = pa.table(
        dict(
            zip(
                ["response_id", "customer_id", "touchpoint", "channel", "responded_at", "nps",
                 "csat", "ces"],
                map(list, zip(*responses, strict=True)),
                strict=True,
            )
        )
    )  # fmt: skip
    with ws.connect() as con:
        con.register("cust", cust)
        con.register("resp", resp)
        con.execute(
            "insert into customers (customer_id, segment, signup_date, churn_date) "
            "select customer_id, segment, cast(signup_date as date), cast(churn_date as date) "
            "from cust"
        )
        con.execute(
            "insert into responses (response_id, customer_id, survey, touchpoint, channel, "
            "responded_at, nps, csat, ces) select response_id, customer_id, 'transactional', "
            "touchpoint, channel, cast(responded_at as timestamp), nps, csat, ces from resp"
        )


@pytest.fixture
def fill_rows() -> Callable[[Workspace, list[tuple], list[tuple]], None]:
    """The row inserter, for tests that plant their own data."""
    return fill


@pytest.fixture
def tiny(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "tiny", "service", language="en")
    fill(ws, CUSTOMERS, RESPONSES)
    return ws


@pytest.fixture
def tiny_de(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "tiny_de", "service", language="de")
    fill(ws, CUSTOMERS, RESPONSES)
    return ws
