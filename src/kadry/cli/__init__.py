"""The ``kadry`` command: a thin layer over the same core objects the API uses.

Each command group lives in its own module here with a ``register(app)`` function; errors
that are ``KadryError`` print as one red line and exit 1 (tracebacks only with ``--debug``).
"""

from __future__ import annotations

import sys

import typer

from kadry.errors import KadryError
from kadry.registry import load_modules

__all__ = ["app", "main"]

app = typer.Typer(
    name="kadry",
    help="Labour-market intelligence: ingest vacancies and resumes, normalize, compute the "
    "deficiency index and its kin, publish, match.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_STATE = {"debug": False}

# command modules, in the order of the data flow; each defines register(app)
_MODULES = [
    "collect",
    "ingest",
    "stats",
    "normalize",
    "simulate",
    "index",
    "flows",
    "publish",
    "serve",
    "report",
    "match",
    "keys",
    "demo",
]


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors.")) -> None:
    _STATE["debug"] = debug


for _module in load_modules("kadry.cli", _MODULES):
    _module.register(app)


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        code = app(standalone_mode=False)  # click returns (not raises) a typer.Exit's code here
        if isinstance(code, int) and code:
            sys.exit(code)
    except KadryError as exc:
        if debug:
            raise
        typer.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        typer.secho("aborted", fg="red", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if debug:
            raise
        typer.secho(
            f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} (rerun with --debug for the traceback)",
            fg="red",
            err=True,
        )
        sys.exit(1)
