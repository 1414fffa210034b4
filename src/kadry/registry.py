"""Registries that name their members: every name must import, or kadry refuses to start.

The CLI's command modules, the readers and the API's routers are listed by name; a module
that is missing is an error at start, never a silently missing command or format. An import
error inside a module (a missing dependency) keeps its own cause.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from kadry.errors import ConfigError

__all__ = ["load_modules"]


def load_modules(package: str, names: list[str] | tuple[str, ...]) -> list[ModuleType]:
    """Import ``package.<name>`` for every name, in order."""
    modules = []
    for name in names:
        target = f"{package}.{name}"
        try:
            modules.append(importlib.import_module(target))
        except ModuleNotFoundError as exc:
            if exc.name != target:
                raise
            raise ConfigError(
                f"{package} lists {name!r} but module {target} is missing (an incomplete installation: reinstall kadry)"
            ) from None
    return modules
