from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cxo.workspace import Workspace

Query = Callable[[str], list[tuple[object, ...]]]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A fresh software-company workspace."""
    return Workspace.create(tmp_path / "ws", "software")


@pytest.fixture
def q(ws: Workspace) -> Query:
    """Run SQL read-only against the workspace database."""

    def run(sql: str) -> list[tuple[object, ...]]:
        with ws.connect(read_only=True) as con:
            return con.execute(sql).fetchall()

    return run
