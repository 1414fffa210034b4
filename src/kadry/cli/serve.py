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
        from kadry.publish import current, start_making
        from kadry.stages import ensure_current

        path = ensure_current(db)
        # answer at once: a missing release is made by another process meanwhile (answers cut
        # from it are 503 with Retry-After until it is there; /api/v1/health says since when)
        maker = start_making(path)
        release = current(path)
        if release is not None:
            typer.echo(f"serving release {release.id} (k={release.k}, data version {release.data_version})")
        else:
            typer.echo("publishing the store's release in the background: indicators answer 503 until it is ready")
        typer.echo(f"kadry dashboard: http://{host}:{port}/  (API: http://{host}:{port}/docs)")
        try:
            run(path, host, port, workers=workers)
        finally:
            if maker is not None and maker.poll() is None:
                maker.terminate()
