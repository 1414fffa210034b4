"""Small real-shaped stores for the matching tests: rows inserted with normalized columns set."""

from __future__ import annotations

import pytest

from kadry.match.load import insert_records
from kadry.store import Store

VACANCIES = [
    dict(
        vacancy_id="hh:1",
        source="hh",
        title="Frontend-разработчик (React)",
        role_id="96",
        region_code="RU-MOW",
        country_code="RU",
        salary_rub_from=150000.0,
        salary_rub_to=200000.0,
        experience="between1And3",
        skills=["React", "TypeScript", "CSS"],
    ),
    dict(
        vacancy_id="hh:2",
        source="hh",
        title="Менеджер по продажам",
        role_id="70",
        region_code="RU-MOW",
        country_code="RU",
        salary_rub=80000.0,
        experience="noExperience",
        skills=["Продажи", "CRM"],
    ),
    dict(
        vacancy_id="hh:3",
        source="hh",
        title="Frontend developer",
        role_id="96",
        region_code=None,
        country_code="BY",
        salary_rub_from=150000.0,
        salary_rub_to=250000.0,
        experience="between3And6",
        skills=["React", "Vue"],
    ),
    dict(
        vacancy_id="hh:4",
        source="hh",
        title="Java developer",
        role_id="96",
        region_code="RU-SPE",
        country_code="RU",
        remote=True,
        experience="moreThan6",
    ),
    dict(
        vacancy_id="hh:5",
        source="hh",
        title="Водитель категории C",
        role_id="21",
        region_code="RU-SVE",
        country_code="RU",
        salary_rub=90000.0,
        experience="between1And3",
        skills=["Категория C"],
    ),
    dict(
        vacancy_id="hh:6",
        source="hh",
        title="Фронтенд разработчик",
        role_id="96",
        region_code="RU-SPE",
        country_code="RU",
        salary_rub=180000.0,
        experience="between1And3",
        skills=["React", "JavaScript"],
    ),
    dict(
        vacancy_id="hh:7",
        source="hh",
        title="Frontend-разработчик (закрыта)",
        role_id="96",
        region_code="RU-MOW",
        country_code="RU",
        salary_rub=300000.0,
        experience="between1And3",
        closed_at=None,
        dup_of="hh:1",
    ),
]

RESUMES = [
    dict(
        resume_id="hh:aa11",
        source="hh",
        title="Front-end Developer",
        role_id=None,
        region_code="RU-MOW",
        country_code="RU",
        salary_rub=220000.0,
        experience="between3And6",
        skills=["react", "JavaScript"],
        ready_to_relocate=False,
        age_band="25-34",
        gender="male",
    ),
    dict(
        resume_id="hh:bb22",
        source="hh",
        title="Менеджер по работе с клиентами",
        region_code="RU-SVE",
        country_code="RU",
        salary_rub=70000.0,
        experience="between1And3",
        skills=["CRM"],
        ready_to_relocate=True,
        relocation_countries=["RU"],
        age_band="45-54",
        gender="female",
    ),
]


def make_store(path=":memory:", vacancies=VACANCIES, resumes=RESUMES) -> Store:
    store = Store(path)
    insert_records(store, "vacancies", vacancies)
    insert_records(store, "resumes", resumes)
    return store


@pytest.fixture
def store():
    s = make_store()
    yield s
    s.close()


@pytest.fixture
def new_store():
    """A factory: ``new_store(path=":memory:")`` -> a store filled with the rows above."""
    made = []

    def _make(path=":memory:", **kw):
        s = make_store(path, **kw)
        made.append(s)
        return s

    yield _make
    for s in made:
        try:
            s.close()
        except Exception:
            pass
