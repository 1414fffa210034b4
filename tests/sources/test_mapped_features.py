"""Mappings that express real files: value maps, units, list-of-object paths, date formats,
constants, field-level quarantine, --dry-run, and reasons without personal values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kadry.ingest import ingest_paths
from kadry.sources.text_values import parse_number_text, parse_salary_text

FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"


def test_units_and_ranges():
    assert parse_number_text("42 роки") == 42 and parse_number_text("1,5 тыс.") == 1500
    s = parse_salary_text("от 50 000 до 80 000 руб.")
    assert (s.salary_from, s.salary_to, s.currency) == (50000, 80000, "RUR")
    s = parse_salary_text("80000 грн.")
    assert (s.salary_from, s.salary_to, s.currency) == (80000, None, "UAH")
    s = parse_salary_text("50-80 тыс. ₽")
    assert (s.salary_from, s.salary_to, s.currency) == (50000, 80000, "RUR")


def _jobs(tmp_path: Path) -> tuple[Path, Path]:
    rows = [
        {
            "jobId": "a1",
            "jobTitle": "Оператор call-центра",
            "workplace": "TELECOMMUTE",
            "pay": "от 50 000 до 80 000 руб.",
            "posted": "05.02.2024",
            "key_skills": [{"name": "Грамотная речь"}, {"name": "CRM"}],
            "town": "Київ",
        },
        {
            "jobId": "a2",
            "jobTitle": "Кладовщик",
            "workplace": "ON_SITE",
            "pay": "45 тыс. руб.",
            "posted": "06.02.2024",
            "key_skills": [],
            "town": {"bad": "object"},
        },
        {
            "jobId": "a3",
            "jobTitle": "Сварщик",
            "workplace": "ON_SITE",
            "pay": "договорная",
            "posted": "2024/02/07",
            "key_skills": [{"name": "РДС"}],
            "town": "Тула",
        },
    ]
    data = tmp_path / "jobs.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    mapping = tmp_path / "jobs.toml"
    mapping.write_text(
        """kind = "vacancy"
source = "jobs-site"
[columns]
source_id = "jobId"
title = "job-title"
schedule = { column = "workplace", values = { TELECOMMUTE = "remote", ON_SITE = "fullDay" } }
salary_from = { column = "pay", parse = "money_from" }
salary_to = { column = "pay", parse = "money_to" }
salary_currency = { column = "pay", parse = "currency" }
published_at = { column = "posted", format = "%d.%m.%Y" }
skills_raw = { column = "key_skills[].name" }
region_raw = { column = "town", optional = true }
employer_name = { value = "ООО Склад-Сервис" }
""",
        encoding="utf-8",
    )
    return data, mapping


def test_mapping_features_end_to_end(store, tmp_path):
    data, mapping = _jobs(tmp_path)
    report = ingest_paths(store, [data], mapping=mapping)
    assert (report.total.read, report.total.stored, report.total.quarantined) == (3, 2, 1)
    assert report.files[0].fields_quarantined == 1
    rows = store.con.execute(
        "SELECT source_id, schedule, salary_from, salary_to, salary_currency, "
        "published_at::DATE::VARCHAR, skills_raw, region_raw, employer_name, source "
        "FROM vacancies ORDER BY source_id"
    ).fetchall()
    assert rows == [
        (
            "a1",
            "remote",
            50000.0,
            80000.0,
            "RUR",
            "2024-02-05",
            ["Грамотная речь", "CRM"],
            "Київ",
            "ООО Склад-Сервис",
            "jobs-site",
        ),
        ("a2", "fullDay", 45000.0, None, "RUR", "2024-02-06", [], None, "ООО Склад-Сервис", "jobs-site"),
    ]
    assert store.con.execute("SELECT position, field, reason FROM quarantine_fields").fetchall() == [
        (1, "region_raw", "region_raw: expected a single value, got dict")
    ]
    assert store.con.execute("SELECT reason FROM quarantine").fetchall() == [
        ("published_at: not a date in the format %d.%m.%Y",)
    ]


def test_dry_run_shows_records_and_quarantine_and_stores_nothing(tmp_path):
    data, mapping = _jobs(tmp_path)
    db = tmp_path / "k.duckdb"
    out = subprocess.run(
        [sys.executable, "-m", "kadry", "ingest", "--dry-run", "--db", str(db), "--mapping", str(mapping), str(data)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, COLUMNS="250"),
    )
    assert out.returncode == 0, out.stderr
    assert "Оператор call-центра" in out.stdout and "50000.0" in out.stdout
    assert "would quarantine 1 record(s): published_at: not a date in the format %d.%m.%Y" in out.stdout
    assert "would drop the field in 1 record(s) (record kept): region_raw" in out.stdout
    assert not db.exists()


def test_resume_reasons_hold_no_personal_values(store, tmp_path):
    data = tmp_path / "cv.csv"
    data.write_text(
        "Position,Age,Salary,Experience,Link\nАналитик,сорок два,80000 грн.,3 роки,https://example.org/1\n"
        "Тестировщик,37 років,50000 грн.,99 років,https://example.org/2\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "cv.toml"
    mapping.write_text(
        'kind = "resume"\n[columns]\nsource_id = "Link"\ntitle = "Position"\n'
        'age = { column = "Age", parse = "number", on_error = "field" }\n'
        'salary_amount = { column = "Salary", parse = "money_from" }\n'
        'experience_months = { column = "Experience", parse = "months" }\n',
        encoding="utf-8",
    )
    report = ingest_paths(store, [data], mapping=mapping)
    assert (report.total.stored, report.total.quarantined, report.files[0].fields_quarantined) == (1, 1, 1)
    reasons = repr(
        store.con.execute("SELECT reason FROM quarantine UNION ALL SELECT reason FROM quarantine_fields").fetchall()
    )
    assert "сорок" not in reasons and "1188" not in reasons and "age" in reasons and "experience" in reasons
