"""Ranked plans by tied cycles (solver.model.cycles): every plan the engine takes from
them is an optimum of the independent HiGHS reference under the earlier plans' cuts and
passes the independent checker; a candidate that breaks a row is never taken."""

from __future__ import annotations

import numpy as np
import pytest

import solver.solve as engine
from solver.check import ScenarioView, check_plan, check_ranked
from solver.eligibility import build_problem
from solver.generate import generate_scenario
from solver.io import load_scenario
from solver.model import cycles, flow
from solver.model.constraints import build_rows
from solver.model.proof import margin
from solver.result import SolveParams
from tests.reference import highs_optimum, random_scenario


def _assert_reference_optima(sc, result) -> None:
    assert result.status == "OPTIMAL"
    view = ScenarioView(sc)
    cuts: list[list[tuple[str, str]]] = []
    for plan in result.plans:
        pairs = [(a.nip, a.position) for a in plan.assignments]
        report = check_plan(sc, pairs, view)
        assert report.ok, report.violations[:3]
        assert report.objective == plan.objective == highs_optimum(sc, cuts)
        cuts.append(pairs)
    assert check_ranked(sc, cuts, sc.plans.min_difference) == []


@pytest.mark.parametrize(("profile", "employees", "seed"),
                         [("demo", 120, 0), ("demo", 120, 1), ("demo", 250, 1),
                          ("demo", 250, 2)])
def test_tied_plans_of_generated_rounds_are_reference_optima(profile, employees, seed,
                                                             tmp_path, monkeypatch):
    """Generated rounds have many equally good people: plans 2 and 3 come from tied
    cycles (forced here at any size) and equal HiGHS's optima under the cuts."""
    monkeypatch.setattr(engine, "TIED_PLANS_MIN_PAIRS", 0)
    sc = load_scenario(generate_scenario(profile, seed, tmp_path / "round",
                                         employees=employees))
    result = engine.solve(sc, SolveParams(plans=3, time_limit=30), strategy="pruned")
    _assert_reference_optima(sc, result)
    if (profile, employees, seed) != ("demo", 250, 2):
        assert result.stats["plan2_proof"] == result.stats["plan3_proof"] == \
            "tied cycles reach the LP bound"


@pytest.mark.parametrize("seed", range(12))
def test_ranked_plans_of_random_scenarios_stay_reference_optima(seed, tmp_path,
                                                                monkeypatch):
    """Every rule, binding turnover, locks, forbids: with tied cycles tried first the
    ranked plans are still HiGHS's optima (where no tied plan holds, the search as
    before decides)."""
    monkeypatch.setattr(engine, "TIED_PLANS_MIN_PAIRS", 0)
    sc = load_scenario(random_scenario(seed, tmp_path))
    result = engine.solve(sc, SolveParams(plans=3, time_limit=30), strategy="pruned")
    if result.status == "INFEASIBLE":
        assert highs_optimum(sc) is None
        return
    _assert_reference_optima(sc, result)


def test_a_tied_plan_keeps_every_count_and_drops_enough_pairs(tmp_path):
    sc = load_scenario(generate_scenario("demo", 0, tmp_path / "round", employees=120))
    problem = build_problem(sc)
    blocks = build_rows(problem)
    core = flow.core_bound(problem, blocks)
    assert core is not None and core.x is not None
    base = np.flatnonzero(core.x > 0.5)
    busy = np.zeros(problem.n_employees, dtype=bool)
    found = cycles.tied_plan(problem, base, core.reduced_cost, margin(core.bound), 3, busy)
    assert found is not None
    chosen, moved = found
    pairs = problem.pairs
    assert len(set(base) - set(chosen)) >= 3
    assert np.array_equal(np.sort(pairs.emp[chosen]), np.sort(pairs.emp[base]))
    assert np.array_equal(np.bincount(pairs.pos[chosen], minlength=problem.n_positions),
                          np.bincount(pairs.pos[base], minlength=problem.n_positions))
    changed = np.union1d(np.setdiff1d(base, chosen), np.setdiff1d(chosen, base))
    assert set(pairs.emp[changed]) == set(moved)
    assert not pairs.stay[changed].any()
    assert int(pairs.score[chosen].sum()) == int(pairs.score[base].sum())
    # The people moved are not moved again for the next plan.
    busy[moved] = True
    again = cycles.tied_plan(problem, base, core.reduced_cost, margin(core.bound), 3, busy)
    assert again is not None
    assert not set(again[1]) & set(moved)


def test_a_candidate_that_breaks_a_row_is_not_taken(tmp_path, monkeypatch):
    """The engine checks what tied_plan proposes: plan 1 itself (its cut forbids it)
    is refused and the search as before finds the true plan 2."""
    monkeypatch.setattr(engine, "TIED_PLANS_MIN_PAIRS", 0)
    monkeypatch.setattr(engine, "tied_plan",
                        lambda problem, base, *args: (base, np.zeros(0, np.int64)))
    sc = load_scenario(generate_scenario("demo", 0, tmp_path / "round", employees=120))
    result = engine.solve(sc, SolveParams(plans=2, time_limit=30), strategy="pruned")
    assert result.stats.get("plan2_proof") != "tied cycles reach the LP bound"
    _assert_reference_optima(sc, result)
