"""``kadry match``: ranked, explained matches; ``match build`` the index; ``match evaluate`` its quality."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kadry.cli import options

__all__ = ["register"]

_console = Console()


def _fmt(v) -> str:
    return "" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v)


def _print_result(data: dict) -> None:
    q = data["query"]
    who = "resume" if data["direction"] == "resume" else "vacancy"
    _console.print(
        f"{who} {q.get('resume_id') or q.get('vacancy_id')}: [bold]{q.get('title')}[/bold] "
        f"({data['candidates']} candidates, {data['excluded']} excluded by hard constraints)",
        highlight=False,
    )
    table = Table()
    for col in ("#", "id", "title", "score", "title", "skills", "salary", "place", "exp.", "missing skills"):
        table.add_column(col, overflow="fold")
    for m in data["matches"]:
        p = m["parts"]
        table.add_row(
            str(m["rank"]),
            m["id"],
            str(m["record"].get("title") or ""),
            f"{m['score']:.3f}",
            _fmt(p["title"]),
            _fmt(p["skills"]) + ("" if m["known"]["skills"] else "?"),
            _fmt(p["salary"]) + ("" if m["known"]["salary"] else "?"),
            _fmt(p["place"]) + ("" if m["known"]["place"] else "?"),
            _fmt(p["experience"]) + ("" if m["known"]["experience"] else "?"),
            ", ".join(m["missing_skills"][:5]),
        )
    _console.print(table)
    _console.print("[dim]? = not known on one side: the part counts as the configured neutral value[/dim]")


def register(app: typer.Typer) -> None:
    match = typer.Typer(
        name="match",
        help="Vacancies for a job seeker, job seekers for a vacancy: ranked and explained.",
        invoke_without_command=True,
        no_args_is_help=False,
    )

    @match.callback(invoke_without_command=True)
    def run(
        ctx: typer.Context,
        resume: str | None = typer.Option(None, "--resume", help="Resume id: rank vacancies for it."),
        vacancy: str | None = typer.Option(None, "--vacancy", help="Vacancy id: rank resumes for it."),
        k: int = typer.Option(20, "--k", help="Matches to return (1..500)."),
        db: Path = options.db(),
        fmt: str = options.fmt("table", help="table or json."),
        config: Path | None = typer.Option(None, "--config", help="TOML file overriding weights and constraints."),
    ) -> None:
        """Rank matches for --resume ID or --vacancy ID (the index is brought up to date first)."""
        if ctx.invoked_subcommand is not None:
            return
        from kadry.errors import InputError
        from kadry.match.config import load_config
        from kadry.match.engine import Matcher
        from kadry.store import Store

        if (resume is None) == (vacancy is None):
            raise InputError("give exactly one of --resume ID and --vacancy ID (or a subcommand: build, evaluate)")
        if fmt not in ("table", "json"):
            raise InputError(f"--format must be table or json, not {fmt!r}")
        from kadry.stages import ensure_current

        cfg = load_config(config)
        with Store(ensure_current(db), read_only=True) as store:
            matcher = Matcher(store, cfg)
            if resume is not None:
                result = matcher.for_resume(resume, k)
            else:
                assert vacancy is not None  # exactly one of the two was given
                result = matcher.for_vacancy(vacancy, k)
        data = result.to_dict()
        if fmt == "json":
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            _print_result(data)

    @match.command("build")
    def build(
        db: Path = options.db(),
        rebuild: bool = typer.Option(False, "--rebuild", help="Refit the text model and index everything again."),
        config: Path | None = typer.Option(None, "--config", help="TOML match config."),
        quiet: bool = options.quiet(help="No progress output."),
    ) -> None:
        """Add new vacancies and resumes to the ANN index beside the store (<db>.match/)."""
        from kadry.match.config import load_config
        from kadry.match.index import MatchIndex
        from kadry.store import Store

        def progress(table: str, done: int) -> None:
            if not quiet:
                _console.print(f"[dim]{table}: {done:,} indexed[/dim]", highlight=False)

        from kadry.stages import ensure_current

        with Store(ensure_current(db), read_only=True) as store:
            index = MatchIndex(store, load_config(config))
            added = index.rebuild(progress) if rebuild else index.update(progress=progress)
            counts = {t: index.count(t) for t in ("vacancies", "resumes")}
        if not quiet:
            _console.print(
                f"match index {index.folder}: added {added.get('vacancies', 0):,} vacancies, "
                f"{added.get('resumes', 0):,} resumes; holds {counts['vacancies']:,} and {counts['resumes']:,}"
            )

    @match.command("evaluate")
    def evaluate(
        data: Path | None = typer.Option(
            None, "--data", help="Shared real data folder (default: $KADRY_SHARED_DATA or ../shared/data)."
        ),
        simulated: Path | None = typer.Option(
            None, "--simulated", help="Output folder of `kadry simulate` to score against its truth."
        ),
        per_role: int = typer.Option(3, "--per-role", help="Held-out queries per hh role."),
        seed: int = typer.Option(1, "--seed", help="Which vacancies are held out as queries."),
        fmt: str = options.fmt("table", help="table or json."),
        out: Path | None = options.out("Also write the JSON report here."),
        config: Path | None = typer.Option(None, "--config", help="TOML match config."),
        labels: str | None = typer.Option(
            None,
            "--labels",
            help="responses: relevant = the vacancies each CV applied to (trudvsem response dumps in the store).",
        ),
        db: Path | None = options.db("Store file (with --labels)."),
    ) -> None:
        """Ranking quality (precision@10, nDCG@10) vs a plain TF-IDF baseline, and the fairness check."""
        from kadry.errors import InputError
        from kadry.match.config import load_config
        from kadry.match.evaluate import evaluate_all, evaluate_responses, evaluate_simulated

        if fmt not in ("table", "json"):
            raise InputError(f"--format must be table or json, not {fmt!r}")
        cfg = load_config(config)
        if data is not None and not data.is_dir():
            raise InputError(f"--data {data} is not a folder")
        if labels is not None:
            if labels != "responses":
                raise InputError(f"--labels {labels!r}: use responses")
            from kadry.store import Store

            with Store(db, read_only=True) as store:
                report = {"responses": evaluate_responses(store, config=cfg)}
            if report["responses"]["resumes"] == 0:
                raise InputError("no CV with responses in the store: collect or ingest the trudvsem response dumps")
            text = json.dumps(report, ensure_ascii=False, indent=2, default=str)
            if fmt == "json":
                typer.echo(text)
            else:
                _print_report(report)
            return
        report = evaluate_all(data, config=cfg, per_role=per_role, seed=seed)
        if simulated is not None:
            report["simulated"] = evaluate_simulated(simulated, config=cfg, seed=seed)
        text = json.dumps(report, ensure_ascii=False, indent=2, default=str)
        if out is not None:
            out.write_text(text + "\n", encoding="utf-8")
        if fmt == "json":
            typer.echo(text)
            return
        _print_report(report)

    app.add_typer(match)


def _print_report(report: dict) -> None:
    table = Table(title="ranking quality: relevant = same hh role")
    for col in ("data", "queries", "pool", "kadry p@10", "kadry nDCG@10", "TF-IDF p@10", "TF-IDF nDCG@10"):
        table.add_column(col)
    for name, r in report.items():
        if isinstance(r, dict) and "ours" in r:
            table.add_row(
                name,
                str(r["ours"]["queries"]),
                str(r.get("pool", r.get("resumes", ""))),
                _fmt(r["ours"]["precision@10"]),
                _fmt(r["ours"]["ndcg@10"]),
                _fmt(r["baseline_tfidf"]["precision@10"]),
                _fmt(r["baseline_tfidf"]["ndcg@10"]),
            )
    _console.print(table)
    for name, r in report.items():
        fair = r.get("fairness") if isinstance(r, dict) and "fairness" in r else r
        if isinstance(fair, dict) and "gender" in fair:
            for attr in ("gender", "age_band"):
                f = fair[attr]
                groups = ", ".join(f"{g}: {v['mean_score']:.3f} (n={v['n']})" for g, v in f["groups"].items())
                _console.print(
                    f"fairness {name} by {attr} (within {fair.get('strata', 'occupation x experience')}): "
                    f"{groups}; gap {f['max_gap']}, permutation p={f['p_value']}",
                    highlight=False,
                )
        elif isinstance(r, str):
            _console.print(f"{name}: {r}")
