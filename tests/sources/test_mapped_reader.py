"""Any CSV / JSON lines / Parquet through a TOML or YAML mapping, and every mapping mistake."""

from __future__ import annotations

import gzip
import shutil
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kadry.errors import MappingError, UnreadableFileError
from kadry.sources.base import head_bytes
from kadry.sources.mapped import MappedReader, load_mapping, mapping_from_dict, sidecar_mapping

from ._records import RESUME_KEYS, VACANCY_KEYS, dump, split

FIXTURES = Path(__file__).parent / "fixtures" / "mapped"


def _read(reader, path):
    return split(list(reader.read(path)))


def test_csv_with_toml_mapping():
    reader = MappedReader(FIXTURES / "export.toml")
    assert reader.kind == "vacancy"
    good, bad = _read(reader, FIXTURES / "export.csv")
    assert sorted(good) == [1, 2]
    assert bad == {
        3: "not a number in salary_from: 'abc'",
        4: "unparseable published_at: '2024-13-40'",
        5: "row has 4 fields, header has 9",
    }
    first = good[1]
    assert (first["source"], first["source_id"], first["title"], first["region_raw"]) == (
        "csv:myexport",
        "101",
        "Аналитик данных",
        "Москва",
    )
    assert (first["salary_from"], first["salary_to"], first["salary_currency"]) == (120000, 180000, "RUR")
    assert first["skills_raw"] == ["SQL", "Python"] and first["published_at"] == datetime(2024, 5, 1)
    assert good[2]["salary_from"] is None and good[2]["salary_to"] == 90000
    items = list(reader.read(FIXTURES / "export.csv"))
    for item in items:  # unmapped columns (contacts, recruiter names) never leave the reader
        text = dump(item.record) if item.record else (item.excerpt or "")
        assert "@example.com" not in text and "Петрова" not in text and "Ким" not in text
    for record in good.values():
        assert set(record) <= VACANCY_KEYS


def test_jsonl_resumes_with_yaml_mapping():
    reader = MappedReader(FIXTURES / "resumes.yaml")
    assert reader.kind == "resume"
    good, bad = _read(reader, FIXTURES / "resumes.jsonl")
    assert sorted(good) == [0, 2] and bad == {1: "not a number in salary_amount: 'много'"}
    welder = good[0]
    assert (welder["source"], welder["source_id"], welder["age_band"], welder["gender"]) == (
        "csv:cvexport",
        "r-1",
        "35-44",
        "male",
    )
    assert welder["skills_raw"] == ["сварка", "НАКС"] and good[2]["skills_raw"] == ["касса", "1С"]
    assert welder["observed_at"] == welder["updated_at"] == datetime(2024, 4, 1, 10)
    for record in good.values():
        assert set(record) <= RESUME_KEYS and "age" not in record
        assert "Кузнецов" not in dump(record) and "+7 900" not in dump(record)
    assert all(i.excerpt is None for i in reader.read(FIXTURES / "resumes.jsonl"))


def test_parquet_streamed_in_batches(tmp_path):
    n = 5_000
    table = pa.table(
        {
            "vid": [f"v{i}" for i in range(n)],
            "name": [f"Должность {i % 7}" for i in range(n)],
            "pay": [float(i) if i % 1000 else None for i in range(n)],
            "seen": [datetime(2024, 1, 1 + i % 28) for i in range(n)],
            "tags": [["a", "b"] if i % 2 else [] for i in range(n)],
            "secret": ["не читать" for _ in range(n)],
        }
    )
    path = tmp_path / "v.parquet"
    pq.write_table(table, path, row_group_size=700)
    mapping = mapping_from_dict(
        {
            "kind": "vacancy",
            "source": "pq:test",
            "columns": {
                "source_id": "vid",
                "title": "name",
                "salary_from": "pay",
                "published_at": "seen",
                "skills_raw": "tags",
            },
        }
    )
    items = list(MappedReader(mapping).read(path))
    assert [i.position for i in items] == list(range(n)) and all(i.record for i in items)
    assert items[1].record["skills_raw"] == ["a", "b"] and items[1000].record["salary_from"] is None
    assert items[27].record["published_at"] == datetime(2024, 1, 28)
    assert "не читать" not in dump(items[5].record)


