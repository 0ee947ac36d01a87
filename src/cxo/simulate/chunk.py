"""One chunk of customers: who they are, their lives month by month, then the tables.

The random draws of a chunk come from one generator seeded ``[seed, index]``, in this order:
customers (:mod:`~cxo.simulate.customers`), their lives (:mod:`~cxo.simulate.lives`), the
customers' regions, contract prices, case outcomes (:mod:`~cxo.simulate.cases`), responses
and ratings (:mod:`~cxo.simulate.responses`). Who uses an initiative's touchpoint, and
the answers moved there, come from a second generator ``[seed, index, USERS_STREAM]``. Truth
accumulators are summed across chunks
by :mod:`cxo.simulate.truth`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cxo.simulate.cases import cases_table
from cxo.simulate.columns import Counters, make_ids
from cxo.simulate.context import Context
from cxo.simulate.contracts import contracts_table
from cxo.simulate.customers import AFFECTED, affected_table, customers_table, draw_customers
from cxo.simulate.lives import lives
from cxo.simulate.responses import responses_tables
from cxo.simulate.sends import sends_table
from cxo.simulate.sessions import sessions_table
from cxo.simulate.truth import Acc

USERS_STREAM = 4242
"""Third seed word of the generator for who uses the initiatives' touchpoints and where
their answers go (``[seed, index, USERS_STREAM]``)."""


def generate_chunk(
    ctx: Context, index: int, n: int, counters: Counters
) -> tuple[dict[str, pa.Table], Acc]:
    """Simulate ``n`` customers of chunk ``index``; return the eight tables and truth sums."""
    cfg = ctx.cfg
    rng = np.random.default_rng([cfg.seed, index])
    acc = Acc()
    cu = draw_customers(ctx, rng, n, np.random.default_rng([cfg.seed, index, USERS_STREAM]))
    ev = lives(ctx, rng, cu, acc)
    tables: dict[str, pa.Table] = {}
    cust_num = counters.take("customers", n)
    cust_ids = make_ids("customers", cust_num)
    tables["customers"] = customers_table(ctx, rng, cu, cust_ids)
    tables["contracts"], tables["price_list"] = contracts_table(
        ctx, rng, cu, cust_ids, counters, acc, index
    )
    tables["cases"] = cases_table(ctx, rng, cu, ev, cust_ids, counters, acc)
    tables["sends"] = sends_table(ctx, cu, ev, cust_ids, counters, acc)
    tables["sessions"] = sessions_table(ctx, cu, ev, cust_ids, counters, acc)
    tables["responses"], tables["ratings"] = responses_tables(
        ctx, rng, cu, ev, cust_ids, counters, acc
    )
    tables[AFFECTED] = affected_table(cu, cust_ids)
    return tables, acc
