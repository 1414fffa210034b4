"""``kadry stats``: what the store holds."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kadry.cli import options

__all__ = ["register"]


def _table(title: str, rows: list[dict]) -> Table:
    table = Table(title=title)
    if not rows:
        table.add_column("(none)")
        return table
    for name in rows[0]:
        table.add_column(name, justify="right" if isinstance(rows[0][name], (int, float)) else "left")
    for row in rows:
        table.add_row(
            *(
                ""
                if v is None
                else f"{v:,}"
                if isinstance(v, int) and not isinstance(v, bool) and k != "year"
                else str(v)
                for k, v in row.items()
            )
        )
    return table


def register(app: typer.Typer) -> None:
    @app.command()
    def stats(
        db: Path = options.db(),
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    ) -> None:
        """Counts by source, kind and year, quarantine reasons, normalization coverage, unmapped places."""
        from kadry.store import Store
        from kadry.store.stats import store_stats

        with Store(db, read_only=True) as store:
            data = store_stats(store)
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            return
        console = Console()
        console.print(f"store {data['path']}: {data['files']} files ingested, {data['observations']:,} observations")
        for key, title in (
            ("records", "records by source"),
            ("by_year", "records by year"),
            ("quarantine", "quarantined, by reason"),
            ("normalized", "normalization"),
            ("place_coverage", "place coverage by source (after kadry normalize)"),
            ("unmapped_regions", "unmapped places (most frequent)"),
            ("failed_files", "files that failed"),
            ("partial_files", "files stored in part (a rerun continues them)"),
        ):
            if data.get(key):
                console.print(_table(title, data[key]))
        if data.get("names_hidden") or data.get("fields_quarantined"):
            console.print(
                f"{data['names_hidden']:,} person names replaced by a placeholder; "
                f"{data['fields_quarantined']:,} fields quarantined (records kept)"
            )
