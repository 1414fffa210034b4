"""normalize_store end to end: the real ingest into a real DuckDB store, then every norm column."""

from __future__ import annotations

from datetime import datetime

import pytest

from kadry.ingest import ingest_paths
from kadry.normalize import norm_version, normalize_store, report, unmapped_regions

HEADER = "name,salary_from,salary_to,salary_currency,area_name,published_at\n"
ROWS_A = [
    "Программист Java,150000,200000,RUR,Москва,2022-12-15T10:00:00+0300",
    "Водитель категории C,60000,,RUR,Киров (Кировская область),2022-12-15T11:00:00+0300",
    "Бухгалтер,1500,,BYR,Минск,2022-12-15T12:00:00+0300",
    "Менеджер по продажам,,,,Тбилиси,2022-12-15T13:00:00+0300",
    "Токарь,5000,,RUR,Россия,2022-12-15T14:00:00+0300",
    "Оператор,40000,,RUR,Нарния,2022-12-15T15:00:00+0300",
]
ROWS_B = ROWS_A[:3] + ["Инженер-конструктор,90000,,RUR,г. Екатеринбург,2022-12-16T09:00:00+0300"]


@pytest.fixture
def loaded(store, tmp_path, add_vacancy, add_resume):
    d = tmp_path / "vacancies" / "daily"
    d.mkdir(parents=True)
    (d / "day1.csv").write_text(HEADER + "\n".join(ROWS_A) + "\n", encoding="utf-8")
    (d / "day2.csv").write_text(HEADER + "\n".join(ROWS_B) + "\n", encoding="utf-8")
    ingest_paths(store, [d / "day1.csv", d / "day2.csv"])
    # an hh API record with roles, skills and a gross salary in USD
    add_vacancy(
        store,
        "777",
        title="Senior Python Developer",
        area_id_raw="2",
        region_raw="Санкт-Петербург",
        role_ids_raw=["96"],
        skills_raw=["python", "Postgres", "С++"],
        salary_from=3000.0,
        salary_currency="USD",
        salary_gross=True,
        published_at=datetime(2021, 6, 1),
        employer_id="42",
        schedule="remote",
        experience_raw="between3And6",
    )
    add_resume(
        store,
        "r1",
        title="Frontend-разработчик",
        region_raw="Алматы",
        salary_amount=500000.0,
        salary_currency="KZT",
        updated_at=datetime(2022, 12, 1),
        experience_months=40,
        relocation_type="relocation_possible",
        relocation_areas_raw=["Москва", "Тбилиси"],
        skills_raw=["JS", "React.js"],
        schedule_raw=["remote"],
    )
    return store


def test_normalize_store(loaded):
    out = normalize_store(loaded)
    con = loaded.con
    v = {
        r[0]: r[1:]
        for r in con.execute(
            """SELECT title, country_code, region_code, federal_district, region_status, role_source, role_id,
                  is_it, salary_rub, salary_flag, norm_version FROM vacancies"""
        ).fetchall()
    }
    assert v["Программист Java"][:4] == ("RU", "RU-MOW", "CFD", "mapped")
    assert v["Программист Java"][4:7] == ("classifier", "96", True)
    assert v["Программист Java"][7] == pytest.approx(175_000)
    assert v["Водитель категории C"][1] == "RU-KIR"
    assert v["Бухгалтер"][0] == "BY" and v["Бухгалтер"][7] > 30_000  # BYN after 2016
    assert v["Менеджер по продажам"][0] == "GE" and v["Менеджер по продажам"][8] == "missing"
    assert v["Токарь"][3] == "country_only" and v["Токарь"][8] == "below_minimum"
    assert v["Оператор"][3] == "unmapped"
    assert v["Инженер-конструктор"][1] == "RU-SVE"
    assert v["Senior Python Developer"][4:6] == ("source", "96")
    # 3000 USD gross in June 2021 at the CBR rate of the month, less 13%
    usd = con.execute("SELECT salary_rub FROM vacancies WHERE title = 'Senior Python Developer'").fetchone()[0]
    assert usd == pytest.approx(3000 * 73.6 * 0.87, rel=0.02)
    assert {r[0] for r in con.execute("SELECT DISTINCT norm_version FROM vacancies").fetchall()} == {norm_version()}
    from kadry.normalize.occupations import crosswalk_version

    for table in ("vacancies", "resumes"):  # every row names the occupation crosswalk it was coded with
        assert {r[0] for r in con.execute(f"SELECT DISTINCT occupation_version FROM {table}").fetchall()} == {
            crosswalk_version()
        }
    row = con.execute(
        "SELECT skills, skills_source, remote, experience, role_confidence FROM vacancies WHERE title = 'Senior Python Developer'"
    ).fetchone()
    assert row == (["C++", "PostgreSQL", "Python"], "key_skills", True, "between3And6", 1.0)
    r = con.execute("""SELECT country_code, salary_rub, experience, remote, skills, relocation_countries,
                              ready_to_relocate, ready_abroad, role_id FROM resumes""").fetchone()
    assert r[0] == "KZ" and 55_000 < r[1] < 80_000 and r[2] == "between3And6" and r[3] is True
    assert r[4] == ["JavaScript", "React"] and r[5] == ["GE", "RU"] and r[6] is True and r[7] is True
    assert r[8] == "96" or r[8] is None  # a frontend title: programmer (or unknown), never another guess
    # observations get places too
    assert (
        con.execute(
            "SELECT count(*) FROM observations WHERE country_code IS NULL AND region_raw = 'Москва'"
        ).fetchone()[0]
        == 0
    )
    assert out["vacancies"] == 8 and "timings" in out
    # unmapped places are listed for `kadry stats`
    places = {r[1] for r in unmapped_regions(con, 10)}
    assert {"Нарния", "Россия"} <= places and "Москва" not in places


