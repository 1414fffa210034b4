"""The coverage table: one released table for the API, the dashboard and the report.

Before, ``/api/v1/coverage`` counted records over a range the client chose, so two answers
one day apart differed by the records of that day; and the report suppressed its own counts
by source, with another pattern than the API's. The attacks here use the public answers and
the store's own counts, not the publisher.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kadry.api import create_app
from kadry.api.sample import build_store
from kadry.report import build_report
from kadry.store import Store
from tests.report.report_pagetools import parse

K = 10


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    # a tiny third source: fewer than k records of each kind
    return build_store(
        tmp_path_factory.mktemp("cov") / "kadry.duckdb",
        vacancies=1500,
        months=2,
        sources={"hh": 0.8, "trudvsem": 0.198, "tiny": 0.002},
    )


def _get(app, url: str) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kadry") as c:
            return await c.get(url)

    return asyncio.run(go())


def _true_counts(path) -> dict[tuple[str, str], int]:
    with Store(path, read_only=True) as store:
        rows = store.con.execute(
            "SELECT 'vacancy', source, count(*) FROM vacancies GROUP BY ALL "
            "UNION ALL SELECT 'resume', source, count(*) FROM resumes GROUP BY ALL"
        ).fetchall()
    return {(k, s): n for k, s, n in rows}


def test_no_hidden_source_is_the_total_minus_the_others(store_path):
    app = create_app(store_path, k=K, make=False)  # answered before any release is made
    body = _get(app, "/api/v1/coverage").json()
    truth = _true_counts(store_path)
    assert 0 < truth[("vacancy", "tiny")] < K
    by_kind: dict[str, dict[str, float | None]] = {}
    for r in body["rows"]:
        by_kind.setdefault(r["kind"], {})[r["source"]] = r["records"]
    for kind, cells in by_kind.items():
        sources = {s: n for s, n in cells.items() if s != "all"}
        assert set(sources) == {s for k, s in truth if k == kind}
        for s, n in sources.items():  # published numbers are the true ones
            assert n is None or n == truth[(kind, s)]
        if truth[(kind, "tiny")] < K:
            assert sources["tiny"] is None
        hidden = [s for s, n in sources.items() if n is None]
        if cells["all"] is not None:
            # with the total published, one hidden source would be the total minus the others
            assert len(hidden) != 1
            assert cells["all"] == sum(truth[(kind, s)] for s in sources)
    # a range is no longer a parameter: the answer is the same table
    assert _get(app, "/api/v1/coverage?from=2024-01-05&to=2024-01-06").json() == body


def test_report_shows_the_same_cells_as_the_api(store_path, tmp_path):
    api = _get(create_app(store_path, k=K, make=False), "/api/v1/coverage").json()["rows"]
    out = tmp_path / "r.html"
    build_report(db=store_path, start="2024-01", end="2024-02", lang="en", min_cell=K, out=out)
    page = parse(out.read_text(encoding="utf-8"))
    shown = {
        (a["data-kind"], a["data-source"]): (float(c["records"][0]) if c["records"][0] else None)
        for a, c in page.tables["records-table"]
    }
    assert shown == {(r["kind"], r["source"]): r["records"] for r in api}
