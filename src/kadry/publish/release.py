"""Releases: the suppressed cubes of one store, persisted beside it and served from there.

A release is made by ``kadry publish`` (or by ``kadry serve`` when none is current) and
written to ``<db>.release/``: ``release.json`` (id, k, rule versions, the store's data
version, date, period lengths) and, per (indicator, period length), a folder of Parquet parts
(salary and skills are written a run of periods at a time) and the cube's attributes in JSON. It is
current while the store's data version, the normalization rules, the suppression rules and
k are those it was made from; ingest changes the data version, so a stale release is never
served. Everything published (API, dashboard CSV, report) is cut from the same cells.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from kadry.errors import BadRequest, KadryError
from kadry.privacy import min_cell
from kadry.publish.cubes import COVERAGE, FLOW_PERIODS, SKILLS_PERIODS, WHOLE, WHOLE_TABLES, joined
from kadry.rules import activity

__all__ = [
    "RULES",
    "PERIODS",
    "Publishing",
    "Release",
    "StaleRelease",
    "coverage_cells",
    "current",
    "ensure",
    "folder",
    "make",
    "making",
    "start_making",
    "state_of",
    "whole_table",
]

#: version of the publication rules (cubes, hierarchies, suppression); a change makes releases stale
RULES = "publish-8"
#: released period lengths; days are not released (a day cube is ~30x a month's, and daily
#: counts of a region's role are mostly below k: they would only add hidden cells)
PERIODS = ("week", "month", "quarter")


class StaleRelease(KadryError):
    """No release matches the store as it is now."""

    status = 503


class Publishing(StaleRelease):
    """The store's release is being made (by ``kadry publish`` or a starting server): retry shortly."""

    transient = True


@dataclass
class Release:
    """One persisted release: its parameters and its cubes (loaded lazily from Parquet)."""

    id: str
    k: int
    rules: str
    norm_rules: str
    data_version: str
    created: str
    first: str
    last: str
    periods: list[str]
    path: Path = field(repr=False, compare=False)
    _cubes: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)
    #: the privacy loss the moves were published at (None: suppressed like everything else)
    moves_epsilon: float | None = None

    def cube(self, indicator: str, period: str) -> pd.DataFrame:
        """The released cells of one indicator and period length."""
        if period not in self.periods and not (period == WHOLE and indicator in WHOLE_TABLES):
            raise BadRequest(f"period {period!r} is not released (released: {', '.join(self.periods)})")
        if indicator.startswith("flow") and period not in FLOW_PERIODS:
            raise BadRequest(
                f"flows are published by {' and '.join(FLOW_PERIODS)} only, not by {period}: add up the months"
            )
        if indicator == "skills" and period not in SKILLS_PERIODS:
            raise BadRequest(
                f"skills are published by {' and '.join(SKILLS_PERIODS)} only, not by {period}: "
                "a segment's skills in a shorter period are mostly below the minimum cell size"
            )
        key = (indicator, period)
        if key not in self._cubes:
            parts = sorted((self.path / "cells" / f"{indicator}-{period}").glob("*.parquet"))
            if not parts:
                raise BadRequest(f"indicator {indicator!r} is not released")
            table = joined([pd.read_parquet(part) for part in parts])
            table.attrs = json.loads((self.path / "cells" / f"{indicator}-{period}.json").read_text())
            self._cubes[key] = table
        return self._cubes[key]

    def released(self) -> list[tuple[str, str]]:
        """Every (indicator, period length) the release holds."""
        return [tuple(f.stem.rsplit("-", 1)) for f in sorted((self.path / "cells").glob("*.json"))]  # type: ignore[misc]

    def describe(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("path", "_cubes")}


def folder(db_path: str | Path) -> Path:
    """Where a store's release lives: beside it, like the match index."""
    return Path(str(db_path) + ".release")


