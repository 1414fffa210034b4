"""Releases: persisted once, reused across app restarts, invalidated by a change of the store."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pandas as pd
import pytest

from kadry.api import create_app
from kadry.api.sample import build_store
from kadry.errors import BadRequest
from kadry.publish import current, make
from kadry.publish.cubes import FLOW_PERIODS, build_cubes
from kadry.publish.release import folder
from kadry.store import Store

SRC = Path(__file__).resolve().parents[2] / "src" / "kadry"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("rel") / "kadry.duckdb", vacancies=800, months=3)


def _get(app, url: str) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kadry") as c:
            return await c.get(url)

    return asyncio.run(go())


def test_release_is_reused_across_restarts_without_recomputation(store_path, monkeypatch):
    release = make(store_path)
    first = _get(create_app(store_path), "/api/v1/indicators?indicator=flow&period=month&format=csv")
    assert first.headers["X-Kadry-Release"] == release.id

    def refuse(*a, **kw):
        raise AssertionError("a served answer recomputed a cube")

    monkeypatch.setattr("kadry.publish.cubes._Builder.build", refuse)
    again = create_app(store_path)  # a restart: the persisted release is read, nothing computed
    second = _get(again, "/api/v1/indicators?indicator=flow&period=month&format=csv")
    assert second.status_code == 200 and second.text == first.text
    health = _get(again, "/api/v1/health").json()
    assert health["release"] == release.id == second.headers["X-Kadry-Release"]


def test_a_change_of_the_store_makes_the_release_stale(tmp_path):
    path = build_store(tmp_path / "kadry.duckdb", vacancies=300, months=2)
    make(path)
    assert current(path) is not None
    with Store(path) as store:  # what ingest does: records written, data version moved
        store.bump()
    assert current(path) is None
    app = create_app(path)  # serving makes a new one rather than serve a stale one
    assert current(path) is not None
    assert _get(app, "/api/v1/health").status_code == 200


@pytest.mark.parametrize("period", ["week", "quarter"])
def test_flows_by_other_lengths_than_month_are_refused(store_path, period):
    """One period length for flows: no week or quarter to subtract months from."""
    release = current(store_path) or make(store_path)
    with pytest.raises(BadRequest, match="by month only"):
        release.cube("flow", period)
    status = _get(create_app(store_path), f"/api/v1/indicators?indicator=flow&period={period}").status_code
    assert status == 400


def test_flow_rows_hidden_by_suppression_carry_no_counts(store_path):
    release = current(store_path) or make(store_path)
    for period in FLOW_PERIODS:  # weekly flows are not released (weeks cross months)
        flow = release.cube("flow", period)
        hidden = flow[flow["suppressed"]]
        assert len(hidden), "the fixture has small flow cells"
        assert hidden[["n_vacancies", "n_resumes"]].isna().all().all()
    rows = _get(create_app(store_path), "/api/v1/indicators?indicator=flow&period=month&limit=5000").json()["rows"]
    for row in rows:
        if row["suppressed"]:
            assert row.get("new_vacancies") is None and row.get("new_resumes") is None, row


def test_cubes_are_the_same_cells_as_a_fresh_computation(store_path):
    release = current(store_path) or make(store_path)
    fresh = build_cubes(store_path, k=release.k, periods=list(release.periods), first=release.first, last=release.last)

    def plain(df: pd.DataFrame) -> pd.DataFrame:
        df = df.reset_index(drop=True)
        return df.astype(object).where(df.notna(), None)

    for key, table in fresh.items():
        pd.testing.assert_frame_equal(plain(table), plain(release.cube(*key)), check_dtype=False)
    assert folder(store_path).joinpath("release.json").exists()


def test_only_the_publisher_calls_suppress():
    callers = sorted(
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if re.search(r"(?<![\w.])suppress\(", p.read_text()) and "def suppress(" not in p.read_text()
    )
    assert set(callers) == {"publish/cubes.py", "publish/moves.py"}, callers


def test_the_index_by_source_is_released_and_never_mixed(store_path):
    """Sources side by side, their total the main cube's all/all cell, a lone hidden source never left."""
    release = current(store_path) or make(store_path)
    by_source = release.cube("index-by-source", "month")
    main = release.cube("index", "month")
    total = main[(main.occupation == "all") & (main.region == "all")].set_index("period")
    sources = sorted(set(by_source.source) - {"all"})
    assert sources, "the fixture has sources"
    for period, rows in by_source.groupby("period"):
        all_row = rows[rows.source == "all"].iloc[0]
        # one cell in two cubes: shown in one and hidden in the other, the hidden one is given away
        assert all_row.suppressed == total.loc[period, "suppressed"], period
        if not all_row.suppressed:
            assert all_row.n_vacancies == total.loc[period, "n_vacancies"]
            assert all_row.n_resumes == total.loc[period, "n_resumes"]
        parts = rows[rows.source != "all"]
        assert parts.suppressed.sum() != 1 or all_row.suppressed, f"{period}: one hidden source = total - the others"
    app = create_app(store_path)
    body = _get(app, f"/api/v1/indicators?source={sources[0]}&period=month").json()
    assert body["rows"] and {r["source"] for r in body["rows"]} == {sources[0]}
    assert _get(app, "/api/v1/indicators?source=nosuch").status_code == 400
    assert _get(app, f"/api/v1/indicators?source={sources[0]}&group_by=region").status_code == 400


