"""``kadry index``: indicators by segment and period, as a terminal table or a file (see kadry.cli.output)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.text import Text

from kadry.cli import options
from kadry.errors import InputError
from kadry.rules import activity, bands

__all__ = ["register", "index_view", "range_notes"]

#: the terminal style of each band: kadry.rules.bands owns it
_BAND_STYLE = {b.key: b.style for b in bands.BANDS}
#: what is kept first when the terminal is narrow: the segment, the period, the index, its band, the counts
PRIORITY = (
    "period",
    "index",
    "band",
    "n_vacancies",
    "n_resumes",
    "new_vacancies",
    "new_resumes",
    "skill",
    "experience_level",
    "offered_median",
    "expected_median",
    "demand_share",
    "supply_share",
    "data",
)
_DIMS = (
    "role",
    "role_category",
    "isco2",
    "it",
    "region",
    "federal_district",
    "country",
    "experience",
    "remote",
    "source",
    "profession",
)


def _missing_side(row: dict) -> str | None:
    """Why a row has no index: a REASONS code of kadry.vocabulary, or None."""
    if "index" not in row or row.get("index") is not None:
        return None
    if not row.get("n_resumes") and row.get("n_vacancies"):
        return "no_resumes"
    if not row.get("n_vacancies") and row.get("n_resumes"):
        return "no_vacancies"
    return "no_data"


def _unknown(row: dict) -> bool:
    return any(row.get(d) == "unknown" for d in _DIMS)


def index_view(table, indicator: str):
    """The terminal view of an indicator table: bands coloured, missing sides said, unknowns dimmed."""
    import json

    from kadry.cli.output import View, plain
    from kadry.vocabulary import band_word, reason_word

    dims = [c for c in table.column_names if c in _DIMS]
    period = json.loads((table.schema.metadata or {}).get(b"kadry", b"{}")).get("period")

    def cell(c: str, r: dict) -> str | Text:
        if c == "data":
            return Text("SIM", style="magenta") if r.get("simulated") else Text("real")
        if c == "band":
            why = _missing_side(r)
            if why:
                return Text(reason_word(why, short=True), style="italic")
            if r[c] is None:
                return "—"
            # an unknown region or role is coverage, not a place: its band is not coloured
            return Text(band_word(r[c], short=True), style="" if _unknown(r) else _BAND_STYLE.get(r[c], ""))
        if c == "period" and period in ("month", "quarter"):
            d = r[c]
            return f"{d.year}-{d.month:02d}" if period == "month" else f"{d.year}-Q{(d.month - 1) // 3 + 1}"
        return plain(r.get(c))

    view = View(
        title=f"kadry index: {indicator}",
        hidden={"period_end", "vacancy_activity_rule", "simulated"},
        priority=(*dims, *PRIORITY),
        cell=cell,
        row_style=lambda r: "dim" if _unknown(r) else None,
    )
    return view


def with_data_column(table):
    """Add the ``data`` (real/SIM) column the terminal shows when simulated records contributed."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if "simulated" in table.column_names and pc.any(table["simulated"]).as_py():
        return table.append_column("data", pa.array(["SIM" if s else "real" for s in table["simulated"].to_pylist()]))
    return table


def table_notes(table) -> list[str]:
    """What the rows assume and what is missing, as lines under the table."""
    rows = table.to_pylist()
    notes = []
    if rows and "vacancy_activity_rule" in table.column_names:
        notes.append(
            f"vacancies active: {rows[0]['vacancy_activity_rule']}; roll-ups are marked 'all'; "
            "counts are unsuppressed (internal use)"
        )
    if "index" in table.column_names:
        missing = {w for w in (_missing_side(r) for r in rows) if w in ("no_resumes", "no_vacancies")}
        if "no_resumes" in missing:
            notes.append(
                "no resumes: rows with vacancies and no resumes have no index (missing supply, not a shortage)"
            )
        if "no_vacancies" in missing:
            notes.append("no vacancies: rows with resumes and no vacancies have no index")
    if any(_unknown(r) for r in rows):
        notes.append(
            "unknown: records without a known federal subject (abroad, or not mapped) or role are coverage, not a place "
            "(see `kadry coverage`)"
        )
    if any(r.get("simulated") for r in rows):
        notes.append("SIM: simulated records contributed to the rows so marked (not real data).")
    return notes


