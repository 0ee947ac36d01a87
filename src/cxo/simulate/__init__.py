"""The synthetic company: all eight contract tables with planted ground truth.

>>> import cxo
>>> sim = cxo.simulate("service", 300, seed=1)
>>> sorted(sim.tables) == sorted(cxo.core.contract.TABLES)
True
>>> sim.truth["company_type"], sim.truth["drivers"]["target"]
('service', 'nps')

See ``docs/simulator.md`` for every planted mechanism and the meaning of each truth value.
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cxo.core.charter import template_text
from cxo.core.contract import TABLES
from cxo.simulate.chunk import generate_chunk
from cxo.simulate.columns import Counters, schema
from cxo.simulate.config import SimulationConfig, build_config
from cxo.simulate.context import build_context
from cxo.simulate.customers import AFFECTED, AFFECTED_SCHEMA
from cxo.simulate.portfolio import portfolio, portfolio_yaml
from cxo.simulate.truth import Acc, build_truth

__all__ = ["SimulatedCompany", "SimulationConfig", "simulate"]

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
}
ROW_GROUP_SIZE = 1_000_000

Progress = Callable[[int, int], None]


@dataclass
class SimulatedCompany:
    """What :func:`simulate` produced: the truth, and the tables in memory or on disk."""

    config: SimulationConfig
    truth: dict[str, Any]
    out: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)
    _tables: dict[str, pa.Table] = field(default_factory=dict, repr=False)
    _affected: pa.Table | None = field(default=None, repr=False)

    @property
    def tables(self) -> dict[str, pa.Table]:
        """Table name → Arrow table (read from ``out`` on first use for streamed runs)."""
        if not self._tables and self.out is not None:
            self._tables = {
                name: pq.read_table(path) for name, path in self.files.items() if name in TABLES
            }
        return self._tables

    @property
    def affected(self) -> pa.Table:
        """Ground truth per customer: ``(customer_id, pain)`` for every customer a planted pain
        affects (``pain`` indexes ``truth["pains"]``; on disk ``truth_affected.parquet``)."""
        if self._affected is None and self.out is not None:
            self._affected = pq.read_table(self.files[AFFECTED])
        return self._affected if self._affected is not None else AFFECTED_SCHEMA.empty_table()

    def table(self, name: str) -> pa.Table:
        """One table by its contract name."""
        return self.tables[name]

    def portfolio(self) -> dict[str, Any]:
        """The company's plan of initiatives (``portfolio.yaml``; see
        :mod:`cxo.simulate.portfolio`)."""
        return portfolio(self.config.company_type, self.config.customers, self.truth)

    def summary(self) -> str:
        """One line per table with its row count."""
        counts = self.truth["counts"]
        lines = [
            f"{self.config.company_type} company, {self.config.customers:,} customers, "
            f"seed {self.config.seed}, as of {self.config.as_of.isoformat()}"
        ]
        lines += [f"  {name:<11} {counts[name]:>12,} rows" for name in TABLES]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description: where the files are and the row counts."""
        return {
            "company_type": self.config.company_type,
            "customers": self.config.customers,
            "seed": self.config.seed,
            "out": str(self.out) if self.out else None,
            "files": {k: str(v) for k, v in self.files.items()},
            "counts": self.truth["counts"],
        }


def simulate(
    company_type: str,
    customers: int,
    seed: int,
    out: str | Path | None = None,
    *,
    progress: Progress | None = None,
    **overrides: Any,
) -> SimulatedCompany:
    """Simulate a company of ``company_type`` with ``customers`` customers.

    With ``out`` the tables stream to ``<out>/<table>.parquet`` chunk by chunk (memory stays
    bounded) next to ``truth.json`` and ``charter.yaml``; without it they are kept in memory.
    ``overrides`` set fields of :class:`SimulationConfig` (e.g. ``loyalty_penalty=0``,
    ``no_effects=True``, ``pains=[...]``). Same arguments → byte-identical files.
    """
    cfg = build_config(company_type, customers, seed, **overrides)
    ctx = build_context(cfg)
    counters = Counters()
    acc = Acc()
    counts = dict.fromkeys(TABLES, 0)
    out_dir = Path(out) if out is not None else None
    writers: dict[str, pq.ParquetWriter] = {}
    parts: dict[str, list[pa.Table]] = {name: [] for name in [*TABLES, AFFECTED]}
    files: dict[str, Path] = {}
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            files[name] = out_dir / f"{name}.parquet"
            writers[name] = pq.ParquetWriter(files[name], schema(name), **PARQUET_OPTIONS)
        files[AFFECTED] = out_dir / f"{AFFECTED}.parquet"
        writers[AFFECTED] = pq.ParquetWriter(files[AFFECTED], AFFECTED_SCHEMA, **PARQUET_OPTIONS)
    try:
        n_chunks = -(-cfg.customers // cfg.chunk_size)
        done = 0
        for index in range(n_chunks):
            n = min(cfg.chunk_size, cfg.customers - done)
            tables, chunk_acc = generate_chunk(ctx, index, n, counters)
            acc.merge(chunk_acc)
            for name, table in tables.items():
                if name in counts:
                    counts[name] += table.num_rows
                if table.num_rows == 0:
                    continue
                if name in writers:
                    writers[name].write_table(table, row_group_size=ROW_GROUP_SIZE)
                else:
                    parts[name].append(table)
            done += n
            if progress is not None:
                progress(done, cfg.customers)
    finally:
        for w in writers.values():
            w.close()
    truth = build_truth(ctx, acc, counts)
    result = SimulatedCompany(config=cfg, truth=truth, out=out_dir, files=files)
    if out_dir is None:
        result._tables = {
            name: pa.concat_tables(parts[name]) if parts[name] else schema(name).empty_table()
            for name in TABLES
        }
        result._affected = pa.concat_tables(parts[AFFECTED]) if parts[AFFECTED] else None
    else:
        charter_path = out_dir / "charter.yaml"
        charter_path.write_text(template_text(cfg.company_type), "utf-8")
        truth_path = out_dir / "truth.json"
        truth_path.write_text(
            json.dumps(truth, ensure_ascii=False, indent=2, sort_keys=False) + "\n", "utf-8"
        )
        portfolio_path = out_dir / "portfolio.yaml"
        portfolio_path.write_text(portfolio_yaml(cfg.company_type, cfg.customers, truth), "utf-8")
        files["charter"] = charter_path
        files["truth"] = truth_path
        files["portfolio"] = portfolio_path
    return result


class _CallableModule(types.ModuleType):
    """Lets ``cxo.simulate(...)`` work even after ``cxo.simulate`` (the package) was imported.

    Importing the subpackage binds the *module* to the attribute ``cxo.simulate``; making the
    module callable keeps the stable API ``cxo.simulate(company_type, customers, seed)``.
    """

    def __call__(
        self,
        company_type: str,
        customers: int,
        seed: int,
        out: str | Path | None = None,
        **kwargs: Any,
    ) -> SimulatedCompany:
        return simulate(company_type, customers, seed, out, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
