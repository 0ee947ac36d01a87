"""cxo benchmarks: ratios against hand-written DuckDB SQL and pandas, with peak memory."""
