"""Differential-privacy noise on count tables: real noise of the promised size, and a ledger that adds up."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kadry.errors import InputError, StoreError
from kadry.privacy.noise import ledger, noisy_counts, record_spend, spent
from kadry.store import Store


def _table(n: int, value: int | None = None, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    counts = np.full(n, value) if value is not None else rng.poisson(4, n)
    return pd.DataFrame({"origin": [f"RU-{i % 50}" for i in range(n)], "n_moves": counts, "n_movers": counts})


def test_noise_is_real_non_negative_and_leaves_other_columns():
    truth = _table(3000)
    noisy, spend = noisy_counts(truth, ["n_moves"], epsilon=1.0, table="flows:od")
    assert spend.secure and spend.cells == 3000 and spend.epsilon == 1.0
    assert noisy["n_moves"].dtype == np.int64 and (noisy["n_moves"] >= 0).all()
    assert (noisy["n_moves"] != truth["n_moves"]).mean() > 0.3  # most cells moved
    assert noisy["origin"].equals(truth["origin"]) and noisy["n_movers"].equals(truth["n_movers"])


def test_error_shrinks_as_epsilon_grows():
    truth = _table(4000)
    errors = []
    for epsilon in (0.1, 0.5, 2.0, 10.0):
        noisy, _ = noisy_counts(truth, ["n_moves"], epsilon=epsilon)
        errors.append(float((noisy["n_moves"] - truth["n_moves"]).abs().mean()))
    assert errors == sorted(errors, reverse=True) and errors[0] > 5 * errors[2], errors


def test_noise_has_the_spread_of_a_discrete_laplace_at_sensitivity_over_epsilon():
    # far from zero, so that no cell is clipped: the variance is 2 e^(-1/b) / (1 - e^(-1/b))^2, b = Δ/ε
    truth = _table(20_000, value=1000)
    noisy, spend = noisy_counts(truth, ["n_moves", "n_movers"], epsilon=0.5, sensitivity=2)
    assert spend.scale == pytest.approx(4.0, rel=1e-6)
    b = 2 / 0.5
    q = math.exp(-1 / b)
    variance = 2 * q / (1 - q) ** 2
    noise = (noisy[["n_moves", "n_movers"]] - 1000).to_numpy().ravel()
    assert abs(noise.mean()) < 0.15
    assert noise.var() == pytest.approx(variance, rel=0.06)
    assert (np.abs(noise) <= spend.accuracy95).mean() == pytest.approx(0.95, abs=0.01)


def test_seeded_noise_replays_and_is_never_recorded(tmp_path):
    truth = _table(500)
    a, spend = noisy_counts(truth, ["n_moves"], epsilon=1.0, seed=7)
    b, _ = noisy_counts(truth, ["n_moves"], epsilon=1.0, seed=7)
    assert a.equals(b) and not spend.secure
    with Store(tmp_path / "k.duckdb") as store, pytest.raises(InputError, match="seeded"):
        record_spend(store, spend, release="r1")


def test_the_ledger_persists_every_spend_and_sums_them(tmp_path):
    path = tmp_path / "k.duckdb"
    truth = _table(200)
    with Store(path) as store:
        assert spent(store) == 0.0 and ledger(store).empty
        for release, table, epsilon in [
            ("r1", "flows:od", 0.5),
            ("r1", "flows:balance", 0.25),
            ("r2", "flows:od", 1.0),
        ]:
            _, spend = noisy_counts(truth, ["n_moves"], epsilon=epsilon, table=table)
            record_spend(store, spend, release=release)
    with Store(path, read_only=True) as store:  # what the API reads
        rows = ledger(store)
        assert list(rows["table_name"]) == ["flows:od", "flows:balance", "flows:od"]
        assert list(rows["epsilon_total"]) == pytest.approx([0.5, 0.75, 1.75])
        assert spent(store) == pytest.approx(1.75) and spent(store, "r1") == pytest.approx(0.75)
        assert set(rows["mechanism"]) == {"discrete_laplace"} and (rows["cells"] == 200).all()
        with pytest.raises(StoreError, match="read-only"):
            record_spend(store, spend, release="r3")


@pytest.mark.parametrize(
    "frame, epsilon, message",
    [
        (pd.DataFrame({"n_moves": [1, None]}), 1.0, "nulls"),
        (pd.DataFrame({"n_moves": [1, -2]}), 1.0, "non-negative integers"),
        (pd.DataFrame({"n_moves": [1.5, 2]}), 1.0, "non-negative integers"),
        (pd.DataFrame({"other": [1]}), 1.0, "no count column"),
        (pd.DataFrame({"n_moves": [1]}), 0.0, "positive"),
        (pd.DataFrame({"n_moves": [1]}), float("nan"), "positive"),
    ],
)
def test_bad_tables_and_budgets_are_refused(frame, epsilon, message):
    with pytest.raises(InputError, match=message):
        noisy_counts(frame, ["n_moves"], epsilon=epsilon)
