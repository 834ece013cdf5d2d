"""solver/infeasibility.py: infeasibility in words, naming people, posts and units, and
what to relax. Scenarios are built in memory (``make_scenario``, tests/conftest.py)."""

from __future__ import annotations

from solver.solve import solve
from tests.conftest import employee, nip, post


def test_must_fill_nobody_holds_grade(make_scenario):
    sc = make_scenario([employee(1, current_position="A", position_since="2020-01-01"),
                             employee(2, current_level=3, grade="III/d")],
                  [post("A"), post("X-17", grade_min="IV/e", grade_max="IV/e", must_fill=True)])
    result = solve(sc)
    assert result.status == "INFEASIBLE"
    (reason,) = result.infeasibility
    assert "X-17" in reason and "must be filled" in reason
    assert "none hold golongan IV/e" in reason
    assert "widen grade_min/grade_max of X-17" in reason and "unset must_fill" in reason


def test_must_fill_blocked_by_tenure(make_scenario):
    # both hold golongan III/b at level 3, but only 12 months in post (< 24)
    sc = make_scenario([employee(1, current_position="A", position_since="2026-01-01"),
                             employee(2, current_position="B", position_since="2026-01-01")],
                  [post("A"), post("B"), post("C", unit="V", must_fill=True)],
                  scope={"units": ["V"]})
    (reason,) = solve(sc).infeasibility
    assert "C (Jabatan C, V) must be filled" in reason
    assert "2 hold golongan III/a–III/d" in reason
    assert "lower min_tenure_months (now 24)" in reason


def test_conflict_is_minimal_and_named(make_scenario):
    # A is abolished; Pegawai 1 can go only to B, whose holder (past 60 months) may not
    # leave because unit U may move at most floor(0.5 * 2) = 1 of its 2 incumbents.
    sc = make_scenario([employee(1, current_position="A", position_since="2026-01-01", grade="III/a"),
                   employee(2, current_position="B", position_since="2020-01-01")],
                  [post("A", headcount=0), post("B"), post("C", grade_min="III/b"),
                   post("D", level=5, grade_min="III/a")])
    reasons = solve(sc).infeasibility
    assert reasons[0].startswith("These 3 rules cannot all hold together")
    assert "removes this conflict" in reasons[0]
    body = " ".join(reasons[1:])
    assert "B (Jabatan B, U) has only 1 seat(s). Relax: raise its headcount." in body
    assert f"Pegawai 1 ({nip(1)}), incumbent of A" in body and "may take only B" in body
    assert "Unit U may move at most 1 of its 2 incumbents" in body
    assert "raise max_unit_turnover" in body


def test_lp_route_explains_from_the_farkas_rows(make_scenario, monkeypatch):
    """Large rounds find infeasibility in the LP; its dual ray names the rows the
    conflict search starts from, and the explanation is the same minimal conflict."""
    import solver.infeasibility as infeasibility
    from solver.eligibility import build_problem
    from solver.model.constraints import build_rows
    from solver.model.lp import lp_bound

    sc = make_scenario([employee(1, current_position="A", position_since="2026-01-01", grade="III/a"),
                   employee(2, current_position="B", position_since="2020-01-01")],
                  [post("A", headcount=0), post("B"), post("C", grade_min="III/b"),
                   post("D", level=5, grade_min="III/a")])
    problem = build_problem(sc)
    lp = lp_bound(problem, build_rows(problem))
    assert not lp.feasible
    assert ("turnover", 0) in lp.conflict and ("headcount", 1) in lp.conflict

    focuses = []
    search = infeasibility._minimal_core

    def spy(problem, blocks, time_limit, focus=None):
        focuses.append(focus)
        return search(problem, blocks, time_limit, focus)

    monkeypatch.setattr(infeasibility, "_minimal_core", spy)
    reasons = solve(sc, strategy="pruned").infeasibility
    assert focuses == [set(lp.conflict)]  # found there: the whole model was not needed
    assert reasons[0].startswith("These 3 rules cannot all hold together")
    assert "removes this conflict" in reasons[0]
    body = " ".join(reasons[1:])
    assert "Unit U may move at most 1 of its 2 incumbents" in body
    assert "B (Jabatan B, U) has only 1 seat(s)" in body