def test_missing_source_id_gives_a_stable_content_id(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("t,c\nПовар,Сочи\nПовар,Сочи\nПекарь,Сочи\n", encoding="utf-8")
    mapping = mapping_from_dict({"kind": "vacancy", "columns": {"title": "t", "region_raw": "c"}})
    good, _ = _read(MappedReader(mapping), path)
    assert good[1]["source_id"] == good[2]["source_id"] != good[3]["source_id"]
    assert good[1]["source"] == "csv:mapped"


def test_gzip_tab_separated(tmp_path):
    path = tmp_path / "export.tsv.gz"
    text = (
        (FIXTURES / "export.csv")
        .read_text(encoding="utf-8")
        .replace(";", "\t")
        .replace('"SQL\tPython"', '"SQL;Python"')
    )
    path.write_bytes(gzip.compress(text.encode("cp1251")))
    good, bad = _read(MappedReader(FIXTURES / "export.toml"), path)
    assert sorted(good) == [1, 2] and len(bad) == 3 and good[1]["title"] == "Аналитик данных"


def _error(tmp_path, text, suffix=".toml"):
    path = tmp_path / f"m{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as err:
        MappedReader(path)
    return str(err.value)


def test_mapping_errors_are_precise(tmp_path):
    assert "unknown vacancy field 'salary'" in _error(tmp_path, 'kind = "vacancy"\n[columns]\nsalary = "x"\n')
    assert "bad kind 'job'" in _error(tmp_path, 'kind = "job"\n[columns]\ntitle = "x"\n')
    assert "unreadable mapping" in _error(tmp_path, 'kind = "vacancy\n[columns\n')
    assert "unreadable mapping" in _error(tmp_path, "kind: [vacancy\n", ".yaml")
    assert "unknown key(s) colums" in _error(tmp_path, 'kind = "vacancy"\n[colums]\ntitle = "x"\n')
    assert "not a list field" in _error(tmp_path, 'kind = "vacancy"\n[columns]\ntitle = {column = "x", split = ";"}\n')
    assert "at least one" in _error(tmp_path, 'kind = "resume"\n')
    assert "unknown resume field 'description'" in _error(tmp_path, 'kind = "resume"\n[columns]\ndescription = "x"\n')
    assert "unknown vacancy field 'foo'" in _error(
        tmp_path, 'kind = "vacancy"\n[columns]\ntitle = "x"\n[defaults]\nfoo = 1\n'
    )
    with pytest.raises(MappingError, match="cannot read mapping"):
        load_mapping(tmp_path / "absent.toml")


def test_missing_columns_are_named_with_the_available_ones(tmp_path):
    mapping = mapping_from_dict(
        {"kind": "vacancy", "columns": {"title": "job_name", "region_raw": "town", "source_id": "id"}}
    )
    with pytest.raises(MappingError) as err:
        list(MappedReader(mapping).read(FIXTURES / "export.csv"))
    message = str(err.value)
    assert "job_name, town" in message and "available: id, Job Title, city" in message
    assert err.value.missing == ["job_name", "town"]
    with pytest.raises(MappingError, match="tags"):
        list(
            MappedReader(mapping_from_dict({"kind": "resume", "columns": {"skills_raw": "tags2"}})).read(
                FIXTURES / "resumes.jsonl"
            )
        )


def test_without_mapping_and_sidecar(tmp_path):
    data = tmp_path / "export.csv"
    shutil.copy(FIXTURES / "export.csv", data)
    reader = MappedReader()
    assert not reader.sniff(data, head_bytes(data))
    with pytest.raises(MappingError, match="needs a mapping file"):
        list(reader.read(data))
    shutil.copy(FIXTURES / "export.toml", tmp_path / "export.csv.mapping.toml")
    assert sidecar_mapping(data) == tmp_path / "export.csv.mapping.toml"
    assert reader.sniff(data, head_bytes(data))
    assert len([i for i in reader.read(data) if i.record]) == 2


def test_broken_parquet_is_unreadable(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 not really")
    mapping = mapping_from_dict({"kind": "vacancy", "columns": {"title": "t"}})
    with pytest.raises(UnreadableFileError, match="bad.parquet"):
        list(MappedReader(mapping).read(path))
