"""Ranked plans as good as plan 1, found by swapping people along tied cycles.

At city scale many people are equally good for a post, so plans 2 and 3 usually score
exactly as plan 1 (the Lagrangian bound ``L`` of :mod:`solver.model.flow` or the LP).
Such a plan is plan 1 with people moved along *tied cycles*: employee ``e0`` takes post
``P1`` (a pair of reduced cost 0), ``P1``'s holder ``e1`` takes ``P2``, …, and the last one
takes ``e0``'s post. With reduced costs ``rc = score − u_e − v_p − (side duals)``, a cycle
that keeps every person's and every post's count changes the objective by the side
rows' terms only; on pairs that are not stays (what turnover counts) and not locks, and
with the side rows' duals at 0 (the flow core), not at all.

:func:`tied_plan` only *finds* a candidate: the engine checks every row (earlier plans'
difference cuts included) in integers and recomputes the objective; the plan is proven
only when that objective reaches ``floor(L)`` (no plan scores above it), exactly as a
plan found by the neighbourhood search. Otherwise the engine searches as before.

A cycle drops as many of plan 1's pairs as it has people; cycles are taken node-disjoint
until at least ``min_difference`` pairs are dropped. Plan ``r`` uses people that no
earlier ranked plan moved, so it also drops ``min_difference`` pairs of each of them.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from solver.eligibility import Problem

# Cycles tried for one plan before giving up (each costs a pass over the tied pairs).
MAX_CYCLES = 64


def tied_plan(problem: Problem, base: np.ndarray, reduced_cost: np.ndarray, margin: float,
              need: int, busy: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(chosen, moved)``: the plan ``base`` (pair indices) with node-disjoint tied
    cycles applied that drop at least ``need`` of its pairs, and the employees those
    cycles moved; None when no such cycles are found. ``busy`` (bool per employee)
    marks people who may not take part (moved by an earlier ranked plan)."""
    pairs = problem.pairs
    n_e, n_p = problem.n_employees, problem.n_positions
    in_base = np.zeros(len(pairs), dtype=bool)
    in_base[base] = True
    tied = (np.abs(reduced_cost) <= margin) & ~pairs.stay & ~pairs.lock & ~busy[pairs.emp]
    # Everyone of a lock keeps the locked post: no arc may touch them.
    locked = np.zeros(n_e, dtype=bool)
    locked[pairs.emp[pairs.lock]] = True
    tied &= ~locked[pairs.emp]
    fwd = np.flatnonzero(tied & ~in_base)  # e -> post: e takes the post
    back = np.flatnonzero(tied & in_base)  # post -> e: e leaves its post
    if fwd.size == 0 or back.size == 0:
        return None
    tails = np.concatenate([pairs.emp[fwd].astype(np.int64), n_e + pairs.pos[back]])
    heads = np.concatenate([n_e + pairs.pos[fwd].astype(np.int64), pairs.emp[back]])
    arc_pair = np.concatenate([fwd, back])
    n = n_e + n_p
    alive = np.ones(n, dtype=bool)
    chosen = in_base.copy()
    moved: list[int] = []
    dropped = 0
    for _ in range(MAX_CYCLES):
        if dropped >= need:
            break
        keep = alive[tails] & alive[heads]
        t, h, j = tails[keep], heads[keep], arc_pair[keep]
        if t.size == 0:
            return None
        graph = sparse.csr_matrix((np.ones(t.size), (t, h)), shape=(n, n))
        _, labels = csgraph.connected_components(graph, directed=True, connection="strong")
        sizes = np.bincount(labels, minlength=n)
        roots = np.flatnonzero(sizes[labels[:n_e]] >= 2)
        if roots.size == 0:
            return None
        root = int(roots[0])
        cycle = _cycle_through(graph, root, n_e, labels)
        if cycle is None:
            return None
        for tail, head in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            k = _arc_pair(t, h, j, tail, head)
            if tail < n_e:  # employee -> post: the new pair
                chosen[k] = True
            else:  # post -> employee: the employee's base pair
                chosen[k] = False
                dropped += 1
        employees = [v for v in cycle if v < n_e]
        moved += employees
        alive[cycle] = False
    if dropped < need:
        return None
    return np.flatnonzero(chosen), np.array(sorted(moved), dtype=np.int64)


def _cycle_through(graph: sparse.csr_matrix, root: int, n_e: int,
                   labels: np.ndarray) -> list[int] | None:
    """Nodes of a shortest cycle through ``root`` (an employee), starting at it."""
    _, pred = csgraph.breadth_first_order(graph, root, directed=True,
                                          return_predecessors=True)
    # The only arc into an employee comes from the post it holds in the base plan.
    into = graph[:, root].nonzero()[0]
    into = into[labels[into] == labels[root]]
    if into.size == 0:
        return None
    post = int(into[0])
    if pred[post] < 0 and post != root:
        return None
    path = [post]
    while path[-1] != root:
        path.append(int(pred[path[-1]]))
    path.reverse()
    return path


def _arc_pair(tails: np.ndarray, heads: np.ndarray, pair_of: np.ndarray, tail: int,
              head: int) -> int:
    hit = np.flatnonzero((tails == tail) & (heads == head))
    return int(pair_of[hit[0]])
