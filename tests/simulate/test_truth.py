"""The ground truth equals what an independent SQL implementation finds in the written records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kadry.simulate import compare_with_truth


def test_stocks_and_flows_recomputed_with_duckdb_equal_the_truth(sim2022):
    out, summary = sim2022
    diff = compare_with_truth(out)
    assert diff.empty, diff.head(20).to_string()


def test_rollups_are_consistent(sim2022):
    out, summary = sim2022
    s = pd.read_parquet(out / "truth" / "stocks.parquet")
    flows = s[s["dim"] == "all"].groupby("side")["flow"].sum()
    assert flows["vacancy"] == summary["vacancies"] and flows["resume"] == summary["resumes"]
    total = s[s["dim"] == "all"].set_index(["side", "month"])["stock"]
    for dim in ("role", "role_category", "area", "subject", "country", "it", "role_category_subject"):
        by = s[s["dim"] == dim].groupby(["side", "month"])["stock"].sum()
        pd.testing.assert_series_equal(by.sort_index(), total.sort_index(), check_names=False)


def test_index_is_resumes_over_vacancies(sim2022):
    out, summary = sim2022
    i = pd.read_parquet(out / "truth" / "index.parquet")
    ok = i["vacancies"] > 0
    assert np.allclose(i.loc[ok, "index"], i.loc[ok, "resumes"] / i.loc[ok, "vacancies"])
    assert i.loc[~ok, "index"].isna().all()
    assert i.loc[i["dim"] == "it_country", "target"].notna().any()


def test_overall_index_is_in_published_range(sim2022):
    out, summary = sim2022
    i = pd.read_parquet(out / "truth" / "index.parquet")
    allx = i[(i["dim"] == "all") & i["in_window"]]["index"]
    assert allx.between(2.0, 6.5).all()  # hh bands: shortage .. moderate, as published for 2021-2025
