"""Where records live: a DuckDB file, with Parquet export for exchange and Spark.

The one door to DuckDB: ``Store`` (an open store), ``connect``/``scratch``/``ibis_connect``
(raw, in-memory and Ibis connections), all with kadry's settings applied.
"""

from kadry.store.connect import Connection, DuckDBError, connect, ibis_backend, ibis_connect, require, resolve, scratch
from kadry.store.db import Store

__all__ = [
    "Store",
    "Connection",
    "DuckDBError",
    "connect",
    "scratch",
    "ibis_backend",
    "ibis_connect",
    "require",
    "resolve",
]
