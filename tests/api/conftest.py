"""One small synthetic store and one in-process app for the API tests (no socket)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kadry.api import create_app
from kadry.api.sample import build_store


@pytest.fixture(scope="session")
def store_path(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("api") / "kadry.duckdb", vacancies=2500, months=3)


@pytest.fixture(scope="session")
def app(store_path):
    return create_app(store_path)


@pytest.fixture(scope="session")
def get(app):
    """GET through httpx.ASGITransport: the app in-process, as a client sees it."""

    def _get(url: str) -> httpx.Response:
        async def go():
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://kadry"
            ) as c:
                return await c.get(url)

        return asyncio.run(go())

    return _get
