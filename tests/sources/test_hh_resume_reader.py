"""api.hh.ru resume JSON: every container, every bad record, and no personal data out."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from kadry.errors import UnreadableFileError
from kadry.sources import detect
from kadry.sources.hh_resume import HHResumeJSON, resume_from_hh

from ._records import RESUME_KEYS, dump, split

FIXTURES = Path(__file__).parent / "fixtures" / "hh_resume"
PERSONAL = (
    "Анна",
    "Смирнова",
    "Игоревна",
    "912",
    "345-67-89",
    "anna.smirnova@example.com",
    "hhcdn",
    "https://",
    "котиков",
    "@anna_smirnova_private",
    "Ромашка",
    "Секретные",
    "765-43-21",
    "МГУ",
    "1996",
    "Петров",
    "ivan@example.com",
    "Безымянный",
)


def _read(path):
    return split(list(HHResumeJSON().read(path)))


def test_full_resume_object():
    good, bad = _read(FIXTURES / "resume_full.json")
    assert not bad and list(good) == [0]
    r = good[0]
    assert r["source"] == "hh" and r["source_id"] == "7f3a2b1c0005d4e3f20039ed1f6a4b5c6d7e8f"
    assert (r["title"], r["area_id_raw"], r["region_raw"]) == ("Аналитик данных", "1", "Москва")
    assert (r["salary_amount"], r["salary_currency"], r["experience_months"]) == (150000, "RUR", 64)
    assert (r["age_band"], r["gender"]) == ("25-34", "female")
    assert r["skills_raw"] == ["Python", "SQL", "Power BI"]
    assert (r["relocation_type"], r["relocation_area_ids"], r["relocation_areas_raw"]) == (
        "relocation_possible",
        ["2"],
        ["Санкт-Петербург"],
    )
    assert (r["citizenship"], r["employment_raw"], r["schedule_raw"], r["role_ids_raw"]) == (
        ["113"],
        ["full", "part"],
        ["remote"],
        ["156"],
    )
    assert r["updated_at"] == r["observed_at"] == datetime(2024, 5, 20, 18, 30)
    assert r["created_at"] == datetime(2019, 2, 1, 10)


def test_no_personal_field_or_value_ever_in_a_record():
    for name in ("resume_full.json", "resumes_page.json", "resumes.jsonl"):
        good, _ = _read(FIXTURES / name)
        for record in good.values():
            assert set(record) <= RESUME_KEYS
            assert "age" not in record and "first_name" not in record and "skills" not in record
            text = dump(record)
            for secret in PERSONAL:
                assert secret not in text, (name, secret)
            assert "29" not in json.dumps(record.get("age_band"))  # the band, never the age


def test_search_page_with_a_record_without_id():
    good, bad = _read(FIXTURES / "resumes_page.json")
    assert sorted(good) == [0, 2] and bad == {1: "missing id"}
    assert good[0]["salary_amount"] is None and good[0]["relocation_type"] == "no_relocation"
    assert good[2]["age_band"] is None  # age 150 is not credible
    assert good[2]["employment_raw"] == ["full"] and good[2]["schedule_raw"] == ["fullDay"]  # old single objects


def test_json_lines_bad_lines_quarantined():
    good, bad = _read(FIXTURES / "resumes.jsonl")
    assert list(good) == [0]
    assert bad[1].startswith("unparseable JSON line")
    assert bad[2] == "impossible updated_at: 1812-09-07"
    assert bad[3] == "not a JSON object but list"
    items = list(HHResumeJSON().read(FIXTURES / "resumes.jsonl"))
    assert all(i.excerpt is None for i in items)  # resumes never leave excerpts


def test_array_gzip_and_directory(tmp_path):
    full = json.loads((FIXTURES / "resume_full.json").read_text(encoding="utf-8"))
    page = json.loads((FIXTURES / "resumes_page.json").read_text(encoding="utf-8"))
    array = tmp_path / "dir" / "array.json.gz"
    array.parent.mkdir()
    array.write_bytes(gzip.compress(json.dumps([full] + page["items"], ensure_ascii=False).encode()))
    good, bad = _read(array)
    assert sorted(good) == [0, 1, 3] and bad == {2: "missing id"}
    shutil.copy(FIXTURES / "resumes.jsonl", tmp_path / "dir" / "b.jsonl")
    (tmp_path / "dir" / "c.json").write_text('[{"id": "x1"}, {"id": ', encoding="utf-8")  # broken array
    (tmp_path / "dir" / "notes.txt").write_text("ignored", encoding="utf-8")
    good, bad = _read(tmp_path / "dir")
    assert len(good) == 3 + 1 + 1 and len(bad) == 1 + 3 + 1
    assert sorted([*good, *bad]) == list(range(len(good) + len(bad)))  # positions run on across files
    assert any(reason.startswith("c.json: unparseable JSON") for reason in bad.values())


def test_detection_and_unreadable(tmp_path):
    for name in ("resume_full.json", "resumes_page.json", "resumes.jsonl"):
        assert detect(FIXTURES / name).name == "hh-resume-json"
    junk = tmp_path / "r.json"
    junk.write_text("<html>", encoding="utf-8")
    with pytest.raises(UnreadableFileError):
        list(HHResumeJSON().read(junk))


def test_odd_values_do_not_crash():
    record = resume_from_hh(
        {
            "id": 123,
            "title": ["x"],
            "area": "Москва",
            "salary": "100",
            "gender": "male",
            "skill_set": ["a", None, 5, " b "],
            "relocation": {"area": {"id": "2", "name": "СПб"}},
            "citizenship": [{"name": "Россия"}],
            "total_experience": {"months": "12"},
        }
    )
    assert record["source_id"] == "123" and record["title"] is None and record["region_raw"] is None
    assert record["skills_raw"] == ["a", "b"] and record["relocation_area_ids"] == ["2"]
    assert record["citizenship"] == ["Россия"] and record["experience_months"] == 12
