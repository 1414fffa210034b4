"""The DuckDB store: one file holding vacancies, resumes, observations and the quarantine."""

from __future__ import annotations

from pathlib import Path

from kadry.config import salt_for
from kadry.schema import TABLES, ddl
from kadry.store.connect import connect, resolve

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
        for table in TABLES:
            self.con.execute(ddl(table))
        self.con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")

    @property
    def salt(self) -> bytes:
        return salt_for(self.path)

    def meta(self, key: str) -> str | None:
        rows = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def count(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]

    def export_parquet(self, out: str | Path, tables: tuple[str, ...] = ("vacancies", "resumes", "observations")) -> dict[str, Path]:
        """Write each table to ``out/<table>.parquet`` (the exchange format, and Spark's input)."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        for table in tables:
            target = out / f"{table}.parquet"
            self.con.execute(f"COPY (SELECT * FROM {table} ORDER BY ALL) TO '{_sql_path(target)}' (FORMAT parquet)")
            written[table] = target
        return written

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
