"""``kadry keys``: API keys for person-level endpoints (matching); stored hashed, shown once."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kadry.cli import options

__all__ = ["register"]

_console = Console()


def register(app: typer.Typer) -> None:
    keys = typer.Typer(name="keys", help="API keys with scopes (stored as SHA-256 hashes only).", no_args_is_help=True)

    @keys.command("create")
    def create(
        scope: list[str] = typer.Option(["match"], "--scope", help="Scope to grant (repeatable): match, admin."),
        name: str | None = typer.Option(None, "--name", help="A label for the key (who holds it)."),
        db: Path = options.db(),
    ) -> None:
        """Create a key and print it once: only its hash is kept."""
        from kadry.match.keys import create_key
        from kadry.store import Store

        with Store(db) as store:
            key_id, key = create_key(store, scope, name)
        typer.echo(key)
        typer.secho(
            f"key id {key_id}, scopes {', '.join(scope)}: keep the key now, it cannot be shown again",
            err=True,
            dim=True,
        )

    @keys.command("list")
    def list_(db: Path = options.db()) -> None:
        """Key ids, names, scopes and state (never the keys)."""
        from kadry.match.keys import list_keys
        from kadry.store import Store

        with Store(db, read_only=True) as store:
            rows = list_keys(store)
        table = Table()
        for col in ("key id", "name", "scopes", "created", "revoked"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                r.key_id, r.name or "", ", ".join(r.scopes), str(r.created_at)[:19], str(r.revoked_at or "")[:19]
            )
        _console.print(table)

    @keys.command("revoke")
    def revoke(
        key_id: str = typer.Argument(..., help="Key id (from `kadry keys list`)."), db: Path = options.db()
    ) -> None:
        """Revoke a key: calls with it are refused from now on."""
        from kadry.match.keys import revoke_key
        from kadry.store import Store

        with Store(db) as store:
            revoke_key(store, key_id)
        typer.echo(f"revoked {key_id}")

    app.add_typer(keys)
