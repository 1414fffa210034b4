"""The real resume CSVs in the shared data: every row is a record or a quarantine reason."""

from __future__ import annotations

import csv

import pytest

from kadry.sources import detect

from ._records import RESUME_KEYS, VACANCY_KEYS, split

pytestmark = pytest.mark.shared

# (file, reader, rows as published in the data README, quarantined rows expected)
FILES = [
    ("resumes/hh-frontend-2025/resumes.csv", "resume-csv", 197, 0),
    ("resumes/hh-ios-2025/resumes.csv", "resume-csv", 97, 0),
    ("resumes/hh-java-2023/resumes.csv", "resume-csv", 20, 0),
    ("resumes/hh-44k-numeric-2019/hh44k_age_experience_salary.csv", "resume-csv", 44744, 0),
    ("resumes/hh-ios-2025/vacancies.csv", "hh-vacancy-cards-csv", 68, 0),
]


@pytest.mark.parametrize(
    "name, fmt, rows, quarantined", FILES, ids=[f[0].split("/")[1] + ":" + f[0].rsplit("/")[-1] for f in FILES]
)
def test_counts_add_up(shared, name, fmt, rows, quarantined):
    path = shared / name
    reader = detect(path)
    assert reader.name == fmt
    good, bad = split(list(reader.read(path)))
    with open(path, encoding="utf-8", newline="") as f:
        physical = sum(1 for row in csv.reader(f) if any(c.strip() for c in row)) - 1
    assert len(good) + len(bad) == rows == physical
    assert len(bad) == quarantined, bad
    keys = RESUME_KEYS if reader.kind == "resume" else VACANCY_KEYS
    assert all(set(r) <= keys for r in good.values())


def test_real_values(shared):
    reader = detect(shared / "resumes/hh-frontend-2025/resumes.csv")
    good, _ = split(list(reader.read(shared / "resumes/hh-frontend-2025/resumes.csv")))
    records = list(good.values())
    assert sum(r["salary_amount"] is not None for r in records) == 80  # "salary 80" in the data README
    assert sum(r["region_raw"] == "Москва" for r in records) == 44
    assert sum(r["age_band"] is not None for r in records) == 179
    ios = split(
        list(detect(shared / "resumes/hh-ios-2025/resumes.csv").read(shared / "resumes/hh-ios-2025/resumes.csv"))
    )[0]
    assert sum(r["experience_months"] is not None for r in ios.values()) >= 85
    assert all(r["salary_amount"] for r in ios.values())
