"""``/api/v1/match`` as a FastAPI router the HTTP API can include.

    from kadry.match.router import make_router
    app.include_router(make_router(get_store))     # get_store: a FastAPI dependency -> Store

Endpoints (a key with the ``match`` scope in ``X-API-Key`` or ``Authorization: Bearer``):

- ``GET /api/v1/match/resume/{resume_id}?k=20``   vacancies for a job seeker
- ``GET /api/v1/match/vacancy/{vacancy_id}?k=20`` job seekers for a vacancy
- ``GET /api/v1/match?resume_id=...`` or ``?vacancy_id=...``  the same, by query parameter

Errors are ``KadryError`` subclasses (403 Forbidden without a valid key or scope, 404 for an
unknown id, 400 for a bad k); the app's own handler renders them in its one JSON shape, and a
fallback here renders them when the router is mounted alone.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from kadry.errors import BadRequest, KadryError
from kadry.match.api import match_for_resume, match_for_vacancy
from kadry.match.engine import MAX_K

__all__ = ["make_router", "api_key_from_headers", "kadry_error_response"]


def api_key_from_headers(
    x_api_key: str | None = Header(default=None, alias="X-API-Key"),
    authorization: str | None = Header(default=None),
) -> str | None:
    """The caller's key from ``X-API-Key``, else from ``Authorization: Bearer <key>``."""
    if x_api_key:
        return x_api_key.strip()
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def kadry_error_response(exc: KadryError) -> JSONResponse:
    """The project's error shape, for when no app-level handler is installed."""
    return JSONResponse(
        status_code=exc.status,
        content={"error": {"status": exc.status, "type": type(exc).__name__, "message": exc.message}},
    )


def make_router(get_store: Callable, prefix: str = "/api/v1/match") -> APIRouter:
    """A router whose handlers take the store from the ``get_store`` dependency."""
    router = APIRouter(prefix=prefix, tags=["match"])

    def _run(fn, store, record_id: str, k: int, key: str | None):
        try:
            return fn(store, record_id, k, key=key)
        except KadryError as exc:
            return kadry_error_response(exc)

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
            return kadry_error_response(BadRequest("give exactly one of resume_id and vacancy_id"))
        if resume_id is not None:
            return _run(match_for_resume, store, resume_id, k, key)
        assert vacancy_id is not None  # exactly one of the two was given
        return _run(match_for_vacancy, store, vacancy_id, k, key)

    return router
