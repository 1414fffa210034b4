"""The dashboard's flows view in headless Chromium, on a simulated 2022 market with real moves abroad."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlencode

import pytest

from ._server import ARGS, CHROMIUM, need_browser, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def flows_server(tmp_path_factory):
    need_browser()
    from kadry.ingest.canonical import ingest_canonical
    from kadry.normalize import normalize_store
    from kadry.simulate import simulate
    from kadry.store import Store

    root = tmp_path_factory.mktemp("flows")
    simulate(root / "sim", vacancies=4000, resumes=12000, start="2022-01", end="2022-12", seed=3, scenario="2022")
    db = root / "kadry.duckdb"
    with Store(db) as store:
        ingest_canonical(store, root / "sim")
        normalize_store(store)
    # the flows view needs no indicator release: it is made in the background meanwhile
    with serving(db, min_cell=3, release=False) as base:
        yield base


def test_flows_view_shows_the_apis_outflow_abroad(flows_server, tmp_path):
    from playwright.sync_api import sync_playwright

    query = urlencode({"view": "abroad", "period": "month", "from": "2022-01", "to": "2022-12"})
    with urllib.request.urlopen(f"{flows_server}/api/v1/flows?{query}", timeout=300) as r:
        rows = json.loads(r.read())["rows"]
    expected = {row["period"]: row["n_moves"] for row in rows if row["destination"] == "all"}
    assert any(v for v in expected.values()), "the 2022 scenario should produce published moves abroad"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 2200})
        page.goto(flows_server + "/")
        page.fill("#start", "2022-01")
        page.fill("#end", "2022-12")
        page.dispatch_event("#end", "change")
        page.wait_for_function(
            "Number(document.body.dataset.flowsRenders || 0) >= 1 || !!document.body.dataset.flowsError",
            timeout=300_000,
        )
        assert not page.evaluate("document.body.dataset.flowsError")
        page.wait_for_function("document.querySelectorAll('#flows-svg .flows-bar').length >= 12", timeout=120_000)
        bars = page.eval_on_selector_all(
            "#flows-svg .flows-bar", "gs => gs.map(g => [g.dataset.period, g.dataset.total])"
        )
        page.screenshot(path=str(tmp_path / "flows.png"), full_page=True)
        browser.close()
    shown = {period: (int(total) if total else None) for period, total in bars}
    for period, n in expected.items():
        assert shown.get(period) == n, (period, shown.get(period), n)
