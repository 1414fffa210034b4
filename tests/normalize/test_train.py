"""Retraining from a user's labelled titles: the pinned held-out split guards the shipped model."""

from __future__ import annotations

import csv
import shutil

import pytest

from kadry.errors import InputError
from kadry.normalize.classifier import HELDOUT_PATH, MODEL_PATH, TitleClassifier, title_key
from kadry.normalize.train import load_user_rows, train

#: one configuration keeps the test quick; the real run tries the whole grid
GRID = [(0.3, 1.0, 1.0, 1.0)]


def _write(path, rows, header=("title", "role_id", "skills")):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def user_file(tmp_path):
    held = next(csv.DictReader(open(HELDOUT_PATH, encoding="utf-8")))  # noqa: SIM115
    rows = [("Водитель погрузчика", "21", ""), ("Программист 1С", "96", "1С"), ("Повар горячего цеха", "22", ""),
            ("Бухгалтер по расчету заработной платы", "18", ""), (held["title"], held["role_id"], "")]
    return _write(tmp_path / "mine.csv", rows), held["title"]


def test_a_worse_model_does_not_replace_the_current_one(tmp_path, user_file):
    path, _ = user_file
    target = tmp_path / "model.npz"
    shutil.copy(MODEL_PATH, target)
    before = target.read_bytes()
    # five labelled titles alone (no shared data): far worse on the pinned held-out split
    m = train(tmp_path / "no-shared-data", user_files=[path], out_model=target, grid=GRID)
    assert m["replaced"] is False
    assert m["heldout"]["top1_covered"] < m["previous_model_on_heldout"]["top1_covered"]
    assert target.read_bytes() == before
    assert m["heldout"]["n"] == m["previous_model_on_heldout"]["n"] > 1000  # the same pinned rows


def test_force_replaces_and_held_out_titles_never_train(tmp_path, user_file):
    path, held_title = user_file
    target = tmp_path / "model.npz"
    shutil.copy(MODEL_PATH, target)
    m = train(tmp_path / "no-shared-data", user_files=[path], out_model=target, grid=GRID, force=True)
    assert m["replaced"] is True and m["user_rows"] == 5
    assert m["train_rows"] + m["validation_rows"] == 4  # the user's copy of a held-out title was left out
    new = TitleClassifier.load(target)
    assert new.predict(["Водитель погрузчика"])[0].role_id == "21"
    assert title_key(held_title) not in {title_key(t) for t in ("Водитель погрузчика",)}


def test_bad_label_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="columns title and role_id"):
        load_user_rows([_write(tmp_path / "a.csv", [("x", "1")], header=("name", "role"))])
    with pytest.raises(InputError, match="line 2: role_id '9999'"):
        load_user_rows([_write(tmp_path / "b.csv", [("Повар", "9999", "")])])
    with pytest.raises(InputError, match="no labelled file"):
        load_user_rows([tmp_path / "missing.csv"])


def test_cli_train_refuses_bad_labels_in_one_line(tmp_path):
    import os
    import subprocess
    import sys

    bad = _write(tmp_path / "b.csv", [("Повар", "9999", "")])
    res = subprocess.run([sys.executable, "-c", "from kadry.cli import main; main()", "normalize", "train", "--labels",
                          str(bad), "--out", str(tmp_path / "m.npz")], capture_output=True, text=True, env={**os.environ})
    assert res.returncode == 1
    assert "9999" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "m.npz").exists()
