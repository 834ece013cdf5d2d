"""What-ifs re-solved from a kept base (solver.reuse): the same problem, the same plans,
the same bytes as a cold solve, and every objective the HiGHS reference's and the
independent checker's."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import solver.model.flow as flow
import solver.solve as engine
from solver.check import check_plan
from solver.eligibility import Problem, build_problem, with_locks
from solver.io import load_scenario
from solver.model.constraints import build_rows
from solver.result import SolveParams
from solver.reuse import SolveCache, _Kept, _locked_plan, same_but_locks
from solver.scenario import Pair, Scenario
from solver.solve import solve
from tests.reference import highs_optimum, random_scenario

SEEDS = [*range(12), *range(100, 106)]  # from 100: 30-45 employees, 15-25 posts


def _round(seed: int, tmp_path: Path, turnover: Fraction | None = Fraction(1)) -> Scenario:
    """A random round; by default without a binding turnover cap, so the core decides."""
    size = {} if seed < 100 else {"n_employees": 30 + seed % 16, "n_positions": 15 + seed % 11}
    scenario = load_scenario(random_scenario(seed, tmp_path, **size))
    if turnover is None:
        return scenario
    return dataclasses.replace(scenario, rules=dataclasses.replace(
        scenario.rules, max_unit_turnover=turnover))


def _reloaded(scenario: Scenario, **changes: object) -> Scenario:
    """``scenario`` with ``changes`` as the API's runner sees it: read again from its
    files, so no table is the same object as the kept solve's."""
    tables = {name: getattr(scenario, name).copy()
              for name in ("employees", "positions", "assessments", "preferences", "units")}
    return dataclasses.replace(scenario.replace(**changes), **tables)


def _new_locks(problem: Problem, seed: int, count: int = 3) -> list[Pair]:
    """Up to ``count`` pairs of people without a lock, seeded."""
    pairs = problem.pairs
    locked = set(pairs.emp[pairs.lock].tolist())
    free = [j for j in range(len(pairs)) if int(pairs.emp[j]) not in locked]
    rng = np.random.default_rng(seed)
    picked = rng.permutation(free)[:count] if free else []
    return [Pair(str(problem.nips[pairs.emp[j]]), str(problem.position_ids[pairs.pos[j]]))
            for j in picked]


def _assert_same_problem(a: Problem, b: Problem) -> None:
    for f in dataclasses.fields(Problem):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "scenario":
            assert x is y
        elif f.name == "pairs":
            for g in dataclasses.fields(x):
                assert np.array_equal(getattr(x, g.name), getattr(y, g.name)), g.name
        elif f.name == "turnover_members":
            assert len(x) == len(y) and all(np.array_equal(u, v) for u, v in zip(x, y, strict=True))
        elif isinstance(x, np.ndarray):
            assert np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("seed", range(12))
def test_a_problem_read_off_its_base_equals_a_cold_build(seed, tmp_path):
    base_scenario = _round(seed, tmp_path, turnover=None)
    base = build_problem(base_scenario)
    for lock in _new_locks(base, seed):
        scenario = base_scenario.replace(locks=(*base_scenario.locks, lock))
        assert same_but_locks(base_scenario, scenario)
        derived = with_locks(base, scenario)
        cold = build_problem(scenario)
        if derived is None:  # a lock needs a pair the base lacks: built cold instead
            assert len(cold.pairs) > len(base.pairs)
            continue
        _assert_same_problem(derived, cold)
        assert {k: v.tolist() for k, v in derived.pairs.by_employee.items()} == \
            {k: v.tolist() for k, v in cold.pairs.by_employee.items()}
    # A base lock gone is not a lock added: built cold.
    if base_scenario.locks:
        assert with_locks(base, base_scenario.replace(locks=())) is None


