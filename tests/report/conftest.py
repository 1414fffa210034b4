"""One small real store for every report test: the bundled hh CSV sample, normalized, with
simulated (labelled) resumes for the supply side. Built once per session (~20 s)."""

from __future__ import annotations

import pytest

from kadry import config

from .report_pagetools import END, START  # noqa: F401  (the range of the simulated supply)


@pytest.fixture(scope="session")
def store_path(tmp_path_factory):
    from kadry.demo import simulate_supply
    from kadry.ingest import ingest_paths
    from kadry.normalize import normalize_store
    from kadry.store import Store

    path = tmp_path_factory.mktemp("report-store") / "kadry.duckdb"
    with Store(path) as store:
        ingest_paths(store, [config.SAMPLES / "vacancies" / "hh-csv-2022.csv.gz"])
        simulate_supply(store, START, END, say=lambda _text: None)
        normalize_store(store)
    return path


@pytest.fixture(scope="session")
def engine(store_path):
    from kadry.indicators import Engine

    eng = Engine.duckdb(store_path)
    yield eng
    eng.close()
