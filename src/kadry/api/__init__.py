"""The HTTP API and the dashboard: aggregates only, each through small-cell suppression."""

from __future__ import annotations

from pathlib import Path

from kadry.api.app import create_app

__all__ = ["create_app", "serve"]


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8000, *, log_level: str = "warning") -> None:
    """Run the app on uvicorn until interrupted (what ``kadry serve`` and ``kadry demo`` call)."""
    import uvicorn

    from kadry.store import require

    require(db_path)
    uvicorn.run(create_app(db_path), host=host, port=port, log_level=log_level, workers=1)
