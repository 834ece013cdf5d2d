"""One feasible and one infeasible (or forbidden) case per constraint family,
docs/model.md sections 4 and 5. Every plan is re-checked by the independent checker."""

from __future__ import annotations

import pytest

from solver.check import check_plan
from solver.eligibility import build_problem
from solver.result import SolveParams
from solver.solve import solve
from tests.builders import make, nip, person, post

PARAMS = SolveParams(plans=1, time_limit=20, workers=1)


def pairs_of(scenario):
    problem = build_problem(scenario)
    return {(str(problem.nips[e]), str(problem.position_ids[p]))
            for e, p in zip(problem.pairs.emp, problem.pairs.pos, strict=True)}


def solved(scenario, **kw):
    result = solve(scenario, PARAMS if not kw else SolveParams(**{**PARAMS.__dict__, **kw}))
    for plan in result.plans:
        report = check_plan(scenario, [(a.nip, a.position) for a in plan.assignments])
        assert report.ok, report.violations
        assert report.objective == plan.objective
    return result


def placed(result, rank=1):
    return {(a.nip, a.position) for a in result.plans[rank - 1].assignments}


# ---------------------------------------------------------------- 5.1 incumbents


def test_incumbent_takes_exactly_one_position(tmp_path):
    sc = make(tmp_path, [person(1, current_position="A", position_since="2020-01-01")],
              [post("A"), post("B")])
    result = solved(sc)
    assert result.status == "OPTIMAL"
    assert len(placed(result)) == 1


def test_incumbent_of_abolished_post_with_nowhere_to_go_is_infeasible(tmp_path):
    sc = make(tmp_path, [person(1, current_position="A", position_since="2020-01-01")],
              [post("A", headcount=0), post("B", grade_min="IV/a", grade_max="IV/b")])
    result = solved(sc)
    assert result.status == "INFEASIBLE"
    assert result.plans == []
    assert any(nip(1) in r and "A" in r and "abolished" in r for r in result.infeasibility)


# ---------------------------------------------------------------- 5.2 candidates


def test_candidate_takes_at_most_one_position(tmp_path):
    sc = make(tmp_path, [person(1, current_level=3)], [post("A"), post("B")])
    result = solved(sc)
    assert len(placed(result)) == 1


def test_candidate_outside_scope_may_stay_put(tmp_path):
    # The candidate holds X outside scope; joining A costs 300 (move) and gains
    # jpm 10000 + vacancy 5000, so they join. Tenure 12 < 24 forbids the move.
    employees = [person(1, current_position="X", position_since="2026-01-02")]
    positions = [post("A"), post("X", unit="Dinas B")]
    sc = make(tmp_path, employees, positions, scope={"units": ["Dinas A"]})
    assert (nip(1), "A") not in pairs_of(sc)
    result = solved(sc)
    assert result.status == "OPTIMAL" and placed(result) == set()


# ---------------------------------------------------------------- 5.3 headcount


def test_headcount_limits_seats(tmp_path):
    sc = make(tmp_path, [person(1, current_level=3), person(2, current_level=3)],
              [post("A", headcount=1)])
    result = solved(sc)
    assert len(placed(result)) == 1


def test_locks_beyond_headcount_are_infeasible(tmp_path):
    sc = make(tmp_path, [person(1, current_level=3), person(2, current_level=3)],
              [post("A", headcount=1)],
              locks=[{"nip": nip(1), "position": "A"}, {"nip": nip(2), "position": "A"}])
    result = solved(sc)
    assert result.status == "INFEASIBLE"
    assert any("A" in r and "locked" in r for r in result.infeasibility)


# ---------------------------------------------------------------- 5.4 must-fill


def test_must_fill_is_filled_even_at_a_loss(tmp_path):
    # With vacancy weight 0 and fit weight 0, filling A only costs the move (300);
    # must_fill forces it anyway: objective = -300.
    sc = make(tmp_path, [person(1, current_level=3)], [post("A", must_fill="true")],
              weights={"vacancy": 0, "fit": 0})
    result = solved(sc)
    assert placed(result) == {(nip(1), "A")}
    assert result.plans[0].objective == -300


