"""Roles: the 2024 dictionary, primary categories, the ISCO-08 crosswalk and the IT segment."""

from __future__ import annotations

import csv
import json

from kadry.normalize.occupations import IT_ROLES, categories, primary_role, role, roles


def test_dictionary_size_and_categories():
    assert len(roles()) == 174
    assert len(categories()) == 27
    for r in roles().values():
        assert r.primary_category in r.categories
        assert set(r.categories) <= set(categories())


def test_every_role_has_an_isco_sub_major_group():
    valid = {f"{i:02d}" for i in (1, 2, 3)} | {str(i) for i in range(11, 97) if i % 10 != 0}
    for r in roles().values():
        if r.role_id == "40":  # "Другое" says nothing about the work
            assert r.isco2 is None
        else:
            assert r.isco2 in valid, (r.role_id, r.name, r.isco2)
    assert role("96").isco2 == "25"  # programmers are ICT professionals
    assert role("24").isco2 == "22"  # doctors are health professionals


def test_it_segment_is_category_11_whatever_the_primary_category():
    assert len(IT_ROLES) == 25
    assert role("96").is_it and role("96").primary_category == "11"
    cio = role("36")
    assert cio.is_it and cio.primary_category == "26"  # a manager first, but in the IT segment
    assert not role("24").is_it


def test_primary_role_of_a_record():
    assert primary_role(["96", "104"]) == "96"
    assert primary_role(["999", "96"]) == "96"  # first role the dictionary knows
    assert primary_role(["182"]) == "182"  # a newer role kept as given
    assert primary_role([]) is None and primary_role(None) is None
    assert role(96) is role("96") and role("0") is None


def test_dictionary_matches_hh(shared):
    data = json.loads((shared / "dictionaries/hh-2024-12/professional_roles.json").read_text(encoding="utf-8"))
    for c in data["categories"]:
        for r in c["roles"]:
            assert c["id"] in role(r["id"]).categories
            assert role(r["id"]).name == r["name"]


# --- one occupation dimension for every source -------------------------------------------------
def test_hh_roles_from_the_source_win():
    from kadry.normalize.occupations import code_occupation, crosswalk_version

    o = code_occupation("hh", "Повар", role_ids=["96"])
    assert (o.role_id, o.isco2, o.method, o.confidence) == ("96", "25", "source", 1.0)
    assert o.crosswalk_version == crosswalk_version() and o.crosswalk_version.startswith("occ1+")


def test_portal_records_by_title_then_code_then_typical_position():
    from kadry.normalize.occupations import code_occupation

    by_title = code_occupation("trudvsem", "Водитель погрузчика", "100841")
    assert by_title.method == "title" and by_title.role_id == "21" and by_title.isco2 == role("21").isco2
    # no usable title: the code's crosswalk entry (built from the portal's names by the model)
    by_code = code_occupation("trudvsem", "", "103759")
    assert by_code.method == "crosswalk" and by_code.role_id == "94"  # Повар, пекарь, кондитер
    # neither: the portal's typical-position name
    typ = code_occupation("trudvsem", None, "999999", typical_position="Продавец-консультант")
    assert typ.method == "typical_position" and typ.role_id == "97"
    unk = code_occupation("trudvsem", "!!!", "999999", typical_position="Ничего не выбрано")
    assert unk.method == "unknown" and unk.role_id is None and unk.isco2 is None


def test_overrides_are_editable_and_change_the_version(tmp_path, monkeypatch):
    import shutil

    from kadry.normalize import occupations as occ

    base = tmp_path / "res"
    shutil.copytree(occ.RES, base)
    v0 = occ.crosswalk_version(base)
    with open(base / "occupation_overrides.csv", "a", encoding="utf-8") as f:
        f.write("trudvsem,103759,,24,test: cooks are doctors here\n")
    assert occ.crosswalk_version(base) != v0
    monkeypatch.setattr(occ, "OVERRIDES_PATH", base / "occupation_overrides.csv")
    occ.crosswalk.cache_clear()
    try:
        o = occ.code_occupation("trudvsem", "Повар", "103759")
        assert (o.role_id, o.method) == ("24", "override")  # an override beats even the title
    finally:
        occ.crosswalk.cache_clear()


def test_a_bad_override_is_a_clear_error(tmp_path):
    import pytest

    from kadry.errors import ConfigError
    from kadry.normalize.occupations import _read_overrides

    p = tmp_path / "o.csv"
    p.write_text("source,code,name,role_id,note\ntrudvsem,1,,abc,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2: role_id 'abc'"):
        _read_overrides(p)


def test_crosswalk_covers_every_known_portal_code_and_agrees_with_the_hand_check():
    from kadry.normalize.occupations import (
        CROSSWALK_PATH,
        PROFESSIONS_PATH,
        RES,
        crosswalk,
    )

    codes = {r["code"] for r in csv.DictReader(open(PROFESSIONS_PATH, encoding="utf-8"))}  # noqa: SIM115
    shipped = {r["code"] for r in csv.DictReader(open(CROSSWALK_PATH, encoding="utf-8"))}  # noqa: SIM115
    assert codes == shipped
    check = list(csv.DictReader(open(RES / "occupation_crosswalk_check.csv", encoding="utf-8")))  # noqa: SIM115
    assert len(check) == len(codes)
    cw = crosswalk()
    agree = sum((cw[("trudvsem", r["code"])][0] or "") == r["role_id"] for r in check)
    assert agree / len(check) >= 0.85, agree
