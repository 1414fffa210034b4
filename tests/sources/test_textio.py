"""Encodings by content, NUL bytes, CR-only line ends and RFC 4180 quoting."""

from __future__ import annotations

import codecs
import csv
import gzip
from pathlib import Path

import pytest

from kadry.ingest import ingest_paths
from kadry.sources.textio import sniff_encoding

FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
TITLES = ['Администратор "Кофемания", сеть кофеен', "Кладовщик", 'Продавец-консультант в ТЦ "Щука"']


def _titles(store) -> list[str]:  # type: ignore[no-untyped-def]
    return [r[0] for r in store.con.execute("SELECT title FROM vacancies ORDER BY title").fetchall()]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "utf-16", "utf-16-le", "utf-8-sig"])
def test_encodings_detected(store, tmp_path, encoding):
    text = (FIXTURES / "quoted_titles.csv").read_text(encoding="utf-8")
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode(encoding))
    report = ingest_paths(store, [path])
    assert report.ok and report.files[0].format == "hh-csv"
    assert _titles(store) == TITLES


def test_sniff_encoding_names():
    sample = "Менеджер по продажам,Москва,80000\n".encode("koi8_r") * 3
    assert sniff_encoding(sample) == "koi8_r"
    assert sniff_encoding(codecs.BOM_UTF16_LE + "Повар".encode("utf-16-le")) == "utf-16"


def test_nul_bytes_removed_and_counted(store, tmp_path):
    data = (FIXTURES / "quoted_titles.csv").read_bytes()
    lines = data.split(b"\n")
    lines[3] = lines[3].replace("Кладовщик".encode(), "Клад\0овщик".encode()) + b"\0\0"
    path = tmp_path / "nul.csv.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines)))
    report = ingest_paths(store, [path])
    assert report.ok and report.files[0].nul_bytes == 3
    assert _titles(store) == TITLES
    assert store.con.execute("SELECT detail FROM ingest_log").fetchall() == [("3 NUL bytes removed",)]


def test_cr_only_line_ends(store, tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes((FIXTURES / "quoted_titles.csv").read_bytes().replace(b"\n", b"\r"))
    assert ingest_paths(store, [path]).total.stored == 3 and _titles(store) == TITLES


def test_doubled_quotes_survive_on_real_yearly_file(store, shared):
    path = shared / "vacancies/hh-csv-yearly/files/2008.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    quoted = {r[0] for r in rows if '"' in r[0]}
    assert quoted, "the sample should hold titles with quotes"
    ingest_paths(store, [path])
    stored = {r[0] for r in store.con.execute("SELECT title FROM vacancies WHERE title LIKE '%\"%'").fetchall()}
    assert stored == quoted
