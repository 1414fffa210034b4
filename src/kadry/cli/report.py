"""``kadry report``: one self-contained HTML report on a segment (see docs/report.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from kadry.cli import options

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        segment: str = typer.Option(
            "all", "--segment", "-s", help="it, all, role:<hh role id> or category:<hh category id>."
        ),
        region: str = typer.Option(
            None,
            "--region",
            "-r",
            help="A federal subject (RU-MOW) or fd:<district> (fd:CFD); default: everywhere (releases have no cut by country).",
        ),
        start: str = typer.Option(
            None,
            "--from",
            help="First period: YYYY-MM, YYYY-Qn, YYYY or a day (default: the first "
            "month with both vacancies and resumes, at most 24 months before --to).",
        ),
        end: str = typer.Option(
            None, "--to", help="Last period (default: the latest month with both vacancies and resumes)."
        ),
        period: str = typer.Option("month", "--period", help="month or quarter."),
        db: Path = options.db(),
        lang: str = typer.Option("ru", "--lang", help="ru or en."),
        min_cell: int = typer.Option(
            None, "--min-cell", help="Hide cells resting on fewer records (default: $KADRY_MIN_CELL or 10)."
        ),
        out: Path = options.out("The HTML file to write.", ...),
        quiet: bool = options.quiet(help="Print nothing on success."),
    ) -> None:
        """Write one self-contained HTML report (inline charts, prints on A4): the deficiency index,
        its trend, regions, salaries, skills, mobility, sources and coverage."""
        from kadry.report import build_report
        from kadry.stages import ensure_current

        db = ensure_current(db)
        result = build_report(
            segment=segment,
            region=region,
            start=start,
            end=end,
            period=period,
            db=db,
            lang=lang,
            min_cell=min_cell,
            out=out,
            say=None
            if quiet
            else lambda m: typer.echo(f"{m}: making it first (`kadry publish` does it ahead)", err=True),
        )
        if quiet:
            return
        if result.get("range_note"):
            typer.echo(result["range_note"])
        if result.get("missing"):
            typer.echo(f"warning: {result['missing']}", err=True)
        h = result["headline"]
        head = f"index {h['index']:.2f} ({h['band']}, {h['period']})" if h else "no publishable index value"
        sim = "; SIMULATED DATA contributed" if result["simulated"] else ""
        typer.echo(
            f"wrote {result['out']} ({result['bytes']:,} bytes): {result['segment']} / {result['region']}, "
            f"{result['start']}..{result['end']}, {head}, k={result['min_cell']}{sim}"
        )
