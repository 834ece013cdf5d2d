"""Re-solving a what-if from a kept solve of its base round.

A what-if after one lock (the committee approves a move) changes one pair's bounds
and nothing else: no derived value, no pair, no score, no row but the locks'
(section 4 adds a lock's pair and marks it; section 5.6 is the only family that
reads the marks). A :class:`SolveCache` keeps the last few solves' problems, rows
and, when the transportation core proved plan 1 (:mod:`solver.model.flow`), the
core's plan and potentials. :func:`solver.solve.solve` asks it for a scenario:

- the problem: read off a kept one whose scenario differs only by added locks
  (:func:`solver.eligibility.with_locks`: equal to a cold build, array for array),
  else built cold;
- the rows: the kept blocks (the same objects, so the kept row matrix of
  :func:`solver.model.lp.row_matrix` is extended, not rebuilt), the lock rows anew;
- the core's optimal plan for one new lock ``(e, p)``: the kept plan plus the
  shortest cycle through arc ``e → p`` in its residual network with reduced lengths
  (a forced arc's cheapest completion, as :mod:`solver.review.pricing` prices
  shortlists). The engine proves it again as for a cold solve (potentials, a
  recomputed Lagrangian bound) and takes the core's canonical plan
  (:func:`solver.model.flow.face_plan`), so the plans, bounds and duals are those
  of a cold solve of the same scenario, byte for byte; tests/test_reuse.py checks it.

Everything kept is the output of an earlier solve of the same code, so a cache miss
only costs time. One cache per process; it is thread-safe.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from solver.eligibility import Problem, build_problem, with_locks
from solver.model.constraints import FAMILIES, RowBlock, build_rows
from solver.model.flow import Core, core_network, reduced_graph, residual
from solver.model.lp import LpBound
from solver.scenario import Scenario

# Scenario fields a kept problem may differ in: the locks (read off by with_locks) and
# what no problem reads (the raw YAML, the file name).
_FREE_FIELDS = {"locks", "config", "source"}


def same_but_locks(a: Scenario, b: Scenario) -> bool:
    """Whether ``a`` and ``b`` hold the same tables and settings, locks aside."""
    for f in dataclasses.fields(Scenario):
        if f.name in _FREE_FIELDS:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x is y:
            continue
        if hasattr(x, "equals"):
            if not x.equals(y):
                return False
        elif x != y:
            return False
    return True


@dataclass(eq=False)  # kept solves are told apart by identity
class _Kept:
    """One kept solve: its problem and rows, and the core's plan with its potentials
    when the core proved plan 1 (the residual network with reduced lengths built on
    the first what-if that needs it)."""

    problem: Problem
    blocks: list[RowBlock]
    plan: np.ndarray | None = None
    potentials: np.ndarray | None = None
    reduced: sparse.csr_matrix | None = field(default=None, repr=False)
    derived: bool = False  # its problem was read off another kept one


@dataclass(frozen=True)
class Prepared:
    """What a solve starts from: its problem, its rows, how they were found
    (``"cold"``, ``"problem"``: read off a kept one) and, when a kept core plan
    applies, a function giving the core's optimal plan for the new network."""

    problem: Problem
    blocks: list[RowBlock]
    how: str
    start: Callable[[Core], np.ndarray | None] | None = None


