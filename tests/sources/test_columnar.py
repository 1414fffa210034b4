"""The columnar path (DuckDB reads the CSV, SQL shapes it) stores exactly what the record path stores."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from kadry.ingest import ingest_paths
from kadry.sources.base import clean_str
from kadry.sources.columnar import clean_sql, strip_sql
from kadry.sources.hh_csv import HHFlatCSV
from kadry.store import Store

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
_TABLES = {
    "vacancies": "SELECT * EXCLUDE (first_seen, last_seen) , first_seen, last_seen FROM vacancies ORDER BY vacancy_id",
    "observations": "SELECT * FROM observations ORDER BY ALL",
    "quarantine": "SELECT * FROM quarantine ORDER BY ALL",
    "quarantine_fields": "SELECT * FROM quarantine_fields ORDER BY ALL",
    "ingest_log": "SELECT source_file, format, read, stored, merged, quarantined, status, names_hidden, "
    "fields_quarantined FROM ingest_log ORDER BY ALL",
}


def _both(tmp_path, monkeypatch, files, **options):
    monkeypatch.setenv("KADRY_SALT", "test-salt-0123456789abcdef")
    out = []
    for columnar in (True, False):
        with Store(tmp_path / f"{columnar}.duckdb") as store:
            report = ingest_paths(store, files, columnar=columnar, **options)
            out.append((report, {name: store.con.execute(sql).fetchall() for name, sql in _TABLES.items()}))
    return out


def _copies(tmp_path, names):
    folder = tmp_path / "in"
    folder.mkdir()
    return [Path(shutil.copy(FIXTURES / n if (FIXTURES / n).exists() else n, folder)) for n in names]


def test_every_value_shape_is_stored_as_the_record_path_stores_it(tmp_path, monkeypatch):
    files = _copies(tmp_path, ["columnar_shapes.csv", "quoted_titles.csv"])
    (fast, fast_tables), (slow, slow_tables) = _both(tmp_path, monkeypatch, files)
    for name in _TABLES:
        assert fast_tables[name] == slow_tables[name], name
    c = fast.total
    # counted by hand: 15 non-blank rows (+3 in quoted_titles.csv), 8 quarantined (bad number, 'nan'
    # title, negative salary, unknown currency, a date before 1990, unparseable dates x2, a bad offset)
    assert c.read == 15 + 3
    assert c.quarantined == 8
    assert c.stored + c.merged + c.quarantined == c.read
    # ИП Петрова А.В. (both sightings), Иванов Иван Иванович (employers), Анна (a title)
    assert fast.files[0].names_hidden == 4
    titles = {
        t
        for (t,) in Store(tmp_path / "True.duckdb", read_only=True)
        .con.execute("SELECT title FROM vacancies")
        .fetchall()
    }
    assert "Анна" not in titles


@pytest.mark.parametrize(("pattern", "at_least"), [("*.csv.gz", 1000), ("*.json*", 500)])
def test_the_bundled_samples_store_the_same(tmp_path, monkeypatch, samples, pattern, at_least):
    files = _copies(tmp_path, sorted((samples / "vacancies").glob(pattern)))
    (fast, fast_tables), (_, slow_tables) = _both(tmp_path, monkeypatch, files)
    assert fast.total.read > at_least
    for name in _TABLES:
        assert fast_tables[name] == slow_tables[name], name


def test_a_source_label_and_sighting_time_given_by_the_user_apply_on_both_paths(tmp_path, monkeypatch):
    from datetime import datetime

    files = _copies(tmp_path, ["columnar_shapes.csv"])
    (_, fast_tables), (_, slow_tables) = _both(
        tmp_path, monkeypatch, files, source="export", observed_at=datetime(2022, 4, 1, 12, 0)
    )
    assert fast_tables == slow_tables
    assert all(row[0].startswith("export:") for row in fast_tables["vacancies"])


def test_files_duckdb_cannot_read_exactly_are_read_record_by_record(tmp_path, monkeypatch):
    """CR-only line ends, NUL bytes, cp1251, a ragged row, blanks beside quotes: the record path's store."""
    text = (FIXTURES / "quoted_titles.csv").read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cr.csv").write_bytes(text.replace("\n", "\r").encode())
    (folder / "nul.csv").write_bytes(text.replace("Кладовщик", "Кладов\0щик").encode())
    (folder / "cp1251.csv").write_bytes(text.encode("cp1251"))
    shutil.copy(FIXTURES / "broken_flat.csv", folder)
    # blanks beside quotes at a field's edge: DuckDB trims them, Python's csv keeps them as text
    spaced = text.replace("Кладовщик,", '"Кладовщик" ,').replace(",Москва,", ', "Москва",')
    (folder / "spaced.csv").write_text(spaced, encoding="utf-8")
    with gzip.open(folder / "gz.csv.gz", "wt", encoding="utf-8") as f:
        f.write(text)
    files = sorted(folder.iterdir())
    (fast, fast_tables), (_, slow_tables) = _both(tmp_path, monkeypatch, files)
    for name in _TABLES:
        assert fast_tables[name] == slow_tables[name], name
    assert all(f.problem is None for f in fast.files)


