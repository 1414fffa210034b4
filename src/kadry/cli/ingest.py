"""``kadry ingest`` and ``kadry export``."""

from __future__ import annotations

import sys
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
        if f.problem:
            table.add_row(Path(f.path).name, "skipped" if f.skipped else "FAILED", "", "", "", "")
            continue
        c = f.counts
        table.add_row(
            Path(f.path).name, f.format or "", *(f"{v:,}" for v in (c.read, c.stored, c.merged, c.quarantined))
        )
    t = report.total
    table.add_row("total", "", *(f"{v:,}" for v in (t.read, t.stored, t.merged, t.quarantined)), style="bold")
    if len(report.files) <= 40:
        console.print(table)
    print_totals(report, console)


def print_totals(report, console: Console) -> None:
    """The totals line, the notes (names hidden, NULs removed), and one whole line per file not read."""
    t = report.total
    console.print(
        f"read {t.read:,} = stored {t.stored:,} + merged {t.merged:,} + quarantined {t.quarantined:,}"
        + ("" if t.balanced else "  [red]COUNTS DO NOT ADD UP[/red]"),
        soft_wrap=True,
    )
    hidden = sum(f.names_hidden for f in report.files)
    fields = sum(f.fields_quarantined for f in report.files)
    nuls = sum(f.nul_bytes for f in report.files)
    notes = [
        f"{hidden:,} person names replaced by a placeholder" if hidden else "",
        f"{fields:,} fields quarantined (records kept)" if fields else "",
        f"{nuls:,} NUL bytes removed" if nuls else "",
    ]
    if any(notes):
        console.print("; ".join(n for n in notes if n), soft_wrap=True)
    for f in report.files:
        if f.resumed and not f.problem:
            console.print(
                f"continued {f.path} after the first {f.resumed:,} records, stored by an earlier run",
                soft_wrap=True,
                markup=False,
                highlight=False,
            )
        if f.problem:
            # one whole line per file, never cut: the reason is what the user acts on
            console.print(
                f"{'skipped' if f.skipped else 'FAILED'} {f.path}: {f.problem}",
                soft_wrap=True,
                markup=False,
                highlight=False,
            )
    if not report.files or t.read == 0 and all(f.problem is None for f in report.files):
        console.print("nothing recognised: no records read", soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        paths: list[Path] = typer.Argument(
            ..., help="Files or directories to read (directories are walked; gzip is detected)."
        ),
        db: Path = options.db(),
        fmt: str = options.fmt(
            None,
            help="Reader to use instead of detection: hh-json, hh-csv, "
            "hh-resume-json, resume-csv, trudvsem-json, trudvsem-csv, mapped (with --mapping), canonical (Parquet dirs).",
        ),
        mapping: Path = typer.Option(
            None, "--mapping", help="TOML or YAML file naming which column is which field (any CSV/JSONL/Parquet)."
        ),
        observed_at: str = typer.Option(
            None,
            "--observed-at",
            help="When these records were seen (YYYY-MM-DD[THH:MM]); "
            "default: each record's own publication or update time.",
        ),
        source: str = typer.Option(
            None,
            "--source",
            help="Source label for the records (default: from the detected format, e.g. hh, or the mapping's source).",
        ),
        dry_run: bool = typer.Option(
            False,
            "--dry-run",
            help="Store nothing: show the first records as they would be "
            "stored and what would be quarantined (to check a --mapping).",
        ),
        limit: int = typer.Option(5, "--limit", min=1, help="With --dry-run: how many records to show."),
        batch_size: int = typer.Option(
            5000,
            "--batch-size",
            min=1,
            help="Records per batch (a file is one transaction; large JSON lines, recorded parts).",
        ),
        quiet: bool = options.quiet(help="No progress bar and no table, only the totals line."),
        normalize: bool = typer.Option(
            True,
            "--normalize/--no-normalize",
            help="Normalize what was stored (default), "
            "or leave it for `kadry normalize` (commands reading the store do it first).",
        ),
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
        if dry_run:
            from kadry.ingest.dryrun import dry_run as run_dry
            from kadry.ingest.dryrun import print_dry_run

            for path in paths:
                print_dry_run(run_dry(path, fmt, mapping=mapping, source=source, limit=limit), console)
            return
        with Store(db) as store:
            if _progress_enabled(quiet):
                from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

                with Progress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    TextColumn("{task.completed:,} records"),
                    TimeElapsedColumn(),
                    console=Console(stderr=True),
                    transient=True,
                ) as progress:
                    task = progress.add_task("ingest", total=None)
                    report = ingest_paths(
                        store,
                        paths,
                        fmt,
                        mapping=mapping,
                        source=source,
                        observed_at=seen,
                        batch_size=batch_size,
                        on_progress=lambda f, n: progress.update(task, description=Path(f).name, completed=n),
                    )
            else:
                report = ingest_paths(
                    store, paths, fmt, mapping=mapping, source=source, observed_at=seen, batch_size=batch_size
                )
            if normalize:
                if _progress_enabled(quiet):
                    with Console(stderr=True).status("normalizing what was stored"):
                        normalize_pending(store)
                else:
                    normalize_pending(store)
        if len(report.files) == 1 and report.files[0].problem:
            # one file named and not read: that is the error, as one line
            from kadry.errors import UnreadableFileError

            raise UnreadableFileError(report.files[0].path, report.files[0].problem)
        if quiet:
            print_totals(report, console)
        else:
            print_report(report, console)
        if not report.total.balanced:
            raise typer.Exit(2)
        if not report.ok:
            raise typer.Exit(1)

    @app.command()
    def export(
        out: Path = typer.Argument(
            ..., help="Folder to write vacancies.parquet, resumes.parquet, observations.parquet into."
        ),
        db: Path = options.db(),
        partitioned: bool = typer.Option(
            False, "--partitioned", help="Folders by source and month (Hive layout), for Spark on large stores."
        ),
    ) -> None:
        """Export the store to Parquet (for exchange, and for --engine spark)."""
        from kadry.store import Store

        with Store(db, read_only=True) as store:
            written = store.export_parquet(out, partitioned=partitioned)
        for table, path in written.items():
            typer.echo(f"{table}: {path}")
