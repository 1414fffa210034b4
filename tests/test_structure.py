"""Clean edges between modules: no import cycles, and no module reaches into another's private names.

Both rules read the source with ``ast`` (every ``import``, including those inside functions, since a
lazy import still ties two modules together); a new cycle or a new private import fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kadry

SRC = Path(kadry.__file__).parent

#: edges that other issues remove, each with its owner; the test fails if one disappears unnoticed
KNOWN_CYCLES: set[frozenset[str]] = set()
KNOWN_PRIVATE: set[tuple[str, str, str]] = set()


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imports(module: str, path: Path):
    """(target module, imported name or None) for every import statement in the module."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub, None) if sub in MODULES else (base, alias.name)


def _graph() -> dict[str, set[str]]:
    return {m: {t for t, _ in _imports(m, p) if t in MODULES and t != m} for m, p in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[frozenset[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = set()
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.add(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(frozenset(comp))
    return out


def test_no_import_cycles():
    assert set(_cycles(_graph())) <= KNOWN_CYCLES


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [frozenset("abc")]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_another_modules_private_names():
    found = set()
    for module, path in MODULES.items():
        for target, name in _imports(module, path):
            if (
                target.startswith("kadry")
                and target != module
                and name
                and name.startswith("_")
                and not name.startswith("__")
            ):
                found.add((module, target, name))
    assert found <= KNOWN_PRIVATE, sorted(found - KNOWN_PRIVATE)


def test_the_known_exceptions_are_still_real():
    # when #13 or #15 removes one, drop it from the lists above so it cannot come back
    assert KNOWN_CYCLES <= set(_cycles(_graph()))
    private = {(m, t, n) for m, p in MODULES.items() for t, n in _imports(m, p) if n}
    assert KNOWN_PRIVATE <= private
