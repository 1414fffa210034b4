"""JSON shapes users have: concatenated objects, BOM, hyphenated and camelCase keys."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kadry.ingest import ingest_paths
from kadry.sources.jsonstream import canon_key, canon_keys

FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"


def _rows(store, cols: str):  # type: ignore[no-untyped-def]
    return store.con.execute(f"SELECT {cols} FROM vacancies ORDER BY source_id").fetchall()


def test_concatenated_with_commas_and_bare(store):
    for name in ("hh_concat_commas.json", "hh_concat_bare.json"):
        report = ingest_paths(store, [FIXTURES / name])
        assert report.ok and report.files[0].format == "hh-json" and report.total.stored == 3, report.files
    rows = _rows(store, "source_id, title, salary_from, skills_raw")
    assert rows[2] == ("93100003", "Кассир", None, ["Работа с кассой"])
    assert rows[5] == ("93200003", "Сварщик", 90000.0, [])


def test_hyphenated_and_camel_keys_keep_place_and_salary(store):
    for name in ("hh_hyphen_keys.jsonl", "hh_camel_keys.json"):
        assert ingest_paths(store, [FIXTURES / name]).ok
    rows = _rows(
        store,
        "source_id, region_raw, area_id_raw, salary_from, salary_currency, employer_name, published_at IS NOT NULL",
    )
    assert rows == [
        ("93300001", "Новосибирск", "4", 60000.0, "RUR", "Ростелеком", True),
        ("93300002", "Казань", "88", 90000.0, "RUR", "КАМАЗ", True),
        ("93400001", "Самара", "78", 150000.0, "RUR", "Первый Бит", True),
        ("93400002", "Москва", "1", 200000.0, "RUR", "Авито", True),
    ]
    assert store.con.execute("SELECT skills_raw FROM vacancies WHERE source_id = '93400001'").fetchall() == [(["1С"],)]


def test_bom_json_array_and_lines(store, tmp_path):
    objs = [json.loads(line) for line in (FIXTURES / "hh_hyphen_keys.jsonl").read_text().splitlines()]
    (tmp_path / "a.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(objs, ensure_ascii=False).encode())
    (tmp_path / "b.jsonl").write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "hh_hyphen_keys.jsonl").read_bytes())
    (tmp_path / "c.json").write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "hh_concat_commas.json").read_bytes())
    report = ingest_paths(store, [tmp_path])
    assert report.ok and [f.counts.read for f in report.files] == [2, 2, 3]


def test_broken_concatenated_stream_fails_whole(store, tmp_path):
    text = (FIXTURES / "hh_concat_commas.json").read_text()
    (tmp_path / "cut.json").write_text(text[: len(text) - 40])
    report = ingest_paths(store, [tmp_path / "cut.json"])
    assert report.files[0].failed.startswith("unparseable JSON after record 2")
    assert store.count("vacancies") == 0


_keys = st.sampled_from(["id", "areaName", "area-name", "area_name", "Area Name", "salary.from", "x", "keySkills"])
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=20,
)


def _plain(value):
    """The definition: every key respelled, all the way down (what the fast path must equal)."""
    if isinstance(value, dict):
        return {canon_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@given(_json)
def test_canon_keys_is_every_key_respelled_all_the_way_down(value):
    import copy

    before = copy.deepcopy(value)
    assert canon_keys(value) == _plain(value)
    assert value == before  # the input is never changed