def state_of(db_path: str | Path, k: int | None = None) -> dict:
    """What a release of the store as it is now must record (data version, rules, k)."""
    from kadry.normalize.run import norm_version
    from kadry.store import Store

    with Store(db_path, read_only=True) as store:
        version = store.data_version() or _unversioned(store)
    from kadry.settings import settings

    return {
        "k": min_cell(k),
        "rules": RULES,
        "norm_rules": norm_version(),
        "data_version": version,
        "moves_epsilon": settings().moves_epsilon,
    }


def current(db_path: str | Path, k: int | None = None) -> Release | None:
    """The persisted release if it matches the store as it is now, else None."""
    meta = _read(folder(db_path))
    if meta is None:
        return None
    want = state_of(db_path, k)
    if any(meta.get(key) != value for key, value in want.items()):
        return None
    return Release(**meta, path=folder(db_path))


def make(db_path: str | Path, k: int | None = None) -> Release:
    """Compute every released cube once, suppress each family as a whole, persist them."""
    marker = _marker(db_path)
    marker.write_text(json.dumps({"pid": os.getpid(), "started": datetime.now(UTC).isoformat(timespec="seconds")}))
    try:
        return _make(db_path, k)
    finally:
        marker.unlink(missing_ok=True)


def making(db_path: str | Path) -> str | None:
    """When a release of the store began to be made, if a live process is making one now."""
    try:
        info = json.loads(_marker(db_path).read_text())
        os.kill(int(info["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(info.get("started", ""))


def start_making(db_path: str | Path, k: int | None = None) -> subprocess.Popen | None:
    """Make the release in another process (a server starts answering at once); None if one is current."""
    if current(db_path, k) is not None or making(db_path):
        return None
    if not os.access(Path(db_path).resolve().parent, os.W_OK):
        raise StaleRelease(f"no current release of {db_path}: run `kadry publish --db {db_path}`")
    cmd = [sys.executable, "-m", "kadry", "publish", "--db", str(db_path), "--k", str(min_cell(k))]
    with open(str(db_path) + ".release.log", "ab") as log:  # why it failed, if it does
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 30
    while not making(db_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until its marker is written: no window in which nothing says it is coming
    return proc


def _die_with_parent() -> None:
    """Linux: the publishing process ends with the server that started it (however that ends)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _marker(db_path: str | Path) -> Path:
    return Path(str(db_path) + ".release.making")


class _Cells:
    """Writes each cube's parts to Parquet as they come, so a release never holds its cubes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.parts: dict[tuple[str, str], int] = {}
        self.attrs: dict[tuple[str, str], dict] = {}

    def __call__(self, key: tuple[str, str], frame: pd.DataFrame) -> None:
        name = "-".join(key)
        n = self.parts.get(key, 0)
        if n == 0:
            (self.folder / name).mkdir()
            self.attrs[key] = dict(frame.attrs)
            (self.folder / f"{name}.json").write_text(json.dumps(frame.attrs, default=list))
        plain = frame.copy(deep=False)
        plain.attrs = {}  # the cube's, kept once in its JSON rather than in every part's schema
        plain.to_parquet(self.folder / name / f"{n:05d}.parquet", index=False)
        self.parts[key] = n + 1


def _make(db_path: str | Path, k: int | None) -> Release:
    from kadry.publish.cubes import emit_cubes

    want = state_of(db_path, k)
    first, last = _data_range(db_path)
    target = folder(db_path)
    tmp = Path(str(target) + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "cells").mkdir(parents=True)
    cells = _Cells(tmp / "cells")
    emit_cubes(
        db_path, cells, k=want["k"], periods=list(PERIODS), first=first, last=last, moves_epsilon=want["moves_epsilon"]
    )
    created = datetime.now(UTC).isoformat(timespec="seconds")
    rid = hashlib.sha256(json.dumps([want, created, first, last]).encode()).hexdigest()[:12]
    meta = {**want, "id": rid, "created": created, "first": first, "last": last, "periods": list(PERIODS)}
    (tmp / "release.json").write_text(json.dumps(meta, indent=1))
    old = Path(str(target) + f".old{os.getpid()}")
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    noise = cells.attrs[("moves", WHOLE)].get("noise")
    if noise:
        _record(db_path, noise, rid)
    return Release(**meta, path=target)


def _record(db_path: str | Path, noise: dict, release: str) -> None:
    """The noisy moves' privacy loss, into the store's ledger under the release (sequential composition).

    A server may hold the store open for a moment; the write waits for it (a few tries)."""
    from kadry.privacy.noise import Spend, record_spend
    from kadry.store import DuckDBError, Store

    fields: dict[str, Any] = {
        k: (tuple(v) if k == "counts" else v) for k, v in noise.items() if k in Spend.__dataclass_fields__
    }
    for attempt in range(20):
        try:
            with Store(db_path) as store:
                record_spend(store, Spend(**fields), release=release)
            return
        except DuckDBError:
            if attempt == 19:
                raise
            time.sleep(0.5)


def ensure(db_path: str | Path, k: int | None = None, *, say=None) -> Release:
    """The current release; made now if there is none and the folder beside the store is writable."""
    found = current(db_path, k)
    if found is not None:
        return found
    if not os.access(Path(db_path).resolve().parent, os.W_OK):
        raise StaleRelease(f"no current release of {db_path}: run `kadry publish --db {db_path}`")
    if say is not None:
        say("publishing: no current release of this store")
    return make(db_path, k)


def coverage_cells(db_path: str | Path, k: int | None = None) -> pd.DataFrame:
    """The released coverage table (records and shares per kind and source, the whole store)."""
    return whole_table(db_path, COVERAGE, k)


def whole_table(db_path: str | Path, name: str, k: int | None = None) -> pd.DataFrame:
    """A table released for the whole store (``WHOLE_TABLES``): from the current release, else
    its own family computed alone, which gives the same cells."""
    from kadry.publish.cubes import QUARANTINE, coverage_table, quarantine_table, trajectory_tables
    from kadry.settings import settings
    from kadry.store import Store

    if name not in WHOLE_TABLES:
        raise BadRequest(f"{name!r} is not a released table (released: {', '.join(WHOLE_TABLES)})")
    found = current(db_path, k)
    if found is not None:
        return found.cube(name, WHOLE)
    if name == COVERAGE:
        return coverage_table(db_path, k=min_cell(k))
    if name == QUARANTINE:
        return quarantine_table(db_path, k=min_cell(k))
    if name in ("moves", "signals"):
        from kadry.publish.moves import moves_table, signals_table

        if name == "moves":
            if settings().moves_epsilon is not None:  # noise is spent once per release, never per answer
                raise StaleRelease(f"noisy moves are published with a release: run `kadry publish --db {db_path}`")
            return moves_table(db_path, k=min_cell(k))
        return signals_table(db_path, k=min_cell(k), first=_data_range(db_path)[0], last=_data_range(db_path)[1])
    with Store(db_path, read_only=True) as store:
        return trajectory_tables(store.con, k=min_cell(k))[name]


def _read(path: Path) -> dict | None:
    try:
        return json.loads((path / "release.json").read_text())
    except (OSError, ValueError):
        return None


def _unversioned(store) -> str:
    """A store never ingested into (built directly): its record counts stand for the version."""
    return "counts:" + "/".join(str(store.count(t)) for t in ("vacancies", "resumes", "observations"))


def _data_range(db_path: str | Path) -> tuple[str, str]:
    """First and last day with any record (published vacancy or created resume)."""
    from kadry.store import connect

    con = connect(db_path, read_only=True)
    try:
        row = con.execute(
            f"SELECT min(d), max(d) FROM (SELECT {activity.start_sql('vacancy')} AS d FROM vacancies "
            f"UNION ALL SELECT {activity.start_sql('resume')} FROM resumes)"
        ).fetchone()
    finally:
        con.close()
    assert row is not None  # an aggregate always gives one row
    if row[0] is None:
        raise BadRequest("the store holds no records yet")
    return row[0].date().isoformat(), row[1].date().isoformat()
