"""``kadry flows`` (moves between regions and abroad) and ``kadry relocation`` (readiness signals)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from kadry.cli import options
from kadry.errors import InputError
from kadry.rules import activity

__all__ = ["register"]

_HIDDEN = {"period_end", "simulated", "suppression"}


def _cell(value: object, column: str = "") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.1%}" if column.endswith("_share") else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _split_by(by: str) -> tuple[str | None, list[str]]:
    """``--by region,it`` -> level ``region`` and resume dimensions ``[it]``."""
    from kadry.mobility.moves import LEVELS, resolve_level

    level, dims = None, []
    for part in (p.strip() for p in by.split(",") if p.strip()):
        try:
            name = resolve_level(part)
        except InputError:
            dims.append(part)
            continue
        if level is not None and name != level:
            raise InputError(f"--by names two region levels ({level}, {name}): use one of {', '.join(LEVELS)}")
        level = name
    return level, dims


def _engine(engine: str, db: Path | None, spark_master: str):
    from kadry.indicators import Engine
    from kadry.indicators.engine import spark_for_store

    if engine not in ("duckdb", "spark"):
        raise InputError(f"unknown engine {engine!r}: use duckdb or spark")
    from kadry.stages import ensure_current

    db = ensure_current(db)
    return Engine.duckdb(db) if engine == "duckdb" else spark_for_store(db, spark_master)


def _emit(table, fmt: str | None, out: Path | None, title: str, limit: int, wide: bool = False) -> None:
    """Through the shared output (kadry.cli.output): a table on a terminal, CSV in a pipe, notes beside."""
    import pyarrow as pa

    from kadry.cli.output import View, emit, resolve_format

    chosen = resolve_format(fmt, out)
    meta = json.loads((table.schema.metadata or {}).get(b"kadry", b"{}"))
    rows = table.to_pylist()
    notes = []
    if not meta.get("suppressed"):
        notes.append("counts are unsuppressed (internal use); published moves: kadry publish, /api/v1/flows")
    if meta.get("dated"):
        notes.append(f"a move is dated {meta['dated']}")
    cov = meta.get("coverage")
    if cov:
        notes.append(
            f"estimates scale counts by {cov['factor']:.4g} ({cov['factor_low']:.4g}..{cov['factor_high']:.4g}), "
            f"{cov['confidence']:.0%} {cov['method']} intervals; base = {cov['base']} resumes"
        )
    any_sim = any(r.get("simulated") for r in rows)
    if any_sim:
        notes.append("SIM: simulated records contributed to the rows so marked (not real data).")
        if chosen == "table":
            table = table.append_column("data", pa.array(["SIM" if r.get("simulated") else "real" for r in rows]))
    view = View(
        title=title,
        hidden=_HIDDEN,
        cell=lambda c, r: _cell(r.get(c), c),
        limit=limit if chosen == "table" else None,
        empty="no moves in this range",
    )
    emit(table, chosen, out, view, notes=notes, wide=wide)


def register(app: typer.Typer) -> None:
    @app.command()
    def flows(
        by: str = typer.Option(
            "region",
            "--by",
            help="Region level (region, federal_district, country) and resume "
            "dimensions (role, role_category, isco2, it, experience, remote), comma-separated.",
        ),
        period: str = typer.Option("quarter", "--period", help="day, week, month or quarter."),
        abroad: bool = typer.Option(
            False, "--abroad", help="The outflow from Russia to other countries, by destination."
        ),
        view: str = typer.Option(
            None, "--view", help="od (origin-destination, default), balance (inflow, outflow, net) or abroad."
        ),
        start: str = typer.Option(
            None, "--from", help="First day: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD (default: first sighting)."
        ),
        end: str = typer.Option(None, "--to", help="Last day (default: last sighting)."),
        filters: list[str] = typer.Option(
            None, "--filter", help="Keep only resumes with DIMENSION=VALUE[,VALUE] (e.g. it=true)."
        ),
        population: str = typer.Option(
            None, "--population", help="Population the resumes stand for, N (or A..B): adds estimates."
        ),
        population_range: str = typer.Option(
            None, "--population-range", help="Uncertainty range of the population, A..B."
        ),
        coverage: str = typer.Option(
            None, "--coverage", help="Or the share of the population the platform sees, s or s1..s2."
        ),
        confidence: float = typer.Option(0.95, "--confidence", help="Level of the estimate intervals."),
        interval: str = typer.Option("envelope", "--interval", help="envelope (outer bounds) or monte_carlo."),
        engine: str = typer.Option("duckdb", "--engine", help="duckdb (the store file) or spark (its Parquet export)."),
        spark_master: str = typer.Option("local[2]", "--spark-master", help="Spark master URL."),
        db: Path = options.db(),
        fmt: str = options.fmt(
            None, help="table, csv, tsv, json or parquet (default: table on a terminal, CSV in a pipe or file)."
        ),
        out: Path = options.out("Write to this file instead of the terminal."),
        limit: int = typer.Option(60, "--limit", help="Rows shown in the terminal table."),
        wide: bool = typer.Option(False, "--wide", help="Every column, however wide the terminal."),
    ) -> None:
        """Moves of resumes between federal subjects, districts and countries by period: an
        origin-destination table, inflow/outflow/net per place, or the outflow abroad, with
        population estimates when a population or coverage is given. Counts are unsuppressed, for
        the store's owner; the published moves are the release's (kadry publish, /api/v1/flows)."""
        from kadry.indicators import parse_filters
        from kadry.mobility import Coverage
        from kadry.mobility import flows as compute_flows

        level, dims = _split_by(by)
        chosen = view or ("abroad" if abroad else "od")
        if abroad and chosen != "abroad":
            raise InputError("--abroad and --view disagree: use one of them")
        cov = Coverage.of(population, population_range, coverage, confidence, interval)
        eng = _engine(engine, db, spark_master)
        try:
            table = compute_flows(
                eng,
                view=chosen,
                level=level or "region",
                by=dims,
                period=period,
                start=start,
                end=end,
                filters=parse_filters(filters),
                coverage=cov,
            )
        finally:
            eng.close()
        title = f"kadry flows: {chosen}" + ("" if chosen == "abroad" else f" by {level or 'region'}")
        _emit(table, fmt, out, title, limit, wide)

    @app.command()
    def relocation(
        by: str = typer.Option(
            "", "--by", help="Dimensions: role, role_category, isco2, it, region, federal_district, country, ..."
        ),
        period: str = typer.Option("month", "--period", help="day, week, month or quarter."),
        start: str = typer.Option(..., "--from", help="First day."),
        end: str = typer.Option(..., "--to", help="Last day."),
        filters: list[str] = typer.Option(None, "--filter", help="Keep only DIMENSION=VALUE[,VALUE]."),
        window: int = typer.Option(
            activity.RESUME_WINDOW_DAYS, "--window", help="Days an update keeps a resume active."
        ),
        engine: str = typer.Option("duckdb", "--engine", help="duckdb or spark."),
        spark_master: str = typer.Option("local[2]", "--spark-master", help="Spark master URL."),
        db: Path = options.db(),
        fmt: str = options.fmt(
            None, help="table, csv, tsv, json or parquet (default: table on a terminal, CSV in a pipe or file)."
        ),
        out: Path = options.out("Write to this file."),
        limit: int = typer.Option(60, "--limit", help="Rows shown in the terminal table."),
        wide: bool = typer.Option(False, "--wide", help="Every column, however wide the terminal."),
    ) -> None:
        """Shares of active resumes ready to relocate, ready to go abroad, located abroad, and
        located abroad while seeking remote work, by segment and period."""
        from kadry.indicators import parse_filters
        from kadry.mobility.signals import signals

        eng = _engine(engine, db, spark_master)
        try:
            table = signals(
                eng,
                by=by,
                period=period,
                start=start,
                end=end,
                filters=parse_filters(filters),
                window=window,
            )
        finally:
            eng.close()
        _emit(table, fmt, out, "kadry relocation signals", limit, wide)
