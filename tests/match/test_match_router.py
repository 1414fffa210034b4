"""The endpoint refuses calls without a key or with the wrong scope, and returns no extra personal data."""

import json

import httpx
import pytest
from fastapi import FastAPI

from kadry.api.app import install_error_handlers
from kadry.match.api import match_for_resume
from kadry.match.keys import audit_log, create_key
from kadry.match.router import make_router


@pytest.fixture
def app_and_keys(new_store):
    store = new_store()
    _, match_key = create_key(store, ["match"], name="office")
    _, admin_key = create_key(store, ["admin"])
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(make_router(lambda: store))
    return app, store, match_key, admin_key


async def _get(app, url, **headers):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(url, headers=headers)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "url", ["/api/v1/match/resume/hh:aa11", "/api/v1/match/vacancy/hh:2", "/api/v1/match?resume_id=hh:aa11"]
)
async def test_refused_without_key_or_with_wrong_scope(app_and_keys, url):
    app, store, match_key, admin_key = app_and_keys
    r = await _get(app, url)
    assert r.status_code == 401 and r.json()["error"]["type"] == "Unauthorized"
    r = await _get(app, url, **{"X-API-Key": admin_key})
    assert r.status_code == 403 and "scope" in r.json()["error"]["message"]
    r = await _get(app, url, **{"X-API-Key": "kadry_forged"})
    assert r.status_code == 403
    assert audit_log(store) == []


@pytest.mark.anyio
async def test_matches_with_a_match_key_and_audit(app_and_keys):
    app, store, match_key, _ = app_and_keys
    r = await _get(app, "/api/v1/match/resume/hh:aa11?k=3", **{"X-API-Key": match_key})
    assert r.status_code == 200
    body = r.json()
    assert body["direction"] == "resume" and 1 <= body["count"] <= 3
    assert body["matches"][0]["vacancy_id"] == "hh:1"
    r = await _get(app, "/api/v1/match/vacancy/hh:2?k=5", Authorization=f"Bearer {match_key}")
    assert r.status_code == 200
    found = r.json()["matches"]
    assert found and found[0]["resume_id"] == "hh:bb22"
    text = json.dumps(r.json())
    # no age band, gender or anything beyond the fields used for the match
    assert "age_band" not in text and "gender" not in text and "45-54" not in text and "female" not in text
    assert set(found[0]["resume"]) == {
        "resume_id",
        "title",
        "role_id",
        "region_code",
        "country_code",
        "remote",
        "salary_rub",
        "experience",
        "skills",
        "ready_to_relocate",
        "relocation_countries",
    }
    log = audit_log(store)
    assert [(x["direction"], x["k"]) for x in log] == [("vacancy", 5), ("resume", 3)] or sorted(
        (x["direction"], x["k"]) for x in log
    ) == [("resume", 3), ("vacancy", 5)]
    assert all(set(x) == {"called_at", "key_id", "direction", "k", "result_count"} for x in log)


@pytest.mark.anyio
async def test_unknown_id_and_bad_parameters(app_and_keys):
    app, _, match_key, _ = app_and_keys
    h = {"X-API-Key": match_key}
    assert (await _get(app, "/api/v1/match/resume/hh:nobody", **h)).status_code == 404
    assert (await _get(app, "/api/v1/match?resume_id=hh:aa11&vacancy_id=hh:1", **h)).status_code == 400
    assert (await _get(app, "/api/v1/match/resume/hh:aa11?k=0", **h)).status_code == 422


def test_python_api_checks_the_key_first(new_store):
    from kadry.errors import Forbidden

    store = new_store()
    with pytest.raises(Forbidden):
        match_for_resume(store, "hh:aa11", key=None)
    with pytest.raises(Forbidden):  # not NotFound: an unauthenticated caller learns nothing about ids
        match_for_resume(store, "hh:nobody", key="kadry_x")


@pytest.mark.anyio
async def test_served_from_a_read_only_store_file_like_the_http_app(tmp_path, new_store):
    """The HTTP app opens the store read-only per request: the index must exist (kadry match build)."""
    from kadry.match.index import MatchIndex
    from kadry.store import Store

    db = tmp_path / "k.duckdb"
    writable = new_store(db)
    _, key = create_key(writable, ["match"])
    writable.close()

    def get_store():
        s = Store(db, read_only=True)
        try:
            yield s
        finally:
            s.close()

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(make_router(get_store))
    r = await _get(app, "/api/v1/match/resume/hh:aa11", **{"X-API-Key": key})
    assert r.status_code == 503 and "kadry match build" in r.json()["error"]["message"]
    with Store(db, read_only=True) as ro:
        MatchIndex(ro).update()
    for _ in range(2):  # the second call reuses the cached matcher with a new store object
        r = await _get(app, "/api/v1/match/resume/hh:aa11?k=2", **{"X-API-Key": key})
        assert r.status_code == 200 and r.json()["matches"][0]["vacancy_id"] == "hh:1"
    # audit of a read-only store goes beside it
    lines = (tmp_path / "k.duckdb.match" / "audit.jsonl").read_text().splitlines()
    assert len(lines) == 2 and set(json.loads(lines[0])) == {"called_at", "key_id", "direction", "k", "result_count"}
