"""The bulk Parquet path writes through the one write path: same merge rule, checks and name test."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq

from kadry.ingest import ingest_paths
from kadry.schema import RAW_VACANCY_FIELDS, VACANCY, arrow_schema

_SCHEMA = arrow_schema([c for c in VACANCY if c.name in RAW_VACANCY_FIELDS], ("raw",))


def _folder(path, rows):
    """A canonical folder (vacancies/ only) holding ``rows`` (dicts of raw vacancy fields)."""
    (path / "vacancies").mkdir(parents=True)
    full = [{name: row.get(name) for name in RAW_VACANCY_FIELDS} for row in rows]
    for row in full:
        row["vacancy_id"] = f"{row['source']}:{row['source_id']}"
        row["simulated"] = bool(row["simulated"])
    pq.write_table(pa.Table.from_pylist(full, schema=_SCHEMA), path / "vacancies" / "part-0.parquet")
    return path


def _vacancy(ident, title, published, **more):
    return {"source": "x", "source_id": ident, "title": title, "published_at": published, **more}


def test_a_repeat_in_a_later_folder_updates_the_record_an_older_one_does_not(store, tmp_path):
    first = _folder(
        tmp_path / "a", [_vacancy("1", "Повар", datetime(2024, 1, 1)), _vacancy("2", "Кассир", datetime(2024, 1, 1))]
    )
    later = _folder(tmp_path / "b", [_vacancy("1", "Шеф-повар", datetime(2024, 2, 1))])
    older = _folder(tmp_path / "c", [_vacancy("2", "Продавец-кассир", datetime(2023, 6, 1))])
    ingest_paths(store, [first])
    report = ingest_paths(store, [later, older])
    titles = dict(store.con.execute("SELECT source_id, title FROM vacancies").fetchall())
    assert titles == {"1": "Шеф-повар", "2": "Кассир"}
    assert [(f.counts.read, f.counts.stored, f.counts.merged) for f in report.files] == [(1, 0, 1), (1, 0, 1)]


def test_inside_one_folder_the_latest_sighting_wins_whatever_the_order(store, tmp_path):
    rows = [
        _vacancy("7", "Водитель", datetime(2024, 3, 1)),
        _vacancy("7", "Водитель категории C", datetime(2024, 5, 1)),
        _vacancy("7", "Водитель погрузчика", datetime(2024, 4, 1)),
    ]
    report = ingest_paths(store, [_folder(tmp_path / "a", rows)])
    assert store.con.execute("SELECT title FROM vacancies").fetchall() == [("Водитель категории C",)]
    c = report.files[0].counts
    assert (c.read, c.stored, c.merged) == (3, 1, 2)


def test_person_named_employers_in_parquet_are_hidden_and_counted(store, tmp_path):
    rows = [
        _vacancy("1", "Бухгалтер", datetime(2024, 1, 1), employer_name="Иванов Иван Иванович"),
        _vacancy("2", "Бухгалтер", datetime(2024, 1, 1), employer_name="ООО Ромашка"),
    ]
    report = ingest_paths(store, [_folder(tmp_path / "a", rows)])
    employers = {e for (e,) in store.con.execute("SELECT employer_name FROM vacancies").fetchall()}
    assert employers == {"[частное лицо]", "ООО Ромашка"}
    assert report.files[0].names_hidden == 1


def test_a_folder_with_its_own_sightings_wins_by_its_latest_sighting(store, tmp_path):
    from kadry.schema import OBSERVATION, RAW_OBSERVATION_FIELDS

    schema = arrow_schema([c for c in OBSERVATION if c.name in RAW_OBSERVATION_FIELDS], ("raw",))

    def seen(folder, when):
        (folder / "observations").mkdir()
        row = {name: None for name in RAW_OBSERVATION_FIELDS}
        row.update(kind="vacancy", record_id="x:1", observed_at=when, source_file="sim")
        pq.write_table(pa.Table.from_pylist([row], schema=schema), folder / "observations" / "part-0.parquet")
        return folder

    # the second snapshot's row was published before the first snapshot's sighting, but seen after it
    first = seen(_folder(tmp_path / "a", [_vacancy("1", "Повар", datetime(2024, 1, 1))]), datetime(2024, 1, 10))
    second = seen(_folder(tmp_path / "b", [_vacancy("1", "Шеф-повар", datetime(2024, 1, 1))]), datetime(2024, 2, 1))
    ingest_paths(store, [first])
    ingest_paths(store, [second])
    got = store.con.execute("SELECT title, first_seen, last_seen FROM vacancies").fetchall()
    assert got == [("Шеф-повар", datetime(2024, 1, 10), datetime(2024, 2, 1))]
    # and an older snapshot read afterwards changes nothing
    ingest_paths(
        store, [seen(_folder(tmp_path / "c", [_vacancy("1", "Стажёр", datetime(2024, 1, 1))]), datetime(2023, 12, 1))]
    )
    assert store.con.execute("SELECT title FROM vacancies").fetchall() == [("Шеф-повар",)]
