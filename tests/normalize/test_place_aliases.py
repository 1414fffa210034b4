"""Ukrainian, Belarusian, Kazakh and historical place names from the one alias table, and coverage
measured per source after ingest + region normalization."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kadry.ingest import ingest_paths
from kadry.normalize.regions import RES, RegionMapper
from kadry.normalize.run import normalize_regions
from kadry.store.stats import store_stats

FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"


@pytest.fixture(scope="module")
def m() -> RegionMapper:
    return RegionMapper()


@pytest.mark.parametrize(
    "text, country, area",
    [
        ("Київ", "UA", "115"),
        ("Одеса", "UA", "127"),
        ("Львів", "UA", "125"),
        ("Дніпро", "UA", "117"),
        ("Харків", "UA", "135"),
        ("Днепропетровск", "UA", "117"),
        ("Мінск", "BY", "1002"),
        ("Алмати", "KZ", "160"),
        ("Алма-Ата", "KZ", "160"),
        ("Молдавия", "MD", "62"),
        ("Донецк (Украина)", "UA", "5"),
        ("Свердловск", "RU", "3"),
        ("Kharkiv", "UA", "135"),
        ("Қарағанды", "KZ", "177"),
    ],
)
def test_spellings(m, text, country, area):
    place = m.by_name(text)
    assert (place.country_code, place.area_id) == (country, area)


def test_every_alias_resolves_to_its_row(m):
    with open(RES / "place_aliases.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    wrong = [r["alias"] for r in rows if m.by_name(r["alias"]).area_id != r["area_id"] and r["area_id"] != "113"]
    assert not wrong


def test_coverage_per_source_after_ingest(store):
    ingest_paths(store, [FIXTURES / "places.jsonl"])
    ingest_paths(store, [FIXTURES / "djinni_jobs.csv"], mapping=FIXTURES / "djinni.toml")
    normalize_regions(store.con)
    coverage = {r["source"]: r for r in store_stats(store)["place_coverage"]}
    assert coverage["hh"]["records"] == 12 and coverage["hh"]["unmapped"] == 0
    assert coverage["djinni"]["records"] == 6 and coverage["djinni"]["unmapped"] == 0
