"""Tables as a user meets them: in an 80-column terminal (a real pty), in a pipe, with --wide;
missing supply said, the default range on the data, undated records pointed to --observed-at."""

from __future__ import annotations

import csv
import fcntl
import io
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios

import pytest
from rich.cells import cell_len

from kadry.api.sample import build_store
from kadry.store import Store

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("out") / "kadry.duckdb", vacancies=900, months=6, start="2022-01-01")


def _env(cols: int | None = 80) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if cols:
        env["COLUMNS"] = str(cols)
    return env


def in_terminal(*args: str, cols: int = 80) -> str:
    """Run ``kadry`` on a real pseudo-terminal ``cols`` wide; its screen output without colours."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, cols, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kadry", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**_env(None), "TERM": "xterm-256color"},
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=300)
    os.close(master)
    assert proc.returncode == 0, b"".join(chunks).decode(errors="replace")
    return ANSI.sub("", b"".join(chunks).decode()).replace("\r", "")


def in_pipe(*args: str, cols: int | None = 80) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kadry", *args], check=False, capture_output=True, text=True, env=_env(cols), timeout=300
    )


def _csv(db, *extra) -> list[dict]:
    out = in_pipe("index", "--db", str(db), "--by", "region", *extra)
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout)))


def _table_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if line.startswith("│")]


def _header(text: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith("┃"))
    return [c.strip() for c in line.split("┃")[1:-1]]


def test_terminal_80_columns_keeps_index_band_counts_and_never_cuts_a_number(db):
    screen = in_terminal("index", "--db", str(db), "--by", "region")
    lines = [line for line in screen.splitlines() if line.strip()]
    assert max(cell_len(line) for line in lines) <= 80
    assert "…" not in screen
    head = _header(screen)
    assert head[:2] == ["region", "period"] and {"index", "band", "n_vacancies", "n_resumes"} <= set(head)
    rows = _csv(db)
    expected = {(r["region"], r["period"][:7]): r["index"] for r in rows}
    shown = _table_rows(screen)
    assert len(shown) == len(rows)
    i = head.index("index")
    for cells in shown:
        want = expected[(cells[0], cells[1])]
        assert cells[i] == (f"{float(want):,.2f}" if want else "—")  # every digit there, none cut
    left_out = screen[screen.index("not shown for width (80 columns):") :].split(";")[0]
    assert "ci_low" in left_out and "ci_high" in left_out


def test_pipe_writes_csv_by_default_and_notes_go_to_stderr(db):
    out = in_pipe("index", "--db", str(db), "--by", "region")
    assert out.returncode == 0
    assert out.stdout.startswith('"region","period"') and "┃" not in out.stdout
    assert "range: 2022-01-01.." in out.stderr  # the default range is said, outside the data
    tsv = in_pipe("index", "--db", str(db), "--format", "tsv")
    assert tsv.stdout.split("\n")[0].split("\t")[:2] == ['"period"', '"period_end"']


def test_format_table_in_a_pipe_fits_columns_and_wide_shows_all(db):
    narrow = in_pipe("index", "--db", str(db), "--by", "region", "--format", "table", cols=80)
    assert narrow.returncode == 0 and max(cell_len(x) for x in narrow.stdout.splitlines()) <= 80
    assert "…" not in narrow.stdout and "ci_high" not in _header(narrow.stdout)
    wide = in_pipe("index", "--db", str(db), "--by", "region", "--format", "table", "--wide", cols=80)
    assert {"ci_low", "ci_high", "data"} <= set(_header(wide.stdout)) and "…" not in wide.stdout


def test_flows_and_relocation_share_the_output(db):
    out = in_pipe("relocation", "--db", str(db), "--from", "2022-01", "--to", "2022-03")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith('"period"') or out.stdout.startswith('"')  # CSV in a pipe
    table = in_pipe("relocation", "--db", str(db), "--from", "2022-01", "--to", "2022-03", "--format", "table", cols=80)
    assert max(cell_len(x) for x in table.stdout.splitlines()) <= 80 and "…" not in table.stdout


def test_index_without_resumes_says_supply_is_missing(db, tmp_path):
    bare = tmp_path / "bare.duckdb"
    shutil.copy(db, bare)
    with Store(bare) as store:
        store.con.execute("DELETE FROM resumes")
    screen = in_terminal("index", "--db", str(bare), "--from", "2022-01", "--to", "2022-03")
    assert "0.00" not in screen and "acute shortage" not in screen
    assert "no resumes" in screen and "The store holds no resumes" in screen.replace("\n", " ")
    rows = list(
        csv.DictReader(io.StringIO(in_pipe("index", "--db", str(bare), "--from", "2022-01", "--to", "2022-03").stdout))
    )
    assert rows and all(r["index"] == "" and r["band"] == "" and int(r["n_vacancies"]) > 0 for r in rows)


def test_undated_records_point_to_observed_at(db, tmp_path):
    undated = tmp_path / "undated.duckdb"
    shutil.copy(db, undated)
    with Store(undated) as store:
        store.con.execute("UPDATE vacancies SET published_at = NULL, created_at = NULL, first_seen = NULL")
        store.con.execute(
            "UPDATE resumes SET created_at = NULL, first_seen = NULL, updated_at = NULL, last_seen = NULL"
        )
    out = in_pipe("index", "--db", str(undated))
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "--observed-at" in out.stderr and "Traceback" not in out.stderr
    dated = in_pipe("index", "--db", str(undated), "--from", "2022-01", "--to", "2022-03", "--format", "table")
    assert "no records in this range" in dated.stdout and "--observed-at" in dated.stdout


def test_coverage_command(db):
    out = in_pipe("coverage", "--db", str(db))
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {(r["kind"], r["source"]) for r in rows} == {("vacancy", "sim"), ("resume", "sim")}
    assert int(next(r for r in rows if r["kind"] == "vacancy")["records"]) == 900
