from __future__ import annotations

import pytest

from cxo.simulate import SimulatedCompany, simulate


@pytest.fixture(scope="session")
def service20k() -> SimulatedCompany:
    """A mid-size service company (in memory), shared by the recovery tests."""
    return simulate("service", 20_000, 7)


@pytest.fixture(scope="session")
def small() -> dict[str, SimulatedCompany]:
    """A small company of each type, several chunks each."""
    return {t: simulate(t, 2_500, 3, chunk_size=1_000) for t in ("service", "software", "retail")}
