"""``kadry report`` on the command line: bad options fail with one line, good ones write the file."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kadry.errors import ConfigError, InputError, KadryError, StoreError
from kadry.report import build_report, parse_place, parse_segment

from .report_pagetools import ADDRESS


def _kadry(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kadry", "report", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"segment": "plumbers"}, "unknown segment"),
        ({"segment": "role:"}, "unknown segment"),
        ({"segment": "role:99999"}, "unknown role id"),
        ({"segment": "category:999"}, "unknown role category"),
        ({"region": "RU-XXX"}, "unknown region"),
        ({"region": "fd:Atlantis"}, "unknown federal district"),
        ({"region": "country:ZZ"}, "unknown country"),
        ({"region": "country:KZ"}, "reports by country are not published"),
        ({"region": "planet:Mars"}, "unknown region form"),
        ({"start": "2022-13"}, "bad date"),
        ({"start": "2022-06", "end": "2022-01"}, "empty date range"),
        ({"period": "year"}, "unknown period"),
        ({"lang": "de"}, "unknown language"),
        ({"min_cell": 0}, "--min-cell"),
    ],
)
def test_bad_options_are_one_line_input_errors(store_path, tmp_path, options, message):
    with pytest.raises(InputError) as err:
        build_report(**{"db": store_path, "out": tmp_path / "r.html", "start": "2022-01", "end": "2022-06", **options})
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "r.html").exists()


def test_missing_store_and_bad_out(tmp_path, store_path):
    with pytest.raises(StoreError, match="no store at"):
        build_report(db=tmp_path / "absent.duckdb", out=tmp_path / "r.html")
    with pytest.raises(InputError, match="is a directory"):
        build_report(db=store_path, out=tmp_path, start="2022-06", end="2022-06")
    with pytest.raises(InputError, match="does not exist"):
        build_report(db=store_path, out=tmp_path / "no" / "r.html", start="2022-06", end="2022-06")


def test_parsers_accept_the_documented_forms():
    assert parse_segment("IT").filters == {"it": True}
    assert parse_segment("all").filters == {}
    assert parse_segment("role:96").filters == {"role": ["96"]}
    assert parse_segment("category:11").filters == {"role_category": ["11"]}
    assert parse_place("ru-mow").filters == {"region": ["RU-MOW"]}
    assert parse_place("fd:cfd").filters == {"federal_district": ["CFD"]}
    assert parse_place("country:kz").filters == {"country": ["KZ"]}
    assert parse_place(None).filters == {}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--segment", "role:99999"], "unknown role id"),
        (["--segment", "it", "--from", "2022-99"], "bad date"),
        (["--segment", "it", "--db", "/nonexistent/kadry.duckdb"], "no store at"),
    ],
)
def test_cli_bad_options_fail_with_one_line(store_path, tmp_path, args, message):
    argv = [*args, "--out", str(tmp_path / "r.html")]
    if "--db" not in args:
        argv += ["--db", str(store_path)]
    proc = _kadry(*argv)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "r.html").exists()


def test_cli_writes_a_report(store_path, tmp_path):
    out = tmp_path / "cli.html"
    proc = _kadry(
        "--segment",
        "category:11",
        "--region",
        "fd:CFD",
        "--from",
        "2022-05",
        "--to",
        "2022-06",
        "--lang",
        "en",
        "--min-cell",
        "10",  # the session store's release is at 10: another k would make (and replace) a release
        "--db",
        str(store_path),
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"wrote {out}") and "k=10" in proc.stdout and "SIMULATED DATA" in proc.stdout
    text = out.read_text(encoding="utf-8")
    assert "Central" in text and "(CFD)" in text
    assert not ADDRESS.search(text)


def test_errors_are_kadry_errors():
    assert (
        issubclass(InputError, KadryError)
        and issubclass(StoreError, KadryError)
        and issubclass(ConfigError, KadryError)
    )
