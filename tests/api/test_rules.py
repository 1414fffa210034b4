"""GET /api/v1/rules serves the rules from their one definition, documented in the OpenAPI."""

from __future__ import annotations

from kadry import rules


def test_rules_endpoint_serves_the_definitions(get):
    r = get("/api/v1/rules")
    assert r.status_code == 200
    body = r.json()
    assert body == rules.as_json()
    assert [b["key"] for b in body["bands"]] == list(rules.bands.KEYS)
    assert body["bands"][-1]["upper"] is None


def test_rules_in_openapi(get):
    spec = get("/openapi.json").json()
    assert "/api/v1/rules" in spec["paths"]
    assert {"Rules", "BandRule", "ExperienceRule", "ActivityRule"} <= set(spec["components"]["schemas"])


def test_dashboard_takes_bands_from_the_api(get):
    js = get("/static/dashboard.js").text
    assert "/api/v1/rules" in js
    assert not any(b.colour in js or b.ru in js for b in rules.bands.BANDS)
