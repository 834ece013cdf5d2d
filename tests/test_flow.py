"""The transportation core (solver.model.flow): its bound is valid against the
independent HiGHS reference, it equals the optimum when its plan meets every row,
and its potentials certify optimality (none exist for a plan that is not optimal)."""

from __future__ import annotations

import numpy as np
import pytest

from solver.eligibility import build_problem
from solver.io import load_scenario
from solver.model import flow
from solver.model.constraints import build_rows
from solver.result import SolveParams
from solver.solve import rows_hold, solve
from tests.reference import highs_optimum, random_scenario
from tests.review.helpers import rotation


@pytest.mark.parametrize("seed", range(20))
def test_core_bound_is_valid_and_exact_when_its_plan_is_feasible(seed, tmp_path):
    sc = load_scenario(random_scenario(seed, tmp_path))
    problem = build_problem(sc)
    blocks = build_rows(problem)
    reference = highs_optimum(sc)
    bound = flow.core_bound(problem, blocks)
    if bound is None:
        return  # the core cannot decide (e.g. an impossible lock); the LP does
    assert bound.x is not None
    plan = np.flatnonzero(bound.x > 0.5)
    value = int(problem.pairs.score[plan].sum()) + problem.constant
    assert value <= bound.bound + 1e-6  # the plan is a core plan, the bound its optimum
    if reference is not None:
        assert reference <= bound.bound + 1e-6
    if rows_hold(blocks, plan, len(problem.pairs)):
        assert value == reference == int(np.floor(bound.bound + 1e-6))


def test_potentials_exist_only_for_an_optimal_plan(tmp_path):
    problem = build_problem(load_scenario(rotation(tmp_path)))
    core = flow.core_network(problem)
    assert core is not None
    cost = problem.pairs.score
    best = flow.solve_core(core, cost)
    assert best is not None
    assert flow.potentials(flow.residual(core, cost, best)) is not None
    stays = np.flatnonzero(problem.pairs.stay)  # everyone stays: a worse core plan
    assert int(cost[stays].sum()) < int(cost[best].sum())
    assert flow.potentials(flow.residual(core, cost, stays)) is None


@pytest.mark.parametrize(("cap", "strategy"), [(1.0, "flow-core"), (0.25, "lp-pruned")])
def test_engine_takes_the_core_only_when_it_proves_plan_one(tmp_path, cap, strategy):
    """No turnover cap: the core's plan is feasible, so optimal. A cap of 1 in 4 binds:
    the core's plan breaks it and the LP takes over. Both agree with HiGHS."""
    sc = load_scenario(rotation(tmp_path, plans={"count": 2, "min_difference": 2},
                                rules={"max_unit_turnover": cap}))
    result = solve(sc, SolveParams(time_limit=20), strategy="pruned")
    assert result.stats["strategy"] == strategy
    assert result.status == "OPTIMAL"
    assert [p.objective for p in result.plans] == [highs_optimum(sc), highs_optimum(
        sc, [[(a.nip, a.position) for a in result.plans[0].assignments]])]


@pytest.mark.parametrize("seed", range(8))
def test_an_lp_seeded_by_the_core_proves_the_reference_optima(seed, tmp_path, monkeypatch):
    """Where the core's plan breaks a side row the engine's LP starts from it (at city
    scale; here forced at any size): the ranked plans still equal HiGHS's optima."""
    import solver.solve as engine

    monkeypatch.setattr(engine, "SEEDED_LP_MIN_PAIRS", 0)
    sc = load_scenario(random_scenario(seed, tmp_path))
    result = solve(sc, SolveParams(time_limit=30, plans=2), strategy="pruned")
    if result.status == "INFEASIBLE":
        assert highs_optimum(sc) is None
        return
    assert result.status == "OPTIMAL"
    cuts: list[list[tuple[str, str]]] = []
    for plan in result.plans:
        assert plan.objective == highs_optimum(sc, cuts)
        cuts.append([(a.nip, a.position) for a in plan.assignments])


def test_the_engine_seeds_its_lp_where_the_turnover_cap_binds(tmp_path, monkeypatch):
    import solver.solve as engine

    monkeypatch.setattr(engine, "SEEDED_LP_MIN_PAIRS", 0)
    sc = load_scenario(rotation(tmp_path, rules={"max_unit_turnover": 0.25}))
    result = solve(sc, SolveParams(time_limit=20, plans=1), strategy="pruned")
    assert result.stats["strategy"] == "lp-pruned" and result.stats["lp_seeded"] == 1
    assert result.plans[0].objective == highs_optimum(sc)


@pytest.mark.parametrize("seed", range(10))
def test_plan_potentials_are_the_residual_networks(seed, tmp_path):
    """plan_potentials (no sparse matrix) gives potentials(residual(...)) exactly, and
    none for a plan that is not optimal."""
    problem = build_problem(load_scenario(random_scenario(seed, tmp_path)))
    core = flow.core_network(problem)
    if core is None:
        return
    cost = problem.pairs.score
    best = flow.solve_core(core, cost)
    if best is None:
        return
    d = flow.plan_potentials(core, cost, best)
    assert d is not None
    assert np.array_equal(d, flow.potentials(flow.residual(core, cost, best)))
    stays = np.flatnonzero(problem.pairs.stay & core.arc)
    if int(cost[stays].sum()) < int(cost[best].sum()) and \
            flow.potentials(flow.residual(core, cost, stays)) is None:
        assert flow.plan_potentials(core, cost, stays) is None