def range_notes(span, chosen: bool) -> list[str]:
    """Lines about the range: how it was chosen, which side is missing, undated records."""
    from kadry.vocabulary import reason_word

    notes = []
    if chosen and span.start is not None:
        notes.append(
            f"range: {span.start.isoformat()}..{span.end.isoformat()} (default: up to the latest month with both "
            "vacancies and resumes; give --from/--to for another)"
        )
    if span.reason:
        notes.append(reason_word(span.reason))
    undated = sum(span.undated.values()) if span.undated else 0
    if undated:
        detail = ", ".join(f"{n:,} {kind}" for kind, n in span.undated.items())
        notes.append(reason_word("undated", n=f"{undated:,}") + f" ({detail})")
    return notes


def _no_silent_mix(engine, filters: dict, by: str) -> None:
    """The portal's records (a supply and a demand of their own) are never pooled with another source unasked."""
    if "source" in filters or "source" in [b.strip() for b in by.split(",")]:
        return
    v, r = engine.table("vacancies"), engine.table("resumes")
    names = set(engine.execute(v.select("source").distinct())["source"].to_pylist())
    names |= set(engine.execute(r.select("source").distinct())["source"].to_pylist())
    if "trudvsem" in names and len(names) > 1:
        raise InputError(
            f"the store holds several sources ({', '.join(sorted(n for n in names if n))}): pass "
            "--source NAME for one index per source, or --by source to set them side by side"
        )


