"""Where records live: a DuckDB file, with Parquet export for exchange and Spark."""

from kadry.store.db import Store

__all__ = ["Store"]