def test_must_fill_without_eligible_candidate_is_infeasible(tmp_path):
    sc = make(tmp_path, [person(1, current_level=3)],
              [post("A", must_fill="true", grade_min="IV/e", grade_max="IV/e")])
    result = solved(sc)
    assert result.status == "INFEASIBLE"
    assert any("A" in r and "must be filled" in r for r in result.infeasibility)


# ---------------------------------------------------------------- 5.5 unit turnover


def _unit_of_four(t):
    # Four incumbents past five years (overstay -20000 each) and four vacant seats
    # elsewhere in the unit: everyone wants to move; floor(t * 4) may.
    employees = [person(i, current_position=f"P{i}", position_since="2015-01-01")
                 for i in range(1, 5)]
    positions = [post(f"P{i}") for i in range(1, 5)] + [post(f"Q{i}") for i in range(1, 5)]
    return employees, positions


def test_unit_turnover_caps_moves(tmp_path):
    employees, positions = _unit_of_four(0.25)
    sc = make(tmp_path, employees, positions, rules={"max_unit_turnover": 0.25})
    result = solved(sc)
    moves = [a for a in result.plans[0].assignments if a.position != a.origin]
    assert len(moves) == 1  # floor(0.25 * 4) = 1


def test_unit_turnover_exact_decimal_floor(tmp_path):
    # 0.29 * 100 = 29 exactly; a float product would give 28.999... -> 28.
    from solver.eligibility import build_problem as bp
    employees = [person(i, current_position=f"P{i}", position_since="2015-01-01")
                 for i in range(1, 101)]
    positions = [post(f"P{i}") for i in range(1, 101)]
    sc = make(tmp_path, employees, positions, rules={"max_unit_turnover": 0.29})
    assert bp(sc).turnover_caps == (29,)


def test_unit_turnover_counts_forced_moves(tmp_path):
    # Two of four posts abolished: forced_u = 2 > floor(0.25*4) = 1, so 2 may move.
    employees, positions = _unit_of_four(0.25)
    positions[0]["headcount"] = 0
    positions[1]["headcount"] = 0
    sc = make(tmp_path, employees, positions, rules={"max_unit_turnover": 0.25})
    assert build_problem(sc).turnover_caps == (2,)
    result = solved(sc)
    moves = [a for a in result.plans[0].assignments if a.position != a.origin]
    assert len(moves) == 2


def test_locks_beyond_unit_turnover_are_infeasible(tmp_path):
    employees, positions = _unit_of_four(0.25)
    sc = make(tmp_path, employees, positions, rules={"max_unit_turnover": 0.25},
              locks=[{"nip": nip(1), "position": "Q1"}, {"nip": nip(2), "position": "Q2"}])
    result = solved(sc)
    assert result.status == "INFEASIBLE"
    assert any("Dinas A" in r for r in result.infeasibility)


# ---------------------------------------------------------------- 5.6 locks


def test_lock_overrides_rules(tmp_path):
    # Grade III/a is below A's range and tenure is 1 month: no move pair, but the lock holds.
    sc = make(tmp_path, [person(1, grade="III/a", current_position="B",
                                position_since="2026-12-01")],
              [post("A"), post("B", grade_min="III/a", grade_max="III/b")],
              locks=[{"nip": nip(1), "position": "A"}], rules={"max_unit_turnover": 1})
    result = solved(sc)
    assert placed(result) == {(nip(1), "A")}


def test_lock_on_post_outside_scope_is_infeasible(tmp_path):
    sc = make(tmp_path, [person(1, current_level=3)],
              [post("A"), post("B", unit="Dinas B")], scope={"units": ["Dinas A"]},
              locks=[{"nip": nip(1), "position": "B"}])
    result = solved(sc)
    assert result.status == "INFEASIBLE"
    assert any("outside the scenario's scope" in r for r in result.infeasibility)


# ---------------------------------------------------------------- section 4 pair rules


