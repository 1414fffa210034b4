"""The DuckDB store: one file holding vacancies, resumes, observations and the quarantine."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from kadry.config import salt_for
from kadry.rules.activity import start_sql
from kadry.schema import TABLES, ddl
from kadry.store.connect import DuckDBError, connect, resolve

__all__ = ["Store"]


class Store:
    """An open store. Use as a context manager, or call ``close``.

    ``read_only`` opens the file shared, so an API server and a CLI query can read at once.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = resolve(path)
        self.con = connect(self.path, read_only=read_only)
        self.read_only = read_only
        if not read_only:
            self.ensure_schema()

    def ensure_schema(self) -> None:
        have = set(
            self.con.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
            ).fetchall()
        )
        for table in TABLES:
            self.con.execute(ddl(table))
            if any(t == table for t, _ in have):
                for column in TABLES[table][0]:  # a store made by an older kadry gains new columns
                    if (table, column.name) not in have:
                        self.con.execute(f"ALTER TABLE {table} ADD COLUMN {column.name} {column.type}")
        self.con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")

    @property
    def salt(self) -> bytes:
        return salt_for(self.path)

    def meta(self, key: str) -> str | None:
        rows = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    # --- what each stage has processed ------------------------------------------------------
    def data_version(self) -> str | None:
        """Changes whenever records are written: every file ingested (the ingest log) and every
        ``bump``. None for a store nothing was ever ingested into (built directly, e.g. by a fixture)."""
        try:
            n, last, totals = self.con.execute(
                "SELECT count(*), max(finished_at), sum(read) || '.' || sum(stored) || '.' || sum(merged) || '.' || "
                "sum(quarantined) FROM ingest_log"
            ).fetchall()[0]
            bumps = self.meta("data_version") or "0"
        except DuckDBError:  # not a kadry store, or one written before the meta table existed
            return None
        if n == 0 and bumps == "0":
            return None
        return hashlib.sha256(f"{bumps}|{n}|{last}|{totals}".encode()).hexdigest()[:16]

    def bump(self) -> None:
        """Count a write of records that the ingest log does not show (call inside the writing transaction)."""
        try:
            count = int(self.meta("data_version") or 0)
        except DuckDBError:
            count = 0
        self.set_meta("data_version", str(count + 1))

    def stage(self, name: str) -> dict | None:
        """What stage ``name`` last processed: ``{"rules", "data_version", "at", ...}`` or None."""
        try:
            value = self.meta(f"stage:{name}")
        except DuckDBError:
            return None
        return json.loads(value) if value else None

    def record_stage(self, name: str, rules: str, **detail: object) -> None:
        """Note that stage ``name`` has processed the store as it is now, under ``rules``."""
        done = {
            "rules": rules,
            "data_version": self.data_version(),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            **detail,
        }
        self.set_meta(f"stage:{name}", json.dumps(done, default=str))

    def count(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]

    def export_parquet(
        self,
        out: str | Path,
        tables: tuple[str, ...] = ("vacancies", "resumes", "observations"),
        *,
        partitioned: bool = False,
    ) -> dict[str, Path]:
        """Write each table to ``out/<table>.parquet`` (the exchange format, and Spark's input).

        ``partitioned``: the record tables become Hive-style folders by source and month
        (``vacancies.parquet/source=hh/month=2023-05/*.parquet``), so that a reader prunes by
        month and a new month's snapshot adds folders; readers see ``source`` and ``month`` as
        columns (observations gain ``source``, the prefix of their record id)."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        for table in tables:
            target = out / f"{table}.parquet"
            if partitioned and table in PARTITIONS:
                source, when = PARTITIONS[table]
                rest = "* EXCLUDE (source)" if source == "source" else "*"
                rows = f"SELECT {rest}, {source} AS source, coalesce(strftime({when}, '%Y-%m'), 'undated') AS month FROM {table}"
                if target.is_dir():
                    shutil.rmtree(target)
                target.unlink(missing_ok=True)
                if self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:  # type: ignore[index]
                    self.con.execute(
                        f"COPY ({rows}) TO '{_sql_path(target)}' (FORMAT parquet, PARTITION_BY (source, month))"
                    )
                else:  # no partition to write: one empty file keeps the columns readable
                    target.mkdir()
                    self.con.execute(f"COPY ({rows}) TO '{_sql_path(target / 'empty.parquet')}' (FORMAT parquet)")
            else:
                self.con.execute(f"COPY (SELECT * FROM {table} ORDER BY ALL) TO '{_sql_path(target)}' (FORMAT parquet)")
            written[table] = target
        return written

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: the record tables' partitions: (the source, the time that places a row in a month: a record's
#: start, a sighting's time)
PARTITIONS = {
    "vacancies": ("source", start_sql("vacancy")),
    "resumes": ("source", start_sql("resume")),
    "observations": ("split_part(record_id, ':', 1)", "observed_at"),
}


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
