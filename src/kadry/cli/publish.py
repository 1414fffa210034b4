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
        moves_epsilon: float = typer.Option(
            None,
            "--moves-epsilon",
            help="Publish moves with differential privacy at this privacy loss, recorded in the store's ledger "
            "(default: KADRY_MOVES_EPSILON, else small-cell suppression).",
        ),
    ) -> None:
        """Compute, suppress and persist every published cube once (beside the store, <db>.release/)."""
        from kadry import publish as releases
        from kadry.settings import export, settings
        from kadry.stages import ensure_current

        if moves_epsilon is not None:
            export(moves_epsilon=moves_epsilon)
            settings()  # checked now: a bad value is one line naming the variable

        path = ensure_current(db, say=typer.echo)
        found = None if force else releases.current(path, k)
        release = found or releases.make(path, k)
        what = "current" if found else "made"
        typer.echo(
            f"release {release.id} {what}: k={release.k}, data version {release.data_version}, "
            f"periods {', '.join(release.periods)}, {release.first}..{release.last}"
            + (f", moves with noise at epsilon {release.moves_epsilon}" if release.moves_epsilon else "")
        )
