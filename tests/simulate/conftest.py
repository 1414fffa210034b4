"""One small simulation of the 2022 scenario shared by the simulator's tests (several chunks)."""

from __future__ import annotations

import pytest

from kadry.simulate import simulate

N_VACANCIES = 4000
N_RESUMES = 16000
SEED = 11


@pytest.fixture(scope="session")
def sim2022(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim2022")
    summary = simulate(out, N_VACANCIES, N_RESUMES, "2021-01", "2022-12", SEED, "2022", jsonl=True, chunk_size=1500)
    return out, summary
