"""HiGHS's MIP as a plan finder (solver.model.mip): what it returns is a plan that the
independent checker accepts, scored as the checker scores it; on every pair it reaches
the independent HiGHS reference optimum; a model without a plan gives None."""

from __future__ import annotations

import numpy as np
import pytest

from solver.check import check_plan
from solver.eligibility import build_problem
from solver.io import load_scenario
from solver.model.constraints import RowBlock, build_rows
from solver.model.lp import lp_bound
from solver.model.mip import highs_plan
from solver.objective import plan_objective
from tests.reference import highs_optimum, random_scenario


@pytest.mark.parametrize("seed", range(10))
def test_a_found_plan_passes_the_checker_and_reaches_the_reference(seed, tmp_path):
    sc = load_scenario(random_scenario(seed, tmp_path))
    problem = build_problem(sc)
    blocks = build_rows(problem)
    reference = highs_optimum(sc)
    plan = highs_plan(problem, blocks, np.arange(len(problem.pairs)), time_limit=30)
    if reference is None:
        assert plan is None
        return
    assert plan is not None
    pairs = problem.pairs
    assignments = [(str(problem.nips[pairs.emp[j]]), str(problem.position_ids[pairs.pos[j]]))
                   for j in plan]
    report = check_plan(sc, assignments)
    objective = plan_objective(pairs.score, problem.constant, plan)
    assert report.ok and report.objective == objective == reference
    # On an LP-pruned subset: still a checked plan, never above the optimum.
    lp = lp_bound(problem, blocks)
    active = np.flatnonzero((lp.reduced_cost >= -50) | pairs.lock)
    sub = highs_plan(problem, blocks, active, time_limit=30)
    if sub is not None:
        assert set(sub.tolist()) <= set(active.tolist())
        assert plan_objective(pairs.score, problem.constant, sub) <= reference


def test_no_plan_when_the_rows_cannot_hold(tmp_path):
    sc = load_scenario(random_scenario(1, tmp_path))
    problem = build_problem(sc)
    n = len(problem.pairs)
    impossible = RowBlock("cut", np.array([0]), [np.arange(n)], np.array([n + 1]),
                          np.array([n + 1]))
    assert highs_plan(problem, [*build_rows(problem), impossible], np.arange(n), 30) is None
    assert highs_plan(problem, build_rows(problem), np.arange(n), 0.0) is None
