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
from kadry.store.stats import store_stats

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
    monkeypatch.setattr(lines, "_blocks", lambda path, start=0: (handed.append(b) or b for b in blocks(path, start)))
    return handed


@pytest.fixture
def parts(monkeypatch):
    """A commit after every chunk of 7 records; the number of commits made."""
    import kadry.ingest.pipeline as pipeline

    monkeypatch.setattr(lines, "PART", 1)
    monkeypatch.setattr(lines, "CHUNK", 7)
    commits: list[int] = []
    commit = pipeline.commit_part
    monkeypatch.setattr(pipeline, "commit_part", lambda con, path: commits.append(1) or commit(con, path))
    return commits


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


@pytest.mark.parametrize("in_parts", [False, True], ids=["one-transaction", "parts"])
def test_blocks_in_workers_store_what_the_record_path_stores(tmp_path, pool, in_parts, request):
    commits = request.getfixturevalue("parts") if in_parts else []
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "shapes.jsonl").write_text(_shapes(), encoding="utf-8")
    with gzip.open(folder / "shapes-gz.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(_shapes().replace('"id": "', '"id": "gz'))
    (fast, fast_tables), (slow, slow_tables) = _stores(tmp_path, sorted(folder.iterdir()))
    assert len(pool) > 10  # many blocks, both kinds: byte ranges of the plain file, bytes of the gzip
    assert {type(block).__name__ for block, _, _ in pool} == {"tuple", "bytes"}
    assert len(commits) >= 4 if in_parts else not commits  # both files committed in several parts
    for name in _TABLES:  # with parts too: the last part's log row is the whole file's
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


def test_nul_bytes_after_committed_parts_are_read_on_by_the_record_path(tmp_path, pool, parts, monkeypatch):
    monkeypatch.setattr(lines, "BLOCK", 1 << 16)
    monkeypatch.setattr(lines, "CHUNK", 500)
    shapes = _shapes().lstrip("\ufeff")
    text = "".join(shapes.replace('"id": "', f'"id": "n{i}-') for i in range(2 + (1 << 20) // len(shapes)))
    path = tmp_path / "nul.jsonl"
    cut = text.index("\n", 1 << 20) + 1  # past the head that detection reads
    path.write_bytes(text[:cut].encode("utf-8") + b"\0\0\0" + text[cut:].encode("utf-8"))
    (fast, fast_tables), (slow, slow_tables) = _stores(tmp_path, [path])
    assert parts  # parts were stored before the worker met the NULs
    assert fast.files[0].nul_bytes == slow.files[0].nul_bytes == 3
    for name in _TABLES:
        assert fast_tables[name] == slow_tables[name], name


def test_a_read_error_after_parts_keeps_them_and_says_where_a_rerun_goes_on(tmp_path, pool, parts, monkeypatch):
    import json

    monkeypatch.setattr(lines, "BLOCK", 1 << 16)
    monkeypatch.setattr(lines, "CHUNK", 500)

    text = _shapes().lstrip("\ufeff").encode("utf-8") * 400
    body = gzip.compress(text, compresslevel=1)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(body[: len(body) * 3 // 4])
    with Store(tmp_path / "k.duckdb") as store:
        report = ingest_paths(store, [path], columnar=True)
        status, read, stored, merged, quarantined, resume = store.con.execute(
            "SELECT status, read, stored, merged, quarantined, resume FROM ingest_log"
        ).fetchall()[0]
        held = store.count("vacancies"), store.count("quarantine")
    (result,) = report.files
    assert result.failed and "read failed" in result.failed and "a rerun continues" in result.failed
    assert not report.ok
    mark = json.loads(resume)
    # counted apart: every non-blank line before the mark is a record the log accounts for
    assert read == mark["record"] == sum(1 for line in text[: mark["at"]].split(b"\n") if line.strip()) > 0
    assert status == "failed" and read == stored + merged + quarantined
    assert held == (stored, quarantined)  # the repeats (the text is repeated) merged into those


_DIES_AFTER_TWO_PARTS = """
import os, sys
import kadry.ingest.lines as lines
import kadry.ingest.pipeline as pipeline
from kadry.ingest import ingest_paths
from kadry.store import Store

lines.PART, lines.CHUNK, lines.BLOCK = 1, 7, 700
commit, made = pipeline.commit_part, []

def dying(con, path):
    commit(con, path)
    made.append(1)
    if len(made) == 2:
        os._exit(9)  # as a kill would: no rollback, no close

pipeline.commit_part = dying
ingest_paths(Store(sys.argv[1]), [sys.argv[2]], columnar=True)
"""


def test_a_run_killed_between_parts_is_continued_by_the_next(tmp_path, monkeypatch):
    import json
    import os
    import subprocess
    import sys

    from typer.testing import CliRunner

    import kadry.ingest.pipeline as pipeline
    from kadry.cli import app

    monkeypatch.setenv("KADRY_SALT", "test-salt-0123456789abcdef")
    records = [line for line in _shapes().splitlines() if line.strip()]
    text = "\n".join(r.replace('"id": "', f'"id": "k{i}-') for i in range(6) for r in records) + "\n"
    path = tmp_path / "in" / "big.jsonl"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    db = tmp_path / "k.duckdb"
    child = subprocess.run([sys.executable, "-c", _DIES_AFTER_TWO_PARTS, str(db), str(path)], env=env, timeout=120)
    assert child.returncode == 9
    with Store(db) as store:
        status, read, resume = store.con.execute("SELECT status, read, resume FROM ingest_log").fetchall()[0]
        shown = store_stats(store)["partial_files"]
    assert [(f["source_file"], f["read"]) for f in shown] == [(str(path.resolve()), read)]
    mark = json.loads(resume)
    assert status == "partial" and read == mark["record"] > 7
    assert mark["record"] == sum(1 for line in text.encode()[: mark["at"]].split(b"\n") if line.strip())
    monkeypatch.setattr(lines, "PART", 1)
    monkeypatch.setattr(lines, "CHUNK", 7)
    monkeypatch.setattr(lines, "BLOCK", 700)
    monkeypatch.setattr(pipeline, "COLUMNAR_FROM", 0)  # the small file takes the fast path, as a large one
    rerun = CliRunner().invoke(app, ["ingest", "--db", str(db), "--no-normalize", str(path)], catch_exceptions=False)
    assert rerun.exit_code == 0, rerun.output
    said = " ".join(rerun.output.split())
    assert f"continued {path.resolve()} after the first {mark['record']:,} records, stored by an earlier run" in said
    with Store(db) as store:
        tables = {name: store.con.execute(sql).fetchall() for name, sql in _TABLES.items()}
    with Store(tmp_path / "whole.duckdb") as store:
        whole = ingest_paths(store, [path], columnar=False)
        expected = {name: store.con.execute(sql).fetchall() for name, sql in _TABLES.items()}
    for name in ("vacancies", "observations", "quarantine"):
        assert tables[name] == expected[name], name
    (row,) = tables["ingest_log"]
    assert row[:7] == expected["ingest_log"][0][:7]  # the counts are the whole file's
    assert "continued after the first" in row[7]
    assert row[2] == whole.total.read == len(records) * 6
    assert f"read {row[2]:,} = stored {row[3]:,} + merged {row[4]:,} + quarantined {row[5]:,}" in said