def test_only_locks_may_differ(tmp_path):
    scenario = _round(3, tmp_path)
    assert not same_but_locks(scenario, dataclasses.replace(
        scenario, weights=dataclasses.replace(scenario.weights, move=1)))
    employees = scenario.employees.copy()
    employees.loc[0, "grade_rank"] += 1
    assert not same_but_locks(scenario, dataclasses.replace(scenario, employees=employees))
    assert same_but_locks(scenario, dataclasses.replace(scenario, employees=employees.copy()
                                                        .assign(grade_rank=scenario.employees
                                                                ["grade_rank"])))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_what_if_from_a_kept_base_is_a_cold_solve(seed, tmp_path, monkeypatch):
    """Ranked plans, bounds, status and infeasibility reasons of each what-if after one
    lock are those of a cold solve, byte for byte (the core's canonical plan, forced
    here at any size), its objectives HiGHS's and the checker's; where the core proved
    the base and the what-if, the what-if solved no flow (the kept plan plus one cycle)."""
    monkeypatch.setattr(engine, "CANONICAL_CORE_MIN_PAIRS", 0)
    calls = []
    solve_core = flow.solve_core

    def counted(core, cost):
        calls.append(1)
        return solve_core(core, cost)

    monkeypatch.setattr(flow, "solve_core", counted)
    base_scenario = _round(seed, tmp_path)
    cache = SolveCache()
    params = SolveParams(plans=2, time_limit=30)
    base = solve(base_scenario, params, strategy="pruned", reuse=cache)
    assert base.stats["reused"] == "cold"
    for lock in _new_locks(base.problem, seed):
        scenario = _reloaded(base_scenario, locks=(*base_scenario.locks, lock))
        cold = solve(scenario, params, strategy="pruned")
        calls.clear()
        warm = solve(scenario, params, strategy="pruned", reuse=cache)
        assert (warm.status, warm.plans, warm.infeasibility) == \
            (cold.status, cold.plans, cold.infeasibility)
        assert warm.stats.get("lp_bound") == cold.stats.get("lp_bound")
        if warm.stats["reused"] == "problem" and base.stats["strategy"] == "flow-core" \
                and cold.stats["strategy"] == "flow-core":
            assert not calls, "the kept core plan was not used"
        cuts: list[list[tuple[str, str]]] = []
        for plan in warm.plans:
            pairs = [(a.nip, a.position) for a in plan.assignments]
            report = check_plan(scenario, pairs)
            assert report.ok, report.violations
            assert report.objective == plan.objective == highs_optimum(scenario, cuts)
            cuts.append(pairs)
        if not warm.plans:
            assert highs_optimum(scenario) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_core_potentials_and_plan_do_not_depend_on_the_plan_found_first(seed, tmp_path):
    """Two different optimal core plans of a what-if (the flow solve's, and the kept
    base's plus one cycle) give the same potentials and the same canonical plan."""
    base_scenario = _round(seed, tmp_path)
    base = build_problem(base_scenario)
    core = flow.core_network(base)
    if core is None:
        return
    cost = base.pairs.score
    plan = flow.solve_core(core, cost)
    if plan is None:  # no plan even without the side rows
        return
    d = flow.potentials(flow.residual(core, cost, plan))
    assert d is not None
    kept = _Kept(base, build_rows(base), plan, d)
    compared = 0
    for lock in _new_locks(base, seed, count=5):
        problem = with_locks(base, base_scenario.replace(locks=(*base_scenario.locks, lock)))
        locked = flow.core_network(problem) if problem is not None else None
        if locked is None:
            continue
        cold = flow.solve_core(locked, cost)
        from_kept = _locked_plan(kept, problem)
        assert (cold is None) == (from_kept is None)
        if cold is None:
            continue
        assert int(cost[cold].sum()) == int(cost[from_kept].sum())
        d_cold = flow.potentials(flow.residual(locked, cost, cold))
        d_kept = flow.potentials(flow.residual(locked, cost, from_kept))
        assert d_cold is not None and d_kept is not None
        assert np.array_equal(d_cold, d_kept)
        face = flow.face_plan(locked, cost, d_cold)
        assert face is not None
        assert np.array_equal(face, flow.face_plan(locked, cost, d_kept))
        assert int(cost[face].sum()) == int(cost[cold].sum())
        compared += 1
    assert compared or not _new_locks(base, seed, count=5)
