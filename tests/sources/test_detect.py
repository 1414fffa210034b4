"""Detection by content: a clear winner reads the file, a weak or tied score is a named error,
and a file about people is never read as vacancies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kadry.errors import UnreadableFileError
from kadry.ingest import ingest_paths
from kadry.sources import detect
from kadry.sources.base import BaseReader, Head, Score

FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
NAMES = [
    "Олена",
    "Андрій",
    "Ірина",
    "Сергій",
    "Максим",
    "Тарас",
    "Оксана",
    "Дмитро",
    "Юлія",
    "Наталія",
    "Олександр",
    "Анна",
    "Віктор",
    "Марія",
    "Ігор",
]


def _dump(store) -> str:  # type: ignore[no-untyped-def]
    return "".join(
        repr(store.con.execute(f"SELECT * FROM {t}").fetchall())
        for t in ("vacancies", "resumes", "observations", "quarantine", "quarantine_fields", "ingest_log")
    )


def test_djinni_csv_is_not_taken_for_hh_csv():
    with pytest.raises(UnreadableFileError) as err:
        detect(FIXTURES / "djinni_jobs.csv")
    message = str(err.value)
    assert "format not recognised" in message and "hh-csv" in message
    assert "--format" in message and "--mapping" in message


def test_djinni_csv_with_a_mapping_keeps_salary_date_place_and_distinct_postings(store):
    report = ingest_paths(store, [FIXTURES / "djinni_jobs.csv"], mapping=FIXTURES / "djinni.toml")
    assert report.ok and (report.total.read, report.total.stored, report.total.merged) == (6, 6, 0)
    rows = store.con.execute(
        "SELECT source, title, region_raw, salary_from, salary_to, salary_currency, schedule, "
        "published_at::DATE::VARCHAR FROM vacancies ORDER BY source_id"
    ).fetchall()
    assert rows[0] == ("djinni", "Senior Python Developer", "Київ", 4500.0, 6000.0, "USD", "remote", "2024-03-12")
    assert [r[6] for r in rows] == ["remote", "flexible", "fullDay", "remote", "remote", "fullDay"]
    titles = [r[1] for r in rows]
    assert titles.count("Senior Python Developer") == 2  # same title, two postings: not merged
    assert 'ТОВ "Інтелектуальні системи"' in [
        r[0] for r in store.con.execute("SELECT employer_name FROM vacancies").fetchall()
    ]


def test_cv_list_is_never_read_as_vacancies(store, tmp_path):
    with pytest.raises(UnreadableFileError, match="about people"):
        detect(FIXTURES / "cv_list.csv")
    report = ingest_paths(store, [FIXTURES / "cv_list.csv"])
    assert not report.ok and "about people" in report.files[0].skipped
    assert store.count("vacancies") == 0
    dump = _dump(store)
    assert not [n for n in NAMES if n in dump]
    # forcing the hh CSV reader does not make it vacancies either
    forced = ingest_paths(store, [FIXTURES / "cv_list.csv"], fmt="hh-csv")
    assert "about people" in forced.files[0].skipped and store.count("vacancies") == 0


def test_cv_list_through_a_resume_mapping_stores_no_names(store):
    report = ingest_paths(store, [FIXTURES / "cv_list.csv"], mapping=FIXTURES / "cv_list_resume.toml")
    assert report.ok and report.total.stored == 15
    row = store.con.execute(
        "SELECT title, region_raw, age_band, salary_amount, salary_currency, experience_months "
        "FROM resumes WHERE title = 'Python developer'"
    ).fetchall()
    assert row == [("Python developer", "Київ", "25-34", 80000.0, "UAH", 48)]
    dump = _dump(store)
    assert not [n for n in NAMES if n in dump] and "example.org" not in dump


def test_cli_exit_code_and_one_line(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kadry",
            "ingest",
            "--db",
            str(tmp_path / "k.duckdb"),
            str(FIXTURES / "djinni_jobs.csv"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 1 and out.stderr.strip().count("\n") == 0 and "--mapping" in out.stderr


class _Fake(BaseReader):
    def __init__(self, name: str, value: float) -> None:
        self.name, self.value = name, value

    def score(self, head: Head) -> Score:
        return Score(self.value, "vacancy", "fake")


@pytest.mark.parametrize(
    "values, outcome", [((0.9, 0.8), "not sure"), ((0.5, 0.1), "not recognised"), ((0.9, 0.3), "a")]
)
def test_tie_or_weak_score_is_an_error(monkeypatch, values, outcome):
    from kadry import sources

    monkeypatch.setattr(sources, "readers", lambda: [_Fake("a", values[0]), _Fake("b", values[1])])
    path = FIXTURES / "quoted_titles.csv"
    if outcome == "a":
        assert sources.detect(path).name == "a"
    else:
        with pytest.raises(UnreadableFileError, match=outcome):
            sources.detect(path)


def test_source_label_from_format_or_option(store):
    ingest_paths(store, [FIXTURES / "quoted_titles.csv"])
    ingest_paths(store, [FIXTURES / "broken_flat.csv"], source="my-export")
    assert sorted(r[0] for r in store.con.execute("SELECT DISTINCT source FROM vacancies").fetchall()) == [
        "hh",
        "my-export",
    ]
