"""``kadry collect``: fetch real sources into the store (the portal's dumps, the hh.ru API)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from kadry.cli import options
from kadry.errors import InputError

__all__ = ["register"]

_console = Console(stderr=True)


def _day(text: str | None):
    if not text:
        return None
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"bad --since {text!r}: use YYYY-MM-DD") from None


def register(app: typer.Typer) -> None:
    collect = typer.Typer(
        name="collect",
        help="Collect real sources into the store: trudvsem (the state portal's open "
        "data dumps) and hh (the hh.ru API).",
        no_args_is_help=True,
    )

    @collect.command("trudvsem")
    def trudvsem(
        db: Path = options.db(),
        workdir: Path = typer.Option(Path("trudvsem-dumps"), "--workdir", help="Where dumps are downloaded."),
        base_url: str = typer.Option(None, "--base-url", help="Catalogue root (default: the portal's open-data URL)."),
        datasets: str = typer.Option(
            "",
            "--datasets",
            help="Comma-separated: professions, regions, industries, vacancy, cv, response, invitation (default: all).",
        ),
        since: str = typer.Option(None, "--since", help="Only dumps of this day or later (YYYY-MM-DD)."),
        keep: bool = typer.Option(False, "--keep", help="Keep the downloaded dumps after ingesting them."),
        attempts: int = typer.Option(6, "--attempts", min=1, help="Tries per request (backoff doubles each time)."),
        backoff: float = typer.Option(1.0, "--backoff", min=0.0, help="First wait between tries, seconds."),
        quiet: bool = options.quiet(help="Only the totals line."),
    ) -> None:
        """List the catalogue, download the dumps the store lacks (resumable, checked), ingest them in date order."""
        from kadry.collect.http import Retry
        from kadry.collect.trudvsem import BASE_URL, collect_trudvsem
        from kadry.store import Store

        chosen = [d.strip() for d in datasets.split(",") if d.strip()] or None
        with Store(db) as store:
            report = collect_trudvsem(
                store,
                workdir,
                base_url=base_url or BASE_URL,
                datasets=chosen,
                since=_day(since),
                retry=Retry(attempts=attempts, backoff=backoff),
                keep=keep,
                say=None if quiet else (lambda m: _console.print(m, highlight=False)),
            )
        typer.echo(
            f"trudvsem: listed {report.listed}, fetched {report.fetched}, skipped {report.skipped} (already in "
            f"the store), failed {report.failed}; ingested {report.ingested} snapshots, {report.records:,} records"
        )
        for failure in report.failures:
            typer.echo(f"failed: {failure}", err=True)
        if report.failed:
            raise typer.Exit(3)

    @collect.command("hh")
    def hh(
        db: Path = options.db(),
        token: str = typer.Option(
            None,
            "--token",
            envvar="KADRY_HH_TOKEN",
            help="hh.ru application token (or KADRY_HH_TOKEN); vacancy search needs one since December 2025.",
        ),
        user_agent: str = typer.Option(
            None,
            "--user-agent",
            envvar="KADRY_HH_USER_AGENT",
            help="User-Agent hh.ru requires: 'app-name/1.0 (you@example.org)'.",
        ),
        start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)."),
        end: str = typer.Option(None, "--to", help="Last day (default: the first)."),
        area: list[str] = typer.Option(None, "--area", help="hh area id (repeatable; default 113, Russia)."),
        role: list[str] = typer.Option(None, "--role", help="hh professional_role id (repeatable)."),
        base_url: str = typer.Option("https://api.hh.ru", "--base-url", help="API root."),
        details: bool = typer.Option(True, "--details/--no-details", help="Fetch each vacancy's detail (key skills)."),
        rate: float = typer.Option(5.0, "--rate", min=0.1, help="Requests per second at most."),
        recheck: bool = typer.Option(
            False,
            "--recheck",
            help="List done days again and confirm the close of vacancies gone from them through their detail.",
        ),
        quiet: bool = options.quiet(help="Only the totals line."),
    ) -> None:
        """Search vacancies day by day in windows of at most 2,000 results, fetch details, store them; resumable."""
        from kadry.collect.hh import collect_hh
        from kadry.store import Store

        if not user_agent:
            raise InputError(
                "hh.ru requires a User-Agent naming your application and a contact: pass --user-agent "
                "'name/1.0 (you@example.org)' or set KADRY_HH_USER_AGENT"
            )
        first = _day(start)
        last = _day(end) or first
        with Store(db) as store:
            report = collect_hh(
                store,
                first,
                last,
                token=token,
                user_agent=user_agent,
                base_url=base_url,
                areas=area or ["113"],
                roles=role or [],
                details=details,
                rate=rate,
                recheck=recheck,
                say=None if quiet else (lambda m: _console.print(m, highlight=False)),
            )
        typer.echo(
            f"hh: {report.windows} windows, {report.pages} pages, fetched {report.fetched} vacancies "
            f"({report.details} details), skipped {report.skipped}, failed {report.failed}, "
            f"closed confirmed {report.closed}; stored {report.stored}, merged {report.merged}"
        )
        if report.failed:
            raise typer.Exit(3)

    app.add_typer(collect)