def test_rerun_is_idempotent_and_overwrites(loaded):
    normalize_store(loaded)
    first = loaded.con.execute("SELECT * FROM vacancies ORDER BY vacancy_id").fetchall()
    loaded.con.execute("UPDATE vacancies SET region_code = 'XX', salary_rub = -1, role_id = '0'")
    normalize_store(loaded)
    assert loaded.con.execute("SELECT * FROM vacancies ORDER BY vacancy_id").fetchall() == first


def test_report_figures(loaded):
    normalize_store(loaded)
    r = report(loaded)
    daily = r["duplicates"]["daily"]
    assert daily["ingest_merged_rows"] == 3  # the three rows both downloads share
    assert daily["records"] == 7
    cov = r["coverage"]
    assert cov["vacancies"] == 8 and cov["covered"] == 6  # 'Россия' and 'Нарния' miss
    assert r["classifier"]["heldout"]["top3"] >= 0.85
    assert r["skills"]["extraction"]["precision"] >= 0.9


def test_empty_store(store):
    out = normalize_store(store)
    assert out["vacancies"] == 0 and out["resumes"] == 0
    assert report(store)["coverage"]["coverage"] is None


@pytest.mark.parametrize(
    "raw, band",
    [
        ("От 1 года до 3 лет", "between1And3"),
        ("Нет опыта", "noExperience"),
        ("От 3 до 6 лет", "between3And6"),
        ("Более 6 лет", "moreThan6"),
        ("moreThan6", "moreThan6"),
        ("как-нибудь", None),
        (None, None),
    ],
)
def test_experience_bands(raw, band):
    import duckdb

    from kadry.normalize.run import _EXPERIENCE_SQL

    con = duckdb.connect()
    assert (
        con.execute(f"SELECT {_EXPERIENCE_SQL} FROM (SELECT ?::VARCHAR AS experience_raw)", [raw]).fetchone()[0] == band
    )


def test_user_rates_change_values_and_version(store, add_vacancy, tmp_path):
    add_vacancy(
        store,
        "u1",
        title="Программист",
        region_raw="Москва",
        salary_from=1000.0,
        salary_currency="USD",
        published_at=datetime(2023, 1, 15),
    )
    rates = tmp_path / "rates.csv"
    rates.write_text("month,currency,rub_per_unit\n2023-01,USD,70.0\n", encoding="utf-8")
    out = normalize_store(store, rates_file=str(rates))
    assert out["norm_version"].startswith(norm_version() + "+rates.")
    assert store.con.execute("SELECT salary_rub, norm_version FROM vacancies").fetchone() == (
        70_000.0,
        out["norm_version"],
    )
