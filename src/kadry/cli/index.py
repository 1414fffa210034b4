"""``kadry index``: indicators by segment and period, as a terminal table or a file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kadry.cli import options
from kadry.errors import InputError
from kadry.rules import activity, bands

__all__ = ["register", "render_table"]



def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def render_table(table, indicator: str, console: Console) -> None:
    hidden = {"period_end", "vacancy_activity_rule", "simulated"}
    cols = [c for c in table.column_names if c not in hidden]
    rows = table.to_pylist()
    any_sim = any(r["simulated"] for r in rows)
    view = Table(title=f"kadry index: {indicator}", show_lines=False)
    for c in cols:
        text_like = str(table.schema.field(c).type) in ("string", "date32[day]")
        view.add_column(c, justify="left" if text_like else "right", no_wrap=True)
    if any_sim:
        view.add_column("data", justify="left", no_wrap=True)
    for r in rows:
        cells = []
        for c in cols:
            text = _cell(r[c])
            found = bands.get(r[c]) if c == "band" else None
            if found is not None:
                text = f"[{found.style}]{text}[/]"
            cells.append(text)
        if any_sim:
            cells.append("[magenta]SIM[/]" if r["simulated"] else "real")
        view.add_row(*cells)
    console.print(view)
    if rows:
        console.print(f"vacancies active: {rows[0]['vacancy_activity_rule']}; roll-ups are marked 'all'; "
                      "counts are unsuppressed (internal use)")
    if any_sim:
        console.print("[bold magenta]SIM[/]: simulated records contributed to the rows so marked (not real data).")
    if not rows:
        console.print("no records in this range")


def _no_silent_mix(engine, filters: dict, by: str) -> None:
    """The portal's records (a supply and a demand of their own) are never pooled with another source unasked."""
    if "source" in filters or "source" in [b.strip() for b in by.split(",")]:
        return
    v, r = engine.table("vacancies"), engine.table("resumes")
    names = set(engine.execute(v.select("source").distinct())["source"].to_pylist())
    names |= set(engine.execute(r.select("source").distinct())["source"].to_pylist())
    if "trudvsem" in names and len(names) > 1:
        raise InputError(f"the store holds several sources ({', '.join(sorted(n for n in names if n))}): pass "
                         "--source NAME for one index per source, or --by source to set them side by side")


def register(app: typer.Typer) -> None:
    @app.command()
    def index(
        by: str = typer.Option("", "--by", help="Dimensions, comma-separated: role, role_category, isco2, it, region, "
                               "federal_district, country, experience, remote (roll-ups 'all' included)."),
        period: str = typer.Option("month", "--period", help="day, week, month or quarter."),
        start: str = typer.Option(..., "--from", help="First day: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD."),
        end: str = typer.Option(..., "--to", help="Last day (a month or quarter means its last day)."),
        indicator: str = typer.Option("index", "--indicator", "-i", help="index, stock, flow, salary, skills, remote, experience."),
        engine: str = typer.Option("duckdb", "--engine", help="duckdb (the store file) or spark (its Parquet export)."),
        spark_master: str = typer.Option("local[2]", "--spark-master", help="Spark master URL (local[N] or a cluster)."),
        db: Path = options.db(),
        fmt: str = options.fmt("table", help="table, csv, json or parquet."),
        out: Path = options.out("Write to this file instead of the terminal."),
        lifetime: int = typer.Option(activity.LIFETIME_DAYS, "--lifetime", help="Days a vacancy without a close date stays active."),
        window: int = typer.Option(activity.RESUME_WINDOW_DAYS, "--window", help="Days an update keeps a resume active."),
        vacancy_rule: str = typer.Option("lifetime", "--vacancy-rule", help="End of a vacancy without a close date: lifetime or last_seen."),
        filters: list[str] = typer.Option(None, "--filter", help="Keep only DIMENSION=VALUE[,VALUE] (repeatable)."),
        source: str = typer.Option(None, "--source", help="One source only (hh, trudvsem, sim, ...): one index per source."),
        include_duplicates: bool = typer.Option(False, "--include-duplicates", help="Count vacancies marked as duplicates."),
        no_rollups: bool = typer.Option(False, "--no-rollups", help="Only the full combination of --by, no 'all' rows."),
        top: int = typer.Option(None, "--top", help="skills: keep the N most named skills per segment and period."),
        basis: str = typer.Option("stock", "--basis", help="salary/skills/remote/experience over active (stock) or new (flow) records."),
    ) -> None:
        """Stocks, flows, the deficiency index (with its band), salaries, skills, remote work and
        experience mix by segment and period."""
        from kadry.indicators import Engine, compute, parse_filters, spark_for_store
        from kadry.indicators.output import FORMATS, write

        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
        if engine not in ("duckdb", "spark"):
            raise InputError(f"unknown engine {engine!r}: use duckdb or spark")
        options = dict(lifetime=lifetime, window=window, vacancy_rule=vacancy_rule, include_duplicates=include_duplicates,
                       rollups=not no_rollups, top=top, basis=basis)
        from kadry.stages import ensure_current

        db = ensure_current(db)
        chosen = parse_filters(filters)
        if source:
            chosen["source"] = [s.strip() for s in source.split(",") if s.strip()]
        eng = Engine.duckdb(db) if engine == "duckdb" else spark_for_store(db, spark_master)
        try:
            _no_silent_mix(eng, chosen, by)
            result = compute(indicator, by=by, period=period, start=start, end=end, filters=chosen, engine=eng, **options)
        finally:
            eng.close()
        if fmt == "table" and out is None:
            console = Console()
            if not console.is_terminal:
                console = Console(width=200)
            render_table(result, indicator, console)
            return
        if fmt == "table":
            fmt = "csv"
        text = write(result, fmt, out)
        if text is not None:
            typer.echo(text, nl=False)
