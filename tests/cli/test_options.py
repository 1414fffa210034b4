"""The shared options are defined once (kadry.cli.options) and read the same in every command."""

from __future__ import annotations

import ast
from pathlib import Path

import typer

import kadry.cli
from kadry.cli import app

CLI = Path(kadry.cli.__file__).parent
SHARED = {"--db", "--format", "--out", "--quiet"}


def test_shared_option_names_appear_only_in_options_py():
    hits = []
    for path in sorted(CLI.glob("*.py")):
        if path.name == "options.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in SHARED:
                hits.append(f"{path.name}:{node.lineno} {node.value}")
    assert hits == []


def _params(command) -> dict:
    return {p.name: p for p in command.params}


def test_every_command_spells_them_the_same():
    root = typer.main.get_command(app)
    seen = 0
    stack = list(root.commands.values())
    while stack:
        command = stack.pop()
        stack.extend(getattr(command, "commands", {}).values())
        for param in command.params:
            for long, short in (("--format", "-f"), ("--out", "-o"), ("--quiet", "-q")):
                if long in param.opts:
                    assert short in param.opts, (command.name, param.opts)
                    seen += 1
            if "--db" in param.opts:
                assert param.opts == ["--db"]
                seen += 1
    assert seen > 20
