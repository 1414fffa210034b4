"""The flat hh resume CSVs (four real shapes) and the iOS vacancy cards."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kadry.errors import UnreadableFileError
from kadry.sources import detect
from kadry.sources.resume_csv import HHCardVacanciesCSV, ResumeCSV

from ._records import RESUME_KEYS, VACANCY_KEYS, dump, split

FIXTURES = Path(__file__).parent / "fixtures" / "resume_csv"


def _read(reader, path):
    items = list(reader.read(path))
    assert all(i.excerpt is None for i in items if i.kind == "resume")
    return split(items)


def test_frontend_shape():
    good, bad = _read(ResumeCSV(), FIXTURES / "frontend.csv")
    assert sorted(good) == [1, 2, 3]
    assert bad == {4: "missing id (resume_id is empty)", 5: "unparseable updated_at: '31.02.2025'"}
    r = good[2]
    assert (r["source"], r["source_id"], r["title"]) == (
        "hh",
        "7cd69e1500030ffa360039ed1f41426d486c7a",
        "Frontend-разработчик (React)",
    )
    assert (r["salary_amount"], r["salary_currency"], r["salary_gross"]) == (55000, "RUR", False)
    assert (r["age_band"], r["gender"], r["region_raw"]) == ("25-34", "male", "Ош")
    en = good[3]
    assert (en["gender"], en["age_band"], en["region_raw"], en["skills_raw"]) == (
        "male",
        "25-34",
        "Sochi",
        ["React", "TypeScript"],
    )
    assert en["relocation_type"] == "relocation_possible" and en["citizenship"] == ["Россия"]
    assert good[1]["salary_amount"] is None and good[1]["salary_currency"] is None
    for record in good.values():
        assert set(record) <= RESUME_KEYS
        assert "Щелковская" not in dump(record) and "English" not in dump(record)  # unmapped columns dropped


def test_ios_shape_repairs_broken_quoting():
    good, bad = _read(ResumeCSV(), FIXTURES / "ios_resumes.csv")
    assert sorted(good) == [1, 2, 3, 4, 5, 6, 7, 8, 10]
    assert bad == {9: "unparseable row: no salary column found (broken quoting)"}
    assert [(good[p]["title"], good[p]["salary_amount"], good[p]["experience_months"]) for p in (1, 3, 4, 5, 6, 7)] == [
        ("iOS Developer (Middle)", 180000, 80),
        ("IOS разработчик", 73999, None),
        ("Ведущий iOS Программист", 130000, 263),
        ("iOS developer", 150000, 13),
        ("iOS разработчик", 30000, 104),
        ("Junior iOS developer", 40000, 86),
    ]
    assert good[8]["salary_currency"] == "USD" and good[8]["title"].startswith("Senior iOS разработчик")
    # no id in this file: a content hash, the same for the same row (a repeat sighting)
    assert good[1]["source_id"] == good[10]["source_id"] and good[1]["source_id"] != good[2]["source_id"]


def test_java_shape_multiline_cells_and_lists():
    good, bad = _read(ResumeCSV(), FIXTURES / "java.csv")
    assert sorted(good) == [1, 2, 6] and bad == {5: "not a number in salary: 'много'"}
    assert (good[1]["salary_amount"], good[1]["salary_currency"], good[1]["age_band"]) == (40000, "KZT", "35-44")
    assert good[1]["experience_months"] == 22 and good[1]["citizenship"] == ["Россия"]
    en = good[2]
    assert en["salary_amount"] is None  # 0 = not stated
    assert en["employment_raw"] == ["part", "project", "full"]
    assert en["schedule_raw"] == ["flexible", "fullDay", "shift", "remote"]
    assert en["experience_months"] == 17 and en["citizenship"] == ["Kazakhstan"]
    assert good[6]["citizenship"] == ["Молдавия", "Россия"] and good[6]["area_id_raw"] == "40"


def test_numeric_44k_shape():
    good, bad = _read(ResumeCSV(), FIXTURES / "hh44k.csv")
    assert sorted(good) == [1, 2, 3, 4] and bad == {5: "not a number in age_years: 'сорок'"}
    assert good[1]["source_id"] == "hh44k:0" and good[1]["title"] is None
    assert (good[3]["experience_months"], good[3]["salary_amount"], good[3]["age_band"]) == (None, 10000, "25-34")
    assert good[4]["salary_amount"] == pytest.approx(26988.80078125)


def test_vacancy_cards():
    good, bad = _read(HHCardVacanciesCSV(), FIXTURES / "ios_vacancies.csv")
    assert sorted(good) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 12]
    assert bad == {
        10: "missing id (no /vacancy/<id> in vacancy_link)",
        11: "unparseable row: expected 7 fields (broken quoting)",
    }
    first = good[1]
    assert (first["source"], first["source_id"], first["title"]) == (
        "hh",
        "102643227",
        "IOS Developer (iOS разработчик)",
    )
    assert (first["salary_from"], first["salary_to"], first["salary_gross"]) == (250000, None, False)
    assert first["experience_raw"] == "between3And6" and first["employer_name"] == "ООО Люди ПРО Групп"
    assert (good[2]["salary_from"], good[2]["salary_to"]) == (None, 360000)
    assert (good[3]["salary_from"], good[3]["salary_to"], good[3]["salary_gross"]) == (350000, 400000, True)
    assert good[4]["experience_raw"] == "noExperience"  # missing opening quote
    assert good[5]["title"] == "IOS Developer (офис Челябинск)"  # space before the quote
    assert good[6]["source_id"] == "101260600" and good[6]["title"] == "IOS разработчик"  # missing closing quote
    assert good[7]["experience_raw"] == "between1And3" and good[7]["salary_to"] == 170000
    assert good[8]["employer_name"] is None  # a person's name is not kept as an employer
    assert good[9]["experience_raw"] == "moreThan6"
    assert good[12]["source_id"] == good[1]["source_id"]
    for record in good.values():
        assert set(record) <= VACANCY_KEYS and "https://" not in dump(record)
    items = list(HHCardVacanciesCSV().read(FIXTURES / "ios_vacancies.csv"))
    assert all("https://" not in (i.excerpt or "") for i in items)


def test_detection_gzip_and_unknown_header(tmp_path):
    for name, expected in (
        ("frontend.csv", "resume-csv"),
        ("ios_resumes.csv", "resume-csv"),
        ("java.csv", "resume-csv"),
        ("hh44k.csv", "resume-csv"),
        ("ios_vacancies.csv", "hh-vacancy-cards-csv"),
    ):
        assert detect(FIXTURES / name).name == expected
    gz = tmp_path / "resumes.csv.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "java.csv").read_bytes()))
    assert detect(gz).name == "resume-csv"
    assert [i.record for i in ResumeCSV().read(gz)] == [i.record for i in ResumeCSV().read(FIXTURES / "java.csv")]
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError):
        list(ResumeCSV().read(other))
    header_only = tmp_path / "empty.csv"
    header_only.write_text("row_idx,age_years,experience_months,salary_rub\n", encoding="utf-8")
    assert list(ResumeCSV().read(header_only)) == []