class SolveCache:
    """The last ``size`` solves' problems, rows and core plans (module docstring)."""

    def __init__(self, size: int = 2):
        self.size = size
        self._kept: list[_Kept] = []
        self._lock = threading.Lock()

    def prepare(self, scenario: Scenario) -> Prepared:
        """The problem and rows of ``scenario``, read off a kept solve when one
        differs from it only by added locks, else built cold."""
        with self._lock:
            candidates = list(self._kept)
        for kept in candidates:
            if not same_but_locks(kept.problem.scenario, scenario):
                continue
            problem = with_locks(kept.problem, scenario)
            if problem is None:
                continue
            with self._lock:  # the base of what-ifs stays while its what-ifs come and go
                if kept in self._kept:
                    self._kept.remove(kept)
                    self._kept.insert(0, kept)
            blocks = [FAMILIES["lock"].rows(problem) if b.family == "lock" else b
                      for b in kept.blocks]
            start = None
            if kept.plan is not None:
                def start(core: Core, kept: _Kept = kept,
                          problem: Problem = problem) -> np.ndarray | None:
                    return _locked_plan(kept, problem)
            return Prepared(problem, blocks, "problem", start)
        problem = build_problem(scenario)
        return Prepared(problem, build_rows(problem), "cold")

    def warm_up(self) -> None:
        """Work the newest kept core plan's residual network out now, when that solve
        was not itself a what-if of a kept one (the first what-if of it needs it): for
        a server to call between jobs."""
        with self._lock:
            kept = self._kept[0] if self._kept else None
        if kept is not None and not kept.derived and kept.plan is not None:
            _reduced(kept)

    def keep(self, problem: Problem, blocks: list[RowBlock], core: LpBound | None) -> None:
        """Keep a finished solve; ``core``: the flow core's bound when it proved plan 1
        (its plan and potentials are kept), else None."""
        if self.size <= 0:
            return
        with self._lock:
            derived = any(problem.pairs.emp is k.problem.pairs.emp for k in self._kept)
        kept = _Kept(problem, blocks, derived=derived)
        if core is not None and core.potentials is not None and core.x is not None:
            kept.plan = np.flatnonzero(core.x > 0.5)
            kept.potentials = core.potentials
        with self._lock:
            others = [k for k in self._kept if k.problem is not problem]
            self._kept = [kept, *others][:self.size]


def _locked_plan(kept: _Kept, problem: Problem) -> np.ndarray | None:
    """An optimal plan of the core of ``problem`` (the kept problem with locks
    added) from the kept core plan: that plan itself when
    no lock was added or the new lock's pair is in it, else the plan with the shortest
    cycle through the locked arc applied; None when there is no such cycle or more
    than one lock was added (the caller solves the flow)."""
    assert kept.plan is not None and kept.potentials is not None
    base = kept.problem
    pairs = problem.pairs
    new = np.flatnonzero(pairs.lock & ~base.pairs.lock)
    if new.size == 0:
        return kept.plan
    if new.size > 1:
        return None
    j = int(new[0])
    in_plan = np.zeros(len(pairs), dtype=bool)
    in_plan[kept.plan] = True
    if in_plan[j]:
        return kept.plan
    graph = _reduced(kept)
    if graph is None:
        return None
    n_e, n_p = problem.n_employees, problem.n_positions
    e, p = int(pairs.emp[j]), n_e + int(pairs.pos[j])
    dist, pred = dijkstra(graph, indices=p, return_predecessors=True)
    if not np.isfinite(dist[e]):
        return None
    # The path p ~> e in the residual network: a post -> employee arc takes that pair
    # out of the plan, an employee -> post arc puts it in; then e -> p closes the cycle.
    tails, heads = [], []
    node = e
    while node != p:
        tails.append(int(pred[node]))
        heads.append(node)
        node = tails[-1]
    t, h = np.array(tails, dtype=np.int64), np.array(heads, dtype=np.int64)
    is_post = (t >= n_e) & (t < n_e + n_p)
    leave = is_post & (h < n_e)
    enter = (t < n_e) & (h >= n_e) & (h < n_e + n_p)
    codes = problem._pair_codes
    out_codes = h[leave] * n_p + (t[leave] - n_e)
    in_codes = t[enter] * n_p + (h[enter] - n_e)
    out_at = np.searchsorted(codes, out_codes)
    in_at = np.searchsorted(codes, in_codes)
    if np.any(codes[np.minimum(out_at, codes.size - 1)] != out_codes) or \
            np.any(codes[np.minimum(in_at, codes.size - 1)] != in_codes):
        return None
    in_plan[out_at] = False
    in_plan[in_at] = True
    in_plan[j] = True
    return np.flatnonzero(in_plan)


def _reduced(kept: _Kept) -> sparse.csr_matrix | None:
    """The kept core plan's residual network with reduced lengths (built once)."""
    if kept.reduced is None and kept.plan is not None and kept.potentials is not None:
        core = core_network(kept.problem)
        if core is None:
            return None
        kept.reduced = reduced_graph(residual(core, kept.problem.pairs.score, kept.plan),
                                     kept.potentials)
    return kept.reduced
