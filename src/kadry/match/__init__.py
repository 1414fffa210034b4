"""kadry.match: vacancies for a job seeker and job seekers for a vacancy, ranked and explained.

Candidates come from an approximate nearest-neighbour index over a lexical text model that
works on Russian and English titles and skills; each candidate is then scored exactly on
occupation/title, skills, salary, place and experience (never age or gender), with hard
constraints that exclude and soft ones that lower the score. docs/matching.md has the detail.
"""

from kadry.match.api import check_key, match_for_resume, match_for_vacancy
from kadry.match.config import MatchConfig, load_config
from kadry.match.engine import Match, Matcher, MatchResult
from kadry.match.index import MatchIndex
from kadry.match.keys import create_key, list_keys, revoke_key
from kadry.match.score import PairScore, score_pair

__all__ = [
    "Matcher",
    "Match",
    "MatchResult",
    "MatchIndex",
    "MatchConfig",
    "load_config",
    "PairScore",
    "score_pair",
    "check_key",
    "create_key",
    "list_keys",
    "revoke_key",
    "match_for_resume",
    "match_for_vacancy",
]
