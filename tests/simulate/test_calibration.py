"""The shipped calibration is complete, and rebuilding it from the shared data gives the same fit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kadry.config import shared_data
from kadry.errors import ConfigError
from kadry.simulate import calibrate
from kadry.simulate.calibrate import CALIBRATION_PATH
from kadry.simulate.model import load_calibration


def test_simulator_and_normalization_share_one_role_table():
    """Every simulated role has the primary category and IT segment normalization gives it."""
    from kadry.normalize.occupations import roles

    cal = load_calibration()
    table = roles()
    assert set(cal.role_ids) == set(table)
    wrong = [
        (rid, cat, table[rid].primary_category)
        for rid, cat, it in zip(cal.role_ids, cal.role_cat, cal.role_is_it)
        if (cat, bool(it)) != (table[rid].primary_category, table[rid].is_it)
    ]
    assert wrong == []


def test_shipped_calibration_is_complete():
    cal = load_calibration()
    assert len(cal.role_ids) == 174 and len(cal.categories) == 27
    assert np.isclose(cal.role_share.sum(), 1) and np.isclose(cal.area_share.sum(), 1)
    assert {"1", "2", "160", "2758", "13", "146", "94"} <= set(cal.area_ids)
    pmf = cal.data["vacancy"]["lifetime"]["pmf"]
    assert abs(sum(pmf) - 1) < 1e-4 and len(pmf) == 91 and min(pmf) >= 0
    assert len(cal.data["resume"]["age"]) == len(cal.data["resume"]["salary"]) > 10000
    assert all(c in cal.data["sources"] for c in ("areas", "resume age, experience, desired salary"))
    # Moscow is its own federal subject in Russia; Almaty is in Kazakhstan; Armenia is a country
    subj = dict(zip(cal.area_ids, cal.area_subject))
    country = dict(zip(cal.area_ids, cal.area_country))
    assert (subj["1"], country["1"], country["160"], country["13"]) == ("1", "113", "40", "13")


@pytest.mark.shared
def test_recalibration_reproduces_the_shipped_file(tmp_path):
    if shared_data() is None:
        pytest.skip("needs ../shared/data (KADRY_SHARED_DATA)")
    fresh = calibrate(shared_data(), tmp_path / "cal.json")
    shipped = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    for key in ("roles", "areas", "vacancy", "resume", "reference", "counts"):
        assert fresh[key] == shipped[key], key


def test_calibrate_without_data_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KADRY_SHARED_DATA", str(tmp_path / "absent"))
    with pytest.raises(ConfigError, match="needs the shared real data"):
        calibrate(None, tmp_path / "cal.json")
