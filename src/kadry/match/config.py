"""How a match is scored: weights of the soft parts, which constraints are hard, index knobs.

Defaults live here; a TOML file (``kadry match --config FILE``) overrides any of them, e.g.::

    [weights]
    title = 0.5
    salary = 0.05

    [hard]
    relocation_abroad = true
    max_experience_gap = 2

Age band and gender are deliberately absent: they are never inputs to a score.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kadry.errors import ConfigError

__all__ = ["Weights", "HardConstraints", "SoftRules", "IndexSettings", "MatchConfig", "load_config"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Weights(_Strict):
    """Weights of the score's parts; they are normalized to sum to one."""

    title: float = Field(default=0.45, ge=0)
    skills: float = Field(default=0.20, ge=0)
    salary: float = Field(default=0.12, ge=0)
    place: float = Field(default=0.13, ge=0)
    experience: float = Field(default=0.10, ge=0)


class HardConstraints(_Strict):
    """Constraints that exclude a pair outright (the rest only lower the score)."""

    #: on-site work in another country for someone not ready to relocate there
    relocation_abroad: bool = True
    #: on-site work in another region of the same country for someone not ready to relocate
    relocation_region: bool = False
    #: exclude when the person lacks this many experience bands or more (None: never)
    max_experience_gap: int | None = None
    #: exclude when the expected salary exceeds the top of the offer by this share (None: never)
    max_salary_excess: float | None = None
    #: only vacancies not closed/archived
    open_only: bool = True
    #: skip records marked as duplicates of another (dup_of set)
    skip_duplicates: bool = True
    #: a pair whose title similarity is below this is not a match at all
    min_title_similarity: float = Field(default=0.0, ge=0, le=1)


class SoftRules(_Strict):
    """Shapes of the soft parts."""

    #: value of a part that cannot be judged (a missing salary, unknown region)
    unknown: float = Field(default=0.5, ge=0, le=1)
    #: expected salary this share above the offer's top scores 0
    salary_tolerance: float = Field(default=0.5, gt=0)
    #: place part when the vacancy is elsewhere in the country and the person would move
    relocate_region: float = Field(default=0.7, ge=0, le=1)
    #: place part when the vacancy is elsewhere in the country and the person would not move
    other_region: float = Field(default=0.15, ge=0, le=1)
    #: place part for work abroad when the person is ready to move there
    relocate_abroad: float = Field(default=0.5, ge=0, le=1)
    #: experience part per band the person lacks
    experience_step: float = Field(default=0.5, ge=0, le=1)
    #: experience part lost per band of over-qualification beyond one
    overqualified_step: float = Field(default=0.1, ge=0, le=1)
    #: how far the occupation part moves from the title similarity toward 1 for a candidate
    #: whose hh role agrees with the query's (its own role when known, else the roles of its
    #: nearest titles among the candidates): +16 points of precision@10 on hh roles
    role_weight: float = Field(default=1.0, ge=0, le=1)
    #: nearest candidates whose roles vote for the query's occupation
    role_neighbours: int = Field(default=50, ge=1)
    #: votes are weighted by title similarity to this power (near titles count far more)
    role_power: float = Field(default=4.0, ge=0)


class IndexSettings(_Strict):
    """The approximate nearest-neighbour index (hnswlib, cosine)."""

    dim: int = Field(default=128, ge=8, le=1024)
    M: int = Field(default=16, ge=4, le=96)
    ef_construction: int = Field(default=100, ge=10)
    ef_search: int = Field(default=128, ge=10)
    #: candidates taken from the index per wanted match, before exact re-ranking
    candidates_per_match: int = Field(default=10, ge=1)
    min_candidates: int = Field(default=200, ge=1)
    #: records sampled to fit the text model on the first build
    fit_sample: int = Field(default=100_000, ge=100)


class MatchConfig(_Strict):
    weights: Weights = Weights()
    hard: HardConstraints = HardConstraints()
    soft: SoftRules = SoftRules()
    index: IndexSettings = IndexSettings()


def load_config(path: str | Path | None = None) -> MatchConfig:
    """Defaults, overridden by a TOML file when given; a bad file is a one-line ConfigError."""
    if path is None:
        return MatchConfig()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"match config {p} does not exist", path=str(p)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"match config {p} is not valid TOML: {exc}", path=str(p)) from None
    try:
        return MatchConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"match config {p}: {where}: {first['msg']}", path=str(p)) from None
