"""Memory does not grow with N: only one chunk and the truth cube are held (not a timed test)."""

from __future__ import annotations

import tracemalloc

import pytest

from kadry.simulate import simulate


def _generation_memory(tmp_path, name: str, n_vac: int, n_res: int) -> tuple[int, int]:
    """(peak, growth) of numpy/Python allocations while chunks stream: after the plan and the
    first chunk, until the last chunk (before the truth is written)."""
    peaks: list[int] = []
    current: list[int] = []

    def progress(side: str, done: int, total: int) -> None:
        if not peaks:
            tracemalloc.reset_peak()
        cur, peak = tracemalloc.get_traced_memory()
        peaks.append(peak)
        current.append(cur)

    tracemalloc.start()
    try:
        simulate(tmp_path / name, n_vac, n_res, "2022-01", "2022-06", 2, chunk_size=1000, progress=progress)
    finally:
        tracemalloc.stop()
    return max(peaks), current[-1] - current[0]


@pytest.mark.slow
def test_peak_memory_is_flat_in_n(tmp_path):
    small, _ = _generation_memory(tmp_path, "small", 2000, 6000)
    large, growth = _generation_memory(tmp_path, "large", 16000, 48000)  # 8x the records, same chunk size
    assert large < 1.2 * small, (small, large)
    assert growth < 2 * 2**20, growth  # nothing kept per chunk (64 chunks here)
