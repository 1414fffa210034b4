"""The hh area tree reduced to what the simulator needs: name, federal subject, country."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AreaNode", "load_area_tree", "resolve_names"]


_OTHER = "1001"


@dataclass(frozen=True)
class AreaNode:
    id: str
    name: str
    parent_id: str | None
    #: the node right under a country (a federal subject for Russia); itself if it is one
    subject_id: str
    country_id: str
    depth: int


def load_area_tree(path: Path) -> dict[str, AreaNode]:
    """Flatten areas.json (a list of country trees) into id -> node.

    Under hh's "Other regions" node (1001) each child is a country, so it is its own country.
    """
    roots = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[str, AreaNode] = {}

    def walk(node: dict, parent: str | None, subject: str | None, country: str, depth: int) -> None:
        if depth <= 1:
            sid = node["id"]
        else:
            assert subject is not None  # the depth-1 ancestor passed its own id down
            sid = subject
        if depth == 1 and country == _OTHER:
            country = node["id"]  # "Other regions" holds whole countries (Armenia, Serbia, Turkey...)
        out[node["id"]] = AreaNode(node["id"], node["name"], parent, sid, country, depth)
        for child in node.get("areas") or []:
            walk(child, node["id"], sid, country, depth + 1)

    for root in roots:
        walk(root, None, None, root["id"], 0)
    return out


def resolve_names(tree: dict[str, AreaNode], names: list[str]) -> dict[str, str]:
    """Area name -> id; ambiguous names prefer Russia, then the shallowest node, then the lowest id."""
    by_name: dict[str, list[AreaNode]] = {}
    for node in tree.values():
        by_name.setdefault(node.name.strip().lower(), []).append(node)
    out: dict[str, str] = {}
    for name in names:
        cands = by_name.get(str(name).strip().lower())
        if not cands:
            continue
        best = min(cands, key=lambda n: (n.country_id != "113", n.depth, int(n.id) if n.id.isdigit() else 10**9))
        out[name] = best.id
    return out
