"""Simulated supply for real demand: resumes planned against a store's real vacancy stock."""

from __future__ import annotations

import numpy as np
import pytest

from kadry.config import SAMPLES
from kadry.errors import InputError
from kadry.indicators import Engine, compute
from kadry.ingest import ingest_paths
from kadry.normalize import normalize_store
from kadry.simulate import load_scenario, supply_for_store
from kadry.simulate.model import Calendar, category_table, load_calibration
from kadry.simulate.pilot import make_plan
from kadry.store import Store

START, END = "2022-01", "2022-06"
MONTHS = ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06"]
#: relative tolerance of the monthly index against the targets' level (months >= 1,000 vacancies);
#: the plan's own expected error is ~2-5% and Poisson noise at ~2,000-6,000 vacancies is ~2-3%
TOLERANCE = 0.12

_REAL_VACANCIES = "SELECT md5(string_agg(v::VARCHAR, '|' ORDER BY vacancy_id)) FROM vacancies v WHERE NOT simulated"
_REAL_OBS = "SELECT count(*), md5(string_agg(o::VARCHAR, '|' ORDER BY record_id, observed_at)) FROM observations o WHERE kind = 'vacancy'"


@pytest.fixture(scope="module")
def supplied(tmp_path_factory):
    path = tmp_path_factory.mktemp("supply") / "store.duckdb"
    with Store(path) as store:
        ingest_paths(store, [SAMPLES / "vacancies" / "hh-csv-2022.csv.gz"])
        normalize_store(store)
        before = (
            store.con.execute(_REAL_VACANCIES).fetchall()[0],
            store.con.execute(_REAL_OBS).fetchall()[0],
            store.count("resumes"),
        )
        result = supply_for_store(store, START, END, seed=3, say=lambda _: None)
        after = (store.con.execute(_REAL_VACANCIES).fetchall()[0], store.con.execute(_REAL_OBS).fetchall()[0])
    return path, result, before, after


def test_supply_adds_only_simulated_resumes(supplied):
    path, result, before, _ = supplied
    with Store(path, read_only=True) as store:
        rows = store.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE simulated AND source = 'sim' AND resume_id LIKE 'sim:%') FROM resumes"
        ).fetchall()[0]
        obs = store.con.execute(
            "SELECT count(*), count(r.resume_id) FROM observations o LEFT JOIN resumes r "
            "ON o.record_id = r.resume_id AND r.simulated WHERE o.kind = 'resume'"
        ).fetchall()[0]
    assert rows[0] - before[2] == result["resumes"] > 1000
    assert rows[1] == result["resumes"]
    assert obs[0] == obs[1] == result["observations"]


def test_no_real_record_changed(supplied):
    path, _, before, after = supplied
    assert before[0] == after[0]
    assert before[1] == after[1]
    with Store(path) as store, pytest.raises(InputError, match="already holds"):
        supply_for_store(store, START, END, say=lambda _: None)  # a second supply would double it


def _target_level(path) -> dict[str, tuple[float, int]]:
    """Per month: the real-stock-weighted mean of the scenario's category targets, and the stock."""
    cal = load_calibration()
    sc = load_scenario(None)
    months = [int(m[:4]) * 12 + int(m[5:]) - 1 for m in MONTHS]
    role_cat = dict(zip(cal.role_ids, cal.role_cat))
    with Engine.duckdb(path) as eng:
        t = compute("stock", by=["role"], period="month", start=START, end=END, engine=eng, rollups=False, as_="pandas")
    out = {}
    for i, m in enumerate(MONTHS):
        rows = t[t["period"].astype(str).str.startswith(m)]
        known = rows[rows["role"].isin(role_cat)]
        w = known["n_vacancies"].to_numpy(float)
        targets = np.array([sc.index_target(role_cat[r], [months[i]])[0] for r in known["role"]])
        out[m] = (float((w * targets).sum() / w.sum()), int(rows["n_vacancies"].sum()))
    return out


def test_index_follows_targets_where_real_vacancies_are(supplied):
    path, result, _, _ = supplied
    level = _target_level(path)
    with Engine.duckdb(path) as eng:
        idx = compute("index", period="month", start=START, end=END, engine=eng, as_="pandas")
    checked = 0
    for period, nv, index in zip(idx["period"], idx["n_vacancies"], idx["index"]):
        m = str(period)[:7]
        target, stock = level[m]
        assert nv == stock  # the index's denominator is the real stock the supply was planned on
        if stock >= 1000:
            assert abs(index / target - 1) <= TOLERANCE, (m, index, target)
            checked += 1
    assert checked >= 4
    # the overall targets' level moves with the real category mix; a flat resume stock would not
    assert result["expected_index"]["2022-03"] == pytest.approx(level["2022-03"][0], rel=0.06)


def test_zero_stock_months_get_no_resumes():
    cal = load_calibration()
    sc = load_scenario(None)
    cal_grid = Calendar(2022 * 12 - 2, 2022 * 12, 2022 * 12 + 5)
    stock = np.zeros((len(cal.categories), cal_grid.n))
    it = cal.categories.index("11")
    stock[it] = [0, 0, 500, 800, 0, 0, 300, 900]  # grid 2021-11..2022-06: nothing in March and April
    plan = make_plan(cal, sc, 0, None, "2022-01", "2022-06", 5, vacancy_stock=stock)
    assert plan.res_prob[np.arange(len(cal.categories)) != it].sum() == 0  # no stock, no resumes
    assert plan.res_prob[it, 4:6].sum() == 0  # no resume demand from empty months
    assert plan.res_prob[it, :2].sum() > 0  # the burn-in feeds January's stock
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = plan.expected_resume_stock[it] / stock[it]
    live = [2, 3, 6, 7]
    np.testing.assert_allclose(ratio[live], plan.targets[it, live], rtol=0.1)
    assert plan.n_resumes > 0 and plan.fit_error < 0.1


def test_bad_vacancy_stock_is_a_clear_error():
    cal = load_calibration()
    grid = Calendar(2022 * 12 - 2, 2022 * 12, 2022 * 12 + 5)
    with pytest.raises(InputError, match="categories x months"):
        category_table(cal, grid, np.ones((3, 8)))
    with pytest.raises(InputError, match="unknown role category"):
        category_table(cal, grid, {"99": [1] * 8})
    with pytest.raises(InputError, match=">= 0"):
        category_table(cal, grid, {"11": [-1] * 8})
    with pytest.raises(InputError, match="zero in every month"):
        make_plan(cal, load_scenario(None), 0, None, "2022-01", "2022-06", 1, vacancy_stock={"11": [5, 5] + [0] * 6})
    with Store(":memory:") as store, pytest.raises(InputError, match="unknown-role rule"):
        supply_for_store(store, START, END, unknown="ignore", say=lambda _: None)


def test_cli_refuses_a_second_supply_in_one_line(supplied):
    import subprocess
    import sys
    from pathlib import Path

    path = supplied[0]
    kadry = str(Path(sys.executable).parent / "kadry")
    p = subprocess.run(
        [kadry, "simulate", "supply", "--db", str(path), "--from", START, "--to", END], capture_output=True, text=True
    )
    assert p.returncode == 1 and p.stderr.strip().count("\n") == 0 and "already holds" in p.stderr
