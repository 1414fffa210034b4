"""The loopback catalogue: simulated dumps (labelled simulated) served as the portal serves them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kadry.simulate.trudvsem import simulate_trudvsem
from tests.collect.loopback import Loopback

ROOT = "/oda/"


@pytest.fixture(scope="session")
def dumps(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("served")
    simulate_trudvsem(out, days=3, start="2024-03-26", vacancies=60, cvs=150, regions=4, seed=11)
    return out


def served_files(root: Path) -> dict[str, Path]:
    """URL path -> local dump, for every dated dump the simulator wrote."""
    return {f"{ROOT}{p.parent.name}/{p.name}": p for p in sorted(root.glob("7710538364-*/data-*.xml.gz"))}


@pytest.fixture
def portal(dumps):
    server = Loopback()
    for path, local in served_files(dumps).items():
        server.put(path, local.read_bytes())
        # beside the dumps, as on the portal: a fixed-name copy and the schema (not dated: never fetched)
        server.put(path.rsplit("/", 1)[0] + "/structure-20161130T143000.xsd", b"<xsd/>")
    server.start()
    yield server
    server.stop()
