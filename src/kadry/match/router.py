"""``/api/v1/match`` as a FastAPI router the HTTP API can include.

    from kadry.match.router import make_router
    app.include_router(make_router(get_store))     # get_store: a FastAPI dependency -> Store

Endpoints (a key with the ``match`` scope in ``X-API-Key`` or ``Authorization: Bearer``):

- ``GET /api/v1/match/resume/{resume_id}?k=20``   vacancies for a job seeker
- ``GET /api/v1/match/vacancy/{vacancy_id}?k=20`` job seekers for a vacancy
- ``GET /api/v1/match?resume_id=...`` or ``?vacancy_id=...``  the same, by query parameter

The key is checked first, by a dependency of the whole router: a caller without a valid key
learns nothing about the parameters (401 without a key, 403 with a wrong one, before any
validation of k or the ids). Errors are ``KadryError`` subclasses (404 for an unknown id, 400
for a bad k, 503 while the match index is missing); mount the router in an app with
``kadry.api.app.install_error_handlers`` so that they leave in the one JSON shape.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Query, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from kadry.errors import BadRequest
from kadry.match.api import SCOPE, check_key, match_for_resume, match_for_vacancy
from kadry.match.engine import MAX_K

__all__ = ["make_router", "api_key_from_headers", "RESPONSES"]

_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="a key with the match scope")
_BEARER = HTTPBearer(auto_error=False, description="the same key as Authorization: Bearer <key>")

#: the statuses a match route answers besides 200 (for the OpenAPI)
RESPONSES: dict[int | str, dict] = {
    400: {"description": "Bad parameter value (only after the key is accepted)"},
    401: {"description": "No API key given"},
    403: {"description": "Invalid or revoked key, or a key without the match scope"},
    404: {"description": "No record with this id"},
    422: {"description": "Parameter fails validation (only after the key is accepted)"},
    503: {"description": "No match index beside the store yet (`kadry match build`)"},
}


def api_key_from_headers(
    x_api_key: str | None = Security(_HEADER),
    bearer: HTTPAuthorizationCredentials | None = Security(_BEARER),
) -> str | None:
    """The caller's key from ``X-API-Key``, else from ``Authorization: Bearer <key>``."""
    if x_api_key and x_api_key.strip():
        return x_api_key.strip()
    if bearer is not None and bearer.credentials.strip():
        return bearer.credentials.strip()
    return None


def make_router(get_store: Callable, prefix: str = "/api/v1/match") -> APIRouter:
    """A router whose handlers take the store from the ``get_store`` dependency."""

    def authorized(store=Depends(get_store), key: str | None = Depends(api_key_from_headers)) -> None:
        check_key(store, key, SCOPE)  # before the routes' own parameters are validated

    router = APIRouter(prefix=prefix, tags=["match"], dependencies=[Depends(authorized)], responses=RESPONSES)

    def _run(fn, store, record_id: str, k: int, key: str | None):
        return fn(store, record_id, k, key=key)

    @router.get("/resume/{resume_id}", summary="Vacancies for a job seeker (needs the match scope)")
    def for_resume(
        resume_id: str,
        k: int = Query(20, ge=1, le=MAX_K),
        store=Depends(get_store),
        key: str | None = Depends(api_key_from_headers),
    ):
        return _run(match_for_resume, store, resume_id, k, key)

    @router.get("/vacancy/{vacancy_id}", summary="Job seekers for a vacancy (needs the match scope)")
    def for_vacancy(
        vacancy_id: str,
        k: int = Query(20, ge=1, le=MAX_K),
        store=Depends(get_store),
        key: str | None = Depends(api_key_from_headers),
    ):
        return _run(match_for_vacancy, store, vacancy_id, k, key)

    @router.get("", summary="Matches for ?resume_id= or ?vacancy_id= (needs the match scope)")
    def by_query(
        resume_id: str | None = None,
        vacancy_id: str | None = None,
        k: int = Query(20, ge=1, le=MAX_K),
        store=Depends(get_store),
        key: str | None = Depends(api_key_from_headers),
    ):
        if (resume_id is None) == (vacancy_id is None):
            raise BadRequest("give exactly one of resume_id and vacancy_id")
        if resume_id is not None:
            return _run(match_for_resume, store, resume_id, k, key)
        assert vacancy_id is not None  # exactly one of the two was given
        return _run(match_for_vacancy, store, vacancy_id, k, key)

    return router
