"""Shared pieces of the fuzz tests: the hypothesis settings and the checks every import meets.

Examples per test: ``CXO_FUZZ_EXAMPLES`` (default 10, kept modest for CI; a deeper run
sets e.g. ``CXO_FUZZ_EXAMPLES=500``). Runs are derandomised so a CI failure replays.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings

from cxo.errors import CxoError

EXAMPLES = int(os.environ.get("CXO_FUZZ_EXAMPLES", "10"))
settings.register_profile(
    "cxo-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a CI failure shows its example
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FUZZ = settings.get_profile("cxo-fuzz")


def check_quarantine(rows: list[dict[str, Any]]) -> None:
    """Every quarantined row names its line and why; a field unless the row itself is broken."""
    for q in rows:
        assert q["line"] is not None, q
        assert q["line"] >= 2, q
        assert isinstance(q["reason"], str), q
        assert q["reason"].strip(), q
        if q["field"] is not None:  # "nps: '11' is out of range 0–10", "duplicate key r1 (…)"
            reason = q["reason"]
            assert reason.startswith((f"{q['field']}:", "duplicate key")), q


def check_fatal(exc: BaseException, path: Path) -> None:
    """A file-level error is typed and names the file."""
    assert isinstance(exc, CxoError), repr(exc)
    assert path.name in str(exc), str(exc)
    assert exc.code
    assert exc.exit_code
