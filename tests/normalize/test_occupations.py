"""Roles: the 2024 dictionary, primary categories, the ISCO-08 crosswalk and the IT segment."""

from __future__ import annotations

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
