"""The training plan after placement (solver/talent/training.py), computed by hand."""

from __future__ import annotations

from solver.talent.training import training_plan
from tests.review.helpers import emp, nip, pos, scenario


def _akp(folder):
    """Posts A (unit U: integritas 3, komunikasi 2), B (unit V: integritas 4, kerjasama 2),
    C (unit U: nothing required). The plan: 1 stays in A, 2 moves C -> A, 3 (unplaced)
    goes to B, 4 moves C -> B, 5 stays in C.

    jpm = floor(10000 · Σ min(a, r) / Σ r):
    1 in A: (2 + 2) / 5 -> 8000, needs integritas 2 -> 3 (gap 1); a stay, not priority
    2 in A: (1 + 0) / 5 -> 2000, needs integritas 1 -> 3 (2), komunikasi 0 -> 2 (2); a move
            below 8000: priority
    3 in B: (4 + 1) / 6 -> 8333, needs kerjasama 1 -> 2 (1); a move at >= 8000: not priority
    4 in B: (3 + 0) / 6 -> 5000, needs integritas 3 -> 4 (1), kerjasama 0 -> 2 (2); priority
    5 in C: nothing required, no need
    """
    posts = [pos("A", unit="U", headcount=2, **{"c.integritas": 3, "c.komunikasi": 2}),
             pos("B", unit="V", headcount=2, **{"c.integritas": 4, "c.kerjasama": 2}),
             pos("C", unit="U", headcount=3)]
    people = [
        emp(1, current_position="A", position_since="2020-01-01",
            **{"c.integritas": 2, "c.komunikasi": 2}),
        emp(2, current_position="C", position_since="2020-01-01", **{"c.integritas": 1}),
        emp(3, current_level=3, **{"c.integritas": 4, "c.kerjasama": 1}),
        emp(4, current_position="C", position_since="2020-01-01", **{"c.integritas": 3}),
        emp(5, current_position="C", position_since="2020-01-01"),
    ]
    sc = scenario(folder, people, posts)
    plan = [{"nip": nip(1), "position": "A", "from": "A"},
            {"nip": nip(2), "position": "A", "from": "C"},
            {"nip": nip(3), "position": "B", "from": None},
            {"nip": nip(4), "position": "B", "from": "C"},
            {"nip": nip(5), "position": "C", "from": "C"}]
    return sc, plan


def test_courses_in_order_with_participants(tmp_path):
    sc, plan = _akp(tmp_path)
    akp = training_plan(sc, plan, rank=1)
    # integritas: 1 (gap 1), 2 (gap 2, priority), 4 (gap 1, priority): 3 people, 2 priority,
    #   total gap 4
    # kerjasama: 3 (gap 1), 4 (gap 2, priority): 2 people, 1 priority, gap 3
    # komunikasi: 2 (gap 2, priority): 1 person, 1 priority, gap 2
    # Order: priority people 2 > 1 = 1; the tie goes to more people: kerjasama (2) first.
    assert [(c["competency"], c["people"], c["priority_people"], c["total_gap"])
            for c in akp["courses"]] == [("integritas", 3, 2, 4), ("kerjasama", 2, 1, 3),
                                         ("komunikasi", 1, 1, 2)]
    # participants: priority first, then larger gap, then NIP
    integritas = akp["courses"][0]["participants"]
    assert [(x["nip"], x["gap"], x["priority"]) for x in integritas] == [
        (nip(2), 2, True), (nip(4), 1, True), (nip(1), 1, False)]
    assert integritas[0] == {"nip": nip(2), "position": "A", "unit": "U", "actual": 1,
                             "target": 3, "gap": 2, "priority": True}
    assert akp["rank"] == 1


def test_per_competency_and_unit(tmp_path):
    sc, plan = _akp(tmp_path)
    akp = training_plan(sc, plan)
    # integritas in U: 1 and 2 (gaps 1 + 2 = 3); in V: 4 (1); kerjasama in V: 3 and 4
    # (1 + 2 = 3); komunikasi in U: 2 (2). Course order, then unit name.
    assert [(c["competency"], c["unit"], c["people"], c["total_gap"]) for c in akp["by_unit"]] == [
        ("integritas", "U", 2, 3), ("integritas", "V", 1, 1), ("kerjasama", "V", 2, 3),
        ("komunikasi", "U", 1, 2)]


def test_per_person_priority_movers_first(tmp_path):
    sc, plan = _akp(tmp_path)
    people = training_plan(sc, plan)["people"]
    # priority (2: jpm 2000, 4: 5000) by jpm, then the others by jpm (1: 8000, 3: 8333);
    # 5 needs nothing and is not listed
    assert [(p["nip"], p["jpm"], p["priority"], p["move"]) for p in people] == [
        (nip(2), 2000, True, True), (nip(4), 5000, True, True), (nip(1), 8000, False, False),
        (nip(3), 8333, False, True)]
    assert people[0]["needs"] == [
        {"competency": "integritas", "actual": 1, "target": 3, "gap": 2},
        {"competency": "komunikasi", "actual": 0, "target": 2, "gap": 2}]
    # needs in course order: integritas (course 1) before kerjasama (course 2)
    assert [n["competency"] for n in people[1]["needs"]] == ["integritas", "kerjasama"]
    assert people[3]["from"] is None and people[3]["unit"] == "V"


def test_everyone_at_standard_means_no_courses(tmp_path):
    sc = scenario(tmp_path, [emp(1, current_position="A", position_since="2020-01-01",
                                 **{"c.integritas": 5})], [pos("A", **{"c.integritas": 4})])
    akp = training_plan(sc, [{"nip": nip(1), "position": "A", "from": "A"}])
    assert akp == {"rank": None, "courses": [], "by_unit": [], "people": []}
