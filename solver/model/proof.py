"""The proof that a plan solved on a pruned subset of pairs is optimal for all pairs.

This is the engine's central correctness argument, used by the ranked plans
(:mod:`solver.solve`) and the exact shortlists (:mod:`solver.review.shortlist`)
alike. With ``L`` a Lagrangian bound and ``rc_j`` the reduced cost of pair j
(:mod:`solver.model.lp`), any plan that uses a pair with ``rc_j < −T`` scores below
``L − T``. So if CP-SAT proves the optimum ``z`` of the subset
``{j : rc_j >= −T} ∪ locks`` and ``z >= L − T``, then ``z`` is optimal for the whole
model. When the test fails, ``T`` grows to ``L − z`` (at least ×1.5) and the subset
is solved again; an infeasible subset grows ``T`` ×4; once ``T`` exceeds every
``−rc_j`` the subset is the whole model and CP-SAT's answer is final.

:func:`margin` is the one float slack of the argument (both callers use it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver.model.cpsat import CpOutcome, CpPlan
from solver.model.lp import LpBound
from solver.result import SolveStatus

INITIAL_THRESHOLD = 50.0


def margin(bound: float) -> float:
    """Slack for float rounding in ``rc`` and ``L`` (sums of ~1e6 terms of size <= 1e5
    carry errors far below 1e-3); it only ever keeps more pairs or proves less."""
    return 1e-3 + 1e-9 * abs(bound)


def integer_bound(bound: float) -> int:
    """``floor(L)`` with the margin: no plan (an integer objective) scores above it."""
    return int(np.floor(bound + margin(bound)))


@dataclass(frozen=True)
class PrunedSolve:
    """Outcome of :func:`solve_pruned`.

    ``proven``: OPTIMAL for all pairs, or INFEASIBLE for all pairs. Otherwise the
    time ran out (``outcome`` is CP-SAT's last answer, perhaps a plan without a
    proof) and ``threshold`` / ``full`` say what the last subset was, for a bound.
    """

    outcome: CpOutcome
    proven: bool
    full: bool
    threshold: float

    def bound(self, plan: CpPlan, lp: LpBound) -> int:
        """A bound valid for all pairs after a timed-out solve that found ``plan`` (the
        outcome's): CP-SAT's bound on the subset, and ``L − T`` for plans that use a
        pruned pair."""
        best = plan.bound if self.full else max(plan.bound, lp.bound - self.threshold)
        return int(np.floor(best + margin(lp.bound)))


def solve_pruned(lp: LpBound, locks: np.ndarray, solve_subset: Callable[[np.ndarray], CpOutcome],
                 threshold: float = INITIAL_THRESHOLD,
                 time_left: Callable[[], float] | None = None) -> PrunedSolve:
    """Solve on growing reduced-cost subsets until the optimum is proven for all pairs.

    ``solve_subset(active)`` runs CP-SAT on the sorted pair indices ``active``;
    ``locks`` marks pairs always kept; ``time_left`` (optional) stops the loop with
    status UNKNOWN when no time is left before a solve.
    """
    slack = margin(lp.bound)
    rc = lp.reduced_cost
    most_negative = float(-rc.min()) if rc.size else 0.0
    everything = np.arange(rc.size)
    while True:
        full = threshold > most_negative + slack
        if time_left is not None and time_left() <= 0.01:
            return PrunedSolve(CpOutcome.empty(SolveStatus.UNKNOWN), False, full, threshold)
        active = everything if full else np.flatnonzero((rc >= -threshold - slack) | locks)
        outcome = solve_subset(active)
        if outcome.status == SolveStatus.OPTIMAL and outcome.plan is not None:
            objective = outcome.plan.objective
            if full or objective >= lp.bound - threshold + slack:
                return PrunedSolve(outcome, True, full, threshold)
            threshold = max(2 * slack + lp.bound - objective, 1.5 * threshold)
            continue
        if outcome.status == SolveStatus.INFEASIBLE:
            if full:
                return PrunedSolve(outcome, True, full, threshold)
            threshold *= 4
            continue
        return PrunedSolve(outcome, False, full, threshold)
