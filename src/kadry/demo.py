"""The main job on the embedded default: real demand, simulated (labelled) supply, the index, served.

Real resumes with region, occupation and update date do not exist in public, so the demo
fills the supply side from the simulator, sized against the real vacancies it ingested.
Every simulated record carries ``simulated = true`` and every figure built on one says so.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kadry.config import SAMPLES
from kadry.errors import InputError
from kadry.store import Store

__all__ = ["DemoResult", "run_demo", "simulate_supply"]

Say = Callable[[str], None]


@dataclass
class DemoResult:
    db: Path
    ingest: dict = field(default_factory=dict)
    normalize: dict = field(default_factory=dict)
    supply: dict = field(default_factory=dict)


def simulate_supply(store: Store, start: str, end: str, *, seed: int = 1, say: Say = print) -> dict:
    """Add simulated resumes sized so the index lands in the scenario's published ranges.

    The simulator plans both sides with the same number of vacancies as the store holds in
    the period, and only its resumes (with their update histories) are loaded.
    """
    from kadry.ingest.canonical import ingest_canonical
    from kadry.simulate import simulate

    existing = store.con.execute("SELECT count(*) FROM resumes WHERE simulated").fetchall()[0][0]
    if existing:
        say(f"supply: {existing:,} simulated resumes already in the store")
        return {"resumes": existing, "reused": True}
    n_vac = store.con.execute(
        "SELECT count(*) FROM vacancies WHERE NOT simulated AND published_at >= ?::DATE "
        "AND published_at < ?::DATE + INTERVAL 1 MONTH", [f"{start}-01", f"{end}-01"]).fetchall()[0][0]
    if n_vac == 0:
        raise InputError(f"no real vacancies published {start}..{end} to size the simulated supply against")
    n_res = max(2_000, int(n_vac * 1.2))
    with tempfile.TemporaryDirectory(prefix="kadry-supply-") as tmp:
        out = Path(tmp) / "supply"
        say(f"supply: simulating {n_res:,} resume histories against {n_vac:,} real vacancies ({start}..{end}), labelled simulated")
        summary = simulate(out, vacancies=n_vac, resumes=n_res, start=start, end=end, seed=seed)
        result = ingest_canonical(store, out, kinds=("resume",))
    return {"resumes": result.counts.stored, "observations": summary["observations"]["resume"], "reused": False}


def run_demo(db: Path, *, samples: Path = SAMPLES, start: str = "2022-01", end: str = "2022-12", say: Say = print) -> DemoResult:
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
