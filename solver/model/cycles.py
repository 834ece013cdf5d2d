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

from solver.eligibility import Problem

# Breadth-first searches tried for one plan before giving up.
MAX_SEARCHES = 64


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
    # Graph nodes: employee e is e, post p is n_e + p.
    tails = np.concatenate([pairs.emp[fwd].astype(np.int64), n_e + pairs.pos[back]])
    heads = np.concatenate([n_e + pairs.pos[fwd].astype(np.int64),
                            pairs.emp[back].astype(np.int64)])
    arc_pair = np.concatenate([fwd, back])
    n = n_e + n_p
    # The post each employee holds in the base plan: the only arc into an employee.
    held = np.full(n_e, -1, dtype=np.int64)
    held[pairs.emp[back]] = n_e + pairs.pos[back]
    chosen = in_base.copy()
    moved: list[int] = []
    dropped = 0
    dead = np.zeros(n, dtype=bool)  # nodes of applied cycles, and roots on no cycle
    for _ in range(MAX_SEARCHES):
        if dropped >= need:
            break
        keep = _on_cycles(tails, heads, dead, n)
        tails, heads, arc_pair = tails[keep], heads[keep], arc_pair[keep]
        roots = np.unique(heads[heads < n_e])
        if roots.size == 0:
            return None
        root = int(roots[0])
        cycle = _path(tails, heads, root, int(held[root]), n)
        if cycle is None:
            dead[root] = True
            continue
        for tail, head in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            k = int(arc_pair[np.flatnonzero((tails == tail) & (heads == head))[0]])
            if tail < n_e:  # employee -> post: the new pair
                chosen[k] = True
            else:  # post -> employee: the employee's base pair
                chosen[k] = False
                dropped += 1
        moved += [v for v in cycle if v < n_e]
        dead[cycle] = True
    if dropped < need:
        return None
    return np.flatnonzero(chosen), np.array(sorted(moved), dtype=np.int64)


def _on_cycles(tails: np.ndarray, heads: np.ndarray, dead: np.ndarray, n: int) -> np.ndarray:
    """Arcs left once dead nodes, and repeatedly nodes without an arc in or out (on
    no cycle), are dropped: at city scale most tied arcs start at people who hold no
    tied pair, so the graph searched shrinks to a small fraction."""
    keep = ~dead[tails] & ~dead[heads]
    while True:
        t, h = tails[keep], heads[keep]
        both = (np.bincount(t, minlength=n) > 0) & (np.bincount(h, minlength=n) > 0)
        still = keep & both[tails] & both[heads]
        if np.array_equal(still, keep):
            return keep
        keep = still


def _path(tails: np.ndarray, heads: np.ndarray, root: int, target: int,
          n: int) -> list[int] | None:
    """Nodes of a shortest path ``root`` … ``target`` (breadth first, ties to the
    lowest node), or None when ``target`` cannot be reached."""
    if target < 0:
        return None
    order = np.argsort(tails, kind="stable")
    succ = heads[order]
    indptr = np.r_[0, np.cumsum(np.bincount(tails, minlength=n))]
    pred = np.full(n, -1, dtype=np.int64)
    pred[root] = root
    frontier = np.array([root], dtype=np.int64)
    while frontier.size and pred[target] < 0:
        starts, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
        total = int(counts.sum())
        if total == 0:
            break
        offsets = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts)
        nxt = succ[offsets + np.arange(total)]
        src = np.repeat(frontier, counts)
        new = pred[nxt] < 0
        nxt, first = np.unique(nxt[new], return_index=True)
        pred[nxt] = src[new][first]
        frontier = nxt
    if pred[target] < 0:
        return None
    path = [target]
    while path[-1] != root:
        path.append(int(pred[path[-1]]))
    path.reverse()
    return path
