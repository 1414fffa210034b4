"""Places: hh area ids and free text to country, ISO 3166-2:RU subject and federal district."""

from __future__ import annotations

import csv

import pytest

from kadry.normalize.regions import FEDERAL_DISTRICTS, RES, RegionMapper, fold_place, region_mapper, skeleton, translit


@pytest.fixture(scope="module")
def m() -> RegionMapper:
    return region_mapper()


@pytest.mark.parametrize(
    "text, country, region, district",
    [
        ("Москва", "RU", "RU-MOW", "CFD"),
        ("г. Москва", "RU", "RU-MOW", "CFD"),
        ("г Москва", "RU", "RU-MOW", "CFD"),
        ("Moscow", "RU", "RU-MOW", "CFD"),
        ("  москва ", "RU", "RU-MOW", "CFD"),
        ("Санкт Петербург", "RU", "RU-SPE", "NWFD"),
        ("St. Petersburg", "RU", "RU-SPE", "NWFD"),
        ("Екатеринбург", "RU", "RU-SVE", "UFD"),
        ("Yekaterinburg", "RU", "RU-SVE", "UFD"),
        ("Ekaterinburg", "RU", "RU-SVE", "UFD"),
        ("Киров (Кировская область)", "RU", "RU-KIR", "VFD"),
        ("Киров (Калужская обл.)", "RU", "RU-KLU", "CFD"),
        ("Киров", "RU", "RU-KIR", "VFD"),
        ("Московская обл.", "RU", "RU-MOS", "CFD"),
        ("Татарстан", "RU", "RU-TA", "VFD"),
        ("Республика Татарстан", "RU", "RU-TA", "VFD"),
        ("Королёв", "RU", "RU-MOS", "CFD"),
        ("Королев", "RU", "RU-MOS", "CFD"),
        ("Москва, ул. Тверская, 1", "RU", "RU-MOW", "CFD"),
        ("Владивосток", "RU", "RU-PRI", "FEFD"),
        ("Грозный", "RU", "RU-CE", "NCFD"),
        ("Новосибирск", "RU", "RU-NVS", "SibFD"),
        ("Ростов-на-Дону", "RU", "RU-ROS", "SFD"),
        ("Тбилиси", "GE", None, None),
        ("Алматы", "KZ", None, None),
        ("Минск", "BY", None, None),
        ("Almaty", "KZ", None, None),
        ("Ташкент", "UZ", None, None),
        ("Берлин", "DE", None, None),
    ],
)
def test_place_names(m, text, country, region, district):
    p = m.by_name(text)
    assert (p.country_code, p.region_code, p.federal_district) == (country, region, district)
    assert p.region_status == "mapped"


def test_area_ids(m):
    assert m.by_area_id("1").region_code == "RU-MOW"
    assert m.by_area_id(2).region_code == "RU-SPE"
    assert m.by_area_id("1002").country_code == "BY"  # Minsk
    assert m.by_area_id("113").region_status == "country_only"
    assert m.by_area_id("999999") is None
    # a city resolves through its ancestors to its subject
    ekb = m.by_area_id("3")
    assert (ekb.region_code, ekb.federal_district, ekb.area_id) == ("RU-SVE", "UFD", "3")


def test_resolve_prefers_the_id_and_falls_back_to_the_name(m):
    assert m.resolve("1", "Санкт-Петербург").region_code == "RU-MOW"
    assert m.resolve("999999", "Санкт-Петербург").region_code == "RU-SPE"
    assert m.resolve(None, None).region_status == "unmapped"


def test_unknown_and_ambiguous(m):
    assert m.by_name("Нарния").region_status == "unmapped"
    assert m.by_name("").region_status == "unmapped"
    # Березовский: Sverdlovsk and Kemerovo oblasts, so only the country is certain
    p = m.by_name("Березовский")
    assert (p.country_code, p.region_code, p.region_status) == ("RU", None, "country_only")
    assert m.by_name("Россия").region_status == "country_only"
    # hh's old macro-regions keep their federal district when it is one
    p = m.by_name("Уральский округ")
    assert (p.country_code, p.region_code, p.federal_district) == ("RU", None, "UFD")


def test_annexed_regions_follow_iso_3166(m):
    assert m.by_name("Симферополь").region_code == "UA-43"
    assert m.by_name("Севастополь").region_code == "UA-40"
    assert m.by_area_id("2134").region_code == "UA-14"
    assert m.by_area_id("2134").country_code == "UA"
    assert m.by_area_id("2134").federal_district is None


def test_crosswalk_covers_every_subject_of_the_tree(m):
    rows = list(csv.DictReader(open(RES / "ru_subjects.csv", encoding="utf-8")))
    ru = [r for r in rows if r["country_code"] == "RU"]
    assert len(ru) == 83 and len({r["region_code"] for r in ru}) == 83
    assert {r["federal_district"] for r in ru} == set(FEDERAL_DISTRICTS)
    assert all(r["region_code"].startswith("RU-") for r in ru)
    subjects_in_tree = {a for a, parent in m.parent.items() if parent == "113"}
    assert subjects_in_tree <= {r["area_id"] for r in rows}
    # every area of the tree under Russia resolves to a subject
    under_ru = [a for a in m.names if "113" in m.ancestors(a)[1:]]
    assert len(under_ru) > 3000
    assert all(m.by_area_id(a).region_code for a in under_ru)


def test_every_country_of_the_tree_has_an_iso_code(m):
    top = [a for a in m.names if a not in m.parent and a != "1001"]
    other = [a for a, p in m.parent.items() if p == "1001" and a != "6868"]
    for a in top + other:
        code = m.by_area_id(a).country_code
        assert code and len(code) == 2 and code.isupper(), (a, m.names[a])


def test_folding_helpers():
    assert fold_place("  Г.  Москва ") == "г. москва"
    assert fold_place("Орёл") == "орел"
    assert fold_place("Ростов — на — Дону") == "ростов-на-дону"
    assert skeleton("Yekaterinburg") == skeleton(translit("Екатеринбург"))
    assert skeleton("Nizhny Novgorod") == skeleton(translit("Нижний Новгород"))


@pytest.mark.shared
def test_coverage_of_the_shared_place_names(shared, m):
    """Every place name in the shared CSVs, weighted by records: the 99% target and what misses it."""
    from collections import Counter

    names = Counter()
    for path in sorted((shared / "vacancies").rglob("*.csv")):
        if path.name == "currency.csv":
            continue
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                place = row.get("area_name") or row.get("city")
                if place is not None:  # hh-api-2025-moscow's flattened CSV has no place column
                    names[place] += 1
    total = sum(names.values())
    covered = sum(
        n for k, n in names.items() if (p := m.by_name(k)).country_code and (p.country_code != "RU" or p.region_code)
    )
    unmapped = sum(n for k, n in names.items() if m.by_name(k).region_status == "unmapped")
    assert covered / total >= 0.985  # the rest is 'Россия' and hh's 2007-2010 macro-regions (no subject exists)
    assert unmapped / total <= 0.001
