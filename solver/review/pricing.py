"""Pricing every candidate of a post at once: bounds and certificates for shortlists.

For ranked plan ``j`` (objective ``z``, proven optimal for its model ``R``: the
rows of MODEL.md section 5 plus the difference cuts of earlier plans) and a pair
``(e, p)``, ``opt(e, p)`` is the optimum of ``R`` with ``e`` locked into ``p``.

Upper bound. Split ``R`` into the transportation rows (employees, headcount: the
core of :mod:`solver.model.flow`) and the side rows ``S`` (must-fill, turnover,
locks, cuts). For multipliers ``y`` on ``S`` with the right signs (``μ >= 0`` on
upper bounds, ``λ >= 0`` on lower bounds, ``y = μ − λ``), every plan ``x`` of ``R``
has ``c·x <= (c − Sᵀy)·x + μ·hi − λ·lo``, and the right-hand side is a
transportation objective. Its maximum over core plans with ``x[e,p] = 1`` is the
core optimum ``V`` minus the cheapest residual cycle through arc ``e → p``,
``δ(e,p) = ℓ(e→p) + dist(p → e)`` in reduced lengths. One Dijkstra from ``p``
therefore prices every candidate of ``p``:

    opt(e, p) <= U(e, p) = min(z, floor(V − δ(e,p) + μ·hi − λ·lo) + constant)

(``z`` caps it: the lock only removes plans). The multipliers are 0 when plan
``j`` itself is optimal for the core (then ``V`` is its own value, nothing binds),
otherwise the LP duals of ``R``, scaled to integers (any multipliers give a valid
bound, so the rounding costs tightness, never validity); every sum is an exact
integer.

Certificate. The cycle that prices ``(e, p)``, applied to the core plan, is a plan
with ``e`` in ``p`` that meets every core row. When it also meets every side row
(checked in integers), its objective is a lower bound on ``opt(e, p)``; where it
reaches ``U(e, p)`` the value is exact, with no solve. A candidate without any
cycle cannot be locked into ``p`` even in the core: infeasible, proven.

Repaired certificate. Where that plan takes the seat of someone a lower-bound side row
needs in it (a unit already at its turnover cap, 5.5), the same search runs again
without that person's leaving arc (and again for what the next cycle breaks): often an
equally short cycle moves someone else, and its plan is checked the same way
(:meth:`PlanPricer.repaired_value`; at city scale most candidates that would otherwise
need a re-solve).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from solver.eligibility import Problem
from solver.model.constraints import RowBlock
from solver.model.flow import (
    Core,
    core_bound,
    core_network,
    potentials,
    reduced_graph,
    residual,
    solve_core,
)
from solver.model.lp import LpBound, LpState, row_matrix

CORE_FAMILIES = ("incumbent", "candidate", "headcount")
# Multipliers are scaled by the smallest of these that makes them integral (to 1e-9);
# otherwise they are rounded at the largest (still valid multipliers, see above).
SCALES = (1, 2, 4, 8, 16, 32, 64)
# Searches for a repaired cycle per candidate (PlanPricer.repaired_value).
REPAIR_ROUNDS = 6
# Length given to the arcs a repaired cycle may not use (PlanPricer.repaired_value): above
# any real path (lengths are scaled objective units, at most about 1e10 at city scale).
BLOCKED = 1e15
# Dijkstra first runs on the residual arcs no longer than this (objective units): at city
# scale about 40% of the arcs, and the two best names are nearly always found there.
SHORT_ARC = 1000


@dataclass(frozen=True)
class Candidate:
    """One candidate of a post: employee, pair and upper bound on ``opt(e,p)``.
    ``infeasible``: no plan of the core seats ``e`` in ``p`` (so none of the model);
    ``in_base``: the pair is in the core plan already (no cycle needed)."""

    emp: int
    pair: int
    upper: int
    infeasible: bool = False
    in_base: bool = False


@dataclass(frozen=True)
class Priced:
    """Candidates of one post as aligned arrays (see :class:`Candidate`)."""

    emp: np.ndarray
    pair: np.ndarray
    upper: np.ndarray
    infeasible: np.ndarray
    in_base: np.ndarray
    exact: np.ndarray  # the cycle is known (else ``upper`` only bounds it)


def _side_multipliers(duals: np.ndarray | None, side: np.ndarray) -> tuple[int, np.ndarray]:
    """(scale K, integer K·y per side row) from the duals of every row."""
    if duals is None:
        return 1, np.zeros(int(side.sum()), dtype=np.int64)
    y = np.asarray(duals, dtype=np.float64)[side]
    for scale in SCALES:
        scaled = y * scale
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9):
            return scale, np.round(scaled).astype(np.int64)
    return SCALES[-1], np.round(y * SCALES[-1]).astype(np.int64)


class PlanPricer:
    """Prices the candidates of every post of one ranked plan (module docstring)."""

    def __init__(self, problem: Problem, rows: Sequence[RowBlock], chosen: np.ndarray,
                 objective: int, duals: Callable[[], np.ndarray | None],
                 core_optimum: Callable[[], int | None] | None = None):
        """``rows``: the plan's model ``R``; ``chosen``: the plan's pairs; ``objective``:
        its proven optimum ``z``; ``duals``: called only when needed, returns the LP
        duals of ``R`` (one per row) or None; ``core_optimum``: the core's optimum with
        the plain scores (:func:`core_optimum`), when known: a plan below it is not
        optimal for the core, so no potentials are searched for it (a negative cycle
        costs Bellman-Ford all its rounds)."""
        self.problem = problem
        self.objective = objective
        self.plan = np.asarray(chosen, dtype=np.int64)
        self.neighbourhood: object = None  # a searcher the caller may attach
        self.lp_state: LpState | None = None  # the plan's warm LP, when the caller keeps one
        self._short: sparse.csr_matrix | None = None
        self._index: dict[str, int] | None = None
        self._side_rows: sparse.csr_matrix | None = None  # side rows x pairs, on first use
        self.core: Core | None = core_network(problem)
        self.ready = False
        if self.core is None:
            return
        pairs = problem.pairs
        a, lo, hi = row_matrix(problem, rows)
        side = np.concatenate([np.full(len(b), b.family not in CORE_FAMILIES) for b in rows])
        self.scale = 1
        self.side = a[np.flatnonzero(side)].tocsc()  # side rows x pairs
        self.side_lo, self.side_hi = lo[side], hi[side]
        self.plan_activity = np.asarray(self.side @ self._indicator(chosen)).ravel()
        # First without multipliers: enough whenever the plan is optimal for the core.
        y = np.zeros(int(side.sum()), dtype=np.int64)
        best = core_optimum() if core_optimum is not None else None
        base = self._try_base(chosen, 1, y) if best is None or objective >= best else None
        if base is None:
            # The side rows priced by the LP duals; the base is the plan when it is
            # optimal for those costs (same value as the core's optimum), else that optimum.
            self.scale, y = _side_multipliers(duals(), side)
            cost = self._cost(self.scale, y)
            flow = solve_core(self.core, cost)
            if flow is None:
                return
            if int(cost[self.plan].sum()) == int(cost[flow].sum()):
                base = self._try_base(chosen, self.scale, y)
            if base is None:
                base = self._try_base(flow, self.scale, y)
            if base is None:
                return
        self.base, self.cost, self.graph = base
        self.multipliers = y
        used = np.zeros(len(pairs), dtype=bool)
        used[self.base] = True
        self.used = used
        mu, lam = np.maximum(y, 0), np.maximum(-y, 0)
        finite_hi = np.where(np.isfinite(self.side_hi), self.side_hi, 0).astype(np.int64)
        self.offset = int(mu @ finite_hi) - int(lam @ self.side_lo.astype(np.int64))
        self.value = int(self.cost[self.base].sum())  # V, scaled
        self.base_activity = np.asarray(self.side @ self._indicator(self.base)).ravel()
        self.base_objective = int(pairs.score[self.base].sum()) + problem.constant
        self.base_feasible = self._side_rows_hold(self.base_activity)
        self._codes = pairs.emp.astype(np.int64) * problem.n_positions + pairs.pos
        self.nip_rank = np.empty(problem.n_employees, dtype=np.int64)
        self.nip_rank[np.argsort(problem.nips.astype(str), kind="stable")] = \
            np.arange(problem.n_employees)
        self.ready = True

    def _indicator(self, chosen: np.ndarray) -> np.ndarray:
        x = np.zeros(len(self.problem.pairs))
        x[chosen] = 1.0
        return x

    def _cost(self, scale: int, y: np.ndarray) -> np.ndarray:
        score = self.problem.pairs.score.astype(np.int64) * scale
        if not y.any():
            return score
        return score - np.asarray(self.side.T @ y.astype(np.float64)).ravel().round().astype(
            np.int64)

    def _try_base(self, chosen: np.ndarray, scale: int, y: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix] | None:
        """(plan, costs, reduced residual graph) when ``chosen`` is optimal for the
        core with these multipliers, else None."""
        assert self.core is not None
        cost = self._cost(scale, y)
        res = residual(self.core, cost, chosen)
        d = potentials(res)
        if d is None:
            return None
        self.potential = d
        return np.asarray(chosen, dtype=np.int64), cost, reduced_graph(res, d)

    def reduced_costs(self) -> np.ndarray:
        """Per pair, ``cost − u_e − v_p`` under the potentials (<= 0 off the core plan:
        minus what forcing the pair alone costs), scaled; for ordering searches."""
        pairs, n_e = self.problem.pairs, self.problem.n_employees
        d = self.potential
        return (self.cost - d[pairs.emp] + d[n_e + pairs.pos]) / self.scale

    def _side_rows_hold(self, activity: np.ndarray) -> bool:
        return bool(np.all((activity >= self.side_lo - 1e-9) & (activity <= self.side_hi + 1e-9)))

    def _upper(self, delta: float) -> int:
        scaled = self.value - int(round(delta)) + self.offset
        return min(self.objective, scaled // self.scale + self.problem.constant)

    def candidates(self, post: int, pairs_into: np.ndarray, full: bool = False) -> Priced:
        """Price the pairs ``pairs_into`` (all into ``post``) with one Dijkstra; the
        shortest-path tree is kept for :meth:`feasible_value`.

        By default the search runs on the short arcs only (reduced length at most
        ``SHORT_ARC`` objective units): every distance up to that length is exact there
        (a shorter path uses only shorter arcs), a longer or missing one is only known
        to exceed it, which still bounds the candidate (``exact`` false). ``full``
        searches every arc (and only then proves a candidate infeasible)."""
        assert self.ready and self.core is not None
        problem, pairs, core = self.problem, self.problem.pairs, self.core
        source = problem.n_employees + post
        limit = SHORT_ARC * self.scale
        if self._short is None:
            coo = self.graph.tocoo()
            keep = coo.data <= limit
            self._short = sparse.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])),
                                            shape=self.graph.shape)
        dist, pred = dijkstra(self.graph if full else self._short, indices=source,
                              return_predecessors=True)
        self._tree = (source, pred)
        into = np.asarray(pairs_into, dtype=np.int64)
        emp = pairs.emp[into].astype(np.int64)
        length = np.asarray(self.graph[emp, np.full(emp.size, source)]).ravel()
        in_base = self.used[into]
        reached = dist[emp] if full else np.minimum(dist[emp], limit)
        exact = in_base | np.full(emp.size, full) | (dist[emp] <= limit)
        delta = np.where(in_base, 0.0, length + reached)
        infeasible = ~core.arc[into] | (~in_base & ~np.isfinite(delta))
        delta = np.where(infeasible, 0.0, delta)
        scaled = self.value - np.rint(delta).astype(np.int64) + self.offset
        upper = np.minimum(self.objective, scaled // self.scale + problem.constant)
        return Priced(emp, into, upper, infeasible, in_base, exact)

    def employees(self, nips: Sequence[str]) -> np.ndarray:
        """Employee indices of ``nips``."""
        if self._index is None:
            self._index = {str(n): i for i, n in enumerate(self.problem.nips)}
        return np.array([self._index[str(n)] for n in nips], dtype=np.int64)

    def candidate(self, priced: Priced, k: int) -> Candidate:
        return Candidate(int(priced.emp[k]), int(priced.pair[k]), int(priced.upper[k]),
                         bool(priced.infeasible[k]), bool(priced.in_base[k]))

    def feasible_value(self, c: Candidate) -> int | None:
        """Objective of the core plan with ``c``'s cycle applied (``e → p`` and the
        shortest path back, from the last :meth:`candidates` call), or None when that
        plan breaks a side row: a lower bound on ``opt(e, p)``."""
        if c.in_base:
            return self.base_objective if self.base_feasible else None
        added, removed = self._cycle(c, *self._tree)
        return self._value_if_rows_hold(added, removed)

    def repaired_value(self, c: Candidate) -> int | None:
        """As :meth:`feasible_value` for a cycle that moves fewer people off side rows at
        their lower bound: where the priced cycle's plan takes a seat from someone a
        lower-bound row needs there (5.5 turnover: ``Σ stays >= lo``), the search runs
        again on every arc without those by which that row's members other than ``e``
        leave their seats, and again for the rows the new cycle breaks, up to
        :data:`REPAIR_ROUNDS` times. None when no such cycle exists or its plan still
        breaks a side row; otherwise a lower bound on ``opt(e, p)``: a cycle of a
        shortest-path tree is simple, so its plan keeps every core row."""
        if c.in_base:
            return None
        problem, pairs = self.problem, self.problem.pairs
        source, pred = self._tree
        rows, graph, n_e = self._rows(), self.graph, problem.n_employees
        data = graph.data
        for _ in range(REPAIR_ROUNDS):
            added, removed = self._cycle(c, source, pred)
            activity = self._activity(added, removed)
            if np.any(activity > self.side_hi + 1e-9):
                return None
            short = np.flatnonzero(activity < self.side_lo - 1e-9)
            if short.size == 0:
                return self._value_if_rows_hold(added, removed)
            members = np.concatenate([rows.indices[rows.indptr[r]:rows.indptr[r + 1]]
                                      for r in short.tolist()])
            leaving = members[self.used[members] & (pairs.emp[members] != c.emp)]
            if leaving.size == 0:
                return None
            data = data.copy() if data is graph.data else data
            for post, emp in zip((n_e + pairs.pos[leaving]).tolist(),
                                 pairs.emp[leaving].tolist(), strict=True):
                start, stop = graph.indptr[post], graph.indptr[post + 1]
                data[start + np.flatnonzero(graph.indices[start:stop] == emp)] = BLOCKED
            blocked = sparse.csr_matrix((data, graph.indices, graph.indptr),
                                        shape=graph.shape)
            dist, pred = dijkstra(blocked, indices=source, return_predecessors=True)
            if not dist[c.emp] < BLOCKED:
                return None
        return None

    def _cycle(self, c: Candidate, source: int, pred: np.ndarray
               ) -> tuple[list[int], list[int]]:
        """Pairs added and dropped by ``e → p`` and the tree's path from ``p`` to ``e``."""
        n_e, n_p = self.problem.n_employees, self.problem.n_positions
        added, removed = [c.pair], []
        node = c.emp
        while node != source:
            prev = int(pred[node])
            if prev < n_e and n_e <= node < n_e + n_p:  # employee -> post: a new pair
                added.append(self._pair(prev, node - n_e))
            elif n_e <= prev < n_e + n_p and node < n_e:  # post -> employee: pair dropped
                removed.append(self._pair(node, prev - n_e))
            node = prev
        return added, removed

    def _activity(self, added: list[int], removed: list[int]) -> np.ndarray:
        activity = self.base_activity.copy()
        self._add_activity(activity, np.array(added), 1.0)
        self._add_activity(activity, np.array(removed, dtype=np.int64), -1.0)
        return activity

    def _value_if_rows_hold(self, added: list[int], removed: list[int]) -> int | None:
        """The base plan's objective with these pairs added and dropped, or None when
        that plan breaks a side row."""
        if not self._side_rows_hold(self._activity(added, removed)):
            return None
        score = self.problem.pairs.score
        return self.base_objective + int(score[added].sum()) - int(score[removed].sum())

    def lock_breaks_side_row(self, pair: int) -> bool:
        """Whether a side row cannot hold once ``pair`` is locked, by bounds alone: the
        pair's employee then takes none of their other pairs, so a side row left with
        fewer members than its lower bound cannot reach it (XL: a unit whose every
        incumbent must stay, turnover 5.5), and one whose upper bound is below 1 cannot
        take the pair. True is a proof that no plan seats the pair; False proves
        nothing."""
        problem = self.problem
        ptr, idx = self.side.indptr, self.side.indices
        own = idx[ptr[pair]:ptr[pair + 1]]
        if np.any(self.side_hi[own] < 1):
            return True
        others = problem.pairs.by_employee.get(int(problem.pairs.emp[pair]),
                                               np.zeros(0, dtype=np.int64))
        others = others[others != pair]
        if others.size == 0:
            return False
        rows = np.concatenate([idx[ptr[j]:ptr[j + 1]] for j in others.tolist()])
        if rows.size == 0:
            return False
        size = np.diff(self._rows().indptr)  # members per side row
        hit, lost = np.unique(rows, return_counts=True)
        return bool(np.any(size[hit] - lost < self.side_lo[hit]))

    def _rows(self) -> sparse.csr_matrix:
        """The side rows by row (``self.side`` is by pair), built once."""
        if self._side_rows is None:
            self._side_rows = self.side.tocsr()
        return self._side_rows

    def _add_activity(self, activity: np.ndarray, columns: np.ndarray, sign: float) -> None:
        ptr, idx = self.side.indptr, self.side.indices
        for j in columns.tolist():
            activity[idx[ptr[j]:ptr[j + 1]]] += sign

    def _pair(self, e: int, p: int) -> int:
        code = e * self.problem.n_positions + p
        return int(np.searchsorted(self._codes, code))


