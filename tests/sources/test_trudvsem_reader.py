"""trudvsem.ru open data: the API answer, the JSON dump, JSON lines and the CSV export."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest

from kadry.errors import UnreadableFileError
from kadry.sources import detect
from kadry.sources.base import head_bytes
from kadry.sources.trudvsem import TrudvsemCSV, TrudvsemJSON, vacancy_from_trudvsem

from ._records import VACANCY_KEYS, dump, split

FIXTURES = Path(__file__).parent / "fixtures" / "trudvsem"


def _read(reader, path):
    return split(list(reader.read(path)))


def test_api_answer_records_and_quarantine():
    good, bad = _read(TrudvsemJSON(), FIXTURES / "api_vacancies.json")
    assert sorted(good) == [0, 1, 2] and bad == {3: "missing id", 4: "impossible creation-date: 1905-01-01"}
    nurse = good[0]
    assert nurse["source"] == "trudvsem" and nurse["source_id"] == "0b8f6c1e-1c2a-11ef-9f3a-bd2c0a1b2c3d"
    assert nurse["title"] == "Медицинская сестра"
    assert nurse["region_raw"] == "Москва"
    assert (nurse["salary_from"], nurse["salary_to"], nurse["salary_currency"]) == (60000, 80000, "RUR")
    assert (nurse["employment"], nurse["schedule"], nurse["experience_raw"]) == ("full", "fullDay", "between1And3")
    assert nurse["created_at"] == nurse["published_at"] == datetime(2024, 3, 1)
    assert nurse["observed_at"] == datetime(2024, 3, 15)  # the API's "date": last change
    assert nurse["description"].startswith("Выполнение назначений врача\nВедение документации")
    assert nurse["employer_name"] == 'ГБУЗ "Городская поликлиника № 2"' and nurse["employer_id"] == "1027700000001"
    for record in good.values():
        assert set(record) <= VACANCY_KEYS


def test_api_answer_tolerates_missing_renamed_and_added_fields():
    good, _ = _read(TrudvsemJSON(), FIXTURES / "api_vacancies.json")
    shop = good[1]  # no region object: the address gives the place; max 0 = not stated
    assert shop["region_raw"].startswith("Новосибирская область")
    assert (shop["salary_from"], shop["salary_to"]) == (45000, None)
    assert shop["experience_raw"] == "noExperience" and shop["schedule"] == "shift"
    assert shop["employer_name"] is None  # a private entrepreneur is a person
    turner = good[2]  # job_name / creation_date spelled with underscores, salary only as text
    assert turner["title"] == "Токарь 5 разряда" and turner["created_at"] == datetime(2024, 5, 20, 10, 30)
    assert turner["salary_from"] == 90000 and turner["experience_raw"] == "moreThan6"
    assert turner["schedule"] == "flyInFlyOut"


def test_contacts_and_urls_never_in_records():
    good, _ = _read(TrudvsemJSON(), FIXTURES / "api_vacancies.json")
    text = " ".join(dump(r) for r in good.values())
    for secret in ("Иванова Мария", "111-22-33", "hr@example.ru", "https://", "Петров Пётр", "540100000001"):
        assert secret not in text


def test_open_data_dump():
    good, bad = _read(TrudvsemJSON(), FIXTURES / "vacancy_dump.json")
    assert not bad and len(good) == 2
    bus = good[0]
    assert bus["title"] == "Водитель автобуса" and bus["experience_raw"] == "between3And6"
    assert bus["region_raw"].startswith("Свердловская область")
    assert bus["observed_at"] == datetime(2024, 6, 10, 15) and bus["created_at"] == datetime(2024, 6, 3, 9, 12)
    assert good[1]["salary_from"] is None and good[1]["salary_currency"] is None
    assert good[1]["created_at"] == datetime(2024, 6, 3)  # dd.mm.yyyy


def test_json_lines_with_a_broken_line():
    good, bad = _read(TrudvsemJSON(), FIXTURES / "vacancies.jsonl")
    assert sorted(good) == [0, 2] and bad[1].startswith("unparseable JSON line")
    assert good[2]["salary_from"] == -5  # negative salaries are the pipeline's to quarantine


def test_csv_export_by_header_names():
    good, bad = _read(TrudvsemCSV(), FIXTURES / "vacancy.csv")
    assert sorted(good) == [1, 2, 3]
    assert bad == {
        4: "row has 10 fields, header has 23",
        5: "missing id",
        6: "not a number in salary_min: 'сорок тысяч'",
    }
    baker = good[1]
    assert (baker["title"], baker["region_raw"], baker["salary_from"], baker["salary_to"]) == (
        "Пекарь",
        "Санкт-Петербург",
        55000,
        65000,
    )
    assert baker["observed_at"] == datetime(2024, 7, 5) and baker["schedule"] == "shift"
    assert good[2]["salary_from"] is None and good[2]["experience_raw"] == "noExperience"
    assert good[3]["title"] == "Оператор call-центра" and good[3]["region_raw"] is None
    for record in good.values():
        assert set(record) <= VACANCY_KEYS
        assert "Сидорова" not in dump(record) and "+7 (812)" not in dump(record)


def test_csv_cp1251_semicolon_gzip(tmp_path):
    text = (FIXTURES / "vacancy.csv").read_text(encoding="utf-8").replace("|", ";")
    path = tmp_path / "vacancy.csv.gz"
    path.write_bytes(gzip.compress(text.encode("cp1251")))
    assert detect(path).name == "trudvsem-csv"
    good, bad = _read(TrudvsemCSV(), path)
    assert sorted(good) == [1, 2, 3] and len(bad) == 3
    assert good[1]["title"] == "Пекарь" and good[1]["region_raw"] == "Санкт-Петербург"


def test_gzip_and_array_forms_give_the_same_records(tmp_path):
    plain = [i.record for i in TrudvsemJSON().read(FIXTURES / "api_vacancies.json") if i.record]
    gz = tmp_path / "answer.json.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "api_vacancies.json").read_bytes()))
    assert [i.record for i in TrudvsemJSON().read(gz) if i.record] == plain
    array = tmp_path / "array.json"
    answer = json.loads((FIXTURES / "api_vacancies.json").read_text(encoding="utf-8"))
    array.write_text(json.dumps(answer["results"]["vacancies"], ensure_ascii=False), encoding="utf-8")
    assert [i.record for i in TrudvsemJSON().read(array) if i.record] == plain


def test_detection_picks_trudvsem_and_not_others():
    for name, expected in (
        ("api_vacancies.json", "trudvsem-json"),
        ("vacancy_dump.json", "trudvsem-json"),
        ("vacancies.jsonl", "trudvsem-json"),
        ("vacancy.csv", "trudvsem-csv"),
    ):
        assert detect(FIXTURES / name).name == expected
    hh_resume = Path(__file__).parent / "fixtures" / "hh_resume" / "resume_full.json"
    assert not TrudvsemJSON().sniff(hh_resume, head_bytes(hh_resume))


def test_empty_answer_and_unreadable_file(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text('{"status": "200", "meta": {"total": 0}, "results": {}}', encoding="utf-8")
    assert list(TrudvsemJSON().read(empty)) == []
    junk = tmp_path / "junk.json"
    junk.write_text("this is not json", encoding="utf-8")
    with pytest.raises(UnreadableFileError) as err:
        list(TrudvsemJSON().read(junk))
    assert "junk.json" in str(err.value)


def test_unknown_shapes_never_crash():
    weird = {
        "id": 7,
        "region": ["a", "b"],
        "company": "просто строка",
        "salary_min": {"x": 1},
        "addresses": [{"location": "г Тула"}],
        "requirement": {"experience": "много"},
        "job-name": ["x"],
    }
    record = vacancy_from_trudvsem(weird)
    assert record["source_id"] == "7" and record["region_raw"] == "г Тула"
    assert record["employer_name"] == "просто строка" and record["title"] is None
    assert record["experience_raw"] == "много" and record["salary_from"] is None


def test_epoch_dates_and_archived_flags():
    record = vacancy_from_trudvsem(
        {
            "id": "x",
            "creation-date": 1717200000000,
            "date": "1717286400",
            "date_inactivation": "2024-06-30",
            "inactive": "1",
        }
    )
    assert record["created_at"].date().isoformat() == "2024-06-01"
    assert record["observed_at"].date().isoformat() == "2024-06-02"
    assert record["archived_at"] == datetime(2024, 6, 30) and record["archived"] is True
    assert vacancy_from_trudvsem({"id": "y", "inactive": "0"})["archived"] is False
