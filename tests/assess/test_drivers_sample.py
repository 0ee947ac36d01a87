"""Key drivers above MAX_DRIVER_ROWS rated responses use a fixed random sample (memory at 100M)."""

from __future__ import annotations

import numpy as np
import pytest

from cxo.assess.drivers import analyse_drivers, driver_sample_share, ratings_wide
from cxo.workspace import Workspace

from .test_assess import build


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return build(tmp_path_factory.mktemp("drivers_sample") / "ws")


def test_below_the_cap_every_rated_response_is_used(ws: Workspace) -> None:
    with ws.connect(read_only=True) as con:
        full, _ = ratings_wide(con)
        assert driver_sample_share(con) == 1.0
        result = analyse_drivers(con, n_boot=0)
    assert result.relative_weights.n_ == int(full[full["target"].notna()].dropna().shape[0])
    assert not result.notes


def test_above_the_cap_a_fixed_sample_close_to_the_full_result(ws: Workspace) -> None:
    with ws.connect(read_only=True) as con:
        (n,) = con.execute("select count(distinct response_id) from ratings").fetchone() or (0,)
        cap = n // 3
        share = driver_sample_share(con, cap)
        full = analyse_drivers(con, n_boot=0, ipa=False)
        first = analyse_drivers(con, n_boot=0, ipa=False, max_rows=cap)
        again = analyse_drivers(con, n_boot=0, ipa=False, max_rows=cap)
        sample, _ = ratings_wide(con, share=share)
    # approx_count_distinct is within a few per cent: the share is about a third
    assert 0.28 < share < 0.38
    assert 0.25 * n < len(sample) < 0.42 * n  # the hash picks about `share` of the responses
    assert [(m.key, m.params["rows"]) for m in first.notes] == [
        ("assess.drivers.sampled", len(sample))
    ]
    # the same sample run after run, hence the same weights
    assert first.relative_weights.weights_.equals(again.relative_weights.weights_)
    # … and a fair sample: the weights stay close to those on every rated response
    diff = np.abs(first.relative_weights.rescaled_ - full.relative_weights.rescaled_)
    assert float(diff.max()) < 8.0  # percentage points of R²
    assert first.relative_weights.ranking()[0] == full.relative_weights.ranking()[0]
    assert first.relative_weights.n_ < 0.45 * full.relative_weights.n_


def test_sample_rows_are_a_subset_of_the_full_frame(ws: Workspace) -> None:
    with ws.connect(read_only=True) as con:
        full, attrs = ratings_wide(con)
        part, _ = ratings_wide(con, share=0.5)
    cols = ["touchpoint", "segment", "target", *attrs]
    merged = part.merge(full[cols].drop_duplicates(), on=cols, how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert 0.4 * len(full) < len(part) < 0.6 * len(full)
