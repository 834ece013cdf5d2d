"""CP-SAT back end: a model of the section 5 rows and the section 6 objective.

:class:`PlacementModel` is built once (variables, rows, objective) on a subset of the
pairs (``active``; the others are fixed to 0), then solved. :mod:`solver.model.proof`
proves that the subset loses nothing.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from solver.eligibility import Problem
from solver.model.constraints import INF, RowBlock
from solver.objective import plan_objective
from solver.result import SolveStatus

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

# OR-Tools' CP-SAT is imported when a model is first built, not with this module: a
# plan the flow core proves (the usual case) never needs it, and the import costs
# about 0.06 s of every `penata solve`.


def status_of(code: Any) -> SolveStatus:
    """CP-SAT's solve status as Penata's."""
    from ortools.sat.python import cp_model

    return {
        cp_model.OPTIMAL: SolveStatus.OPTIMAL,
        cp_model.FEASIBLE: SolveStatus.FEASIBLE,
        cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
        cp_model.UNKNOWN: SolveStatus.UNKNOWN,
        cp_model.MODEL_INVALID: SolveStatus.MODEL_INVALID,
    }.get(code, SolveStatus.UNKNOWN)


@dataclass(frozen=True)
class CpPlan:
    """A plan CP-SAT found: its pairs, its objective and CP-SAT's bound."""

    chosen: np.ndarray  # global pair indices with x = 1
    objective: int  # section 6 objective (constant included)
    bound: float  # CP-SAT's bound on the same (restricted) model


@dataclass(frozen=True)
class CpOutcome:
    """One CP-SAT answer: ``plan`` is set exactly when ``status`` is OPTIMAL or FEASIBLE."""

    status: SolveStatus
    plan: CpPlan | None
    wall: float

    @classmethod
    def found(cls, status: SolveStatus, chosen: np.ndarray, objective: int, bound: float,
              wall: float = 0.0) -> CpOutcome:
        return cls(status, CpPlan(chosen, objective, bound), wall)

    @classmethod
    def empty(cls, status: SolveStatus, wall: float = 0.0) -> CpOutcome:
        """An answer without a plan (INFEASIBLE, UNKNOWN)."""
        return cls(status, None, wall)


@functools.cache
def _progress_class() -> type:
    from ortools.sat.python import cp_model

    class Progress(cp_model.CpSolverSolutionCallback):
        def __init__(self, report: Callable[[int, float], None], constant: int):
            super().__init__()
            self._report = report
            self._constant = constant

        def on_solution_callback(self) -> None:
            self._report(int(round(self.objective_value)) + self._constant,
                         self.best_objective_bound + self._constant)

    return Progress


def _add_row(model: cp_model.CpModel, xs: list[cp_model.IntVar], lo: int, hi: int) -> None:
    """Add ``lo <= Σ xs <= hi`` in CP-SAT's most specific form."""
    hi = min(hi, len(xs))
    lo = max(lo, 0)
    if lo > hi:
        model.add_bool_or([])
    elif lo == 0 and hi == len(xs):
        return
    elif lo == 0 and hi == 1:
        model.add_at_most_one(xs)
    elif lo == 1 and hi == 1:
        model.add_exactly_one(xs)
    elif lo == 1 and hi == len(xs):
        model.add_bool_or(xs)
    else:
        from ortools.sat.python import cp_model

        model.add_linear_constraint(cp_model.LinearExpr.sum(xs), lo, hi)


class PlacementModel:
    """The model of ``blocks`` on the pairs ``active`` (sorted global indices): build,
    then :meth:`solve` (any number of times)."""

    def __init__(self, problem: Problem, blocks: Sequence[RowBlock], active: np.ndarray):
        from ortools.sat.python import cp_model

        self.problem = problem
        self.active = active
        self.local = np.full(len(problem.pairs), -1, dtype=np.int64)
        self.local[active] = np.arange(active.size)
        model = cp_model.CpModel()
        self.xs = [model.new_bool_var(f"x{j}") for j in active]
        for block in blocks:
            for members, lo, hi in zip(block.members, block.lo, block.hi, strict=True):
                loc = self.local[members]
                _add_row(model, [self.xs[i] for i in loc[loc >= 0]], int(lo),
                         int(min(hi, INF)))
        scores = problem.pairs.score[active]
        model.maximize(cp_model.LinearExpr.weighted_sum(self.xs, [int(s) for s in scores]))
        self.model = model

    def hint(self, chosen: np.ndarray) -> None:
        """Warm start from the plan ``chosen`` (global pair indices)."""
        hinted = np.zeros(self.active.size, dtype=bool)
        loc = self.local[chosen]
        hinted[loc[loc >= 0]] = True
        for var, value in zip(self.xs, hinted, strict=True):
            self.model.add_hint(var, bool(value))

    def solve(self, *, time_limit: float, workers: int, seed: int,
              progress: Callable[[int, float], None] | None = None,
              stop: threading.Event | None = None,
              first_solution: bool = False) -> CpOutcome:
        from ortools.sat.python import cp_model

        problem = self.problem
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(0.01, time_limit)
        params.num_workers = max(1, workers)
        params.random_seed = seed
        # The LP-heavy subsolver proves these assignment-like models fastest
        # (PERFORMANCE-NOTES: default parameters leave a gap where max_lp closes it).
        if workers > 1:
            # Interleaved search is deterministic: same model, seed and workers, same plan.
            params.interleave_search = True
            params.subsolvers.extend(["max_lp", "default_lp"])
        else:
            params.subsolvers.append("max_lp")
            params.linearization_level = 2
        if first_solution:
            params.stop_after_first_solution = True
        callback = _progress_class()(progress, problem.constant) if progress else None
        watcher = None
        if stop is not None:
            finished = threading.Event()

            def watch() -> None:
                while not finished.wait(0.1):
                    if stop.is_set():
                        solver.stop_search()
                        return

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
        start = time.perf_counter()
        code = solver.solve(self.model, callback)
        wall = time.perf_counter() - start
        if watcher is not None:
            finished.set()
        status = status_of(code)
        if status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            values = np.array([solver.boolean_value(x) for x in self.xs], dtype=bool)
            chosen = self.active[values]
            objective = plan_objective(problem.pairs.score, problem.constant, chosen)
            bound = solver.best_objective_bound + problem.constant
            return CpOutcome.found(status, chosen, objective, bound, wall)
        return CpOutcome.empty(status, wall)


def solve_cpsat(
    problem: Problem,
    blocks: Sequence[RowBlock],
    active: np.ndarray,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    hint: np.ndarray | None = None,
    progress: Callable[[int, float], None] | None = None,
    stop: threading.Event | None = None,
    first_solution: bool = False,
) -> CpOutcome:
    """Build :class:`PlacementModel` on ``active`` and solve it once."""
    model = PlacementModel(problem, blocks, active)
    if hint is not None:
        model.hint(hint)
    return model.solve(time_limit=time_limit, workers=workers, seed=seed, progress=progress,
                       stop=stop, first_solution=first_solution)
