"""LP relaxation (solver.model.lp): warm starts from an earlier solve's HiGHS state.

A warm :class:`LpState` is re-targeted to each new scenario by name (NIP, position
id, unit). Whatever edits come between two solves, the warm LP must reach the same
LP optimum as a cold one, its bound must stay valid (never below the MIP optimum
from an independent HiGHS model), and a warm engine solve must prove the same
optimum and pass the independent checker.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from solver.check import check_plan
from solver.eligibility import build_problem
from solver.io import load_scenario
from solver.model.constraints import build_rows
from solver.model.flow import core_attempt
from solver.model.lp import LpState, LpTimeout, lp_bound
from solver.result import SolveParams
from solver.scenario import Pair, Scenario
from solver.solve import rows_hold, solve
from tests.reference import highs_optimum, random_scenario


def _edits(sc: Scenario, rng: random.Random) -> list[tuple[str, Scenario]]:
    """A sequence of what-if scenarios, each derived from the base ``sc``."""
    problem = build_problem(sc)
    pairs = problem.pairs
    moves = [j for j in range(len(pairs)) if not pairs.stay[j] and not pairs.lock[j]]
    stays = [j for j in range(len(pairs)) if pairs.stay[j] and not pairs.lock[j]]

    def pair(j: int) -> Pair:
        return Pair(str(problem.nips[pairs.emp[j]]), str(problem.position_ids[pairs.pos[j]]))

    out: list[tuple[str, Scenario]] = []
    if moves:
        lock = pair(rng.choice(moves))
        out.append(("lock a move", sc.replace(locks=(*sc.locks, lock))))
        out.append(("swap the lock", sc.replace(locks=(*sc.locks, pair(rng.choice(moves))))))
        out.append(("forbid a move", sc.replace(forbid=(*sc.forbid, pair(rng.choice(moves))))))
    if stays:
        out.append(("forbid a stay", sc.replace(forbid=(*sc.forbid, pair(rng.choice(stays))))))
    out.append(("lift every lock", sc.replace(locks=())))
    decided = {p.nip for p in (*sc.locks, *sc.forbid)}
    free = [n for n in sc.employees["nip"] if n not in decided]
    if free:
        gone = rng.choice(free)
        out.append(("an employee retires", sc.replace(
            employees=sc.employees[sc.employees["nip"] != gone].reset_index(drop=True),
            assessments=sc.assessments[sc.assessments["nip"] != gone].reset_index(drop=True))))
    out.append(("moves cost more", sc.replace(
        weights=sc.weights.__class__(**{**sc.weights.__dict__,
                                        "move": sc.weights.move + 700}))))
    out.append(("back to the base", sc))
    return out


def _random_round(seed: int, tmp_path) -> tuple[Scenario, random.Random]:
    rng = random.Random(seed)
    return load_scenario(random_scenario(seed, tmp_path, n_employees=rng.randint(25, 50),
                                         n_positions=rng.randint(12, 30))), rng


@pytest.mark.parametrize("seed", range(200, 215))
def test_warm_lp_reaches_the_cold_lp_optimum(seed, tmp_path):
    sc, rng = _random_round(seed, tmp_path)
    state = LpState()
    lp_bound(build_problem(sc), build_rows(build_problem(sc)), state=state)
    for label, derived in _edits(sc, rng):
        problem = build_problem(derived)
        rows = build_rows(problem)
        cold = lp_bound(problem, rows)
        was_warm = state.warm
        warm = lp_bound(problem, rows, state=state)
        assert warm.warm == was_warm, label
        assert warm.feasible == cold.feasible, label
        if not cold.feasible:
            # Infeasibility ends the search for plans: only with a checked certificate.
            assert warm.conflict and cold.conflict, label
            continue
        assert warm.bound == pytest.approx(cold.bound, rel=1e-9, abs=1e-4), label
        optimum = highs_optimum(derived)
        if optimum is not None:
            assert warm.bound >= optimum - 1e-4, label
        # The reduced costs are those of the derived problem's own pairs: a pair the
        # LP uses, unless locked in, costs nothing (complementary slackness).
        assert warm.reduced_cost.shape == (len(problem.pairs),)
        used = (warm.x > 1e-6) & ~problem.pairs.lock
        assert np.all(warm.reduced_cost[used] >= -1e-3), label


@pytest.mark.parametrize("seed", range(230, 240))
def test_warm_engine_solves_prove_the_reference_optimum(seed, tmp_path):
    sc, rng = _random_round(seed, tmp_path)
    state = LpState()
    params = SolveParams(plans=2, time_limit=60)
    solve(sc, params, strategy="pruned", warm=state)
    for label, derived in _edits(sc, rng):
        result = solve(derived, params, strategy="pruned", warm=state)
        optimum = highs_optimum(derived)
        if optimum is None:
            assert result.status == "INFEASIBLE", (label, result.summary())
            continue
        assert result.plans, (label, result.summary())
        plan = result.plans[0]
        assert plan.optimal and plan.objective == optimum, (label, plan.objective, optimum)
        report = check_plan(derived, [(a.nip, a.position) for a in plan.assignments])
        assert report.ok and report.objective == plan.objective, (label, report.violations)


def test_warm_start_is_reported_and_faster_in_simplex_iterations(tmp_path):
    sc = load_scenario(random_scenario(201, tmp_path, n_employees=60, n_positions=30))
    state = LpState()
    base = solve(sc, SolveParams(plans=1), strategy="pruned", warm=state)
    assert "lp_warm" not in base.stats
    iterations_cold = state.highs.getInfo().simplex_iteration_count
    problem = build_problem(sc)
    j = int(np.flatnonzero(~problem.pairs.stay)[0])
    lock = Pair(str(problem.nips[problem.pairs.emp[j]]),
                str(problem.position_ids[problem.pairs.pos[j]]))
    again = solve(sc.replace(locks=(*sc.locks, lock)), SolveParams(plans=1), strategy="pruned",
                  warm=state)
    assert again.stats.get("lp_warm") == 1
    assert state.highs.getInfo().simplex_iteration_count < max(1, iterations_cold)


def test_a_busy_state_is_not_waited_for(tmp_path):
    sc = load_scenario(random_scenario(204, tmp_path, n_employees=40, n_positions=20))
    state = LpState()
    solve(sc, SolveParams(plans=1), strategy="pruned", warm=state)
    solves = state.solves
    with state.lock:  # another what-if holds it
        result = solve(sc, SolveParams(plans=1), strategy="pruned", warm=state)
    assert "lp_warm" not in result.stats
    assert state.solves == solves
    assert result.plans and result.plans[0].objective == highs_optimum(sc)


def test_a_failed_lp_leaves_the_state_cold(tmp_path):
    sc = load_scenario(random_scenario(203, tmp_path, n_employees=40, n_positions=20))
    problem = build_problem(sc)
    rows = build_rows(problem)
    state = LpState()
    lp_bound(problem, rows, state=state)
    assert state.warm
    with pytest.raises(LpTimeout):
        lp_bound(problem, rows, time_limit=0.0, state=state)
    assert not state.warm
    again = lp_bound(problem, rows, state=state)
    assert not again.warm and state.warm


def test_an_infeasible_what_if_keeps_the_state_warm(tmp_path):
    """Two people locked into a one-seat post: the warm LP's Farkas certificate, checked
    over every pair, proves it infeasible; the shared state goes back to its last good
    basis and still warm-starts the next what-if."""
    sc = load_scenario(random_scenario(204, tmp_path, n_employees=40, n_positions=20))
    problem = build_problem(sc)
    pairs = problem.pairs
    heads = sc.positions["headcount"].to_numpy()
    post = next(p for p in range(problem.n_positions)
                if heads[p] == 1 and np.count_nonzero(pairs.pos == p) >= 2)
    two = np.flatnonzero(pairs.pos == post)[:2]
    locks = tuple(Pair(str(problem.nips[pairs.emp[j]]), str(problem.position_ids[post]))
                  for j in two)
    state = LpState()
    lp_bound(problem, build_rows(problem), state=state)
    clash = build_problem(sc.replace(locks=locks))
    verdict = lp_bound(clash, build_rows(clash), state=state)
    assert not verdict.feasible and verdict.warm
    assert ("headcount", post) in verdict.conflict
    assert state.warm
    again = lp_bound(problem, build_rows(problem), state=state)
    assert again.warm
    assert again.bound == pytest.approx(lp_bound(problem, build_rows(problem)).bound,
                                        rel=1e-9, abs=1e-4)


@pytest.mark.parametrize("seed", range(12))
def test_an_lp_seeded_by_the_core_reaches_the_cold_lp_optimum(seed, tmp_path):
    """Where the core's plan breaks a side row, the LP may start from the core's plan
    and reduced costs (flow.core_attempt): same LP optimum as from the default seeds,
    and the bound stays valid against the independent HiGHS MIP."""
    sc = load_scenario(random_scenario(seed, tmp_path))
    problem = build_problem(sc)
    blocks = build_rows(problem)
    _, lp_seed = core_attempt(problem, blocks, accept=lambda plan: False)
    if lp_seed is None:
        return  # the core has no plan here (e.g. an impossible lock)
    cold = lp_bound(problem, blocks)
    seeded = lp_bound(problem, blocks, seed=lp_seed)
    assert seeded.feasible == cold.feasible
    if cold.feasible:
        assert seeded.bound == pytest.approx(cold.bound, abs=1e-6)
        reference = highs_optimum(sc)
        assert reference is None or reference <= seeded.bound + 1e-6


def test_a_core_plan_that_breaks_a_turnover_cap_seeds_the_lp(tmp_path):
    from tests.review.helpers import rotation

    sc = load_scenario(rotation(tmp_path, rules={"max_unit_turnover": 0.25}))
    problem = build_problem(sc)
    blocks = build_rows(problem)
    n = len(problem.pairs)
    bound, lp_seed = core_attempt(problem, blocks, accept=lambda p: rows_hold(blocks, p, n))
    assert bound is None and lp_seed is not None
    assert not rows_hold(blocks, lp_seed.plan, n)  # the cap binds
    # Potentials of an optimal core plan: no pair outside it gains, none in it loses.
    in_plan = np.zeros(n, dtype=bool)
    in_plan[lp_seed.plan] = True
    assert lp_seed.reduced_cost[~in_plan].max() <= 0 <= lp_seed.reduced_cost[in_plan].min()
    seeded = lp_bound(problem, blocks, seed=lp_seed)
    assert seeded.bound == pytest.approx(lp_bound(problem, blocks).bound, abs=1e-6)
    assert highs_optimum(sc) <= seeded.bound + 1e-6
    # Without a seed asked for, a rejected plan costs no potentials and gives none.
    assert core_attempt(problem, blocks, accept=lambda p: False, seed=False) == (None, None)


def test_a_kept_row_matrix_extended_by_rows_equals_a_fresh_one(tmp_path):
    """row_matrix keeps its last results by block identity and appends a lock row or a
    cut to a kept prefix instead of building again: same matrix, bounds read-only."""
    from solver.model.constraints import difference_cut
    from solver.model.lp import _rows_of, row_matrix

    problem = build_problem(load_scenario(random_scenario(3, tmp_path)))
    blocks = build_rows(problem)
    n = len(problem.pairs)
    base = row_matrix(problem, blocks)
    assert row_matrix(problem, blocks) is base  # kept
    for extra in ([difference_cut(np.arange(0, n, 3), 2)],
                  [difference_cut(np.arange(1, n, 2), 1), difference_cut(np.array([0]), 1)]):
        a, lo, hi = row_matrix(problem, [*blocks, *extra])
        fresh, fresh_lo, fresh_hi = _rows_of([*blocks, *extra], n)
        assert a.shape == fresh.shape and (a != fresh).nnz == 0 and a.has_sorted_indices
        assert np.array_equal(lo, fresh_lo) and np.array_equal(hi, fresh_hi)
        with pytest.raises(ValueError):
            lo[0] = 5.0  # shared: nobody may change it


@pytest.mark.parametrize("seed", range(8))
def test_the_lagrangian_bound_without_a_matrix_equals_the_matrix_one(seed, tmp_path):
    """lagrangian_bound computes Aᵀy block by block (no sparse matrix): the same bound
    and reduced costs as through row_matrix, for integer multipliers (the core's) exactly
    and for fractional ones (an LP's) to rounding; a cut and a lock row included."""
    from solver.model.constraints import difference_cut
    from solver.model.lp import _lagrangian, lagrangian_bound, row_matrix

    problem = build_problem(load_scenario(random_scenario(seed, tmp_path)))
    n = len(problem.pairs)
    blocks = [*build_rows(problem), difference_cut(np.arange(0, n, 2), 1)]
    a, lo, hi = row_matrix(problem, blocks)
    eq = lo == hi
    upper, lower = ~eq & np.isfinite(hi), ~eq & (lo > 0)
    rng = np.random.default_rng(seed)
    for duals in (rng.integers(-40, 40, lo.size).astype(np.float64),
                  rng.normal(0, 30, lo.size), np.zeros(lo.size)):
        duals[rng.random(lo.size) < 0.3] = 0.0
        bound, rc = lagrangian_bound(problem, blocks, duals)
        expected, expected_rc, _ = _lagrangian(a.T, problem.pairs.score.astype(np.float64),
                                               problem.pairs.lock, duals, lo, hi, eq,
                                               upper, lower)
        if np.all(duals == np.round(duals)):
            assert bound == expected + problem.constant
            assert np.array_equal(rc, expected_rc)
        else:
            assert bound == pytest.approx(expected + problem.constant, abs=1e-6)
            assert np.allclose(rc, expected_rc, atol=1e-9)
