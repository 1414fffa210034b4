"""The report's cross-source view: each source's index beside the total, the publisher's cells."""

from __future__ import annotations

import pytest

from kadry.api.sample import build_store
from kadry.indicators import Engine, compute
from kadry.report import build_report

from .report_pagetools import parse

K = 10


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory):
    """A simulated store whose records carry two source labels (both sides in each)."""
    path = tmp_path_factory.mktemp("by-source") / "kadry.duckdb"
    return build_store(path, vacancies=2500, months=3, sources={"hh": 0.7, "trudvsem": 0.3})


def test_each_source_beside_the_total(two_sources, tmp_path):
    out = tmp_path / "r.html"
    build_report(db=two_sources, start="2024-01", end="2024-03", lang="en", min_cell=K, out=out)
    page = parse(out.read_text(encoding="utf-8"))
    shown: dict[tuple[str, str], dict] = {}
    for attrs, cells in page.tables["by-source-table"]:
        shown[(attrs["data-source"], attrs["data-period"])] = {
            c: (float(v) if v else None) for c, (v, _) in cells.items()
        }
    assert {s for s, _ in shown} == {"hh", "trudvsem", "all"}

    # the raw figures, computed here without suppression: a published cell is the true one
    with Engine.duckdb(two_sources) as engine:
        raw = compute(
            "index", by=["source"], period="month", start="2024-01-01", end="2024-03-31", engine=engine, as_="pandas"
        )
    raw["period"] = raw["period"].map(lambda d: d.isoformat()[:10])
    truth = {(r.source, r.period): r for r in raw.itertuples()}
    published = 0
    for key, cells in shown.items():
        t = truth[key]
        if cells["index"] is None:  # hidden: nothing of the cell is shown
            assert cells["n_vacancies"] is None and cells["n_resumes"] is None
            continue
        published += 1
        assert cells["n_vacancies"] == t.n_vacancies and cells["n_resumes"] == t.n_resumes
        assert min(t.n_vacancies, t.n_resumes) >= K
        assert cells["index"] == pytest.approx(t.index)
    assert published >= 6  # two sources over three months: well above k in this store
    for period in {p for _, p in shown}:
        parts = [shown.get((s, period)) for s in ("hh", "trudvsem")]
        total = shown[("all", period)]
        if all(p and p["n_vacancies"] is not None for p in parts) and total["n_vacancies"] is not None:
            # the sources add up to the total (vacancy stocks of disjoint sources)
            assert sum(p["n_vacancies"] for p in parts) == total["n_vacancies"]


def test_one_source_has_no_comparison(tmp_path):
    db = build_store(tmp_path / "one.duckdb", vacancies=800, months=2)
    out = tmp_path / "r.html"
    build_report(db=db, start="2024-01", end="2024-02", lang="ru", min_cell=K, out=out)
    text = out.read_text(encoding="utf-8")
    assert 'id="by-source"' not in text and 'id="sources"' in text