def register(app: typer.Typer) -> None:
    @app.command()
    def index(
        by: str = typer.Option(
            "",
            "--by",
            help="Dimensions, comma-separated: role, role_category, isco2, it, region, "
            "federal_district, country, experience, remote, source (roll-ups 'all' included).",
        ),
        period: str = typer.Option("month", "--period", help="day, week, month or quarter."),
        start: str = typer.Option(
            None,
            "--from",
            help="First day: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD (default: the "
            "latest months with both vacancies and resumes, at most 24).",
        ),
        end: str = typer.Option(
            None,
            "--to",
            help="Last day (a month or quarter means its last day; default: the latest month with both sides).",
        ),
        indicator: str = typer.Option(
            "index", "--indicator", "-i", help="index, stock, flow, salary, skills, remote, experience."
        ),
        engine: str = typer.Option("duckdb", "--engine", help="duckdb (the store file) or spark (its Parquet export)."),
        spark_master: str = typer.Option(
            "local[2]", "--spark-master", help="Spark master URL (local[N] or a cluster)."
        ),
        db: Path = options.db(),
        fmt: str = options.fmt(
            None, help="table, csv, tsv, json or parquet (default: table on a terminal, CSV in a pipe or file)."
        ),
        out: Path = options.out("Write to this file instead of the terminal."),
        wide: bool = typer.Option(False, "--wide", help="Every column, however wide the terminal."),
        lifetime: int = typer.Option(
            activity.LIFETIME_DAYS, "--lifetime", help="Days a vacancy without a close date stays active."
        ),
        window: int = typer.Option(
            activity.RESUME_WINDOW_DAYS, "--window", help="Days an update keeps a resume active."
        ),
        vacancy_rule: str = typer.Option(
            "lifetime", "--vacancy-rule", help="End of a vacancy without a close date: lifetime or last_seen."
        ),
        filters: list[str] = typer.Option(None, "--filter", help="Keep only DIMENSION=VALUE[,VALUE] (repeatable)."),
        source: str = typer.Option(
            None, "--source", help="One source only (hh, trudvsem, sim, ...): one index per source."
        ),
        include_duplicates: bool = typer.Option(
            False, "--include-duplicates", help="Count vacancies marked as duplicates."
        ),
        no_rollups: bool = typer.Option(
            False, "--no-rollups", help="Only the full combination of --by, no 'all' rows."
        ),
        top: int = typer.Option(None, "--top", help="skills: keep the N most named skills per segment and period."),
        basis: str = typer.Option(
            "stock", "--basis", help="salary/skills/remote/experience over active (stock) or new (flow) records."
        ),
    ) -> None:
        """Stocks, flows, the deficiency index (with its band), salaries, skills, remote work and
        experience mix by segment and period."""
        from kadry.cli.output import emit, resolve_format
        from kadry.indicators import Engine, compute, parse_filters, spark_for_store
        from kadry.indicators.coverage import data_span

        chosen = resolve_format(fmt, out)
        if engine not in ("duckdb", "spark"):
            raise InputError(f"unknown engine {engine!r}: use duckdb or spark")
        options: dict[str, Any] = dict(
            lifetime=lifetime,
            window=window,
            vacancy_rule=vacancy_rule,
            include_duplicates=include_duplicates,
            rollups=not no_rollups,
            top=top,
            basis=basis,
        )
        from kadry.stages import ensure_current

        db = ensure_current(db)
        filt = parse_filters(filters)
        if source:
            filt["source"] = [s.strip() for s in source.split(",") if s.strip()]
        eng = Engine.duckdb(db) if engine == "duckdb" else spark_for_store(db, spark_master)
        try:
            _no_silent_mix(eng, filt, by)
            span = data_span(
                eng,
                filters=filt or None,
                lifetime=lifetime,
                window=window,
                vacancy_rule=vacancy_rule,
                include_duplicates=include_duplicates,
            )
            if (start is None or end is None) and span.start is None:
                notes = range_notes(span, chosen=False)
                raise InputError(
                    "the store holds no dated record to choose a range from"
                    + (f"; {notes[-1]}" if notes else "")
                    + " (or give --from and --to)"
                )
            first = start if start is not None else span.start
            last = end if end is not None else span.end
            result = compute(
                indicator, by=by, period=period, start=first, end=last, filters=filt, engine=eng, **options
            )
        finally:
            eng.close()
        notes = range_notes(span, chosen=start is None or end is None) + table_notes(result)
        if result.num_rows == 0 and not span.undated:
            notes.append("no records in this range")
        elif result.num_rows == 0:
            notes.append("no records in this range: undated records are never in a range (see --observed-at above)")
        if chosen == "table":
            result = with_data_column(result)
        emit(result, chosen, out, index_view(result, indicator), notes=notes, wide=wide)

    @app.command()
    def coverage(
        db: Path = options.db(),
        start: str = typer.Option(None, "--from", help="Only records starting on or after this day."),
        end: str = typer.Option(None, "--to", help="Only records starting on or before this day."),
        fmt: str = options.fmt(None, help="table, csv, tsv, json or parquet."),
        out: Path = options.out("Write to this file instead of the terminal."),
        wide: bool = typer.Option(False, "--wide", help="Every column, however wide the terminal."),
    ) -> None:
        """Per kind and source: records, and the share with a date, a known region, role, salary
        and skills (unknowns are coverage, not a region)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from kadry.cli.output import View, emit, plain, resolve_format
        from kadry.indicators import Engine, parse_day
        from kadry.indicators.coverage import coverage as compute_coverage

        chosen = resolve_format(fmt, out)
        with Engine.duckdb(db) as eng:
            t = compute_coverage(
                eng, start=parse_day(start) if start else None, end=parse_day(end, end=True) if end else None
            )
        records = pc.cast(t["records"], pa.float64())
        for col in ("dated", "region_known", "role_known", "salary_known", "skills_known"):
            t = t.append_column(f"{col}_share", pc.divide(pc.cast(t[col], pa.float64()), records))

        def cell(c: str, r: dict) -> str:
            v = r.get(c)
            return f"{v:.1%}" if c.endswith("_share") and v is not None else plain(v)

        view = View(
            title="kadry coverage",
            priority=(
                "kind",
                "source",
                "records",
                "region_known_share",
                "role_known_share",
                "salary_known_share",
                "skills_known_share",
                "dated_share",
            ),
            cell=cell,
            hidden={"dated", "region_known", "role_known", "salary_known", "skills_known"}
            if chosen == "table"
            else set(),
            empty="the store holds no records",
        )
        emit(t, chosen, out, view, wide=wide)
