"""Relocation signals on a hand-built set of resumes, on DuckDB and Spark.

Resumes (2022, each active for 30 days from each sighting):
- r1 Moscow, ready to relocate, also abroad; seen Jan 10
- r2 Moscow, not ready; seen Jan 15
- r3 Almaty (KZ), wants remote work; seen Jan 20
- r4 Tbilisi (GE), on site; seen Jan 5
- r5 St Petersburg, ready to relocate within Russia; seen Jan 25 and Mar 1
January and February: all five active; March: only r5.
"""

from __future__ import annotations

import pytest

from kadry.mobility.signals import signals
from tests.mobility.conftest import D


@pytest.fixture
def sig(new_store, on_engine, engine_name):
    h = new_store
    h.resume("r1", [(D(2022, 1, 10), "RU", "RU-MOW")], ready_to_relocate=True, ready_abroad=True, remote=False)
    h.resume("r2", [(D(2022, 1, 15), "RU", "RU-MOW")], ready_to_relocate=False, ready_abroad=False, remote=None)
    h.resume("r3", [(D(2022, 1, 20), "KZ", None)], ready_to_relocate=False, ready_abroad=False, remote=True)
    h.resume("r4", [(D(2022, 1, 5), "GE", None)], ready_to_relocate=None, ready_abroad=None, remote=False)
    h.resume(
        "r5",
        [(D(2022, 1, 25), "RU", "RU-SPE"), (D(2022, 3, 1), "RU", "RU-SPE")],
        ready_to_relocate=True,
        ready_abroad=False,
        remote=True,
    )
    return on_engine(h.store, engine_name)


def test_shares_by_country_and_month(sig):
    t = signals(sig, by=["country"], period="month", start="2022-01", end="2022-03").to_pandas()
    row = {(r.country, str(r.period)): r for r in t.itertuples()}
    jan = row[("all", "2022-01-01")]
    assert (jan.n_resumes, jan.n_ready_to_relocate, jan.n_ready_abroad, jan.n_abroad, jan.n_abroad_remote) == (
        5,
        2,
        1,
        2,
        1,
    )
    assert jan.ready_to_relocate_share == pytest.approx(0.4)
    assert jan.abroad_remote_share == pytest.approx(0.2)
    feb = row[("all", "2022-02-01")]
    assert feb.n_resumes == 5
    mar = row[("all", "2022-03-01")]
    assert (mar.n_resumes, mar.n_ready_to_relocate, mar.n_abroad) == (1, 1, 0)
    kz = row[("KZ", "2022-01-01")]
    assert (kz.n_resumes, kz.n_abroad, kz.n_abroad_remote, kz.abroad_remote_share) == (1, 1, 1, 1.0)
    ru = row[("RU", "2022-01-01")]
    assert (ru.n_resumes, ru.n_abroad, ru.ready_to_relocate_share) == (3, 0, pytest.approx(2 / 3))
    assert not t["simulated"].any()
