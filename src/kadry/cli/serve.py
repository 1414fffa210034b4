"""``kadry serve``: the HTTP API and the dashboard on uvicorn."""

from __future__ import annotations

from pathlib import Path

import typer

from kadry.cli import options

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        db: Path = options.db("Store file (default: KADRY_DB or ./kadry.duckdb)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
        workers: int = typer.Option(
            1, "--workers", min=1, max=64, help="Server processes (one per core scales throughput)."
        ),
    ) -> None:
        """Serve the API (/api/v1, /docs) and the dashboard (/) from a store, read-only."""
        from kadry.api import serve as run
        from kadry.stages import ensure_current

        run(ensure_current(db), host, port, workers=workers, say=typer.echo)
