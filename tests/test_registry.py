"""Registries import what they name: a missing command, reader or router module is an error at start."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import kadry.sources as sources
from kadry.errors import ConfigError
from kadry.registry import load_modules


def test_a_missing_module_is_named():
    with pytest.raises(ConfigError, match=r"kadry.cli lists 'nosuch' but module kadry.cli.nosuch is missing"):
        load_modules("kadry.cli", ["index", "nosuch"])


def test_an_import_error_inside_a_module_keeps_its_cause(tmp_path, monkeypatch):
    (tmp_path / "kadry_reg_probe").mkdir()
    (tmp_path / "kadry_reg_probe" / "__init__.py").write_text("")
    (tmp_path / "kadry_reg_probe" / "broken.py").write_text("import kadry_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="kadry_no_such_dependency"):
        load_modules("kadry_reg_probe", ["broken"])


def test_every_command_module_registers_a_command():
    from kadry.cli import _MODULES, app

    names = {c.name or c.callback.__name__ for c in app.registered_commands} | {
        g.name or g.typer_instance.info.name for g in app.registered_groups
    }
    assert {"ingest", "normalize", "index", "flows", "serve", "report", "match"} <= names
    assert len(_MODULES) == len(set(_MODULES))


def test_the_cli_refuses_to_start_with_a_command_module_missing(tmp_path):
    # the installed package with one listed command module blocked at import: `kadry` must fail, not lose `flows`
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'kadry.cli.flows':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import kadry.cli\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "kadry.cli lists 'flows' but module kadry.cli.flows is missing" in out.stderr


def test_readers_registry_fails_on_a_missing_module(monkeypatch):
    assert "hh-json" in {r.name for r in sources.readers()}
    monkeypatch.setattr(sources, "_MODULES", [*sources._MODULES, "nosuch_reader"])
    with pytest.raises(ConfigError, match="kadry.sources.nosuch_reader is missing"):
        sources.readers()
    with pytest.raises(ConfigError):
        sources.get_reader("hh-json")


def test_api_routers_are_mounted():
    from kadry.api.app import create_app
    from kadry.api.sample import build_store

    with tempfile.TemporaryDirectory() as d:
        db = build_store(Path(d) / "k.duckdb")
        paths = set(create_app(db).openapi()["paths"])
    assert any(p.startswith("/api/v1/flows") for p in paths)
    assert any("match" in p for p in paths)
