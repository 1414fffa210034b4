"""The report on a real (small) store: written, self-contained, equal to the indicators after
suppression, hiding small cells, labelling simulated data, in Russian and English."""

from __future__ import annotations

import asyncio
import re
import shutil

import httpx
import pandas as pd
import pytest

from kadry.indicators import compute
from kadry.report import SECTIONS, build_report, external_references
from kadry.report.sections import summary_section, trend_section

from .report_pagetools import ADDRESS, END, START, parse, rows_by


def _api(store_path, url: str) -> dict:
    """An answer of the public API for the same store (in process, over ASGI)."""
    from kadry.api import create_app

    async def go():
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(store_path)), base_url="http://kadry"
        ) as c:
            return await c.get(url)

    r = asyncio.run(go())
    assert r.status_code == 200, r.text
    return r.json()


def _expected_cube(store_path, occupation: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What /api/v1/indicators serves for the segment: the total and each federal subject by month."""
    q = f"/api/v1/indicators?indicator=index&occupation={occupation}&period=month&start={START}&end={END}"
    total = pd.DataFrame(_api(store_path, q + "&region=all")["rows"])
    regions = pd.DataFrame(_api(store_path, q + "&region=all&group_by=region&limit=10000")["rows"])
    return total.set_index("period"), regions


@pytest.fixture(scope="module")
def it_en(store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "it-en.html"
    result = build_report(segment="it", start=START, end=END, db=store_path, lang="en", out=out)
    return result, out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def all_ru_moscow(store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "all-ru.html"
    result = build_report(segment="all", region="RU-MOW", start=START, end=END, db=store_path, lang="ru", out=out)
    return result, out.read_text(encoding="utf-8")


def test_report_is_one_self_contained_file(it_en):
    result, text = it_en
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert result["bytes"] == len(text.encode("utf-8"))
    assert not ADDRESS.search(text), ADDRESS.search(text)
    assert external_references(text) == []
    page = parse(text)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert all(not a.get("src") and not a.get("href") for _, a in page.attrs_all)
    assert text.count("<svg") >= 3  # trend, regions, salaries (and skills, mobility)
    assert "@media print" in text and "size: A4" in text
    for section in ("summary", "trend", "regions", "salary", "skills", "mobility", "sources"):
        assert f'id="{section}"' in text, section


def test_index_figures_are_the_apis(it_en, store_path):
    """The report and /api/v1/indicators are cut from one release: the same cells, hidden alike."""
    result, text = it_en
    total, expected = _expected_cube(store_path, "it")
    page = parse(text)
    trend = rows_by(page, "trend-table", "data-period")
    assert sorted(trend) == sorted(total.index)
    published = 0
    for period, cells in trend.items():
        row = total.loc[period]
        for col in ("index", "ci_low", "ci_high", "n_vacancies", "n_resumes"):
            value, shown = cells[col]
            if row[col] is None or pd.isna(row[col]):
                assert value == "" and shown == "—"
            else:
                published += 1
                assert float(value) == pytest.approx(float(row[col]), rel=1e-12)
                assert shown == (
                    f"{float(row[col]):,.2f}" if col in ("index", "ci_low", "ci_high") else f"{float(row[col]):,.0f}"
                )
    assert published > 0
    last = total.dropna(subset=["index"]).iloc[-1]
    assert float(page.headline["value"]) == pytest.approx(float(last["index"]), rel=1e-12)
    assert page.headline["text"] == f"{float(last['index']):.2f}"
    assert result["headline"]["index"] == pytest.approx(float(last["index"]))
    # regions: exactly the published federal subjects of the headline period, ranked by index
    regions = rows_by(page, "regions-table", "data-region")
    at = expected[(expected["period"] == last.name) & expected["region"].str.startswith("RU-")]
    shown = at.dropna(subset=["index"]).sort_values("index", ascending=False)
    assert list(regions) == list(shown["region"])
    for code, cells in regions.items():
        assert float(cells["index"][0]) == pytest.approx(float(shown.set_index("region").loc[code, "index"]))


def test_suppressed_cells_are_hidden(store_path, engine, tmp_path):
    """At a k between the smallest and largest month (a release of its own), every month or
    subject below k is hidden (its counts appear nowhere in its row) and what is shown is raw."""
    raw = compute(
        "index", by=["region"], period="month", start=START, end=END, filters={"it": True}, engine=engine, as_="pandas"
    )
    raw["period"] = raw["period"].map(lambda d: d.isoformat())
    raw_total = raw[raw["region"] == "all"].set_index("period")
    smaller = raw_total[["n_vacancies", "n_resumes"]].min(axis=1)
    sizes = sorted(smaller)
    assert sizes[0] < sizes[-1]
    k = int(sizes[len(sizes) // 2])
    small = set(smaller.index[smaller < k])
    assert 0 < len(small) < len(raw_total), "the fixture should give a mix of small and large months"
    out = tmp_path / "k.html"
    copy = tmp_path / "kadry.duckdb"  # a release at this k on a copy: the session store keeps its own at 10
    shutil.copy(store_path, copy)
    build_report(segment="it", start=START, end=END, db=copy, lang="en", min_cell=k, out=out)
    text = out.read_text(encoding="utf-8")
    page = parse(text)
    trend = rows_by(page, "trend-table", "data-period")
    for period in small:
        cells = trend[period]
        assert all(cells[c] == ("", "—") for c in ("index", "ci_low", "ci_high", "n_vacancies", "n_resumes"))
        row_html = re.search(rf'<tr data-period="{period}">.*?</tr>', text).group(0)
        for col in ("n_resumes", "n_vacancies"):
            assert f">{int(raw_total.loc[period, col]):,}<" not in row_html
    # (at such a k the release may hide larger months too, as complements; what it shows is raw)
    for period in (p for p in trend if trend[p]["n_resumes"][0] != ""):
        for col in ("n_vacancies", "n_resumes"):
            assert float(trend[period][col][0]) == float(raw_total.loc[period, col])
    regions = rows_by(page, "regions-table", "data-region")
    published = [p for p in sorted(trend) if trend[p]["index"][0] != ""]
    ranked_at = published[-1] if published else sorted(trend)[-1]  # the ranking's period (ReportData.ranking)
    at = raw[(raw["period"] == ranked_at) & raw["region"].str.startswith("RU-")].set_index("region")
    below = set(at.index[at[["n_vacancies", "n_resumes"]].min(axis=1) < k])
    assert below and not below & set(regions)
    assert f"fewer than {k} records" in text


def test_simulated_data_is_labelled(it_en, all_ru_moscow):
    _, en = it_en
    _, ru = all_ru_moscow
    assert it_en[0]["simulated"] and all_ru_moscow[0]["simulated"]
    assert 'data-simulated="true"' in en and "SIMULATED DATA" in en
    assert 'data-simulated="true"' in ru and "СМОДЕЛИРОВАННЫЕ ДАННЫЕ" in ru
    # every section built on simulated resumes says so
    for text, section, label in (
        (en, "trend", "SIMULATED DATA"),
        (en, "salary", "SIMULATED DATA"),
        (ru, "regions", "СМОДЕЛИРОВАННЫЕ ДАННЫЕ"),
    ):
        body = text.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0]
        assert label in body and "SIM</span>" in body, section


def test_russian_report(all_ru_moscow, engine):
    result, text = all_ru_moscow
    assert '<html lang="ru">' in text
    for word in ("Динамика индекса", "Регионы", "Зарплаты", "Источники данных", "Москва"):
        assert word in text
    assert "Trend of the index" not in text
    raw = compute("index", by=["region"], period="month", start=START, end=END, engine=engine, as_="pandas")
    moscow = raw[raw["region"] == "RU-MOW"].sort_values("period").iloc[-1]
    page = parse(text)
    assert float(page.headline["value"]) == pytest.approx(float(moscow["index"]))  # thousands of records: published
    assert page.headline["text"] == f"{float(moscow['index']):.2f}".replace(".", ",")
    assert result["region"] == "RU-MOW"
    assert 'class="focus-rank"' in text


def test_english_report_words(it_en):
    _, text = it_en
    assert '<html lang="en">' in text
    for word in (
        "Trend of the index",
        "Regions",
        "Salaries",
        "Data sources and coverage",
        "acute shortage of job seekers",
    ):
        assert word in text
    assert "Динамика" not in text


def test_sources_and_coverage(it_en, store_path):
    from kadry.store import Store

    _, text = it_en
    page = parse(text)
    records = {(a["data-kind"], a["data-source"]): c for a, c in page.tables["records-table"]}
    with Store(store_path, read_only=True) as store:
        n_vac = store.con.execute("SELECT count(*) FROM vacancies WHERE source = 'hh'").fetchall()[0][0]
        n_sim = store.con.execute("SELECT count(*) FROM resumes WHERE source = 'sim'").fetchall()[0][0]
    assert float(records[("vacancy", "hh")]["records"][0]) == n_vac
    assert float(records[("resume", "sim")]["records"][0]) == n_sim
    assert "closed_at, else lifetime 30d" in text  # the vacancy activity rule used
    assert "quarantine-table" in text or "quarantine is empty" in text
    assert "hh.ru" in text


def test_sections_compose(store_path, tmp_path):
    def custom(ctx):
        return f'<section id="custom"><h2>Custom</h2><p>{len(ctx.data.trend)} periods</p></section>'

    out = tmp_path / "custom.html"
    build_report(
        segment="it",
        start="2022-05",
        end=END,
        db=store_path,
        lang="en",
        out=out,
        sections=[summary_section, trend_section, custom],
    )
    text = out.read_text(encoding="utf-8")
    assert '<section id="custom">' in text and "2 periods" in text
    assert 'id="regions"' not in text and 'id="sources"' not in text
    assert SECTIONS[0] is summary_section


def test_quarter_period_and_role_segment(store_path, tmp_path):
    out = tmp_path / "q.html"
    result = build_report(segment="role:96", start=START, end=END, period="quarter", db=store_path, lang="en", out=out)
    text = out.read_text(encoding="utf-8")
    assert "2022 Q1" in text and "2022 Q2" in text
    assert "Программист, разработчик (96)" in text
    assert result["segment"] == "role:96"
    # flows are released by month only: a quarterly report's series is the index alone
    assert 'data-measure="index"' in text and 'data-measure="new_vacancies"' not in text


def test_monthly_series_show_the_released_flows(it_en):
    _, text = it_en
    assert 'data-measure="new_vacancies"' in text and 'data-measure="new_resumes"' in text


def test_quality_figures_are_the_released_coverage_totals(it_en, store_path):
    """Records and the shares dated, with a known region and role are the coverage table's total
    row as /api/v1/coverage serves it (no count of the report's own)."""
    _, text = it_en
    quality = rows_by(parse(text), "quality-table", "data-kind")
    rows = _api(store_path, "/api/v1/coverage")["rows"]
    for kind in ("vacancy", "resume"):
        total = next(r for r in rows if r["kind"] == kind and r["source"] == "all")
        for col, released in (
            ("records", "records"),
            ("dated", "dated_share"),
            ("region_known", "region_known_share"),
            ("role_known", "role_known_share"),
        ):
            shown = quality[kind][col][0]
            assert (float(shown) if shown else None) == total[released], (kind, col)


def test_skills_are_the_apis_for_the_quarter_of_the_headline(all_ru_moscow, store_path):
    """Skills are released by quarter: a monthly report shows one quarter holding its months,
    every skill it lists published by the API for that quarter."""
    _, text = all_ru_moscow
    shown = set(rows_by(parse(text), "skills-table", "data-skill"))
    assert shown, "the fixture publishes skills for the segment"
    q = f"/api/v1/indicators?indicator=skills&period=quarter&region=RU-MOW&limit=10000&start={START}&end={END}"
    published: dict[str, set] = {}
    for row in _api(store_path, q)["rows"]:
        if row["demand_share"] is not None or row["supply_share"] is not None:
            published.setdefault(row["period"], set()).add(row["skill"])
    assert set(published) <= {"2022-01-01", "2022-04-01"}  # quarter starts, not months
    assert any(shown <= skills for skills in published.values()), (sorted(shown), published)
