"""The main job on the embedded default: real demand, simulated (labelled) supply, the index, served.

Real resumes with region, occupation and update date do not exist in public, so the demo
fills the supply side from the simulator, sized against the real vacancies it ingested.
Every simulated record carries ``simulated = true`` and every figure built on one says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kadry.config import SAMPLES
from kadry.errors import InputError
from kadry.store import Store

__all__ = ["DemoResult", "largest_places", "run_demo", "simulate_supply"]

Say = Callable[[str], None]


@dataclass
class DemoResult:
    db: Path
    ingest: dict = field(default_factory=dict)
    normalize: dict = field(default_factory=dict)
    supply: dict = field(default_factory=dict)


def simulate_supply(store: Store, start: str, end: str, *, seed: int = 1, say: Say = print) -> dict:
    """Add simulated resumes planned against the real vacancy stock of every category and month.

    ``kadry.simulate.supply_for_store`` measures the store's real vacancy stock (normalizing
    the real records first, since roles and duplicates set the demand) and has the simulator
    plan resumes so that resume stock = the scenario's index target x that stock: the index
    follows the published levels where there are real vacancies and is undefined where there
    are none.
    """
    from kadry.simulate import supply_for_store

    existing = store.con.execute("SELECT count(*) FROM resumes WHERE simulated").fetchall()[0][0]
    if existing:
        say(f"supply: {existing:,} simulated resumes already in the store")
        return {"resumes": existing, "reused": True}
    return supply_for_store(store, start, end, seed=seed, say=say)


def run_demo(
    db: Path, *, samples: Path = SAMPLES, start: str = "2022-01", end: str = "2022-12", say: Say = print
) -> DemoResult:
    """Ingest the bundled samples, normalize, add the simulated supply, normalize it too."""
    from kadry.ingest import ingest_paths
    from kadry.normalize import normalize_store

    if not samples.is_dir():
        raise InputError(f"bundled samples not found at {samples}: run the demo from a clone of the repository")
    result = DemoResult(Path(db))
    with Store(db) as store:
        report = ingest_paths(store, [samples])
        t = report.total
        result.ingest = {"read": t.read, "stored": t.stored, "merged": t.merged, "quarantined": t.quarantined}
        say(f"ingest: read {t.read:,} = stored {t.stored:,} + merged {t.merged:,} + quarantined {t.quarantined:,}")
        result.supply = simulate_supply(store, start, end, say=say)
        result.normalize = normalize_store(store)
        say("normalize: regions, occupations, salaries, skills and duplicates done")
    return result


def largest_places(table: Any, dim: str, *, least: int, n: int) -> Any:
    """The ``n`` cells of ``table`` with the most active vacancies (at least ``least``), places only.

    "unknown" is coverage, not a place (records abroad or not mapped), so it is never ranked.
    """
    import pyarrow.compute as pc

    from kadry.indicators.segments import UNKNOWN

    placed = table.filter(pc.not_equal(table[dim], UNKNOWN))
    big = placed.filter(pc.greater_equal(placed["n_vacancies"], least))
    return big.sort_by([("n_vacancies", "descending")]).slice(0, n)
