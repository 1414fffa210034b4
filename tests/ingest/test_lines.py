"""JSON lines on every core (kadry.ingest.lines): the record path's store, block by block.

The worker pool is forced on with blocks of a few hundred bytes, so the small fixtures are cut
into many blocks, lines are numbered across block edges, and every block goes through a worker
process; the store is then compared table by table with the record path's.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

import kadry.ingest.lines as lines
from kadry.ingest import ingest_paths
from kadry.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
_TABLES = {
    "vacancies": "SELECT * EXCLUDE (first_seen, last_seen), first_seen, last_seen FROM vacancies ORDER BY vacancy_id",
    "observations": "SELECT * FROM observations ORDER BY ALL",
    "quarantine": "SELECT * FROM quarantine ORDER BY ALL",
    "ingest_log": "SELECT source_file, format, read, stored, merged, quarantined, status, detail, names_hidden "
    "FROM ingest_log ORDER BY ALL",
}


@pytest.fixture
def pool(monkeypatch):
    """Workers for every file, in blocks of about 700 bytes; a record of the blocks handed out."""
    monkeypatch.setattr(lines, "_PARALLEL_FROM", 0)
    monkeypatch.setattr(lines, "BLOCK", 700)
    monkeypatch.setenv("KADRY_SALT", "test-salt-0123456789abcdef")
    handed: list = []
    blocks = lines._blocks
    monkeypatch.setattr(lines, "_blocks", lambda path: (handed.append(b) or b for b in blocks(path)))
    return handed


def _stores(tmp_path, files):
    out = []
    for columnar in (True, False):
        with Store(tmp_path / f"{columnar}.duckdb") as store:
            report = ingest_paths(store, files, columnar=columnar)
            out.append((report, {name: store.con.execute(sql).fetchall() for name, sql in _TABLES.items()}))
    return out


def _shapes() -> str:
    """Every value shape of the fixtures, one spelling respelled, a broken line, a BOM, blank
    lines and CRLF ends: what the record path must read line by line."""
    shapes = (FIXTURES / "hh_shapes.jsonl").read_text(encoding="utf-8")
    hyphen = (FIXTURES / "hh_hyphen_keys.jsonl").read_text(encoding="utf-8")
    camel = shapes.replace('"currency"', '"Currency"').replace('"id": "', '"id": "c')
    return "\ufeff" + shapes + "\n\n" + hyphen.replace("\n", "\r\n") + camel + '{"id": "99", "name": "обрыв\n'


def test_blocks_in_workers_store_what_the_record_path_stores(tmp_path, pool):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "shapes.jsonl").write_text(_shapes(), encoding="utf-8")
    with gzip.open(folder / "shapes-gz.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(_shapes().replace('"id": "', '"id": "gz'))
    (fast, fast_tables), (slow, slow_tables) = _stores(tmp_path, sorted(folder.iterdir()))
    assert len(pool) > 10  # many blocks, both kinds: byte ranges of the plain file, bytes of the gzip
    assert {type(block).__name__ for block, _ in pool} == {"tuple", "bytes"}
    for name in _TABLES:
        assert fast_tables[name] == slow_tables[name], name
    lines_with_value = sum(1 for line in _shapes().lstrip("\ufeff").splitlines() if line.strip())
    assert fast.total.read == slow.total.read == 2 * lines_with_value
    assert fast.total.quarantined > 2


def test_a_truncated_gzip_fails_whole_with_its_cause(tmp_path, pool):
    # long enough that the head (what detection reads) is whole and the cut comes later
    body = gzip.compress(_shapes().lstrip("\ufeff").encode("utf-8") * 400, compresslevel=1)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(body[: len(body) * 3 // 4])
    with Store(tmp_path / "k.duckdb") as store:
        report = ingest_paths(store, [path], columnar=True)
        assert store.count("vacancies") == 0
    (result,) = report.files
    assert result.failed and "read failed" in result.failed
    assert not report.ok


def test_nul_bytes_go_to_the_record_path_which_counts_them(tmp_path, pool):
    text = _shapes().lstrip("\ufeff")
    path = tmp_path / "nul.jsonl"
    cut = len(text) // 2
    path.write_bytes((text[:cut] + "\n").encode("utf-8") + b"\0\0\0" + text[cut:].encode("utf-8"))
    (fast, fast_tables), (slow, slow_tables) = _stores(tmp_path, [path])
    assert fast.files[0].nul_bytes == slow.files[0].nul_bytes == 3
    for name in _TABLES:
        assert fast_tables[name] == slow_tables[name], name


def test_files_other_than_utf8_json_lines_are_left_to_the_record_path(tmp_path, pool, monkeypatch):
    from kadry.sources.hh_json import HHVacancyJSON

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURES / "hh_shapes.jsonl", folder / "lines.jsonl")
    (folder / "cp1251.jsonl").write_bytes((FIXTURES / "hh_shapes.jsonl").read_text("utf-8").encode("cp1251", "replace"))
    records = [line for line in (FIXTURES / "hh_shapes.jsonl").read_text("utf-8").splitlines() if line.strip()]
    (folder / "array.json").write_text("[" + ",\n".join(r for r in records if r.startswith("{")) + "]", "utf-8")
    taken: list[str] = []
    read = HHVacancyJSON.read
    monkeypatch.setattr(HHVacancyJSON, "read", lambda self, path: taken.append(path.name) or read(self, path))
    with Store(tmp_path / "k.duckdb") as store:
        report = ingest_paths(store, [folder], columnar=True)
    assert sorted(taken) == ["array.json", "cp1251.jsonl"]
    assert report.total.read > 30


def _die(task, block, first):
    import os

    os._exit(3)


def test_a_worker_that_dies_leaves_the_file_to_the_record_path(tmp_path, pool, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "shapes.jsonl").write_text(_shapes(), encoding="utf-8")
    monkeypatch.setattr(lines, "_rows", _die)
    (fast, fast_tables), (_, slow_tables) = _stores(tmp_path, [folder / "shapes.jsonl"])
    assert fast.ok and fast.total.read > 20
    for name in _TABLES:
        assert fast_tables[name] == slow_tables[name], name
    assert not lines._STARTED  # the broken pool is not used again
