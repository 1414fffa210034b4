"""Scenarios: what the simulated market should look like (index targets, shocks, moves).

A scenario is a YAML file; ``extends: default`` (the default) merges it over the shipped
``default.yaml`` so a file only states what it changes. docs/simulator.md documents the keys.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import yaml

from kadry.config import RESOURCES
from kadry.errors import InputError

__all__ = ["Scenario", "load_scenario", "SCENARIOS", "month_index", "month_label"]

SCENARIOS = RESOURCES / "simulate" / "scenarios"


def month_index(label: str) -> int:
    """'2022-03' -> 2022*12+2 (a month as one integer)."""
    try:
        year, month = str(label).strip().split("-")[:2]
        y, m = int(year), int(month)
    except ValueError as exc:
        raise InputError(f"not a month (YYYY-MM): {label!r}") from exc
    if not 1 <= m <= 12:
        raise InputError(f"not a month (YYYY-MM): {label!r}")
    return y * 12 + m - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (over or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in ("profile", "destinations"):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _series(spec: object, months: list[int], default: float) -> list[float]:
    """A level or a {month: value} series, linearly interpolated between given months, flat outside."""
    if spec is None:
        return [float(default)] * len(months)
    if isinstance(spec, (int, float)):
        return [float(spec)] * len(months)
    if not isinstance(spec, dict) or not spec:
        raise InputError(f"scenario series must be a number or a mapping month -> value, got {spec!r}")
    points = sorted((month_index(k), float(v)) for k, v in spec.items())
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    out = []
    for m in months:
        if m <= xs[0]:
            out.append(ys[0])
        elif m >= xs[-1]:
            out.append(ys[-1])
        else:
            for i in range(1, len(xs)):
                if m <= xs[i]:
                    t = (m - xs[i - 1]) / (xs[i] - xs[i - 1])
                    out.append(ys[i - 1] + t * (ys[i] - ys[i - 1]))
                    break
    return out


def _in_months(spec: object, m: int) -> bool:
    if isinstance(spec, (list, tuple)) and len(spec) == 2:
        return month_index(spec[0]) <= m <= month_index(spec[1])
    return month_index(str(spec)) == m


@dataclass
class Scenario:
    """A parsed scenario; ``raw`` keeps the merged YAML mapping (written into the truth summary)."""

    name: str
    raw: dict
    path: str

    # --- targets -------------------------------------------------------------------------
    def index_target(self, category: str, months: list[int]) -> list[float]:
        idx = self.raw.get("index") or {}
        cats = idx.get("categories") or {}
        base = _series(cats.get(str(category)), months, float(idx.get("default", 4.0)))
        for shock in self.raw.get("shocks") or []:
            if "index" not in shock or shock.get("region") is not None:
                continue
            if shock.get("category") is not None and str(shock["category"]) != str(category):
                continue
            base = [b * float(shock["index"]) if _in_months(shock["month"], m) else b for b, m in zip(base, months)]
        return base

    def vacancy_volume(self, category: str, months: list[int]) -> list[float]:
        vol = self.raw.get("vacancy_volume") or {}
        out = _series(vol.get("all"), months, 1.0)
        cat = (vol.get("categories") or {}).get(str(category))
        if cat is not None:
            out = [a * b for a, b in zip(out, _series(cat, months, 1.0))]
        for shock in self.raw.get("shocks") or []:
            if "vacancies" not in shock or shock.get("region") is not None:
                continue
            if shock.get("category") is not None and str(shock["category"]) != str(category):
                continue
            out = [v * float(shock["vacancies"]) if _in_months(shock["month"], m) else v for v, m in zip(out, months)]
        return out

    def region_factors(self, month: int) -> dict[str, float]:
        """area/subject/country id -> multiplier of the resume share (so of the index) in a month."""
        out = {str(k): float(v) for k, v in ((self.raw.get("index") or {}).get("regions") or {}).items()}
        for shock in self.raw.get("shocks") or []:
            if shock.get("region") is None or "index" not in shock:
                continue
            if _in_months(shock["month"], month):
                key = str(shock["region"])
                out[key] = out.get(key, 1.0) * float(shock["index"])
        return out

    @property
    def resumes(self) -> dict:
        return self.raw.get("resumes") or {}

    @property
    def mobility(self) -> list[dict]:
        return list(self.raw.get("mobility") or [])

    @property
    def window_days(self) -> int:
        return int(self.raw.get("activity_window_days", 30))

    @property
    def burn_in_months(self) -> int:
        return int(self.raw.get("burn_in_months", 2))


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"scenario file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"scenario file {path} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise InputError(f"scenario file {path} must hold a mapping at the top level")
    return data


def load_scenario(path: str | Path | None = None) -> Scenario:
    """A scenario by path or by shipped name ('default', '2022'); None means 'default'."""
    if path is None:
        path = "default"
    p = Path(path)
    if not p.exists() and (SCENARIOS / f"{path}.yaml").exists():
        p = SCENARIOS / f"{path}.yaml"
    data = _read(p)
    parent = data.get("extends", None if p.name == "default.yaml" and p.parent == SCENARIOS else "default")
    if parent:
        base = load_scenario(parent).raw
        data = _merge(base, {k: v for k, v in data.items() if k != "extends"})
    _check(data, p)
    return Scenario(name=str(data.get("name", p.stem)), raw=data, path=str(p))


def _check(data: dict, path: Path) -> None:
    """Fail early, with one line, on values that would make the simulation meaningless."""
    try:
        for shock in data.get("shocks") or []:
            if "month" not in shock:
                raise InputError(f"{path}: every shock needs a month")
            for key in ("index", "vacancies"):
                if key in shock and float(shock[key]) <= 0:
                    raise InputError(f"{path}: shock {key} must be > 0")
        for rule in data.get("mobility") or []:
            share = float(rule.get("share", 0))
            if not 0 <= share <= 1:
                raise InputError(f"{path}: mobility share must be within 0..1, got {share}")
            for m in rule.get("profile") or {}:
                month_index(m)
            cats = rule.get("categories", "all")
            if cats != "all" and not all(
                str(c) == "it" or str(c).isdigit() for c in (cats if isinstance(cats, list) else [cats])
            ):
                raise InputError(
                    f"{path}: mobility categories must be 'all' or a list of hh category ids and 'it', got {cats!r}"
                )
        idx = data.get("index") or {}
        if float(idx.get("default", 4.0)) <= 0:
            raise InputError(f"{path}: index.default must be > 0")
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path}: bad value ({exc})") from exc
