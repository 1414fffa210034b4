"""Every setting kadry reads from the environment, in one typed object.

No other module reads ``os.environ``: they ask ``settings()``, which parses and checks each
variable once per distinct environment (tests that change a variable get a fresh object).
``docs/settings.md`` is generated from the fields below (``python -m kadry.settings``).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kadry.errors import ConfigError

__all__ = ["Settings", "settings", "ENV", "markdown"]

#: the default store file (relative to the working directory)
DEFAULT_DB = Path("kadry.duckdb")
#: the default minimum count a published cell must rest on
DEFAULT_MIN_CELL = 10


def _env(name: str, doc: str, default: str = "") -> Any:
    return {"env": name, "doc": doc, "default": default}


def _whole(name: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _cores() -> int:
    """The default number of worker processes: one per core."""
    return os.cpu_count() or 1


def _positive(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not (value > 0 and value < float("inf")):
        raise ConfigError(f"{name} must be a positive number, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """kadry's settings; build with ``Settings.from_env()`` or get the current one with ``settings()``."""

    db: Path = field(
        default=DEFAULT_DB,
        metadata=_env("KADRY_DB", "The store file every command uses when `--db` is not given.", "./kadry.duckdb"),
    )
    min_cell: int = field(
        default=DEFAULT_MIN_CELL,
        metadata=_env(
            "KADRY_MIN_CELL",
            "Minimum count a published cell must rest on (small-cell suppression `k`); a client cannot lower it.",
            str(DEFAULT_MIN_CELL),
        ),
    )
    memory_limit: str | None = field(
        default=None,
        metadata=_env(
            "KADRY_MEMORY_LIMIT",
            "DuckDB's memory limit for every connection kadry opens (e.g. `2GB`); beyond it DuckDB spills to disk.",
            "DuckDB's own (80% of RAM)",
        ),
    )
    threads: int | None = field(
        default=None,
        metadata=_env(
            "KADRY_THREADS", "DuckDB worker threads for every connection kadry opens.", "DuckDB's own (all cores)"
        ),
    )
    workers: int = field(
        default_factory=_cores,
        metadata=_env(
            "KADRY_WORKERS",
            "Processes a release's suppression audits run in (blocks that share no equation, such as the periods of "
            "a cube, are audited in parallel).",
            "the number of cores",
        ),
    )
    salt: str | None = field(
        default=None,
        metadata=_env(
            "KADRY_SALT",
            "Secret salt for hashing resume ids. When unset, a random salt is generated once and kept "
            "in `<store>.salt` beside the store.",
            "`<store>.salt`",
        ),
    )
    shared_data: Path | None = field(
        default=None,
        metadata=_env(
            "KADRY_SHARED_DATA",
            "The larger real data set (training, calibration, shared-data tests).",
            "`../shared/data` beside the repository, if present",
        ),
    )
    moves_epsilon: float | None = field(
        default=None,
        metadata=_env(
            "KADRY_MOVES_EPSILON",
            "Publish moves between places with differential privacy (OpenDP's discrete Laplace) at this privacy "
            "loss per release, recorded in the store's ledger, instead of small-cell suppression.",
            "none (suppression)",
        ),
    )
    hh_token: str | None = field(
        default=None,
        metadata=_env(
            "KADRY_HH_TOKEN", "OAuth token for HeadHunter's API (reserved for the collector; never logged).", "none"
        ),
    )

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Settings:
        """Parse and check the variables; a bad value is one ``ConfigError`` naming the variable."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value not in (None, "") else None

        memory = get("KADRY_MEMORY_LIMIT")
        threads = get("KADRY_THREADS")
        min_cell = get("KADRY_MIN_CELL")
        shared = get("KADRY_SHARED_DATA")
        epsilon = get("KADRY_MOVES_EPSILON")
        workers = get("KADRY_WORKERS")
        return cls(
            db=Path(get("KADRY_DB") or DEFAULT_DB),
            min_cell=_whole("KADRY_MIN_CELL", min_cell, 1) if min_cell else DEFAULT_MIN_CELL,
            memory_limit=memory,
            threads=_whole("KADRY_THREADS", threads, 1) if threads else None,
            workers=_whole("KADRY_WORKERS", workers, 1) if workers else _cores(),
            salt=get("KADRY_SALT"),
            shared_data=Path(shared) if shared else None,
            hh_token=get("KADRY_HH_TOKEN"),
            moves_epsilon=_positive("KADRY_MOVES_EPSILON", epsilon) if epsilon else None,
        )

    def __repr__(self) -> str:  # the salt and the token never reach a log
        shown = {
            f.name: ("***" if f.name in ("salt", "hh_token") and getattr(self, f.name) else getattr(self, f.name))
            for f in fields(self)
        }
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


#: environment variable -> field name
ENV = {f.metadata["env"]: f.name for f in fields(Settings)}

_lock = threading.Lock()
_cache: dict[tuple[str | None, ...], Settings] = {}


def settings() -> Settings:
    """The settings of the current environment (parsed once per distinct set of values)."""
    key = tuple(os.environ.get(name) for name in ENV)
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = Settings.from_env()
            _cache.clear()
            _cache[key] = found
        return found


def export(**values: object) -> None:
    """Put settings into the environment (by field name), for child processes such as uvicorn's workers."""
    names = {v: k for k, v in ENV.items()}
    for name, value in values.items():
        if name not in names:
            raise KeyError(f"no setting named {name!r}")
        os.environ[names[name]] = str(value)


def markdown() -> str:
    """docs/settings.md, from the fields above."""
    lines = [
        "# Settings",
        "",
        "Generated from `kadry.settings.Settings` (`python -m kadry.settings > docs/settings.md`); a test keeps "
        "the two equal. Every variable is read in that one place; command-line options (such as `--db` and "
        "`--min-cell`) take precedence over it. A bad value is a one-line error naming the variable.",
        "",
        "| variable | field | type | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for f in fields(Settings):
        kind = str(f.type).replace(" | None", "").replace("|", "or")
        lines.append(f"| `{f.metadata['env']}` | `{f.name}` | {kind} | {f.metadata['default']} | {f.metadata['doc']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
