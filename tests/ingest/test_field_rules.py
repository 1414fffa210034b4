"""Field rules: an optional value that cannot be read honestly is emptied, the record kept.

The files are written here in the shape of exports from outside hh (djinni-like and job-board
CSVs have salaries but no currency column); the expected counts come from the csv module.
"""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pyarrow.parquet as pq

from kadry.ingest import ingest_paths
from kadry.schema import RAW_VACANCY_FIELDS, VACANCY, arrow_schema
from kadry.store import Store

BARE = """name,area,salary_from,salary_to,published_at
Водитель,Москва,50000,70000,2024-02-01
"ТЦ ""Щука"" продавец",Казань,40000,,2024-02-02
Бухгалтер,Пермь,,,2024-02-03
"""


def _stored(store: Store) -> list[tuple]:
    return store.con.execute(
        "SELECT title, salary_from, salary_to, salary_currency FROM vacancies ORDER BY title"
    ).fetchall()


def test_bare_salaries_are_dropped_not_the_vacancies(store, tmp_path):
    path = tmp_path / "board.csv"
    path.write_text(BARE, encoding="cp1251")
    rows = list(csv.DictReader(io.StringIO(BARE)))
    with_salary = [r for r in rows if r["salary_from"] or r["salary_to"]]

    report = ingest_paths(store, [path], fmt="hh-csv")
    c = report.files[0].counts
    assert (c.read, c.stored, c.quarantined) == (len(rows), len(rows), 0)
    assert all(r[1] is None and r[2] is None for r in _stored(store))
    assert sorted(r[0] for r in _stored(store)) == sorted(r["name"] for r in rows)
    got = store.con.execute("SELECT position, field, reason FROM quarantine_fields ORDER BY ALL").fetchall()
    # both salary fields are emptied for a row with any bare salary, and recorded once each
    assert len({p for p, _, _ in got}) == len(with_salary) and {r for _, _, r in got} == {"salary without currency"}
    assert {f for _, f, _ in got} == {"salary_from", "salary_to"} and len(got) == 2 * len(with_salary)
    assert report.files[0].fields_quarantined == len(got)
    assert store.con.execute("SELECT fields_quarantined FROM ingest_log").fetchall() == [(len(got),)]


def test_the_bulk_path_applies_the_same_field_rules(store, tmp_path):
    """A canonical Parquet folder with the same bare salaries ends in the same rows and field quarantine."""
    path = tmp_path / "board.csv"
    path.write_text(BARE, encoding="utf-8")
    ingest_paths(store, [path], fmt="hh-csv")
    record_path = _stored(store)
    raw = store.con.sql(f"SELECT {', '.join(RAW_VACANCY_FIELDS)} FROM vacancies ORDER BY title").to_arrow_table()
    # put the bare salaries back (the record path had emptied them) and write them as canonical Parquet
    salaries = {"Водитель": (50000.0, 70000.0), 'ТЦ "Щука" продавец': (40000.0, None)}
    titles = raw.column("title").to_pylist()
    raw = raw.set_column(
        raw.schema.get_field_index("salary_from"),
        "salary_from",
        pa.array([salaries.get(t, (None, None))[0] for t in titles], pa.float64()),
    )
    raw = raw.set_column(
        raw.schema.get_field_index("salary_to"),
        "salary_to",
        pa.array([salaries.get(t, (None, None))[1] for t in titles], pa.float64()),
    )
    folder = tmp_path / "canonical"
    (folder / "vacancies").mkdir(parents=True)
    schema = arrow_schema([c for c in VACANCY if c.name in RAW_VACANCY_FIELDS], ("raw",))
    pq.write_table(raw.cast(schema), folder / "vacancies" / "part-0.parquet")

    bulk = Store(tmp_path / "bulk.duckdb")
    try:
        report = ingest_paths(bulk, [folder])
        c = report.files[0].counts
        assert (c.read, c.stored, c.quarantined) == (3, 3, 0)
        assert _stored(bulk) == record_path
        got = bulk.con.execute("SELECT field, reason FROM quarantine_fields ORDER BY ALL").fetchall()
        assert got == [
            ("salary_from", "salary without currency"),
            ("salary_from", "salary without currency"),
            ("salary_to", "salary without currency"),
            ("salary_to", "salary without currency"),
        ]
        assert report.files[0].fields_quarantined == 4
    finally:
        bulk.close()
