"""The one door to DuckDB: only kadry.store opens it, with the settings, and one "no store" error."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kadry
from kadry.errors import ConfigError, NoStore, StoreError
from kadry.store import Store, connect, ibis_connect, require, scratch

SRC = Path(kadry.__file__).parent
#: call targets that open a DuckDB database (or wrap a connection in Ibis)
OPENERS = {
    "duckdb.connect",
    "ibis.duckdb.connect",
    "ibis.duckdb.from_connection",
    "duckdb.sql",
    "duckdb.query",
    "duckdb.execute",
    "duckdb.default_connection",
    "ibis.connect",
}


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _openers(path: Path, root: Path = SRC.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _dotted(node.func) in OPENERS:
            found.append(f"{path.relative_to(root)}:{node.lineno}: {_dotted(node.func)}")
        elif isinstance(node, ast.Import) and any(a.name == "duckdb" for a in node.names):
            found.append(f"{path.relative_to(root)}:{node.lineno}: import duckdb")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "duckdb":
            found.append(f"{path.relative_to(root)}:{node.lineno}: from {node.module} import")
    return found


def test_only_the_store_package_opens_duckdb():
    offenders = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        if "store" not in path.relative_to(SRC).parts[:1]
        for hit in _openers(path)
    ]
    assert offenders == [], "open DuckDB through kadry.store (connect, scratch, ibis_connect, Store):\n" + "\n".join(
        offenders
    )


def test_the_scan_sees_an_opener(tmp_path):
    sample = tmp_path / "kadry" / "x.py"
    sample.parent.mkdir()
    sample.write_text("import ibis\ncon = ibis.duckdb.connect('a.duckdb')\n")
    assert _openers(sample, tmp_path) == ["kadry/x.py:2: ibis.duckdb.connect"]


def test_missing_store_is_one_error(tmp_path):
    missing = tmp_path / "nope.duckdb"
    for open_ in (
        lambda: Store(missing, read_only=True),
        lambda: connect(missing, read_only=True),
        lambda: ibis_connect(missing),
        lambda: require(missing),
    ):
        with pytest.raises(NoStore, match=f"^no store at {missing}: run `kadry ingest` first"):
            open_()
    assert issubclass(NoStore, StoreError)


def test_settings_reach_every_connection(tmp_path, monkeypatch):
    monkeypatch.setenv("KADRY_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("KADRY_THREADS", "1")
    path = tmp_path / "s.duckdb"
    Store(path).close()

    def limits(con) -> tuple[str, int]:
        return con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()

    with Store(path, read_only=True) as store:
        memory, threads = limits(store.con)
    assert threads == 1 and memory.replace(" ", "").startswith(("286", "300"))  # DuckDB shows MiB
    con = scratch()
    assert limits(con) == (memory, 1)
    con.close()
    backend = ibis_connect(path)
    assert limits(backend.con) == (memory, 1)
    backend.disconnect()


def test_bad_memory_limit_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KADRY_MEMORY_LIMIT", "lots")
    with pytest.raises(ConfigError, match="KADRY_MEMORY_LIMIT"):
        scratch()


def test_a_creator_killed_mid_creation_leaves_no_broken_store(tmp_path):
    """A kill while DuckDB writes a new file's header must not leave a store nothing can open.

    The child dies at the last moment before the store would appear (its ``os.link``), with a
    complete header written under its own name; the next writer must find no store, make one,
    and clear the dead child's leftover.
    """
    import os
    import signal
    import subprocess
    import sys

    db = tmp_path / "k.duckdb"
    child = (
        "import os, signal, sys\n"
        "os.link = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from kadry.store import connect\n"
        "connect(sys.argv[1])\n"
    )
    done = subprocess.run([sys.executable, "-c", child, str(db)], capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert not db.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("k.duckdb.creating-")]
    con = connect(db)
    con.execute("CREATE TABLE t AS SELECT 1 AS a")
    con.close()
    assert connect(db, read_only=True).execute("SELECT a FROM t").fetchall() == [(1,)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.duckdb"], os.listdir(tmp_path)


def test_a_store_in_a_missing_folder_is_one_store_error(tmp_path):
    with pytest.raises(StoreError, match="cannot (open|create) store"):
        connect(tmp_path / "no" / "such" / "k.duckdb")


def test_a_file_system_without_hard_links_still_gets_a_store(tmp_path, monkeypatch):
    import os

    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    db = tmp_path / "k.duckdb"
    connect(db).close()
    assert connect(db, read_only=True).execute("SELECT 42").fetchall() == [(42,)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.duckdb"]
