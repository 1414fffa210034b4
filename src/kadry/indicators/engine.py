"""Where indicators run: DuckDB (the store file, default) or Spark (the store's Parquet export).

The engine is chosen at the edge: an ``Engine`` hands out the same three Ibis tables
(vacancies, resumes, observations) on either backend and executes expressions to Arrow.
Indicator code only ever sees Ibis tables, so it never asks which engine it runs on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from kadry.errors import EngineError, StoreError

__all__ = ["Engine", "TABLE_NAMES", "STORED_TABLES", "spark_for_store", "spark_session", "store_tables"]

TABLE_NAMES = ("vacancies", "resumes", "observations", "presence")
#: the merged activity intervals the store keeps current (kadry.indicators.stored)
STORED_TABLES = ("activity_keys", "segment_codes", "activity_intervals")
#: DuckDB groups with a direct-indexed table when its keys' ranges fit in this many bits
_PERFECT_HASH_BITS = 20
#: tables an older store or export may lack: read as empty
_OPTIONAL = {"presence"}


class Engine:
    """An Ibis backend plus the store's tables on it; build with ``duckdb``, ``from_store`` or ``spark``."""

    def __init__(self, name: str, con: Any, tables: dict[str, Any], *, owns: bool = True, session: Any = None) -> None:
        self.name = name
        self.con = con
        self._tables = tables
        self._owns = owns
        self.session = session
        #: the store's merged activity intervals are present and current (see stored.py): stocks read them
        self.stored_intervals = all(t in tables for t in STORED_TABLES)
        self._small: dict[bytes, Any] = {}

    # --- constructors ---------------------------------------------------------------------
    @classmethod
    def duckdb(cls, store_path: str | Path | None = None) -> Engine:
        """Open the store's DuckDB file read-only (several readers may share it)."""
        from kadry.store import ibis_connect, resolve

        path = resolve(store_path)
        con = ibis_connect(path)
        return cls("duckdb", con, store_tables(con, path, con.con))

    @classmethod
    def from_store(cls, store: Any) -> Engine:
        """Run on an open ``kadry.store.Store`` (in-memory stores, or a process already holding the file)."""
        from kadry.store import ibis_backend

        con = ibis_backend(store.con)
        return cls("duckdb", con, store_tables(con, store.path, store.con), owns=False)

    @classmethod
    def spark(cls, parquet_dir: str | Path, master: str = "local[2]", *, session: Any = None) -> Engine:
        """Read ``vacancies.parquet``, ``resumes.parquet``, ``observations.parquet`` with Spark (files,
        or folders partitioned by source and month: ``Store.export_parquet(partitioned=True)``).

        ``master`` is ``local[N]`` or a cluster URL; ``session`` reuses an existing SparkSession.
        """
        try:
            import ibis
        except ImportError as exc:
            raise EngineError(f"Spark engine needs pyspark (pip install 'kadry[spark]'): {exc}") from None
        parquet_dir = Path(parquet_dir)
        missing = [t for t in TABLE_NAMES if t not in _OPTIONAL and not (parquet_dir / f"{t}.parquet").exists()]
        if missing:
            raise EngineError(
                f"{parquet_dir}: missing {', '.join(t + '.parquet' for t in missing)} (see Store.export_parquet)"
            )
        if session is None:
            session = spark_session(master)
        # timestamps are wall-clock values: read and truncate them without a zone shift
        session.conf.set("spark.sql.session.timeZone", "UTC")
        # a partitioned export's folder names are strings (a source named "2023" stays a string)
        session.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        con = ibis.pyspark.connect(session)
        tables = {
            t: con.read_parquet(str(parquet_dir / f"{t}.parquet"), table_name=f"kadry_{t}")
            for t in TABLE_NAMES
            if t not in _OPTIONAL or (parquet_dir / f"{t}.parquet").exists()
        }
        tables.update({t: _empty(t) for t in _OPTIONAL if t not in tables})
        tables.update(
            {
                t: con.read_parquet(str(parquet_dir / f"{t}.parquet"), table_name=f"kadry_{t}")
                for t in STORED_TABLES
                if (parquet_dir / f"{t}.parquet").exists()
            }
        )
        return cls("spark", con, tables, session=session)

    # --- use ------------------------------------------------------------------------------
    def table(self, name: str) -> Any:
        return self._tables[name]

    def small_table(self, table: pa.Table) -> Any:
        """A small Arrow table (a calendar) as an Ibis table on this engine, made once per content.

        On DuckDB it is a temporary table, not a view of the Arrow data: a table has statistics
        (each column's range), which direct-indexed grouping needs.
        """
        import hashlib

        import ibis

        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        key = hashlib.sha1(sink.getvalue().to_pybytes()).digest()
        if key not in self._small:
            if self.name == "duckdb":
                self._small[key] = self.con.create_table(
                    f"_kadry_small_{key.hex()[:16]}", table, temp=True, overwrite=True
                )
            else:
                self._small[key] = ibis.memtable(table)
        return self._small[key]

    def execute(self, expr: Any) -> pa.Table:
        """Run an Ibis expression here and return Arrow."""
        try:
            if self.name != "duckdb":
                return self.con.to_pyarrow(expr)
            # group by small integer keys (codes, period numbers) with direct-indexed tables up to
            # 2^20 groups (DuckDB's default is 2^12; role x region x month needs 2^20); set for
            # this query only, since a store's connection may be shared with ingest
            self.con.raw_sql(f"SET perfect_ht_threshold = {_PERFECT_HASH_BITS}")
            try:
                return self.con.to_pyarrow(expr)
            finally:
                self.con.raw_sql("RESET perfect_ht_threshold")
        except Exception as exc:
            raise EngineError(
                f"{self.name} failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ) from exc

    def close(self) -> None:
        """Release the connection (a Spark session is left to its owner)."""
        if self._owns and self.name == "duckdb":
            try:
                self.con.disconnect()
            except Exception:
                pass

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Engine({self.name!r})"


def _empty(name: str) -> Any:
    import ibis

    from kadry.schema import TABLES, arrow_schema

    return ibis.memtable(arrow_schema(TABLES[name][0]).empty_table())


def store_tables(con: Any, path: Path | str, raw: Any) -> dict[str, Any]:
    """The record tables (optional ones empty when absent), plus the stored intervals when they are current."""
    from kadry.indicators.state import freshness

    out = {}
    for t in TABLE_NAMES:
        try:
            out[t] = con.table(t)
        except Exception as exc:
            if t in _OPTIONAL:
                out[t] = _empty(t)
                continue
            raise StoreError(f"{path} is not a kadry store: {str(exc).splitlines()[0]}", path=str(path)) from None
    if freshness(raw):
        out.update({t: con.table(t) for t in STORED_TABLES})
    return out


def spark_session(master: str = "local[2]", *, driver_memory: str | None = None, shuffle_partitions: int = 4) -> Any:
    """A Spark session as kadry runs it: no UI, UTC, few shuffle partitions (sized for 2 cores).
    ``driver_memory`` only takes effect when this starts the JVM (local mode: the whole job)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise EngineError(f"Spark engine needs pyspark (pip install 'kadry[spark]'): {exc}") from None
    builder = (
        SparkSession.builder.master(master)
        .appName("kadry-indicators")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
    )
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    try:
        return builder.getOrCreate()
    except Exception as exc:
        raise EngineError(f"cannot start Spark ({master}): {str(exc).splitlines()[0]}") from None


def spark_for_store(
    store_path: str | Path | None, master: str = "local[2]", *, cache_dir: str | Path | None = None, session: Any = None
) -> Engine:
    """A Spark engine over a store file: export it to Parquet (once per store version) and read that.

    The export lands in ``cache_dir`` (default: ``<store>.parquet/`` beside the file) in a
    folder named after the file's size and modification time, so a changed store is re-exported.
    """
    from kadry.store import Store, require

    path = require(store_path)
    st = path.stat()
    base = Path(cache_dir) if cache_dir is not None else path.with_name(path.name + ".parquet")
    target = base / f"{st.st_size}-{st.st_mtime_ns}"
    if not all((target / f"{t}.parquet").exists() for t in TABLE_NAMES):
        tmp = target.with_name(target.name + ".tmp")
        from kadry.indicators.state import freshness

        with Store(path, read_only=True) as store:
            store.export_parquet(tmp, TABLE_NAMES + (STORED_TABLES if freshness(store.con) else ()), partitioned=True)
        tmp.rename(target)
    return Engine.spark(target, master, session=session)