@dataclass(frozen=True)
class Ranked:
    """The best other names of a post: ``(employee, opt(e,p))`` best first, ties by
    NIP; ``complete`` false when ``resolve`` ran out of time (then ``names`` holds
    only those proven to lead the ranking); ``reason`` why fewer names: "" (enough),
    "nobody" (no other eligible person), "infeasible" (none can take it under the
    hard rules), "fewer" (fewer can), "budget"."""

    names: list[tuple[int, int]]
    complete: bool
    reason: str
    resolved: int  # candidates that needed ``resolve``
    certified: int  # candidates made exact by their certificate alone
    repaired: int = 0  # of those, by a repaired cycle (PlanPricer.repaired_value)


def rank_post(pricer: PlanPricer, post: int, pairs_into: np.ndarray, wanted: int,
              nip_of: Callable[[int], str],
              resolve: Callable[[Candidate], tuple[str, int | None]]) -> Ranked:
    """The ``wanted`` best candidates of ``post`` by exact ``opt(e, p)`` (ties by NIP).

    Candidates are taken by upper bound, highest first (priced on the short arcs
    first, on all arcs when a candidate that matters lies beyond them); a certified one
    is exact at once, any other is handed to ``resolve`` (an exact solve with the lock:
    ``("OPTIMAL", value)``, ``("INFEASIBLE", None)`` or ``("UNKNOWN", None)``). The
    search stops when the next candidate's bound cannot beat the ``wanted``-th exact
    value found, so every name and loss is proven.
    """
    if pairs_into.size == 0:
        return Ranked([], True, "nobody", 0, 0)
    resolved = certified = repaired = 0
    found: list[tuple[int, str, int]] = []  # (−value, nip, employee)
    solved_before: dict[int, tuple[str, int | None]] = {}  # by pair, across both passes
    for full in (False, True):
        priced = pricer.candidates(post, pairs_into, full=full)
        keep = np.flatnonzero(~priced.infeasible)
        order = keep[np.lexsort((pricer.nip_rank[priced.emp[keep]], -priced.upper[keep]))]
        found = []
        settled = True
        for k in order.tolist():
            c = pricer.candidate(priced, k)
            key = (-c.upper, nip_of(c.emp))
            found.sort()
            if len(found) >= wanted and key > found[wanted - 1][:2]:
                break
            if not priced.exact[k]:
                settled = False  # its cycle lies beyond the short arcs: search them all
                break
            lower = pricer.feasible_value(c)
            if lower != c.upper:
                lower = pricer.repaired_value(c)
                repaired += lower == c.upper
            if lower is not None and lower == c.upper:
                value = lower
                certified += 1
            else:
                if c.pair not in solved_before:
                    resolved += 1
                    solved_before[c.pair] = resolve(c)
                status, solved = solved_before[c.pair]
                if status == "INFEASIBLE":
                    continue
                if status != "OPTIMAL" or solved is None:
                    proven = [f for f in found if f[:2] < key][:wanted]
                    return Ranked([(f[2], -f[0]) for f in proven], False, "budget", resolved,
                                  certified, repaired)
                value = solved
            found.append((-value, nip_of(c.emp), c.emp))
        if settled:
            break
    found.sort()
    names = [(f[2], -f[0]) for f in found[:wanted]]
    reason = "" if len(names) >= wanted else ("infeasible" if not names else "fewer")
    return Ranked(names, True, reason, resolved, certified, repaired)


def lock_bound(problem: Problem, rows: Sequence[RowBlock], pair: int) -> LpBound | None:
    """The core bound (:func:`solver.model.flow.core_bound`) of ``rows`` with ``pair``
    locked as well: its plan, and a valid bound for every plan that contains the pair."""
    lock = problem.pairs.lock.copy()
    lock[pair] = True
    locked = dataclasses.replace(problem, pairs=dataclasses.replace(problem.pairs, lock=lock))
    return core_bound(locked, rows)


def core_optimum(problem: Problem) -> int | None:
    """The core's optimum with the plain scores (objective units, constant included),
    or None when the core has no plan."""
    core = core_network(problem)
    plan = None if core is None else solve_core(core, problem.pairs.score)
    return None if plan is None else int(problem.pairs.score[plan].sum()) + problem.constant