@pytest.mark.parametrize(
    "value", ["\u3000 x\x1c\xa0", "NaN", " null ", "x", "", " ", "a b", "\x85", "nan\u2003", "Null", "\u2029ok", "NONE"]
)
def test_sql_cleaning_is_pythons(value):
    import duckdb

    con = duckdb.connect()
    one = "FROM (SELECT ?::VARCHAR AS v)"
    assert con.execute(f"SELECT {clean_sql('v')} {one}", [value]).fetchall()[0][0] == clean_str(value)
    assert con.execute(f"SELECT {strip_sql('v')} {one}", [value]).fetchall()[0][0] == value.strip()


def test_hh_json_lines_of_every_value_type_are_stored_as_the_record_path_stores_them(tmp_path, monkeypatch):
    files = _copies(tmp_path, ["hh_shapes.jsonl"])
    (fast, fast_tables), (_, slow_tables) = _both(tmp_path, monkeypatch, files)
    for name in _TABLES:
        assert fast_tables[name] == slow_tables[name], name
    # counted by hand: 15 lines with a value (the blank one is no record), 6 quarantined: a bad
    # number, a negative salary, a 1985 date, a non-object line, an unparseable date, no id
    assert fast.total.read == 15
    assert fast.total.quarantined == 6


def test_json_lines_with_keys_in_other_spellings_or_a_broken_line_store_what_the_record_path_stores(
    tmp_path, monkeypatch
):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURES / "hh_hyphen_keys.jsonl", folder)
    shapes = (FIXTURES / "hh_shapes.jsonl").read_text(encoding="utf-8")
    (folder / "broken.jsonl").write_text(shapes + '{"id": "99", "name": "обрыв\n', encoding="utf-8")
    (folder / "camel_nested.jsonl").write_text(shapes.replace('"currency"', '"Currency"'), encoding="utf-8")
    files = sorted(folder.iterdir())
    (fast, fast_tables), (_, slow_tables) = _both(tmp_path, monkeypatch, files)
    for name in _TABLES:
        assert fast_tables[name] == slow_tables[name], name
    assert fast.total.read > 20


@pytest.mark.parametrize(
    ("reader", "names"),
    [
        ("kadry.sources.hh_csv:HHFlatCSV", ["quoted_titles.csv", "columnar_shapes.csv"]),
        ("kadry.sources.hh_json:HHVacancyJSON", ["hh_shapes.jsonl", "hh-api-2023-belarus.jsonl.gz"]),
    ],
)
def test_clean_files_never_go_through_the_record_reader(tmp_path, monkeypatch, store, samples, reader, names):
    import importlib

    module, name = reader.split(":")

    def refuse(self, path):
        raise AssertionError("read record by record")

    monkeypatch.setattr(getattr(importlib.import_module(module), name), "read", refuse)
    files = [n if (FIXTURES / n).exists() else samples / "vacancies" / n for n in names]
    report = ingest_paths(store, _copies(tmp_path, files), columnar=True)
    assert report.ok
    assert report.total.stored == store.count("vacancies") > 5


def test_large_files_take_the_columnar_path_by_default_small_ones_do_not(tmp_path, monkeypatch, store):
    from kadry.ingest.pipeline import COLUMNAR_FROM

    text = (FIXTURES / "quoted_titles.csv").read_text(encoding="utf-8")
    header, rows = text.split("\n", 1)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "small.csv").write_text(text, encoding="utf-8")
    big = [header] + [f"Кладовщик {i},50000,,RUR,Тула,2022-03-21T12:00:00+0300" for i in range(COLUMNAR_FROM // 40)]
    (folder / "big.csv").write_text("\n".join(big) + "\n", encoding="utf-8")
    taken = []
    stage = HHFlatCSV.stage
    monkeypatch.setattr(
        HHFlatCSV, "stage", lambda self, con, path, *a: taken.append(path.name) or stage(self, con, path, *a)
    )
    report = ingest_paths(store, [folder])
    assert taken == ["big.csv"]
    assert report.total.read == len(big) - 1 + 3
