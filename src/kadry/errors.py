"""One exception root for kadry.

Every error a user can cause is a ``KadryError``: the CLI prints it as one line and exits
non-zero, the HTTP API renders it as one JSON shape with its ``status``. Subclasses carry
their context as attributes so callers can act on it without parsing the message.
"""

from __future__ import annotations

__all__ = [
    "KadryError",
    "InputError",
    "UnreadableFileError",
    "MappingError",
    "StoreError",
    "NoStore",
    "StaleStore",
    "ConfigError",
    "NotFound",
    "BadRequest",
    "OverBudget",
    "Busy",
    "Unauthorized",
    "Forbidden",
    "EngineError",
]


class KadryError(Exception):
    """Root of every error kadry raises on purpose."""

    status: int = 400
    #: whether trying the same thing again may succeed (a lock, a busy engine)
    transient: bool = False

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context
        for key, value in context.items():
            setattr(self, key, value)

    def __str__(self) -> str:
        return self.message


class InputError(KadryError):
    """Bad input given by the user (an option, a file, a value)."""


class UnreadableFileError(InputError):
    """A whole input file cannot be read (missing, not the format asked for, corrupt)."""

    path: str
    reason: str

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}", path=str(path), reason=reason)


class MappingError(InputError):
    """A column-mapping file is missing, malformed or names columns that are absent."""


class ConfigError(KadryError):
    """A setting is invalid."""


class StoreError(KadryError):
    """The store cannot be opened or written."""

    status = 500


class NoStore(StoreError):
    """There is no store file where one was asked for (the one wording of "no store at ...")."""

    status = 503

    def __init__(self, path: object, hint: str = "run `kadry ingest` first (or `kadry demo`)") -> None:
        super().__init__(f"no store at {path}: {hint}", path=str(path))


class StaleStore(StoreError):
    """The store holds records a stage has not processed yet, and it cannot be brought up to date here."""

    status = 503


class EngineError(KadryError):
    """The compute engine (DuckDB or Spark) failed or is unavailable."""

    status = 503


class NotFound(KadryError):
    """The thing asked for does not exist."""

    status = 404


class BadRequest(KadryError):
    """A request parameter is invalid."""

    status = 400


class OverBudget(BadRequest):
    """A request would cost more than the server allows one request (periods, groupings, cells)."""


class Busy(KadryError):
    """The server is already computing as much as it allows at once: retry shortly."""

    status = 503
    transient = True


class Forbidden(KadryError):
    """The caller lacks the key or scope for this operation."""

    status = 403


class Unauthorized(Forbidden):
    """Refused for want of any key (HTTP says 401: authenticate, then try again)."""

    status = 401


class CollectError(KadryError):
    """A remote source could not be collected (network, HTTP status, a broken download)."""

    status = 502