@pytest.mark.parametrize(("row", "target", "exists"), [
    ({"grade": "III/b"}, {}, False),  # 1. grade below range
    ({"grade": "III/c"}, {}, True),
    ({"current_level": 2}, {}, True),  # 2. one step up
    ({"current_level": 1}, {}, False),  # 2. two steps up
    ({"current_level": 4}, {}, False),  # 2. demotion
    ({"current_level": 2, "performance": "butuh_perbaikan"}, {}, False),  # 3. performance
    ({"current_level": 2, "discipline_until": "2027-01-02"}, {}, False),  # 3. sanction today
    ({"current_level": 2, "discipline_until": "2027-01-01"}, {}, True),  # 3. ended yesterday
    ({"current_level": 3, "discipline_until": "2030-01-01"}, {}, True),  # 3. lateral is fine
    ({"birth_date": "1970-01-02"}, {}, False),  # 5. 58 on the horizon 2028-01-02
    ({"birth_date": "1970-01-03"}, {}, True),  # 5. still 57 on the horizon
    ({"birth_date": "1970-01-02"}, {"retirement_age": 60}, True),
    ({"education_field": "hukum"}, {"education_fields": "Hukum;akuntansi",
                                    "education_required": "true"}, True),  # 6.
    ({"education_field": "teknik"}, {"education_fields": "hukum",
                                     "education_required": "true"}, False),
    ({}, {"applicants_only": "true"}, False),  # 7. no assessment row
])
def test_move_pair_rules(tmp_path, row, target, exists):
    employee = person(1, **({"current_level": 3} | row))
    sc = make(tmp_path, [employee], [post("A", **target)])
    assert ((nip(1), "A") in pairs_of(sc)) is exists


def test_tenure_rule_and_abolished_exception(tmp_path):
    employees = [person(1, current_position="B", position_since="2025-01-03"),  # 23 months
                 person(2, current_position="C", position_since="2025-01-02"),  # 24 months
                 person(3, current_position="D", position_since="2026-06-01")]  # abolished
    positions = [post("A", headcount=3), post("B"), post("C"), post("D", headcount=0)]
    pairs = pairs_of(make(tmp_path, employees, positions))
    assert (nip(1), "A") not in pairs
    assert (nip(2), "A") in pairs
    assert (nip(3), "A") in pairs


def test_forbid_on_stay_pair_forces_a_move(tmp_path):
    sc = make(tmp_path, [person(1, current_position="A", position_since="2020-01-01")],
              [post("A"), post("B")], forbid=[{"nip": nip(1), "position": "A"}])
    result = solved(sc)
    assert placed(result) == {(nip(1), "B")}


def test_overstay_penalty_makes_people_rotate(tmp_path):
    # Tenure 60 months >= max: staying scores 10000 + 5000 - 20000 = -5000,
    # moving to B scores 10000 - 300 + 5000 = 14700; objective 14700 - 2*5000 = 4700.
    sc = make(tmp_path, [person(1, current_position="A", position_since="2022-01-02")],
              [post("A"), post("B")], rules={"max_unit_turnover": 1})
    result = solved(sc)
    assert placed(result) == {(nip(1), "B")}
    assert result.plans[0].objective == 4700


def test_overstay_when_turnover_forbids_rotation(tmp_path):
    # One incumbent: floor(0.5 * 1) = 0 may leave, so they overstay:
    # 10000 + 5000 - 20000 - 2*5000 = -15000.
    sc = make(tmp_path, [person(1, current_position="A", position_since="2022-01-02")],
              [post("A"), post("B")])
    result = solved(sc)
    assert placed(result) == {(nip(1), "A")}
    assert result.plans[0].objective == -15000


def test_min_fit_for_move_and_assessment_fit(tmp_path):
    employees = [person(1, current_level=3, **{"c.integritas": 2})]
    positions = [post("A", **{"c.integritas": 4}), post("B", **{"c.integritas": 4})]
    assessments = [{"nip": nip(1), "position": "B", "score": 9000}]
    # jpm(A) = 5000 < 6800: no move pair; fit(B) = 9000 from the panel.
    sc = make(tmp_path, employees, positions, assessments, rules={"min_fit_for_move": 6800})
    assert pairs_of(sc) == {(nip(1), "B")}
    result = solved(sc)
    # 9000 - 300 + 5000 - 2*5000 = 3700
    assert result.plans[0].objective == 3700
