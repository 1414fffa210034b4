"""Region shapes for the dashboard's choropleth, taken from the ``pygal-maps-ru`` package.

The package (LGPL-3.0+, on PyPI) ships an SVG of Russia's federal subjects whose paths carry
ISO 3166-2:RU codes (RU-MOW, RU-SPE, ...), the codes the store's ``region_code`` uses.
``extract`` turns it into ``static/vendor/russia-regions.json`` once, at development time:

    pip download --no-deps pygal-maps-ru==1.0.1.1 && unzip the wheel
    python -m kadry.web.mapdata pygal_maps_ru/russia.svg pygal_maps_ru/maps.py
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

from kadry.errors import UnreadableFileError

__all__ = ["MAP_FILE", "extract", "region_shapes"]

MAP_FILE = Path(__file__).parent / "static" / "vendor" / "russia-regions.json"


def extract(svg: Path, maps_py: Path | None = None) -> dict:
    """Paths keyed by ISO code, with the view box and the Russian names the package gives."""
    text = Path(svg).read_text(encoding="utf-8")
    found = re.search(r'viewBox="([^"]+)"', text)
    if found is None:
        raise UnreadableFileError(svg, "an SVG without a viewBox")
    view_box = found.group(1)
    shapes: dict[str, dict[str, str | None]] = {}
    for tag in re.findall(r"<path\b[^>]*>", text, flags=re.S):
        code = re.search(r'\bid="(RU-[A-Z]+)"', tag)
        d = re.search(r'\sd="([^"]+)"', tag)
        if not code or not d:
            continue
        transform = re.search(r'transform="([^"]+)"', tag)
        shapes[code.group(1)] = {
            "d": " ".join(d.group(1).split()),
            "transform": transform.group(1) if transform else None,
        }
    names: dict[str, str] = {}
    if maps_py is not None:
        tree = ast.parse(Path(maps_py).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "REGIONS" for t in node.targets):
                names = {f"RU-{k}": v.strip() for k, v in ast.literal_eval(node.value).items()}
    for iso, shape in shapes.items():
        shape["name_ru"] = names.get(iso)
    return {"source": "pygal-maps-ru 1.0.1.1 (LGPL-3.0-or-later)", "viewBox": view_box, "regions": shapes}


def region_shapes() -> dict:
    """The bundled shapes (empty when the file is absent)."""
    if not MAP_FILE.exists():
        return {"viewBox": "0 0 1 1", "regions": {}}
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


if __name__ == "__main__":  # pragma: no cover - a development-time step
    data = extract(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
    MAP_FILE.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{len(data['regions'])} regions -> {MAP_FILE}")
