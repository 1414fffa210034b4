"""``kadry ingest`` and ``kadry export``."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kadry.cli import options
from kadry.errors import InputError

__all__ = ["register", "print_report"]


def _progress_enabled(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def print_report(report, console: Console) -> None:
    table = Table(title="ingest", show_lines=False)
    for col in ("file", "format", "read", "stored", "merged", "quarantined"):
        table.add_column(col, justify="right" if col not in ("file", "format") else "left")
    for f in report.files:
        if f.skipped:
            table.add_row(Path(f.path).name, "skipped", "", "", "", f.skipped[:60])
            continue
        c = f.counts
        table.add_row(Path(f.path).name, f.format or "", *(f"{v:,}" for v in (c.read, c.stored, c.merged, c.quarantined)))
    t = report.total
    table.add_row("total", "", *(f"{v:,}" for v in (t.read, t.stored, t.merged, t.quarantined)), style="bold")
    if len(report.files) <= 40:
        console.print(table)
    console.print(f"read {t.read:,} = stored {t.stored:,} + merged {t.merged:,} + quarantined {t.quarantined:,}"
                  + ("" if t.balanced else "  [red]COUNTS DO NOT ADD UP[/red]"))


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        paths: list[Path] = typer.Argument(..., help="Files or directories to read (directories are walked; gzip is detected)."),
        db: Path = options.db(),
        fmt: str = options.fmt(None, help="Reader to use instead of detection: hh-json, hh-csv, "
                                "hh-resume-json, resume-csv, trudvsem-json, trudvsem-csv, mapped (with --mapping), canonical (Parquet dirs)."),
        mapping: Path = typer.Option(None, "--mapping", help="TOML or YAML file naming which column is which field (any CSV/JSONL/Parquet)."),
        observed_at: str = typer.Option(None, "--observed-at", help="When these records were seen (YYYY-MM-DD[THH:MM]); "
                                        "default: each record's own publication or update time."),
        batch_size: int = typer.Option(5000, "--batch-size", min=1, help="Records per transaction."),
        quiet: bool = options.quiet(help="No progress bar and no table, only the totals line."),
        normalize: bool = typer.Option(True, "--normalize/--no-normalize", help="Normalize what was stored (default), "
                                       "or leave it for `kadry normalize` (commands reading the store do it first)."),
    ) -> None:
        """Read vacancies and resumes into the store. Every record is stored, merged (a repeat
        sighting) or quarantined with its reason; the four counts always add up."""
        from kadry.ingest import ingest_paths
        from kadry.sources.base import BadValue, parse_ts
        from kadry.stages import normalize_pending
        from kadry.store import Store

        seen = None
        if observed_at:
            try:
                seen = parse_ts(observed_at, field="--observed-at")
            except BadValue as exc:
                raise InputError(str(exc)) from None
        console = Console(stderr=False)
        with Store(db) as store:
            if _progress_enabled(quiet):
                from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

                with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,} records"),
                              TimeElapsedColumn(), console=Console(stderr=True), transient=True) as progress:
                    task = progress.add_task("ingest", total=None)
                    report = ingest_paths(store, paths, fmt, mapping=mapping, observed_at=seen, batch_size=batch_size,
                                          on_progress=lambda f, n: progress.update(task, description=Path(f).name, completed=n))
            else:
                report = ingest_paths(store, paths, fmt, mapping=mapping, observed_at=seen, batch_size=batch_size)
            if normalize:
                if _progress_enabled(quiet):
                    with Console(stderr=True).status("normalizing what was stored"):
                        normalize_pending(store)
                else:
                    normalize_pending(store)
        if quiet:
            t = report.total
            console.print(f"read {t.read:,} = stored {t.stored:,} + merged {t.merged:,} + quarantined {t.quarantined:,}")
        else:
            print_report(report, console)
        if not report.total.balanced:
            raise typer.Exit(2)

    @app.command()
    def export(
        out: Path = typer.Argument(..., help="Folder to write vacancies.parquet, resumes.parquet, observations.parquet into."),
        db: Path = options.db(),
    ) -> None:
        """Export the store to Parquet (for exchange, and for --engine spark)."""
        from kadry.store import Store

        with Store(db, read_only=True) as store:
            written = store.export_parquet(out)
        for table, path in written.items():
            typer.echo(f"{table}: {path}")
