"""CP-SAT back end: variables, constraint rows and the section 6 objective.

The model may be built on a subset of the pairs (``active``): the others are
fixed to 0. :mod:`solver.solve` proves that the subset loses nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from solver.eligibility import Problem
from solver.model.constraints import INF, RowBlock
from solver.objective import plan_objective

STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.UNKNOWN: "UNKNOWN",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
}


@dataclass
class CpOutcome:
    status: str
    chosen: np.ndarray | None  # global pair indices with x = 1
    objective: int | None  # section 6 objective (constant included)
    bound: float | None  # CP-SAT's bound on the same (restricted) model
    wall: float
    core: list[tuple[str, int]] | None = None  # (family, entity) of a conflicting set


# CP-SAT parameters set after the defaults below (benchmarks and tuning experiments).
PARAM_OVERRIDES: dict[str, object] = {}


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[int, float], None], constant: int):
        super().__init__()
        self._report = report
        self._constant = constant

    def on_solution_callback(self) -> None:
        self._report(int(round(self.objective_value)) + self._constant,
                     self.best_objective_bound + self._constant)


def _add_row(model: cp_model.CpModel, xs: list[cp_model.IntVar], lo: int, hi: int,
             linear_only: bool = False) -> list[cp_model.Constraint]:
    """Add ``lo <= Σ xs <= hi``; returns the constraints made (for enforcement literals)."""
    hi = min(hi, len(xs))
    lo = max(lo, 0)
    if lo > hi:
        return [model.add_bool_or([])]
    if lo == 0 and hi == len(xs):
        return []
    if linear_only:
        return [model.add_linear_constraint(cp_model.LinearExpr.sum(xs), lo, hi)]
    if lo == 0 and hi == 1:
        return [model.add_at_most_one(xs)]
    if lo == 1 and hi == 1:
        return [model.add_exactly_one(xs)]
    if lo == 1 and hi == len(xs):
        return [model.add_bool_or(xs)]
    return [model.add_linear_constraint(cp_model.LinearExpr.sum(xs), lo, hi)]


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
    explain: bool = False,
    first_solution: bool = False,
) -> CpOutcome:
    """Solve the model restricted to the pairs ``active`` (sorted global indices).

    With ``explain=True`` every row gets an assumption literal per (family, entity)
    and, when infeasible, the outcome names a small conflicting set of them.
    """
    pairs = problem.pairs
    local = np.full(len(pairs), -1, dtype=np.int64)
    local[active] = np.arange(active.size)
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{j}") for j in active]
    assumptions: dict[tuple[str, int], cp_model.IntVar] = {}
    for block in blocks:
        for entity, members, lo, hi in zip(block.entity, block.members, block.lo, block.hi,
                                           strict=True):
            loc = local[members]
            row = [xs[i] for i in loc[loc >= 0]]
            made = _add_row(model, row, int(lo), int(min(hi, INF)), linear_only=explain)
            if explain and made:
                key = (block.family, int(entity))
                if key not in assumptions:
                    assumptions[key] = model.new_bool_var(f"a_{block.family}_{entity}")
                for constraint in made:
                    constraint.only_enforce_if(assumptions[key])
    scores = pairs.score[active]
    model.maximize(cp_model.LinearExpr.weighted_sum(xs, [int(s) for s in scores]))
    if assumptions:
        model.add_assumptions(list(assumptions.values()))
    if hint is not None:
        hinted = np.zeros(active.size, dtype=bool)
        loc = local[hint]
        hinted[loc[loc >= 0]] = True
        for var, value in zip(xs, hinted, strict=True):
            model.add_hint(var, bool(value))

    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, time_limit)
    params.num_workers = max(1, workers)
    params.random_seed = seed
    # The LP-heavy subsolver proves these assignment-like models fastest (PERFORMANCE-NOTES:
    # default parameters leave a gap where max_lp closes it).
    if workers > 1:
        # Interleaved search is deterministic: same model, seed and workers, same plan.
        params.interleave_search = True
        params.subsolvers.extend(["max_lp", "default_lp"])
    else:
        params.subsolvers.append("max_lp")
        params.linearization_level = 2
    if explain:
        params.num_workers = 1
    if first_solution:
        params.stop_after_first_solution = True
    for name, value in PARAM_OVERRIDES.items():
        if isinstance(value, list):
            field = getattr(params, name)
            field.clear()
            field.extend(value)
        else:
            setattr(params, name, value)
    callback = _Progress(progress, problem.constant) if progress else None
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
    code = solver.solve(model, callback)
    wall = time.perf_counter() - start
    if watcher is not None:
        finished.set()
    status = STATUS_NAMES.get(code, "UNKNOWN")
    if status in ("OPTIMAL", "FEASIBLE"):
        values = np.array([solver.boolean_value(x) for x in xs], dtype=bool)
        chosen = active[values]
        objective = plan_objective(pairs.score, problem.constant, chosen)
        bound = solver.best_objective_bound + problem.constant
        return CpOutcome(status, chosen, objective, bound, wall)
    core = None
    if status == "INFEASIBLE" and explain:
        by_index = {var.index: key for key, var in assumptions.items()}
        core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()
                if i in by_index]
    return CpOutcome(status, None, None, None, wall, core)
