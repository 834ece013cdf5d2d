"""One entry point: :func:`solve` turns a scenario into ranked plans (section 7).

Strategy. Small models go to CP-SAT whole. Larger ones are solved on a subset of
the pairs chosen by reduced costs of a Lagrangian bound ``L`` (the flow core or the
LP relaxation, :mod:`solver.model.flow`, :mod:`solver.model.lp`); the proof that
the subset loses nothing, and how it grows when it might, is
:mod:`solver.model.proof`, shared with the exact shortlists. The same argument
holds for every ranked plan: difference cuts only remove plans, so ``L`` stays a
valid bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from solver.eligibility import Problem, build_problem
from solver.infeasibility import explain_infeasibility
from solver.model.constraints import RowBlock, build_rows, difference_cut
from solver.model.cpsat import CpOutcome, CpPlan, solve_cpsat
from solver.model.cycles import tied_plan
from solver.model.flow import Core, core_attempt
from solver.model.lp import LpBound, LpSeed, LpState, LpTimeout, lp_bound
from solver.model.proof import INITIAL_THRESHOLD, integer_bound, solve_pruned
from solver.model.proof import margin as proof_margin
from solver.objective import plan_objective
from solver.result import Assignment, Plan, Progress, Result, SolveParams, SolveStatus
from solver.reuse import SolveCache
from solver.scenario import Scenario

# Below this many pairs CP-SAT gets the whole model; above it, LP pruning first.
FULL_MODEL_PAIRS = 3000
# Pairs in the neighbourhood searched first for a ranked plan reaching the LP bound.
NEIGHBOURHOOD_PAIRS = 20_000
NEIGHBOURHOOD_MIN_PAIRS = FULL_MODEL_PAIRS
# From this many pairs a cold LP starts from the core's plan where that plan breaks a side
# row (XL: a third of the simplex iterations); below, the LP takes milliseconds either way
# and its default seeds keep the committed scenarios' plans as recorded.
SEEDED_LP_MIN_PAIRS = 100_000
# From this many pairs (city scale: M 1.79 M, XL 1.06 M) the core's plan is its
# canonical one among equally good plans (flow.face_plan), so a what-if re-solved from
# a kept base (solver.reuse) gives the bytes of a cold solve; below, the committed
# scenarios (the largest, rotasi_lima_tahun, has 217,626 pairs) keep their recorded
# plans, and a what-if there reuses the problem and rows but solves the core again.
CANONICAL_CORE_MIN_PAIRS = 500_000
# From this many pairs ranked plans are first sought as plan 1 with tied cycles swapped
# (solver.model.cycles: at city scale milliseconds where the neighbourhood search takes
# a second); below, the neighbourhood search keeps the committed scenarios' plans as
# recorded (the largest, rotasi_lima_tahun, has 217,626 pairs: tied cycles pick other,
# equally good plans 2 and 3 there).
TIED_PLANS_MIN_PAIRS = 250_000
# Seconds past the time limit spent looking for a first plan when none was found.
FIRST_PLAN_GRACE_S = 10.0


class _Clock:
    def __init__(self, limit: float):
        self.start = time.perf_counter()
        self.limit = limit

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return max(0.0, self.limit - self.elapsed())


def solve(scenario: Scenario, params: SolveParams | None = None, *,
          strategy: str = "auto", warm: LpState | None = None,
          reuse: SolveCache | None = None) -> Result:
    """Solve ``scenario`` and return up to ``params.plans`` ranked plans.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`solver.io.load_scenario`).
    params
        Solve parameters; defaults of :class:`SolveParams` when omitted.
    strategy
        ``"auto"`` (default), ``"full"`` (CP-SAT on every pair) or ``"pruned"``
        (LP reduced-cost pruning whatever the size).
    warm
        Off by default. An :class:`~solver.model.lp.LpState` kept from an earlier
        solve of a related scenario (a what-if of it): the LP relaxation restarts
        from that solve's columns and basis, and the state is updated to this
        scenario. Objectives and proofs are those of a cold solve; among equally
        scored plans a warm solve may pick a different one, so the plans depend on
        the state's history as well as on the scenario. A state in use by another
        solve is not waited for: this solve then runs cold.
    reuse
        Off by default. A :class:`~solver.reuse.SolveCache` of earlier solves in this
        process: a scenario that differs from a kept one only by added locks (a
        what-if) starts from its problem, rows and core plan, and this solve is kept
        in turn. The result is the same, byte for byte, as without it.
    """
    params = params or SolveParams()
    clock = _Clock(params.time_limit)
    stats: dict[str, float | int | str] = {}
    t = time.perf_counter()
    if reuse is not None:
        prepared = reuse.prepare(scenario)
        problem, blocks, start = prepared.problem, prepared.blocks, prepared.start
        stats["reused"] = prepared.how
        stats["prepare_s"] = round(time.perf_counter() - t, 3)
    else:
        problem, start = build_problem(scenario), None
        stats["eligibility_s"] = round(time.perf_counter() - t, 3)
        t = time.perf_counter()
        blocks = build_rows(problem)
        stats["rows_s"] = round(time.perf_counter() - t, 3)
    stats["pairs"] = len(problem.pairs)
    count = params.plans if params.plans is not None else scenario.plans.count
    min_difference = scenario.plans.min_difference

    engine = _Engine(problem, blocks, params, clock, warm, start)
    if strategy == "pruned" or (strategy == "auto" and len(problem.pairs) > FULL_MODEL_PAIRS):
        engine.use_lp()

    plans: list[Plan] = []
    cuts: list[RowBlock] = []
    exhausted = True  # every plan proven and no plan left unproven
    for rank in range(1, count + 1):
        # Plan 1 is always attempted: the LP may already hold it, proven or not.
        if rank > 1 and (clock.left() <= 0 or (params.stop is not None and params.stop.is_set())):
            exhausted = False
            break
        outcome, bound, proven = engine.solve_plan(rank, cuts)
        if outcome.plan is None:
            if outcome.status != SolveStatus.INFEASIBLE:
                exhausted = False
            break
        plans.append(_plan(problem, rank, outcome.plan, bound, proven))
        exhausted &= proven
        cuts.append(difference_cut(outcome.plan.chosen, min_difference))

    if not plans and not exhausted and not (params.stop is not None and params.stop.is_set()):
        # The limit ran out before any plan: a planner is better served by a first
        # feasible plan a little late than by nothing (the grace period is bounded).
        grace = engine.first_plan(FIRST_PLAN_GRACE_S)
        if grace is not None:
            plan, bound, proven = grace
            plans.append(_plan(problem, 1, plan, bound, proven))
            exhausted = proven and count == 1

    if plans:
        status = SolveStatus.OPTIMAL if exhausted else SolveStatus.FEASIBLE
        reasons: list[str] = []
    elif exhausted:
        status = SolveStatus.INFEASIBLE
        focus = engine.lp.conflict if engine.lp is not None else ()
        reasons = explain_infeasibility(problem, blocks, time_limit=max(5.0, clock.left()),
                                        focus=focus)
    else:
        status = SolveStatus.UNKNOWN
        reasons = [f"No plan was found within the time limit ({params.time_limit:g} s); "
                   "raise --time-limit."]
    stats.update(engine.stats)
    if reuse is not None:
        reuse.keep(problem, blocks, engine.lp if stats.get("strategy") == "flow-core" else None)
    return Result(scenario=scenario.name, status=status, plans=plans, infeasibility=reasons,
                  runtime=round(clock.elapsed(), 3), stats=stats, problem=problem,
                  lp_state=engine.own_state if engine.own_state is not None and
                  engine.own_state.warm else None)


def _plan(problem: Problem, rank: int, found: CpPlan, bound: int, proven: bool) -> Plan:
    chosen = found.chosen
    pairs = problem.pairs
    emps, poss = pairs.emp[chosen], pairs.pos[chosen]
    order = np.lexsort((problem.position_ids[poss].astype(str), problem.nips[emps].astype(str)))
    assignments = []
    for k in order:
        e, p = int(emps[k]), int(poss[k])
        origin = problem.position_ids[problem.current[e]] if problem.current[e] >= 0 else None
        assignments.append(Assignment(str(problem.nips[e]), str(problem.position_ids[p]),
                                      None if origin is None else str(origin)))
    return Plan(rank=rank, objective=found.objective, bound=bound, optimal=proven,
                assignments=tuple(assignments))


def _vertex_outcome(plan: CpPlan, bound: int, proven: bool) -> tuple[CpOutcome, int, bool]:
    """An LP vertex plan as the engine's (outcome, bound, proven)."""
    return CpOutcome(SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE, plan, 0.0), \
        bound, proven


