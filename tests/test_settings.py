"""Settings: one typed object reads the environment; its docs are generated from it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kadry
from kadry.errors import ConfigError
from kadry.settings import ENV, Settings, markdown, settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
SRC = Path(kadry.__file__).parent


def test_docs_are_generated_from_the_settings():
    assert DOCS.read_text() == markdown(), "run: python -m kadry.settings > docs/settings.md"


def test_every_variable_is_documented_and_parsed():
    env = {
        "KADRY_DB": "/x/s.duckdb",
        "KADRY_MIN_CELL": "7",
        "KADRY_MEMORY_LIMIT": "1GB",
        "KADRY_THREADS": "2",
        "KADRY_SALT": "s" * 20,
        "KADRY_SHARED_DATA": "/data",
        "KADRY_HH_TOKEN": "hh-secret-token",
        "KADRY_MOVES_EPSILON": "0.5",
        "KADRY_WORKERS": "3",
    }
    assert set(env) == set(ENV)
    s = Settings.from_env(env)
    assert s.moves_epsilon == 0.5 and s.workers == 3
    assert (s.db, s.min_cell, s.memory_limit, s.threads, s.salt, s.shared_data, s.hh_token) == (
        Path("/x/s.duckdb"),
        7,
        "1GB",
        2,
        "s" * 20,
        Path("/data"),
        "hh-secret-token",
    )
    assert "hh-secret-token" not in repr(s) and "s" * 20 not in repr(s)
    assert Settings.from_env({}) == Settings()
    for name in ENV:
        assert f"`{name}`" in markdown()


@pytest.mark.parametrize(
    "name,value", [("KADRY_MIN_CELL", "zero"), ("KADRY_MIN_CELL", "0"), ("KADRY_THREADS", "-1"), ("KADRY_WORKERS", "0")]
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_current_settings_follow_the_environment(monkeypatch):
    monkeypatch.setenv("KADRY_MIN_CELL", "25")
    assert settings().min_cell == 25
    monkeypatch.setenv("KADRY_MIN_CELL", "12")
    assert settings().min_cell == 12 and settings() is settings()


def test_no_module_reads_the_environment_but_settings():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "settings.py" and path.parent == SRC:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("environ", "getenv", "putenv")
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
            ):
                offenders.append(f"{path.relative_to(SRC.parent)}:{node.lineno}")
    assert offenders == [], "read settings through kadry.settings.settings():\n" + "\n".join(offenders)
