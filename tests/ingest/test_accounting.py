"""stored + merged + quarantined against an independent count of the input, and which sighting wins
independently of the batch size."""

from __future__ import annotations

import csv
import gzip
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kadry.ingest import ingest_items, ingest_paths
from kadry.ingest.pipeline import FileResult
from kadry.sources import Item
from kadry.store import Store


def _csv_records(path) -> int:  # type: ignore[no-untyped-def]
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return sum(1 for row in list(csv.reader(f))[1:] if any(c.strip() for c in row))


def _json_lines(path) -> int:  # type: ignore[no-untyped-def]
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return sum(1 for line in f if line.strip())


def test_bundled_samples_against_independent_counts(store, samples):
    files = sorted((samples / "vacancies").glob("*.csv.gz")) + sorted((samples / "vacancies").glob("*.jsonl.gz"))
    expected = {p.name: (_csv_records(p) if p.name.endswith(".csv.gz") else _json_lines(p)) for p in files}
    report = ingest_paths(store, files)
    assert report.ok
    for f in report.files:
        name = f.path.rsplit("/", 1)[-1]
        c = f.counts
        assert c.read == expected[name], name
        assert c.stored + c.merged + c.quarantined == expected[name], (name, c)
    # stored and quarantined are what the tables hold; merged is counted, so the sum is a real check
    assert report.total.stored == store.count("vacancies")
    assert report.total.quarantined == store.count("quarantine")
    logged = store.con.execute(
        "SELECT sum(read), sum(stored), sum(merged), sum(quarantined) FROM ingest_log"
    ).fetchall()[0]
    t = report.total
    assert tuple(logged) == (t.read, t.stored, t.merged, t.quarantined)


_T0 = datetime(2024, 1, 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.one_of(st.none(), st.integers(0, 4)), st.integers(1, 9)),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 7),
)
def test_winner_independent_of_batch_size(tmp_path_factory, sightings, batch_size):
    """The record holds its latest sighting's values (no time is oldest; ties: the one read last)."""

    def items():  # type: ignore[no-untyped-def]
        for pos, (key, day, salary) in enumerate(sightings):
            seen = None if day is None else _T0 + timedelta(days=day)
            yield Item(
                pos,
                "vacancy",
                {
                    "source": "t",
                    "source_id": str(key),
                    "title": "Повар",
                    "salary_from": salary * 1000.0,
                    "salary_currency": "RUR",
                    "observed_at": seen,
                    "published_at": None,
                },
            )

    expected: dict[str, float] = {}
    best: dict[str, tuple] = {}
    for pos, (key, day, salary) in enumerate(sightings):
        rank = (-1 if day is None else day, pos)
        if str(key) not in best or rank >= best[str(key)]:
            best[str(key)], expected[str(key)] = rank, salary * 1000.0
    results = []
    for size in (1, batch_size, len(sightings)):
        path = tmp_path_factory.mktemp("s") / "k.duckdb"
        with Store(path) as store:
            r = ingest_items(store, items(), FileResult("mem", "test"), batch_size=size)
            assert r.counts.read == len(sightings) == r.counts.stored + r.counts.merged
            results.append(dict(store.con.execute("SELECT source_id, salary_from FROM vacancies").fetchall()))
    assert results[0] == results[1] == results[2] == expected
