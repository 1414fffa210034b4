"""The HTTP API: answers, suppression on every path, and one error shape for every bad request."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest

from kadry.privacy import min_cell

ERROR_KEYS = {"status", "type", "message"}


def _assert_error_shape(response, status_range=(400, 499)):
    assert status_range[0] <= response.status_code <= status_range[1], response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == response.status_code
    assert "Traceback" not in response.text and 'File "' not in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/indicators?occupation=role:xx;drop table vacancies",
        "/api/v1/indicators?occupation=role:99999",
        "/api/v1/indicators?region=RU-ZZZ",
        "/api/v1/indicators?region=' OR 1=1 --",
        "/api/v1/indicators?indicator=nonsense",
        "/api/v1/indicators?period=decade",
        "/api/v1/indicators?start=2024-13",
        "/api/v1/indicators?start=2024-02-31",
        "/api/v1/indicators?start=2024-03&end=2024-01",
        "/api/v1/indicators?offset=-1",
        "/api/v1/indicators?limit=0",
        "/api/v1/indicators?limit=abc",
        "/api/v1/indicators?group_by=<script>",
        "/api/v1/indicators?format=xml",
        "/api/v1/nothing-here",
    ],
)
def test_every_bad_request_is_one_json_error_shape(get, url):
    _assert_error_shape(get(url))


def test_error_shape_is_pinned(get):
    """The documented shape, exactly: clients parse it."""
    body = get("/api/v1/indicators?offset=-1").json()
    assert body == {"error": {"status": 422, "type": "ValidationError", "message": body["error"]["message"]}}
    assert "offset" in body["error"]["message"]
    body = get("/api/v1/indicators?occupation=role:99999").json()
    assert body["error"]["type"] == "BadRequest" and body["error"]["status"] == 400


def test_health_and_dimensions(get, store_path):
    health = get("/api/v1/health").json()
    con = duckdb.connect(str(store_path), read_only=True)
    assert health["vacancies"] == con.execute("SELECT count(*) FROM vacancies").fetchone()[0]
    con.close()
    dims = get("/api/v1/dimensions").json()
    ids = {o["id"] for o in dims["occupations"]}
    assert {"all", "it", "category:11", "role:96"} <= ids
    mow = next(r for r in dims["regions"] if r["id"] == "RU-MOW")
    assert mow["name_ru"] == "Москва" and mow["name_en"] == "Moscow" and mow["parent"] == "district:CFD"
    assert dims["periods"]["first"] <= dims["periods"]["last"] and dims["k"] == min_cell()


def test_indicator_rows_match_the_engine_and_are_suppressed(get, store_path):
    from kadry.indicators import Engine, compute

    page = get("/api/v1/indicators?occupation=category:11&region=RU-MOW&start=2024-02&end=2024-03").json()
    assert page["simulated"] is True and page["total"] == 2
    eng = Engine.duckdb(store_path)
    truth = compute(
        "index",
        by=["role_category", "region"],
        period="month",
        start="2024-02",
        end="2024-03",
        filters={"role_category": "11", "region": "RU-MOW"},
        engine=eng,
        as_="pandas",
    )
    truth = truth[(truth.role_category == "11") & (truth.region == "RU-MOW")]
    for row, (_, t) in zip(page["rows"], truth.iterrows()):
        if row["suppressed"]:
            assert row["n_vacancies"] is None and row["index"] is None
        else:
            assert row["n_vacancies"] == t.n_vacancies and row["n_resumes"] == t.n_resumes
            assert row["index"] == pytest.approx(t["index"])


def test_no_published_count_below_k_on_any_path(get):
    k = min_cell()
    for q in [
        "group_by=region&occupation=it",
        "group_by=role",
        "group_by=district&occupation=category:11",
        "indicator=salary&group_by=region",
        "indicator=flow&group_by=role",
        "indicator=skills&occupation=it&period=quarter",
    ]:
        for row in get(f"/api/v1/indicators?{q}&limit=10000").json()["rows"]:
            for col in ("n_vacancies", "n_resumes", "n_vacancies_skill", "n_resumes_skill"):
                assert row[col] is None or row[col] >= k, (q, row)
            if row["suppressed"]:
                assert row["index"] is None and row["offered_median"] is None and row["demand_share"] is None


def test_csv_paging_and_cache(get, app):
    full = get("/api/v1/indicators?group_by=region&occupation=all&limit=10000").json()
    page = get("/api/v1/indicators?group_by=region&occupation=all&limit=5&offset=5").json()
    assert page["total"] == full["total"] and page["rows"] == full["rows"][5:10]
    text = get("/api/v1/indicators?group_by=region&occupation=all&format=csv&limit=10000").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == full["total"] and rows[0]["region"] == full["rows"][0]["region"]
    hits = app.state.responses.hits
    # the same query in another order: a new URL for the edge, the same normalized key for the app's cache
    again = get("/api/v1/indicators?offset=5&limit=5&occupation=all&group_by=region").json()
    assert app.state.responses.hits == hits + 1 and again == page


def test_openapi_documents_parameters_and_errors(get):
    spec = get("/openapi.json").json()
    op = spec["paths"]["/api/v1/indicators"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["occupation"]["schema"]["pattern"].startswith("^(all|it|role:")
    assert params["offset"]["schema"]["minimum"] == 0
    assert {"400", "422", "503"} <= set(op["responses"])
    ref = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ErrorResponse")
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_dashboard_and_static_files_served(get):
    page = get("/")
    assert page.status_code == 200 and "dashboard.js" in page.text
    assert get("/static/dashboard.js").status_code == 200
    shapes = get("/static/vendor/russia-regions.json").json()
    assert "RU-MOW" in shapes["regions"] and "RU-SPE" in shapes["regions"]


def test_published_cube_resists_recomputation(app):
    """The attacker's view of the served cube: every roll-up identity, IT written as its roles.

    Independent of the suppression code's own equations (which write IT as category 11 plus
    the other IT roles): a hidden count must not be a linear combination of published ones.
    """
    import numpy as np

    publisher = app.state.publisher
    first, last = publisher.data_range()
    cube = publisher.cube("index", "month", first, last)
    roles = cube.attrs["parents:occupation"]
    subjects = cube.attrs["parents:region"]
    occ_groups = {
        "all": sorted(set(roles.values())),
        "it": [r for r in roles if r.split(":")[1] in cube.attrs["it_roles"]],
    }
    for role, cat in roles.items():
        occ_groups.setdefault(cat, []).append(role)
    reg_groups = {"all": sorted(set(subjects.values()))}
    for subject, district in subjects.items():
        reg_groups.setdefault(district, []).append(subject)
    assert cube.loc[(cube.occupation == "it") & (cube.region == "all"), "suppressed"].eq(False).any()
    for period, part in cube.groupby("period"):
        key = {(o, r): i for i, (o, r) in enumerate(zip(part.occupation, part.region))}
        hidden = [i for i, h in enumerate(part.suppressed) if h]
        if not hidden:
            continue
        col = {i: j for j, i in enumerate(hidden)}
        rows = []
        for (o, r), i in key.items():
            for parent_is, groups, make in (
                (o, occ_groups, lambda c, r=r: (c, r)),
                (r, reg_groups, lambda c, o=o: (o, c)),
            ):
                children = [key[make(c)] for c in groups.get(parent_is, []) if make(c) in key]
                if not children:
                    continue
                row = np.zeros(len(hidden))
                if i in col:
                    row[col[i]] -= 1
                for c in children:
                    if c in col:
                        row[col[c]] += 1
                if row.any():
                    rows.append(row)
        if not rows:
            continue
        a = np.array(rows)
        eye = np.eye(len(hidden))
        y = np.linalg.lstsq(a.T, eye, rcond=None)[0]
        residual = np.abs(a.T @ y - eye).max(axis=0)
        assert (residual > 1e-8).all(), (
            period,
            [part.iloc[hidden[j]][["occupation", "region"]].tolist() for j in np.flatnonzero(residual <= 1e-8)],
        )
