"""Explanations on a tiny hand-written scenario; every number with its arithmetic.

Competencies: integritas, kerjasama, komunikasi (columns c.*).
P (level 3, 2 seats) requires integritas 4, kerjasama 3 (komunikasi 0 = not required).
Q (level 4, III/c-IV/b) requires integritas 3, kerjasama 3, komunikasi 3.
R is abolished (headcount 0).
"""

from __future__ import annotations

import copy

from solver.diff import plan_diff
from solver.eligibility import build_problem
from solver.review.explain import explain_plans
from solver.scenario import Pair
from tests.review.helpers import emp, nip, pos, scenario


def _scenario(tmp_path):
    positions = [
        pos("P", headcount=2, **{"c.integritas": 4, "c.kerjasama": 3, "c.komunikasi": 0}),
        pos("Q", level=4, grade_min="III/c", grade_max="IV/b",
            **{"c.integritas": 3, "c.kerjasama": 3, "c.komunikasi": 3}),
        pos("R", headcount=0),
    ]
    employees = [
        # tenure 2020-01-01 -> 2027-01-02: 12*7 + 0 = 84 >= 60: rotation due
        emp(1, grade="III/c", current_position="P", position_since="2020-01-01",
            performance="sangat_baik", potential="tinggi",
            **{"c.integritas": 2, "c.kerjasama": 5, "c.komunikasi": 3}),
        emp(2, current_level=3, **{"c.integritas": 4, "c.kerjasama": 2}),  # unplaced
        emp(3, grade="III/a", current_position="R", position_since="2025-01-01"),  # abolished
    ]
    assessments = [{"nip": nip(2), "position": "P", "score": 6500}]
    return scenario(tmp_path, employees, positions, assessments,
                    locks=[{"nip": nip(3), "position": "P"}])


def _doc():
    plan1 = [
        {"nip": nip(1), "position": "Q", "from": "P"},
        {"nip": nip(2), "position": "P", "from": None},
        {"nip": nip(3), "position": "P", "from": "R"},
    ]
    plan2 = [
        {"nip": nip(1), "position": "P", "from": "P"},
        {"nip": nip(3), "position": "P", "from": "R"},
    ]
    return {"plans": [{"rank": 1, "objective": 100, "assignments": plan1},
                      {"rank": 2, "objective": 40, "assignments": plan2}]}


def test_explanation_fields(tmp_path):
    sc = _scenario(tmp_path)
    assert sc.locks == (Pair(nip(3), "P"),)
    doc = explain_plans(_doc(), sc, build_problem(sc))
    by = {(a["nip"], a["position"]): a for p in doc["plans"] for a in p["assignments"]}

    # e1 -> Q (promotion 3 -> 4): min(2,3) + min(5,3) + min(3,3) = 8 of 3+3+3 = 9:
    # floor(80000/9) = 8888 -> MS (>= 8000). Gap: integritas 2 < 3.
    a = by[(nip(1), "Q")]
    assert a["from"] == "P" and a["nip"] == nip(1)  # existing fields untouched
    assert a["jpm"] == 8888 and a["band"] == "MS" and a["mapping"] is None
    assert a["fit_source"] == "competency" and a["fit"] == 8888
    assert a["gaps"] == [{"competency": "integritas", "required": 3, "actual": 2}]
    assert a["training"] == ["Pelatihan integritas: naik dari level 2 ke 3"]
    assert a["reasons"] == ["rotation_due", "promotion"]
    # score = fit 8888 + talent bonus box 9 (1000) - move 300 + vacancy 5000 = 14588
    assert a["score"] == 14588

    # e1 stays in P: min(2,4) + min(5,3) = 5 of 4+3 = 7: floor(50000/7) = 7142,
    # a stay gets the mapping band: 7142 < 7800 -> Kurang Optimal; no filling band.
    a = by[(nip(1), "P")]
    assert a["jpm"] == 7142 and a["band"] is None and a["mapping"] == "Kurang Optimal"
    assert a["gaps"] == [{"competency": "integritas", "required": 4, "actual": 2}]
    assert a["reasons"] == ["stays", "rotation_due"]

    # e2 (unplaced) -> P: min(4,4) + min(2,3) = 6 of 7: floor(60000/7) = 8571 -> MS,
    # but the assessment score 6500 is the fit.
    a = by[(nip(2), "P")]
    assert a["jpm"] == 8571 and a["band"] == "MS"
    assert a["fit_source"] == "assessment" and a["fit"] == 6500
    assert a["gaps"] == [{"competency": "kerjasama", "required": 3, "actual": 2}]
    assert a["reasons"] == ["returning_employee"]

    # e3 (abolished R, locked into P): nothing assessed: 0 of 7 -> 0, KMS (< 6800).
    a = by[(nip(3), "P")]
    assert a["jpm"] == 0 and a["band"] == "KMS"
    assert a["gaps"] == [{"competency": "integritas", "required": 4, "actual": 0},
                         {"competency": "kerjasama", "required": 3, "actual": 0}]
    assert a["training"] == [
        "Pelatihan integritas: naik dari belum dinilai (level 0) ke 4",
        "Pelatihan kerjasama: naik dari belum dinilai (level 0) ke 3",
    ]
    assert a["reasons"] == ["abolished_post", "locked"]


def test_explanations_are_deterministic(tmp_path):
    sc = _scenario(tmp_path)
    problem = build_problem(sc)
    assert explain_plans(_doc(), sc, problem) == explain_plans(copy.deepcopy(_doc()), sc, problem)


def test_plan_diff(tmp_path):
    doc = explain_plans(_doc(), _scenario(tmp_path), build_problem(_scenario(tmp_path / "b")))
    diff = doc["plans"][1]["diff"]
    assert diff == plan_diff(doc["plans"][0], doc["plans"][1])
    assert diff["vs_rank"] == 1
    assert diff["objective_delta"] == 40 - 100
    assert diff["elsewhere"] == [{"nip": nip(1), "from": "P", "in_a": "Q", "in_b": "P"}]
    # plan 1 moves: e1 -> Q, e2 -> P, e3 -> P; plan 2 moves: e3 -> P only
    assert [(m["nip"], m["position"]) for m in diff["moves_dropped"]] == [
        (nip(1), "Q"), (nip(2), "P")]
    assert diff["moves_added"] == []
    assert diff["only_in_a"] == [nip(2)] and diff["only_in_b"] == []
    assert "diff" not in doc["plans"][0]
