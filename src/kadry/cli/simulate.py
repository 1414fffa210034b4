"""``kadry simulate``: simulated vacancies and resumes, their calibration and validation."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kadry.cli import options

__all__ = ["register"]

_console = Console()


def register(app: typer.Typer) -> None:
    sim = typer.Typer(
        name="simulate",
        help="Simulated (clearly labelled) vacancies and resumes, calibrated on real data, with ground truth.",
        invoke_without_command=True,
        no_args_is_help=False,
    )

    @sim.callback(invoke_without_command=True)
    def run(
        ctx: typer.Context,
        vacancies: int = typer.Option(10_000, "--vacancies", help="Vacancies to create."),
        resumes: int = typer.Option(30_000, "--resumes", help="Resumes to create."),
        start: str = typer.Option("2021-01", "--from", help="First month (YYYY-MM)."),
        end: str = typer.Option("2022-12", "--to", help="Last month (YYYY-MM)."),
        seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same data)."),
        out: Path | None = options.out("Output directory."),
        scenario: str | None = typer.Option(
            None, "--scenario", help="Scenario YAML file, or a shipped name (default, 2022)."
        ),
        jsonl: bool = typer.Option(False, "--jsonl", help="Also write hh-API-style vacancy JSON lines."),
        chunk_size: int = typer.Option(200_000, "--chunk-size", help="Records per chunk (memory is set by this)."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace a previous simulation in --out."),
        quiet: bool = options.quiet(help="No progress output."),
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        from kadry.errors import InputError
        from kadry.simulate import simulate

        if out is None:
            raise InputError("--out DIR is required")
        progress = None
        if not quiet:

            def progress(side: str, done: int, total: int) -> None:
                _console.print(f"[dim]{side}: {done:,}/{total:,}[/dim]", highlight=False)

        summary = simulate(out, vacancies, resumes, start, end, seed, scenario, jsonl, chunk_size, overwrite, progress)
        for w in summary.get("warnings", []):
            _console.print(f"[yellow]warning:[/yellow] {w}")
        if not quiet:
            tc = summary.get("target_check", {})
            _console.print(
                f"simulated (simulated=true) {vacancies:,} vacancies, {resumes:,} resumes, "
                f"{sum(summary['observations'].values()):,} observations, {summary['moves']:,} moves -> {out} "
                f"in {summary['seconds']['total']} s; truth in {out}/truth "
                f"(IT Russia max rel. error vs target: {tc.get('it_russia_max_rel_err')}, "
                f"categories max {tc.get('category_max_rel_err')})"
            )

    @sim.command("calibrate")
    def calibrate_cmd(
        out: Path | None = options.out("Where to write (default: the shipped calibration file)."),
        data: Path | None = typer.Option(
            None, "--data", help="Shared data folder (default: KADRY_SHARED_DATA or ../shared/data)."
        ),
    ) -> None:
        """Fit the simulator's distributions from the real data and write the calibration file."""
        from kadry.simulate import calibrate

        cal = calibrate(data, out)
        _console.print(
            f"calibration written ({len(cal['roles'])} roles, {len(cal['areas'])} areas); counts: {cal['counts']}"
        )

    @sim.command("validate")
    def validate_cmd(
        directory: Path = typer.Argument(..., help="A directory written by kadry simulate."),
    ) -> None:
        """Compare a simulated set with the real data it was fitted on, and its index with the targets."""
        from kadry.simulate import validate

        report = validate(directory)
        table = Table(title=f"kadry simulate validate {directory} (simulated data)")
        for col in ("check", "measure", "value", "tolerance", "ok"):
            table.add_column(col)
        for row in report["rows"]:
            table.add_row(
                row["check"],
                row["measure"],
                f"{row['value']:.4f}",
                f"{row['tolerance']}",
                "yes" if row["ok"] else "[red]NO[/red]",
            )
        _console.print(table)
        if not report["ok"]:
            raise typer.Exit(1)

    @sim.command("supply")
    def supply_cmd(
        db: Path | None = options.db("Store file (default: kadry.duckdb)."),
        start: str = typer.Option(..., "--from", help="First month (YYYY-MM)."),
        end: str = typer.Option(..., "--to", help="Last month (YYYY-MM)."),
        seed: int = typer.Option(1, "--seed", help="Random seed."),
        scenario: str | None = typer.Option(
            None, "--scenario", help="Scenario YAML file, or a shipped name (default, 2022)."
        ),
        unknown: str = typer.Option(
            "spread", "--unknown", help="Vacancies of unknown role: spread (by the category mix) or drop."
        ),
        quiet: bool = options.quiet(help="No progress output."),
    ) -> None:
        """Add simulated (labelled) resumes planned against the store's real vacancy stock."""
        from kadry.config import default_db
        from kadry.simulate import supply_for_store
        from kadry.store import Store

        with Store(db or default_db()) as store:
            result = supply_for_store(
                store,
                start,
                end,
                seed=seed,
                scenario=scenario,
                unknown=unknown,
                say=(lambda _: None) if quiet else _console.print,
            )
        for w in result.get("warnings", []):
            _console.print(f"[yellow]warning:[/yellow] {w}")
        if not quiet:
            levels = ", ".join(f"{m} {v:.2f}" for m, v in result["expected_index"].items())
            _console.print(f"added {result['resumes']:,} simulated resumes (simulated=true); expected index: {levels}")

    app.add_typer(sim, name="simulate")