class _Engine:
    """Solves one ranked plan at a time, on all pairs or on an LP-pruned subset."""

    def __init__(self, problem: Problem, blocks: list[RowBlock], params: SolveParams,
                 clock: _Clock, warm: LpState | None = None,
                 start: Callable[[Core], np.ndarray | None] | None = None):
        self.problem = problem
        self.start = start  # the core's plan from a kept base (solver.reuse)
        self.warm = warm
        self.blocks = blocks
        self.params = params
        self.clock = clock
        self.stats: dict[str, float | int | str] = {"strategy": "full", "cpsat_s": 0.0,
                                                     "cpsat_calls": 0}
        self.lp: LpBound | None = None
        self.threshold = INITIAL_THRESHOLD
        self.hint = self._initial_hint()
        self.all_pairs = np.arange(len(problem.pairs))
        self.own_state: LpState | None = None  # the LP solved here (not a shared warm one)
        # Where a cold LP starts when the core's plan broke a side row (flow.core_attempt).
        self.seed: LpSeed | None = None
        self._vertex: tuple[LpBound | None, tuple[CpPlan, int, bool] | None] | None = None
        # Employees an earlier ranked plan moved along tied cycles (_tied).
        self.tied_busy = np.zeros(problem.n_employees, dtype=bool)

    def _initial_hint(self) -> np.ndarray | None:
        if not self.params.hint:
            return None
        found = self.problem.find_pairs(self.params.hint)
        return np.unique(found[found >= 0])

    def _lp_bound(self, time_limit: float) -> LpBound:
        state = self.warm
        if state is not None and state.lock.acquire(blocking=False):
            try:
                return lp_bound(self.problem, self.blocks, time_limit=time_limit, state=state,
                                seed=self.seed)
            finally:
                state.lock.release()
        self.own_state = LpState()
        return lp_bound(self.problem, self.blocks, time_limit=time_limit,
                        state=self.own_state, seed=self.seed)

    def use_lp(self) -> None:
        # A what-if with a kept LP re-optimises in a few pivots (faster than the core's
        # flow solve at city scale); otherwise the core first.
        warm = self.warm is not None and self.warm.warm
        if not warm and self._use_core():
            return
        try:
            self.lp = self._lp_bound(self.clock.left())
        except LpTimeout:
            self.stats["strategy"] = "full (LP relaxation hit the time limit)"
            return
        self.stats["strategy"] = "lp-pruned"
        self.stats["lp_s"] = round(self.lp.wall, 3)
        self.stats["lp_rounds"] = self.lp.rounds
        self.stats["lp_columns"] = self.lp.columns
        if self.lp.warm:
            self.stats["lp_warm"] = 1
        if self.lp.feasible:
            self.stats["lp_bound"] = round(self.lp.bound, 3)
            if self.hint is None and self.lp.x is not None:
                self.hint = np.flatnonzero(self.lp.x > 0.5)

    def _use_core(self) -> bool:
        """Take the transportation core's bound (:mod:`solver.model.flow`) instead of the
        LP when the core's optimal plan meets every row and reaches its bound: then that
        plan is optimal (a feasible optimum of a relaxation) and the potentials' duals
        prune the ranked plans as the LP's would. About a second at city scale. When the
        core's plan breaks a side row (turnover binds at ministry scale), the LP starts
        from that plan and the best pairs by the core's reduced costs instead."""
        n = len(self.problem.pairs)
        started = time.perf_counter()
        canonical = n >= CANONICAL_CORE_MIN_PAIRS
        core, self.seed = core_attempt(self.problem, self.blocks,
                                       accept=lambda plan: rows_hold(self.blocks, plan, n),
                                       seed=n >= SEEDED_LP_MIN_PAIRS, canonical=canonical,
                                       start=self.start if canonical else None)
        self.stats["core_s"] = round(time.perf_counter() - started, 3)
        if self.seed is not None:
            self.stats["lp_seeded"] = 1
        if core is None:
            return False
        self.lp = core
        vertex = self._lp_vertex_plan()
        if vertex is None or not vertex[2]:
            self.lp = None
            return False
        self.stats["strategy"] = "flow-core"
        self.stats["lp_bound"] = round(core.bound, 3)
        if self.hint is None:
            self.hint = vertex[0].chosen
        return True

    def first_plan(self, seconds: float) -> tuple[CpPlan, int, bool] | None:
        """A first plan within ``seconds`` after the time limit: the LP vertex when it
        is integral (often already optimal), else CP-SAT's first solution."""
        started = time.perf_counter()
        if self.lp is None:
            try:
                self.lp = self._lp_bound(seconds)
            except LpTimeout:
                self.lp = None
        vertex = self._lp_vertex_plan() if self.lp is not None and self.lp.feasible else None
        if vertex is not None:
            result = vertex
        else:
            left = max(1.0, seconds - (time.perf_counter() - started))
            found = solve_cpsat(self.problem, self.blocks, self.all_pairs, time_limit=left,
                                workers=self.params.workers, seed=self.params.seed,
                                hint=self.hint, first_solution=True)
            if found.plan is None:
                return None
            plan = found.plan
            bound = max(plan.objective, int(np.floor(plan.bound + 1e-6)))
            if self.lp is not None and self.lp.feasible:
                bound = max(plan.objective, min(bound, self._lp_integer_bound()))
            result = (plan, bound, found.status == SolveStatus.OPTIMAL)
        self.stats["first_plan_grace_s"] = round(time.perf_counter() - started, 3)
        return result

    def _neighbourhood(self, rank: int, cuts: list[RowBlock],
                       margin: float) -> tuple[CpOutcome, int, bool] | None:
        """A ranked plan that reaches the LP bound, searched in a small neighbourhood.

        Degenerate rounds (many equally good people for a post) have ranked plans as
        good as plan 1. Any plan whose objective reaches ``floor(L)`` is optimal for
        the whole model, whatever subset it was found in; so CP-SAT first searches
        the earlier plans' pairs plus the zero-loss pairs (``rc >= 0``) of a seeded
        sample of employees. When that does not reach ``floor(L)`` the exact
        restricted solve below takes over.
        """
        lp = self.lp
        assert lp is not None
        pairs = self.problem.pairs
        target = self._lp_integer_bound()
        tight = lp.reduced_cost >= -margin
        per_emp = np.bincount(pairs.emp[tight], minlength=self.problem.n_employees)
        movable = np.flatnonzero(per_emp >= 2)
        if movable.size == 0 or len(pairs) <= NEIGHBOURHOOD_MIN_PAIRS:
            return None
        order = np.random.default_rng(self.params.seed + rank).permutation(movable)
        take = int(np.searchsorted(np.cumsum(per_emp[order]), NEIGHBOURHOOD_PAIRS)) + 1
        free = np.zeros(self.problem.n_employees, dtype=bool)
        free[order[:take]] = True
        earlier = np.concatenate([cut.members[0] for cut in cuts])
        active = np.union1d(earlier, np.flatnonzero((tight & free[pairs.emp]) | pairs.lock))
        self.hint = cuts[-1].members[0]
        budget = min(self.clock.left(), max(5.0, 0.2 * self.clock.left()))
        outcome = self._cpsat(rank, cuts, active, time_limit=budget)
        self.stats[f"plan{rank}_neighbourhood_pairs"] = int(active.size)
        plan = outcome.plan
        if plan is None or plan.objective < target:
            self.hint = None
            return None
        self.stats[f"plan{rank}_proof"] = "neighbourhood reaches the LP bound"
        self.hint = plan.chosen
        return CpOutcome.found(SolveStatus.OPTIMAL, plan.chosen, plan.objective, float(target),
                               outcome.wall), plan.objective, True

    def _tied(self, rank: int, cuts: list[RowBlock],
              margin: float) -> tuple[CpOutcome, int, bool] | None:
        """A ranked plan that reaches the LP bound: plan 1 with tied cycles swapped
        (:func:`solver.model.cycles.tied_plan`), kept only when it meets every row and
        every earlier plan's cut in integers and its recomputed objective reaches
        ``floor(L)``."""
        lp = self.lp
        assert lp is not None
        started = time.perf_counter()
        problem = self.problem
        found = tied_plan(problem, cuts[0].members[0], lp.reduced_cost, margin,
                          problem.scenario.plans.min_difference, self.tied_busy)
        self.stats[f"plan{rank}_tied_s"] = round(time.perf_counter() - started, 3)
        if found is None:
            return None
        chosen, moved = found
        if not rows_hold([*self.blocks, *cuts], chosen, len(problem.pairs)):
            return None
        objective = plan_objective(problem.pairs.score, problem.constant, chosen)
        target = self._lp_integer_bound()
        if objective < target:
            return None
        self.tied_busy[moved] = True
        self.stats[f"plan{rank}_proof"] = "tied cycles reach the LP bound"
        self.hint = chosen
        return CpOutcome.found(SolveStatus.OPTIMAL, chosen, objective, float(target)), \
            objective, True

    def _margin(self) -> float:
        assert self.lp is not None
        return proof_margin(self.lp.bound)

    def _lp_integer_bound(self) -> int:
        """``floor(L)``: no plan (an integer objective) can score above it."""
        assert self.lp is not None
        return integer_bound(self.lp.bound)

    def _lp_vertex_plan(self) -> tuple[CpPlan, int, bool] | None:
        """The LP vertex as (plan, bound, proven) when it is an integral plan;
        proven optimal when it reaches ``floor(L)`` (worked out once per LP)."""
        if self._vertex is not None and self._vertex[0] is self.lp:
            return self._vertex[1]
        chosen = self._lp_plan()
        vertex = None
        if chosen is not None:
            objective = plan_objective(self.problem.pairs.score, self.problem.constant,
                                       chosen)
            bound = max(objective, self._lp_integer_bound())
            vertex = CpPlan(chosen, objective, float(bound)), bound, objective >= bound
        self._vertex = (self.lp, vertex)
        return vertex

    def _lp_plan(self) -> np.ndarray | None:
        """The LP solution as a plan, when it is integral and meets every row exactly."""
        assert self.lp is not None and self.lp.x is not None
        return integral_plan(self.lp.x, self.blocks, len(self.problem.pairs))

    def _report(self, rank: int) -> object:
        callback = self.params.progress
        if callback is None:
            return None

        def report(best: int, bound: float) -> None:
            callback(Progress(rank, best, bound, self.clock.elapsed()))

        return report

    def _cpsat(self, rank: int, cuts: list[RowBlock], active: np.ndarray,
               time_limit: float | None = None) -> CpOutcome:
        outcome = solve_cpsat(
            self.problem, [*self.blocks, *cuts], active,
            time_limit=self.clock.left() if time_limit is None else time_limit,
            workers=self.params.workers, seed=self.params.seed,
            hint=self.hint, progress=self._report(rank),  # type: ignore[arg-type]
            stop=self.params.stop,
        )
        self.stats["cpsat_s"] = round(float(self.stats["cpsat_s"]) + outcome.wall, 3)
        self.stats["cpsat_calls"] = int(self.stats["cpsat_calls"]) + 1
        return outcome

    def solve_plan(self, rank: int, cuts: list[RowBlock]) -> tuple[CpOutcome, int, bool]:
        """Return (outcome, proven bound, proven optimal) of ranked plan ``rank``."""
        if rank > 1:
            # A hint the new cut forbids only slows CP-SAT down (PERFORMANCE-NOTES).
            self.hint = None
        lp = self.lp
        if lp is None:
            outcome = self._cpsat(rank, cuts, self.all_pairs)
            if outcome.plan is None:
                return outcome, 0, outcome.status == SolveStatus.INFEASIBLE
            self.hint = outcome.plan.chosen
            proven = outcome.status == SolveStatus.OPTIMAL
            bound = outcome.plan.objective if proven else int(np.floor(outcome.plan.bound + 1e-6))
            return outcome, bound, proven
        if not lp.feasible:
            return CpOutcome.empty(SolveStatus.INFEASIBLE), 0, True
        if rank == 1 and not cuts:
            vertex = self._lp_vertex_plan()
            if vertex is not None and vertex[2]:
                # An integral LP vertex that meets every row and reaches the Lagrangian
                # bound is optimal by LP duality; CP-SAT has nothing left to prove.
                self.stats["plan1_proof"] = "core-duality" if self.stats["strategy"] == "flow-core" \
                    else "lp-duality"
                self.hint = vertex[0].chosen
                return _vertex_outcome(*vertex)
        margin = self._margin()
        if cuts and len(self.problem.pairs) >= TIED_PLANS_MIN_PAIRS:
            found = self._tied(rank, cuts, margin)
            if found is not None:
                return found
        if cuts:
            found = self._neighbourhood(rank, cuts, margin)
            if found is not None:
                return found

        def solve_subset(active: np.ndarray) -> CpOutcome:
            self.stats["active_pairs"] = int(active.size)
            outcome = self._cpsat(rank, cuts, active)
            if outcome.plan is not None:
                self.hint = outcome.plan.chosen
            return outcome

        pruned = solve_pruned(lp, self.problem.pairs.lock, solve_subset, self.threshold)
        self.threshold = pruned.threshold
        outcome = pruned.outcome
        if pruned.proven:
            return outcome, (outcome.plan.objective if outcome.plan is not None else 0), True
        # Time limit or stop: the best plan so far, with a bound valid for all pairs.
        if outcome.plan is None:
            fallback = self._lp_vertex_plan() if rank == 1 and not cuts else None
            return _vertex_outcome(*fallback) if fallback is not None else (outcome, 0, False)
        return outcome, pruned.bound(outcome.plan, lp), False


def integral_plan(x: np.ndarray, blocks: list[RowBlock], n_pairs: int) -> np.ndarray | None:
    """The LP solution ``x`` as a plan (pair indices), when it is integral and meets
    every row of ``blocks`` in integers; else None."""
    if np.any(np.abs(x - np.round(x)) > 1e-6):
        return None
    chosen = np.flatnonzero(x > 0.5)
    return chosen if rows_hold(blocks, chosen, n_pairs) else None


def rows_hold(blocks: list[RowBlock], chosen: np.ndarray, n_pairs: int) -> bool:
    """Whether the plan ``chosen`` (pair indices) meets every row, in integers."""
    picked = np.zeros(n_pairs, dtype=np.int64)
    picked[chosen] = 1
    for block in blocks:
        for members, lo, hi in zip(block.members, block.lo, block.hi, strict=True):
            total = int(picked[members].sum())
            if total < lo or total > hi:
                return False
    return True
