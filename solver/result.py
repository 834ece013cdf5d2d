"""Solve parameters, progress events and results (docs/model.md sections 7-8)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solver.eligibility import Problem


class SolveStatus(StrEnum):
    """Status of a solve (docs/model.md section 8) and of one CP-SAT call.

    A ``str``: it compares equal to, formats as and serialises to its name, so
    ``plans.json`` reads ``"OPTIMAL"`` as before.
    """

    OPTIMAL = "OPTIMAL"  # every returned plan proven optimal (section 7)
    FEASIBLE = "FEASIBLE"  # plans returned, not all proven
    INFEASIBLE = "INFEASIBLE"  # proven: no plan exists
    UNKNOWN = "UNKNOWN"  # no plan found and nothing proven (time limit, stop)
    MODEL_INVALID = "MODEL_INVALID"  # CP-SAT rejected the model (a bug, never expected)


@dataclass(frozen=True)
class Progress:
    """A progress report while solving: plan being solved, best objective, bound."""

    plan: int
    best: int | None
    bound: float | None
    elapsed: float


@dataclass(frozen=True)
class SolveParams:
    """Parameters of :func:`solver.solve.solve`.

    Parameters
    ----------
    plans
        Ranked plans wanted; ``None`` takes the scenario's ``plans.count``.
    time_limit
        Wall-clock seconds for the whole solve (all plans).
    workers
        CP-SAT worker threads.
    seed
        CP-SAT random seed.
    progress
        Called with :class:`Progress` events (from the solver thread).
    stop
        Set it to stop the solve early; the best plans so far are returned.
    hint
        ``(nip, position)`` pairs of a known plan, used as a warm start.
    """

    plans: int | None = None
    time_limit: float = 60.0
    workers: int = 1
    seed: int = 0
    progress: Callable[[Progress], None] | None = None
    stop: threading.Event | None = None
    hint: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Assignment:
    nip: str
    position: str
    origin: str | None  # current position, None when unplaced


@dataclass(frozen=True)
class Plan:
    rank: int
    objective: int
    bound: int
    optimal: bool
    assignments: tuple[Assignment, ...]


@dataclass
class Result:
    """Outcome of a solve. ``status`` is OPTIMAL only when every plan is proven."""

    scenario: str
    status: SolveStatus
    plans: list[Plan]
    infeasibility: list[str] = field(default_factory=list)
    runtime: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    # The engine's own LP relaxation (a solver.model.lp.LpState) when it solved one: the
    # shortlists re-solve warm from it. Not part of the result's content (never written).
    lp_state: Any = field(default=None, repr=False, compare=False)
    # The problem the plans index into, so writers and explanations need not rebuild it.
    problem: Problem | None = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        lines = [f"{self.scenario}: {self.status}, {len(self.plans)} plan(s), {self.runtime:.2f} s"]
        for plan in self.plans:
            moves = sum(1 for a in plan.assignments if a.position != a.origin)
            lines.append(
                f"  plan {plan.rank}: objective {plan.objective:,} (bound {plan.bound:,}), "
                f"{len(plan.assignments)} assignments, {moves} moves"
            )
        lines.extend(f"  infeasible: {reason}" for reason in self.infeasibility)
        return "\n".join(lines)
