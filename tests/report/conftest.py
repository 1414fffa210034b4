"""One small store for every report test: the synthetic sample (kadry.api.sample, simulated and
flagged so whatever its source labels, hh and sim) over the report range, normalized columns included. The report is cut from the
store's release, so its size sets the release's cost: the bundled hh CSV sample (124 roles x 81
regions x weeks) took minutes to publish; this one about 30 s, once per session."""

from __future__ import annotations

import pytest

from .report_pagetools import END, START  # noqa: F401  (the range of the simulated supply)


@pytest.fixture(scope="session")
def store_path(tmp_path_factory):
    from kadry.api.sample import build_store
    from kadry.publish import make

    path = build_store(
        tmp_path_factory.mktemp("report-store") / "kadry.duckdb",
        start=f"{START}-01",
        months=6,
        sources={"hh": 0.6, "sim": 0.4},
    )
    make(path)
    return path


@pytest.fixture(scope="session")
def engine(store_path):
    from kadry.indicators import Engine

    eng = Engine.duckdb(store_path)
    yield eng
    eng.close()