@pytest.mark.parametrize("main_hides", [True, False])
def test_the_by_source_total_is_shown_exactly_where_the_main_cube_shows_it(store_path, monkeypatch, main_hides):
    """The by-source total is the index cube's all/all cell. Where the main cube hides it, so must
    this family (the demo's report once printed nine such totals). Where the main cube shows it and
    this family would hide it (here: a suppression that hides everything), it is shown as there and
    every source of the period is hidden instead."""
    import numpy as np

    import kadry.publish.cubes as cubes

    main = (current(store_path) or make(store_path)).cube("index", "month")
    total = main[(main.occupation == "all") & (main.region == "all")].set_index("period")
    if main_hides:
        total = total.assign(suppressed=True)
    else:
        assert not total.suppressed.all(), "the fixture shows some totals"
        real = cubes.suppress
        monkeypatch.setattr(cubes, "suppress", lambda frame, **kw: real(frame, **{**kw, "hidden": np.ones(len(frame))}))
    first, last = str(main.period.min()), str(main.period_end.max())
    out = cubes._Builder(store_path, 5)._by_source("index", "month", first, last, total)
    for period, rows in out.groupby("period"):
        all_row, parts = rows[rows.source == "all"].iloc[0], rows[rows.source != "all"]
        assert all_row.suppressed == total.loc[period, "suppressed"], period
        if all_row.suppressed:
            assert pd.isna(all_row.n_vacancies) and pd.isna(all_row["index"])
        else:
            assert (all_row.n_vacancies, all_row.n_resumes) == tuple(total.loc[period, ["n_vacancies", "n_resumes"]])
            assert all_row["index"] == total.loc[period, "index"] and all_row.suppression is None
            assert parts.suppressed.all() and parts.n_vacancies.isna().all() and parts["index"].isna().all()


@pytest.mark.parametrize(("period", "last", "runs"), [("week", "2024-01-28", 4), ("quarter", "2024-06-30", 2)])
def test_population_cubes_made_by_runs_of_periods_are_the_whole_range(store_path, monkeypatch, period, last, runs):
    """Salary and skills are made a run of periods at a time (memory): one period per run gives
    exactly the cells of the whole range made at once (skills by quarter only)."""
    import kadry.publish.cubes as cubes

    first = "2024-01-01"  # a Monday
    builder = cubes._Builder(store_path, 5)
    base = builder._suppress_family("stock", {period: builder._compute("index", period, first, last)})[period]

    def made() -> dict:
        parts: dict = {}
        builder._population(period, base, first, last, lambda key, frame: parts.setdefault(key, []).append(frame))
        return parts

    assert len(cubes._spans(period, first, last, days=1)) == runs
    monkeypatch.setattr(cubes, "_SPAN_DAYS", 1)
    by_runs = made()
    monkeypatch.setattr(cubes, "_SPAN_DAYS", 10_000)
    whole = made()
    released = ["salary", *(["skills"] if period in cubes.SKILLS_PERIODS else [])]
    assert {key[0] for key in by_runs} == {key[0] for key in whole} == set(released)
    for indicator in released:
        assert len(by_runs[(indicator, period)]) == runs and len(whole[(indicator, period)]) == 1
        keys = [*cubes.KEYS, *(["skill"] if indicator == "skills" else [])]
        a, b = (cubes.joined(f[(indicator, period)]).sort_values(keys, ignore_index=True) for f in (by_runs, whole))
        assert len(a) > 100 and a["suppressed"].any() and not a["suppressed"].all()
        pd.testing.assert_frame_equal(a, b)


def test_skills_are_released_by_quarter_only(store_path):
    release = current(store_path) or make(store_path)
    assert len(release.cube("skills", "quarter")) > 0
    for period in ("week", "month"):
        with pytest.raises(BadRequest, match="by quarter only"):
            release.cube("skills", period)


def test_the_release_bounds_duckdbs_memory_unless_told(store_path, monkeypatch):
    """A release holds frames beside DuckDB's buffers: its queries get a share of RAM (they spill
    beyond it), not DuckDB's default 80%; KADRY_MEMORY_LIMIT still decides when set."""
    import os

    import kadry.publish.cubes as cubes

    def limit() -> float:
        engine = cubes._Builder(store_path, 5)._engine()
        try:
            text = engine.con.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        finally:
            engine.close()
        number, unit = text.split()  # DuckDB shows e.g. "8.2 GiB"
        return float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]

    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    monkeypatch.delenv("KADRY_MEMORY_LIMIT", raising=False)
    assert 0.3 * ram < limit() <= 0.36 * ram
    monkeypatch.setenv("KADRY_MEMORY_LIMIT", "1GB")
    assert limit() < 1.1e9
