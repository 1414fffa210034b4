"""Gzip and ETags: a client revalidates without the server recomputing; a changed store changes the tag."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest

from kadry.api import create_app
from kadry.api.sample import build_store


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A store of this module's own: the test changes its file."""
    path = build_store(tmp_path_factory.mktemp("etag") / "kadry.duckdb", vacancies=400, months=2)
    return path, create_app(path)


def _get(app, url: str, **headers: str) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://kadry"
        ) as c:
            return await c.get(url, headers=headers)

    return asyncio.run(go())


def test_an_unchanged_store_answers_304_and_a_changed_one_a_new_tag(own):
    path, app = own
    first = _get(app, "/api/v1/dimensions")
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    again = _get(app, "/api/v1/dimensions", **{"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert _get(app, "/api/v1/rules", **{"If-None-Match": f'"other", {tag}'}).status_code == 304
    assert _get(app, "/api/v1/dimensions", **{"If-None-Match": 'W/"stale"'}).status_code == 200
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # the store is rewritten
    fresh = _get(app, "/api/v1/dimensions", **{"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag
    assert fresh.json() == first.json()


def test_errors_and_keyed_routes_carry_no_tag(own):
    _, app = own
    bad = _get(app, "/api/v1/indicators?start=2099")
    assert bad.status_code == 400 and "etag" not in bad.headers
    keyed = _get(app, "/api/v1/match/resume/x", **{"If-None-Match": "*"})
    assert keyed.status_code == 401 and "etag" not in keyed.headers


def test_large_answers_are_gzipped_when_the_client_accepts_it(own):
    _, app = own
    url = "/api/v1/indicators?group_by=region&limit=500"
    plain = _get(app, url, **{"Accept-Encoding": "identity"})
    packed = _get(app, url, **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers and packed.headers["content-encoding"] == "gzip"
    assert packed.json() == plain.json() and plain.json()["total"] > 0  # httpx decodes
    assert packed.num_bytes_downloaded < plain.num_bytes_downloaded / 3  # the bytes on the wire
    again = _get(app, url, **{"Accept-Encoding": "gzip"})  # from the cache, gzipped once when stored
    assert again.headers["content-encoding"] == "gzip" and again.json() == plain.json()
    assert again.headers["x-kadry-release"] == plain.headers["x-kadry-release"]


def test_a_starting_server_reads_its_release_into_memory(own):
    """Every persisted cube is read once (in the background at start), so no first answer reads Parquet."""
    path, app = own
    publisher = app.state.publisher
    files = sorted((publisher.release().path / "cells").glob("*/*.parquet"))
    cubes = {f.parent.name for f in files}
    assert publisher.preload() == len(cubes) > 10
    assert len(publisher.release()._cubes) == len(cubes)


def test_a_repeated_indicator_query_is_answered_at_the_edge_with_the_same_bytes(own):
    """The second identical query never reaches the route: its bytes, headers and encoding are the first's."""
    path, app = own
    url = "/api/v1/indicators?group_by=region&limit=300&period=month"
    plain = _get(app, url, **{"Accept-Encoding": "identity"})
    packed = _get(app, url, **{"Accept-Encoding": "gzip"})
    cache = app.state.responses
    seen = (cache.hits, cache.misses)
    for encoding, first in (("identity", plain), ("gzip", packed)):
        again = _get(app, url, **{"Accept-Encoding": encoding})
        assert again.status_code == 200 and again.content == first.content
        assert again.headers.get("content-encoding") == first.headers.get("content-encoding")
        assert again.headers["etag"] == first.headers["etag"] and again.headers["x-kadry-release"]
    assert (cache.hits, cache.misses) == seen  # the app's own cache was not even asked
    other = _get(app, url.replace("limit=300", "limit=299"), **{"Accept-Encoding": "identity"})
    assert other.status_code == 200 and len(other.json()["rows"]) <= 299
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # the store is rewritten: a new key
    fresh = _get(app, url, **{"Accept-Encoding": "identity"})
    assert fresh.headers["etag"] != plain.headers["etag"]
