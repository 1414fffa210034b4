"""The API's view of the store's release: every answer is a slice of its persisted cells.

Nothing is computed or suppressed per request (``kadry.publish`` makes the release, once);
a store changed since the release was made is answered with 503 until it is republished.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd

from kadry.errors import KadryError, NoStore
from kadry.privacy import min_cell
from kadry.publish import Publishing, Release, StaleRelease, current, ensure, making
from kadry.publish.cubes import FAMILY, KEYS
from kadry.store import DuckDBError

__all__ = ["Publisher", "FAMILY", "KEYS", "slice_cube"]

T = TypeVar("T")


class Publisher:
    """The current release of one store (loaded once, checked when the store file changes)."""

    def __init__(self, db_path: str | Path, *, k: int | None = None, make: bool = True) -> None:
        self.db_path = Path(db_path)
        self.k = min_cell(k)
        self._lock = threading.Lock()
        self._seen = self.version()
        self._release: Release | None = ensure(self.db_path, self.k) if make else current(self.db_path, self.k)
        self._memo: dict[tuple, object] = {}
        self._memo_lock = threading.Lock()

    def cached(self, key: tuple, build: Callable[[], T]) -> T:
        """``build()`` once per store version: answers that do not change until the store does."""
        full = (self.version(), *key)
        with self._memo_lock:
            if full in self._memo:
                return self._memo[full]  # type: ignore[return-value]
        value = build()
        with self._memo_lock:
            if len(self._memo) > 64:
                self._memo.clear()
            self._memo[full] = value
        return value

    def table(self, name: str) -> pd.DataFrame:
        """A table released for the whole store (``kadry.publish.whole_table``): from the current
        release, else its own family computed alone (the same cells), once per store version."""
        from kadry.publish import whole_table

        return self.cached(("table", name), lambda: whole_table(self.db_path, name, self.k))

    def version(self) -> str:
        """Changes whenever the store file changes (size and modification time)."""
        try:
            st = os.stat(self.db_path)
        except OSError:
            raise NoStore(self.db_path.name) from None
        wal = Path(str(self.db_path) + ".wal")
        extra = f"-{wal.stat().st_mtime_ns}" if wal.exists() else ""
        return f"{st.st_size}-{st.st_mtime_ns}{extra}"

    def release(self) -> Release:
        """The release being served; refused (503) once the store has moved on from it."""
        with self._lock:
            now = self.version()
            if now != self._seen or self._release is None:
                self._release = current(self.db_path, self.k)
                self._seen = now
            if self._release is None:
                started = making(self.db_path)
                if started:
                    raise Publishing(f"the release of this store is being made (since {started}): retry shortly")
                raise StaleRelease(f"the store has no current release: run `kadry publish --db {self.db_path}`")
            return self._release

    def state(self) -> tuple[str | None, str | None]:
        """For /health, in one look: the id of the release served, or when the one being made began."""
        try:
            return self.release().id, None
        except Publishing:
            return None, making(self.db_path)
        except StaleRelease:
            return None, None

    def served(self) -> str | None:
        """Id of the release last served (no store access: for response headers)."""
        return self._release.id if self._release is not None else None

    def cube(self, indicator: str, period: str, start: str = "", end: str = "") -> pd.DataFrame:
        """The released cells of an indicator and period length (the whole data range)."""
        return self.release().cube(indicator, period)

    def preload(self) -> int:
        """Read every cube of the current release into memory; how many were read.

        Run in the background when a server starts, so that a worker's first answers slice
        cubes already in memory instead of reading Parquet while clients wait."""
        try:
            release = self.release()
        except (KadryError, OSError, DuckDBError):  # nothing to warm: answers load on demand (or say why)
            return 0
        n = 0
        for name, period in release.released():
            try:
                release.cube(name, period)
                n += 1
            except KadryError:  # a file of a later or earlier layout: read on demand, if ever asked
                continue
            except OSError:  # the release was replaced or removed meanwhile: nothing left to warm
                break
        return n

    def data_range(self) -> tuple[str, str]:
        """First and last day with any record, as recorded by the release."""
        r = self.release()
        return r.first, r.last


def slice_cube(cube: pd.DataFrame, occupation: str, region: str, group_by: str) -> pd.DataFrame:
    """Rows of the selection: one per period, or one per member of the grouping inside it."""
    parents_occ = cube.attrs.get("parents:occupation", {})
    parents_reg = cube.attrs.get("parents:region", {})
    occ, reg = cube["occupation"], cube["region"]
    if group_by == "region":
        inside = [r for r, d in parents_reg.items() if region in ("all", d, r)]
        mask = reg.isin(inside) & (occ == occupation)
    elif group_by == "district":
        mask = reg.str.startswith("district:") & (occ == occupation)
    elif group_by == "role":
        it_roles = set(cube.attrs.get("it_roles", ()))
        inside = [
            r
            for r, c in parents_occ.items()
            if occupation in ("all", c, r) or (occupation == "it" and r.split(":", 1)[1] in it_roles)
        ]
        mask = occ.isin(inside) & (reg == region)
    elif group_by == "category":
        mask = occ.str.startswith("category:") & (reg == region)
    else:
        mask = (occ == occupation) & (reg == region)
    return cube[mask]
