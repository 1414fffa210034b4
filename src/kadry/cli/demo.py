"""``kadry demo``: the README's run command."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from kadry.cli import options

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        db: Path = options.db("Store file to build (reused if it exists).", Path("kadry.duckdb")),
        start: str = typer.Option("2022-01", "--from", help="First month of the demo period."),
        end: str = typer.Option("2022-12", "--to", help="Last month of the demo period."),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the dashboard when done."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on."),
        port: int = typer.Option(8000, "--port", help="Port to serve on."),
    ) -> None:
        """Ingest the bundled real samples, fill the supply side from the simulator (labelled),
        compute the deficiency index by region and month, and serve the dashboard."""
        from kadry.cli.index import index_view, table_notes, with_data_column
        from kadry.cli.output import emit
        from kadry.demo import largest_places, run_demo
        from kadry.indicators import Engine, compute

        console = Console()
        run_demo(db, start=start, end=end, say=console.print)
        with Engine.duckdb(db) as engine:
            overall = compute("index", by=[], period="month", start=start, end=end, engine=engine)
            regions = compute(
                "index", by=["region"], period="quarter", start=start, end=end, engine=engine, rollups=False
            )
        console.print(f"deficiency index, all regions, by month {start}..{end} (resumes simulated, vacancies real):")
        emit(with_data_column(overall), "table", None, index_view(overall, "index"), notes=table_notes(overall))
        top = largest_places(regions, "region", least=100, n=12)
        console.print("the largest region x quarter cells (at least 100 active vacancies):")
        emit(with_data_column(top), "table", None, index_view(top, "index"), notes=table_notes(top))
        console.print(f"more: kadry index --db {db} --by region,role_category --period month --from {start} --to {end}")
        from kadry.publish import current, make

        if not serve:
            release = current(db) or make(db)
            console.print(f"published release {release.id} (k={release.k}): the API and the report serve its cells")
            return
        from kadry.api import serve as run_server

        # the dashboard opens at once; the release is made meanwhile (its panels wait for it)
        run_server(db, host=host, port=port, say=console.print)
