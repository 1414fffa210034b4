"""Look at it (#17): the dashboard at desktop and phone widths and the report, in Debian's Chromium.

Screenshots are kept as artifacts under ``test-output/screenshots/`` (CI uploads the folder); the
checks are that nothing overflows the viewport sideways, that the default view shows data, and that
the unknown region is never ranked as a place."""

from __future__ import annotations

from pathlib import Path

import pytest

from kadry.api.sample import build_store

from ._server import ARGS, CHROMIUM, need_browser, serving

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}

# Every visible element whose box leaves the viewport sideways, unless it sits inside a scroll
# container (overflow-x auto/scroll) that itself fits: that is the intended way to show a wide table.
OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth, out = [];
  const scroller = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return p; }
    return null; };
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect(), st = getComputedStyle(e);
    if (!r.width || !r.height || st.visibility === 'hidden' || st.display === 'none') continue;
    if (r.left >= -1 && r.right <= W + 1) continue;
    const s = scroller(e);
    if (s) { const b = s.getBoundingClientRect(); if (b.left >= -1 && b.right <= W + 1) continue; }
    out.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className && e.className.baseVal === undefined ? e.className : ''} ${Math.round(r.left)}..${Math.round(r.right)} > ${W}`);
  }
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, out: out.slice(0, 20)};
}"""


def _no_overflow(page, what: str) -> None:
    got = page.evaluate(OVERFLOW_JS)
    assert got["scroll"] <= got["inner"], (
        f"{what}: page scrolls sideways ({got['scroll']} > {got['inner']}): {got['out']}"
    )
    assert got["out"] == [], f"{what}: elements overflow: {got['out']}"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    need_browser()
    return build_store(tmp_path_factory.mktemp("layout") / "kadry.duckdb", vacancies=6000, months=4)


@pytest.fixture(scope="module")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.mark.parametrize("name", list(WIDTHS))
def test_dashboard_fits_and_shows_data(store, browser, name):
    width, height = WIDTHS[name]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serving(store, min_cell=10) as base:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(base + "/")
        page.wait_for_function(
            "Number(document.body.dataset.renders || 0) >= 1 || !!document.body.dataset.error", timeout=180_000
        )
        assert not page.evaluate("document.body.dataset.error")
        page.screenshot(path=str(SHOTS / f"dashboard-{name}.png"), full_page=True)
        page.screenshot(path=str(SHOTS / f"dashboard-{name}-first-screen.png"))
        _no_overflow(page, f"dashboard at {width}px")
        # the default view lands on the data: a drawn trend and table cells with values
        assert page.locator("#trend circle").count() >= 2
        values = page.eval_on_selector_all("#numbers tbody tr", "rs => rs.map(r => r.cells[3].dataset.value)")
        assert any(v not in (None, "") for v in values), values
        # the ranking has places, and 'unknown' is not one of them
        ranked = page.eval_on_selector_all("#ranking rect", "rs => rs.map(r => r.dataset.region)")
        assert ranked and not any(r == "unknown" or r.endswith(":unknown") for r in ranked), ranked
        page.close()
    assert (SHOTS / f"dashboard-{name}.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", list(WIDTHS))
def test_report_fits(store, browser, name, tmp_path):
    from kadry.report import build_report

    width, height = WIDTHS[name]
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "report.html"
    build_report(db=store, out=out)  # no dates: the default range must land on the data
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(out.as_uri())
    page.screenshot(path=str(SHOTS / f"report-{name}.png"), full_page=True)
    _no_overflow(page, f"report at {width}px")
    assert page.locator("svg").count() >= 1
    page.close()
