"""Section 9 in the engine's pairs and scores (solver/eligibility.py), rule by rule.

Each rule has a feasible and an infeasible case; expected objectives come with their
arithmetic. Default weights: fit 1, education 1000, talent 1, move 300, vacancy 5000,
overstay 20000; no competencies, so every fit is 10000.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from solver.check import check_plan
from solver.eligibility import _Lookups, build_problem, derive, fit_multipliers
from solver.solve import solve
from tests.builders import write_table
from tests.review.helpers import emp, nip, pos, scenario

E1, E2, E3 = nip(1), nip(2), nip(3)


def _round(tmp_path: Path, preferences=(), units=(), positions=None, **config):
    """Unit U: A, B; unit V: C (all level 3, one seat). e1 holds A, e2 holds B, both
    since 2023-01-01 (48 months: may move, no overstay); e3 is unplaced at level 3.
    max_unit_turnover 1 unless given."""
    employees = [emp(1, current_position="A", position_since="2023-01-01"),
                 emp(2, current_position="B", position_since="2023-01-01"),
                 emp(3, current_level=3)]
    files = {}
    if preferences:
        files["preferences"] = write_table(tmp_path, "preferences.csv", list(preferences))
    if units:
        files["units"] = write_table(tmp_path, "units.csv", list(units))
    config["rules"] = {"max_unit_turnover": 1, **dict(config.get("rules") or {})}
    return scenario(tmp_path, employees,
                    positions or [pos("A"), pos("B"), pos("C", unit="V")], **files, **config)


def _pairs(sc) -> set[tuple[str, str]]:
    problem = build_problem(sc)
    return {(str(problem.nips[e]), str(problem.position_ids[p]))
            for e, p in zip(problem.pairs.emp, problem.pairs.pos, strict=True)}


def _plan(result) -> set[tuple[str, str]]:
    return {(a.nip, a.position) for a in result.plans[0].assignments}


# ----------------------------------------------------------------- pref(e,p), weights.preference


def test_preference_points_lookup(tmp_path):
    sc = _round(tmp_path, [{"nip": E1, "position": "C", "rank": 1},
                           {"nip": E3, "position": "A", "rank": 5}])
    look = _Lookups(derive(sc))
    e, p = np.array([0, 2, 2, 1]), np.array([2, 0, 1, 2])
    assert look.preference(e, p).tolist() == [5, 1, 0, 0]  # 6 - 1, 6 - 5, unlisted, unlisted
    assert look.listed(e, p).tolist() == [True, True, False, False]


def test_preference_weight_moves_the_optimum(tmp_path):
    # stay = 10000 + 5000 = 15000; move = 10000 - 300 + 5000 = 14700 (+ 1000 * pref)
    # Without preferences: both stay, e3 takes the vacant C: 15000*2 + 14700 - 15000 = 29700.
    assert solve(_round(tmp_path / "plain")).plans[0].objective == 29700
    # e1 asks for C, e3 for A (both rank 1, pref 5): e1 -> C and e3 -> A score
    # 19700 each, e2 stays: 19700*2 + 15000 - 15000 = 39400.
    prefs = [{"nip": E1, "position": "C", "rank": 1}, {"nip": E3, "position": "A", "rank": 1}]
    sc = _round(tmp_path, prefs, weights={"preference": 1000})
    result = solve(sc)
    assert result.status == "OPTIMAL"
    assert _plan(result) == {(E1, "C"), (E3, "A"), (E2, "B")}
    assert result.plans[0].objective == 39400
    assert check_plan(sc, _plan(result)).objective == 39400


def test_preference_weight_zero_is_byte_for_byte_the_default(tmp_path):
    prefs = [{"nip": E1, "position": "C", "rank": 1}]
    plain = build_problem(_round(tmp_path / "a"))
    listed = build_problem(_round(tmp_path / "b", prefs))
    assert np.array_equal(plain.pairs.score, listed.pairs.score)
    assert np.array_equal(plain.pairs.emp, listed.pairs.emp)


# ----------------------------------------------------------------- rule 4.9 voluntary_moves


def test_voluntary_moves_keeps_only_requested_moves(tmp_path):
    prefs = [{"nip": E1, "position": "C", "rank": 1}]
    sc = _round(tmp_path, prefs, rules={"voluntary_moves": True})
    # e1: stay A + asked C; e2: stay B only; e3 (candidate): asked nothing, no pair
    assert _pairs(sc) == {(E1, "A"), (E1, "C"), (E2, "B")}
    off = _round(tmp_path / "off", prefs)
    assert (E2, "C") in _pairs(off) and (E3, "A") in _pairs(off)


def test_voluntary_round_feasible_when_someone_asked(tmp_path):
    # C is must-fill and vacant; e3 asked for it
    positions = [pos("A"), pos("B"), pos("C", unit="V", must_fill=True)]
    sc = _round(tmp_path, [{"nip": E3, "position": "C", "rank": 2}], positions=positions,
                rules={"voluntary_moves": True})
    result = solve(sc)
    assert result.status == "OPTIMAL"
    assert (E3, "C") in _plan(result)


def test_voluntary_round_infeasible_names_the_post_nobody_asked_for(tmp_path):
    positions = [pos("A"), pos("B"), pos("C", unit="V", must_fill=True)]
    sc = _round(tmp_path, [{"nip": E3, "position": "A", "rank": 1}], positions=positions,
                rules={"voluntary_moves": True})
    result = solve(sc)
    assert result.status == "INFEASIBLE" and result.plans == []
    (reason,) = result.infeasibility
    assert reason.startswith("C (Jabatan C, V) must be filled but nobody is eligible")
    assert "none of them asked for C in the preferences table" in reason
    assert "nobody asked for C; add a preference for it or set voluntary_moves to false" in reason
    # the same round with voluntary_moves off is feasible
    assert solve(_round(tmp_path / "off", [{"nip": E3, "position": "A", "rank": 1}],
                        positions=positions)).status == "OPTIMAL"


def test_voluntary_round_whoever_must_move_goes_anywhere(tmp_path):
    # A is abolished: e1 has no stay pair and may take any post rules 1-8 allow
    positions = [pos("A", headcount=0), pos("B"), pos("C", unit="V")]
    sc = _round(tmp_path, positions=positions, rules={"voluntary_moves": True})
    assert {(E1, "B"), (E1, "C")} <= _pairs(sc)
    assert (E2, "C") not in _pairs(sc)  # e2 can stay: moves only on request
    result = solve(sc)
    assert result.status == "OPTIMAL" and (E1, "C") in _plan(result)


def test_voluntary_round_forbidden_stay_must_move(tmp_path):
    sc = _round(tmp_path, rules={"voluntary_moves": True}, forbid=[{"nip": E2, "position": "B"}])
    assert (E2, "C") in _pairs(sc) and (E2, "A") in _pairs(sc)
    assert (E1, "C") not in _pairs(sc)


def test_voluntary_round_lock_always_exists(tmp_path):
    sc = _round(tmp_path, rules={"voluntary_moves": True}, locks=[{"nip": E3, "position": "C"}])
    assert (E3, "C") in _pairs(sc)
    assert (E3, "C") in _plan(solve(sc))


# ----------------------------------------------------------------- IKM fit multiplier


@pytest.mark.parametrize(("ikm", "rules", "expected"), [
    ("76.60", {"low_ikm_fit_multiplier": 3}, [1, 1, 3]),  # 76.60 < 76.61: C multiplied
    ("76.61", {"low_ikm_fit_multiplier": 3}, [1, 1, 1]),  # equal is not below
    ("76.61", {"low_ikm_fit_multiplier": 3, "low_ikm_below": 76.62}, [1, 1, 3]),
    ("40", {}, [1, 1, 1]),  # default multiplier 1
])
def test_fit_multipliers_exact(tmp_path, ikm, rules, expected):
    sc = _round(tmp_path, units=[{"unit": "V", "ikm": ikm}], rules=rules)
    assert fit_multipliers(sc).tolist() == expected


def test_low_ikm_unit_gets_the_stronger_candidate(tmp_path):
    # Two vacant posts, one seat each: X in unit U (IKM 90), Y in unit V (IKM 70, grade C).
    # e1 meets both at 10000 (integritas 4), e2 at 5000 (integritas 2). Both unplaced.
    comps = {"c.integritas": 4}
    employees = [emp(1, current_level=3, **{"c.integritas": 4}),
                 emp(2, current_level=3, **{"c.integritas": 2})]
    positions = [pos("X", **comps), pos("Y", unit="V", **comps)]
    units = write_table(tmp_path, "units.csv", [{"unit": "U", "ikm": "90"}, {"unit": "V", "ikm": "70"}])
    plain = solve(scenario(tmp_path, employees, positions, units=units))
    sc = scenario(tmp_path, employees, positions, units=units,
                  rules={"low_ikm_fit_multiplier": 2})
    result = solve(sc)
    # multiplier 2 on Y: e1->Y, e2->X = 2*10000 + 5000 = 25000 fit beats 2*5000 + 10000
    assert _plan(result) == {(E1, "Y"), (E2, "X")}
    # objective = (20000 - 300 + 5000) + (5000 - 300 + 5000) - 10000 = 24400
    assert result.plans[0].objective == 24400
    assert check_plan(sc, _plan(result)).objective == 24400
    # without the multiplier both assignments tie on fit (15000 each way)
    assert plain.plans[0].objective == 10000 + 5000 - 600 + 10000 - 10000


def test_min_fit_compares_plain_fit(tmp_path):
    # jpm(e1, Y) = floor(10000*3/4) = 7500 < min 8000: no pair even with m(Y) = 4
    employees = [emp(1, current_level=3, **{"c.integritas": 3})]
    positions = [pos("Y", unit="V", **{"c.integritas": 4})]
    units = write_table(tmp_path, "units.csv", [{"unit": "V", "ikm": "50"}])
    sc = scenario(tmp_path, employees, positions, units=units,
                  rules={"low_ikm_fit_multiplier": 4, "min_fit_for_move": 8000})
    assert _pairs(sc) == set()
    sc = scenario(tmp_path, employees, positions, units=units,
                  rules={"low_ikm_fit_multiplier": 4, "min_fit_for_move": 7500})
    assert _pairs(sc) == {(E1, "Y")}


def test_readme_worked_example(tmp_path):
    """README "Employee voice and public feedback": the numbers quoted there."""
    prefs = [{"nip": E1, "position": "C", "rank": 1}, {"nip": E3, "position": "A", "rank": 1}]
    assert solve(_round(tmp_path / "plain")).plans[0].objective == 29700
    heard = solve(_round(tmp_path / "heard", prefs, weights={"preference": 1000}))
    assert heard.plans[0].objective == 39400
    sc = _round(tmp_path / "voluntary", prefs, weights={"preference": 1000},
                rules={"voluntary_moves": True})
    assert {p for p in _pairs(sc) if p[0] in (E2, E3)} == {(E2, "B"), (E3, "A")}
    assert solve(sc).plans[0].objective == 39400
    # IKM: the other way of filling X and Y scores 19400 under multiplier 2
    comps = {"c.integritas": 4}
    employees = [emp(1, current_level=3, **{"c.integritas": 4}),
                 emp(2, current_level=3, **{"c.integritas": 2})]
    positions = [pos("X", **comps), pos("Y", unit="V", **comps)]
    units = write_table(tmp_path / "ikm", "units.csv",
                   [{"unit": "U", "ikm": "90"}, {"unit": "V", "ikm": "70"}])
    sc = scenario(tmp_path / "ikm", employees, positions, units=units,
                  rules={"low_ikm_fit_multiplier": 2})
    assert solve(sc).plans[0].objective == 24400
    assert check_plan(sc, [(E1, "X"), (E2, "Y")]).objective == 19400
