"""``kadry normalize``: rerun normalization over the store; train the title model; report figures."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kadry.cli import options

__all__ = ["register"]

_DB = options.db()


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.2f}%"


def _print_report(data: dict, console: Console) -> None:
    cov = data["coverage"]
    console.print(f"norm_version: {', '.join(str(v) for v in data['norm_version'])}")
    console.print(
        f"[bold]region coverage[/bold] (country, and federal subject in Russia): "
        f"{_pct(cov['coverage'])} of {cov['vacancies']:,} vacancies"
    )
    t = Table(title="coverage by data set")
    for col in ("data set", "records", "covered", "country only", "unmapped", "coverage"):
        t.add_column(col, justify="left" if col == "data set" else "right")
    for name, row in cov["by_dataset"].items():
        t.add_row(
            name,
            f"{row['records']:,}",
            f"{row['covered']:,}",
            f"{row['country_only']:,}",
            f"{row['unmapped']:,}",
            _pct(row["coverage"]),
        )
    console.print(t)
    clf = data["classifier"].get("heldout", {})
    if clf:
        console.print(
            f"[bold]title classifier[/bold] (held-out split, n={clf['n']}): coverage {_pct(clf['coverage'])} "
            f"at threshold {clf['threshold']}; among answered top-1 {_pct(clf['top1_covered'])}, "
            f"top-3 {_pct(clf['top3_covered'])}, ISCO-08 sub-major {_pct(clf['isco2_covered'])}"
        )
    console.print(
        f"roles by source: {data['roles']['by_source']}; IT share of known roles: {_pct(data['roles']['it_share_of_known'])}"
    )
    console.print(f"salary flags: {data['salary_flags']}")
    ext = data["skills"]["extraction"]
    console.print(
        f"[bold]skill extraction precision[/bold] (hand-checked sample, {ext['sample_vacancies']} adverts): "
        f"{_pct(ext['precision'])} ({ext['correct']}/{ext['judged_extractions']}; unjudged {ext['unjudged_extractions']})"
    )
    console.print(f"skills by source: {data['skills']['by_source']}")
    t = Table(title="duplicates by data set")
    for col in ("data set", "records", "merged at ingest", "exact", "repost", "near"):
        t.add_column(col, justify="left" if col == "data set" else "right")
    for name, row in data["duplicates"].items():
        t.add_row(
            name,
            f"{row['records']:,}",
            f"{row['ingest_merged_rows']:,} ({_pct(row['ingest_merged_rate'])})",
            f"{row['exact']:,} ({_pct(row['exact_rate'])})",
            f"{row['repost']:,} ({_pct(row['repost_rate'])})",
            f"{row['near']:,} ({_pct(row['near_rate'])})",
        )
    console.print(t)


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        name="normalize",
        no_args_is_help=False,
        invoke_without_command=True,
        help="Normalize the store in place (regions, roles, salaries, skills, duplicates); `train`, `report`.",
    )

    @group.callback(invoke_without_command=True)
    def run(
        ctx: typer.Context,
        db: Path = _DB,
        quiet: bool = options.quiet(help="No progress output."),
        rates: Path = typer.Option(None, "--rates", help="Extra exchange rates: CSV month,currency,rub_per_unit."),
    ) -> None:
        """Rerun normalization over the stored raw values (no source is re-read)."""
        if ctx.invoked_subcommand is not None:
            return
        from kadry.normalize import normalize_store
        from kadry.store import Store, require

        path = require(db)
        console = Console(stderr=True, quiet=quiet)
        with Store(path) as store:
            with console.status("normalizing") as status:
                result = normalize_store(
                    store,
                    progress=lambda m: status.update(f"normalizing: {m}"),
                    rates_file=str(rates) if rates else None,
                )
        if not quiet:
            Console().print(
                f"normalized {result['vacancies']:,} vacancies and {result['resumes']:,} resumes "
                f"(rules {result['norm_version']}) in {sum(result['timings'].values()):.1f} s"
            )

    @group.command("train")
    def train_cmd(
        labels: list[Path] = typer.Option(
            [],
            "--labels",
            help="Your labelled titles: CSV with title, role_id (hh role id), optional skills. Repeatable.",
        ),
        force: bool = typer.Option(False, "--force", help="Replace the model even if the held-out figures drop."),
        out: Path | None = options.out("Write the model here instead of replacing the shipped one."),
        quiet: bool = options.quiet(help="Print only the held-out figures."),
    ) -> None:
        """Retrain the title classifier from the shared data (KADRY_SHARED_DATA) plus your labelled titles.

        The shipped held-out split stays the test: its titles are never trained on, and the new model
        replaces the current one only if its top-1 among answered titles and its coverage there do not drop.
        """
        from kadry.normalize.classifier import MODEL_PATH
        from kadry.normalize.train import train

        console = Console(stderr=True, quiet=quiet)
        with console.status("training") as status:
            metrics = train(
                user_files=labels,
                force=force,
                out_model=out or MODEL_PATH,
                progress=lambda m: status.update(f"training: {m}"),
            )
        h = metrics["heldout"]
        typer.echo(
            f"held-out n={h['n']} (titles never trained on): coverage {_pct(h['coverage'])}; among answered "
            f"top-1 {_pct(h['top1_covered'])}, top-3 {_pct(h['top3_covered'])}, ISCO-08 sub-major "
            f"{_pct(h['isco2_covered'])}; {metrics['classes']} roles, {metrics['user_rows']} of your rows"
        )
        old = metrics.get("previous_model_on_heldout")
        if old:
            typer.echo(
                f"current model on the same rows: coverage {_pct(old['coverage'])}, top-1 {_pct(old['top1_covered'])}, "
                f"top-3 {_pct(old['top3_covered'])}"
            )
        if not metrics["replaced"]:
            typer.echo(
                "not replaced: the new model is worse on the held-out split (use --force to replace anyway)", err=True
            )
            raise typer.Exit(1)

    @group.command("report")
    def report_cmd(
        db: Path = _DB,
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    ) -> None:
        """Coverage, classifier accuracy, skill-extraction precision and duplicate rates."""
        from kadry.normalize.figures import report
        from kadry.store import Store

        with Store(db, read_only=True) as store:
            data = report(store)
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            _print_report(data, Console())

    app.add_typer(group, name="normalize")
