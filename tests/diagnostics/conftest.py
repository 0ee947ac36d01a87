from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cxo.workspace import Workspace

Maker = Callable[..., tuple[Workspace, dict[str, Any]]]


@pytest.fixture
def make_ws(tmp_path: Path) -> Maker:
    """Build a workspace of ``company_type`` and fill it with ``generator(con, **kw)``."""
    counter = iter(range(1000))

    def make(
        company_type: str, generator: Callable[..., dict[str, Any]], **kw: Any
    ) -> tuple[Workspace, dict[str, Any]]:
        ws = Workspace.create(tmp_path / f"ws{next(counter)}", company_type)
        with ws.connect() as con:
            info = generator(con, **kw)
        return ws, info

    return make
