"""The HTTP API and the dashboard: aggregates only, each through small-cell suppression."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kadry.api.app import create_app

__all__ = ["app_from_settings", "create_app", "serve"]


def app_from_settings():
    """The app for the store named by the settings (``KADRY_DB``): what each uvicorn worker builds."""
    from kadry.settings import settings

    return create_app(settings().db, make=False)


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    log_level: str = "warning",
    workers: int = 1,
    say: Callable[[str], object] | None = None,
) -> None:
    """Run the app on uvicorn until interrupted (what ``kadry serve`` and ``kadry demo`` call).

    It answers at once: a store without a current release has one made by another process
    meanwhile (answers cut from it are 503 with Retry-After until then), which ends with the
    server. With several ``workers`` each process builds its own app over the same read-only
    store, so throughput scales with the cores while every answer comes from the same cells.
    """
    import uvicorn

    from kadry.publish import current, start_making
    from kadry.store import require

    path = require(db_path)
    maker = start_making(path)
    if say is not None:
        release = current(path)
        say(
            f"serving release {release.id} (k={release.k}, data version {release.data_version})"
            if release is not None
            else "publishing the store's release in the background: figures are served when it is ready"
        )
        say(f"kadry dashboard: http://{host}:{port}/  (API: http://{host}:{port}/docs)")
    try:
        if workers <= 1:
            uvicorn.run(create_app(path, make=False), host=host, port=port, log_level=log_level, access_log=False)
            return
        from kadry.settings import export

        export(db=Path(path).resolve())
        uvicorn.run(
            "kadry.api:app_from_settings",
            factory=True,
            host=host,
            port=port,
            log_level=log_level,
            workers=workers,
            access_log=False,
            timeout_worker_healthcheck=120,
        )
    finally:
        if maker is not None and maker.poll() is None:
            maker.terminate()
