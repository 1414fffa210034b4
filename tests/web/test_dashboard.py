"""The dashboard in Debian's headless Chromium, driven by Playwright, against a real `kadry serve`."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from kadry.api.sample import build_store

from ._server import ARGS, CHROMIUM, need_browser, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    # two source labels (both simulated) so that the cross-source view has two markets to compare
    db = build_store(
        tmp_path_factory.mktemp("web") / "kadry.duckdb", vacancies=6000, months=4, sources={"hh": 0.6, "trudvsem": 0.4}
    )
    with serving(db, min_cell=10) as base:
        yield base


def _api(base: str, **params) -> dict:
    from urllib.parse import urlencode

    with urllib.request.urlopen(f"{base}/api/v1/indicators?{urlencode(params)}", timeout=120) as r:
        return json.loads(r.read())


def _wait_render(page, n: int) -> None:
    page.wait_for_function(
        f"Number(document.body.dataset.renders || 0) >= {n} || !!document.body.dataset.error", timeout=180_000
    )
    assert not page.evaluate("document.body.dataset.error"), page.evaluate("document.body.dataset.error")


def _shown(page) -> dict:
    """Trend points and table cells as the page shows them."""
    dots = page.eval_on_selector_all("#trend circle", "cs => cs.map(c => [c.dataset.period, Number(c.dataset.value)])")
    cells = page.eval_on_selector_all(
        "#numbers tbody tr", "rs => rs.map(r => [r.dataset.period, r.cells[3].dataset.value])"
    )
    return {"dots": dict(dots), "table": dict(cells)}


def _expected(rows) -> tuple[dict, dict]:
    dots = {r["period"]: r["index"] for r in rows if r["index"] is not None}
    table = {r["period"]: ("" if r["index"] is None else r["index"]) for r in rows}
    return dots, table


def _table_matches(shown: dict, table: dict) -> None:
    """Every released period shows its value; a period the API has no row for is a gap (empty), never a zero."""
    got = {p: (float(v) if v else "") for p, v in shown.items()}
    assert {p: got.get(p) for p in table} == table
    gaps = {p: v for p, v in got.items() if p not in table}
    assert all(v == "" for v in gaps.values()), gaps


def test_dashboard_follows_segment_and_period(server, tmp_path):
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("KADRY_SCREENSHOTS", tmp_path))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(server + "/")
        _wait_render(page, 1)
        assert page.is_visible("#simulated")  # simulated data labelled on screen
        start, end = page.input_value("#start"), page.input_value("#end")
        page.screenshot(path=str(shots / "dashboard-it-month.png"), full_page=True)
        # the default view (the IT segment), whole country, by month
        default = page.input_value("#occupation")
        assert default == "it"
        api = _api(server, occupation=default, region="all", period="month", start=start, end=end)
        dots, table = _expected(api["rows"])
        shown = _shown(page)
        assert shown["dots"] == pytest.approx(dots) and len(dots) >= 2
        _table_matches(shown["table"], table)

        # change the segment (a category with published quarters), then the period: quarters
        segment = next(
            o
            for o in ("category:17", "category:11", "category:4", "it")
            if any(
                r["index"] is not None
                for r in _api(server, occupation=o, period="quarter", start=start, end=end)["rows"]
            )
        )
        page.select_option("#occupation", segment)
        _wait_render(page, 2)
        page.select_option("#period", "quarter")
        _wait_render(page, 3)
        api = _api(server, occupation=segment, region="all", period="quarter", start=start, end=end)
        dots, table = _expected(api["rows"])
        shown = _shown(page)
        assert shown["dots"] == pytest.approx(dots) and shown["dots"] != {}
        _table_matches(shown["table"], table)
        assert all(p.endswith(("-01-01", "-04-01", "-07-01", "-10-01")) for p in shown["dots"])
        # regions ranked on the map and in the bars; language switch
        assert page.locator("#map path[data-region='RU-MOW']").count() == 1
        assert page.locator("#ranking rect").count() >= 1
        page.click("#lang")
        _wait_render(page, 4)
        assert "Deficiency index" in page.inner_text("#trend-svg >> xpath=../../h2")
        page.screenshot(path=str(shots / "dashboard-category-quarter-en.png"), full_page=True)
        browser.close()
    assert (shots / "dashboard-it-month.png").stat().st_size > 10_000


def _compared(server: str, pick) -> tuple[str, str, dict[str, dict[str, float]]]:
    """Open the page, choose a comparison (``pick(options)`` -> value), wait for both lines.

    Returns the first segment's occupation, the chart's text and its CSV's published values by
    segment (a hidden or missing period is absent, never a number).
    """
    import csv
    import io

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(server + "/")
        _wait_render(page, 1)
        first = page.input_value("#occupation")
        page.select_option("#compare", pick(page.eval_on_selector_all("#compare option", "os => os.map(o => o.value)")))
        page.wait_for_function(
            "document.querySelectorAll('#series-svg path.raw[data-series=\"1\"]').length > 0", timeout=180_000
        )
        assert page.evaluate("document.querySelectorAll('#series-svg path.raw[data-series=\"0\"]').length") > 0
        legend = page.text_content("#series-svg") or ""
        href = page.get_attribute("#csv-series", "href")
        browser.close()
    with urllib.request.urlopen(server + href, timeout=120) as r:
        rows = list(csv.DictReader(io.StringIO(r.read().decode())))
    by_segment: dict[str, dict[str, float]] = {}
    for row in rows:
        values = by_segment.setdefault(row["segment"], {})
        if row["value"] not in ("", None):
            values[row["period"]] = float(row["value"])
    assert len(by_segment) == 2, by_segment.keys()
    return first, legend, by_segment


def _published(**params) -> dict[str, float]:
    return {r["period"]: r["index"] for r in _api(**params)["rows"] if r["index"] is not None}


def test_the_series_compares_two_segments_on_one_chart(server):
    """Pick a second segment: both lines drawn, and the chart's CSV holds what the indicators API says."""
    first, _, by_segment = _compared(server, lambda options: "occupation2=all")
    for occupation in (first, "all"):
        name = next(s for s in by_segment if s.startswith(f"occupation={occupation}/"))
        published = _published(base=server, occupation=occupation, region="all", period="month", limit=1000)
        shown = by_segment[name]
        assert published and all(shown[p] == pytest.approx(v) for p, v in published.items() if p in shown)
        assert set(shown) <= set(published)  # a hidden or missing month is a gap, never a number


def test_the_series_compares_two_sources(server):
    """The cross-source view: both sources drawn, each line what /api/v1/indicators?source= releases."""

    def pair(options: list[str]) -> str:
        found = next(o for o in options if o.startswith("source="))
        assert found in ("source=hh&source2=trudvsem", "source=trudvsem&source2=hh")
        return found

    _, legend, by_segment = _compared(server, pair)
    assert "hh" in legend and "trudvsem" in legend
    lines = {}
    for source in ("hh", "trudvsem"):
        name = next(s for s in by_segment if source in s)
        assert {r["source"] for r in _api(server, source=source, period="month", limit=1000)["rows"]} == {source}
        published = _published(base=server, source=source, period="month", limit=1000)
        shown = by_segment[name]
        assert published and shown and set(shown) <= set(published)
        assert all(shown[p] == pytest.approx(published[p]) for p in shown)
        lines[source] = shown
    assert lines["hh"] != lines["trudvsem"]  # two markets, not one line drawn twice
