"""``kadry publish``: make the store's release (the suppressed cells everything published is cut from)."""

from __future__ import annotations

from pathlib import Path

import typer

from kadry.cli import options

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command()
    def publish(
        db: Path = options.db("Store file (default: KADRY_DB or ./kadry.duckdb)."),
        k: int = typer.Option(None, "--k", min=1, help="Minimum cell size (default: KADRY_MIN_CELL, else 10)."),
        force: bool = typer.Option(False, "--force", help="Remake the release even if it is current."),
    ) -> None:
        """Compute, suppress and persist every published cube once (beside the store, <db>.release/)."""
        from kadry import publish as releases
        from kadry.stages import ensure_current

        path = ensure_current(db, say=typer.echo)
        found = None if force else releases.current(path, k)
        release = found or releases.make(path, k)
        what = "current" if found else "made"
        typer.echo(
            f"release {release.id} {what}: k={release.k}, data version {release.data_version}, "
            f"periods {', '.join(release.periods)}, {release.first}..{release.last}"
        )
