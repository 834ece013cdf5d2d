"""The transportation core of the model as a min-cost flow, and its residual network.

Without the side rows (must-fill, unit turnover, difference cuts) the model of
docs/model.md section 5 is a transportation problem: every employee sends one unit
either into a post (a pair arc, cost −score) or, for a candidate, to an
"outside" node; every post passes at most ``headcount`` units to the sink. A lock
leaves its employee only the locked arc. Node ``e`` is employee ``e``,
``n_employees + p`` is post ``p``, then the outside node and the sink.

Two facts make it useful (PERFORMANCE-NOTES.md):

* it solves in about a second at city scale (OR-Tools ``SimpleMinCostFlow``), and
  its optimum, checked against the side rows, is optimal for the whole model
  whenever it meets them (a relaxation's optimum that is feasible is optimal);
* for an optimal flow, node potentials ``d`` (shortest distances in the residual
  network) make every residual arc's reduced length ``cost + d_tail − d_head``
  non-negative, which *certifies* the optimality (no negative cycle) and turns the
  potentials into dual values ``u_e``, ``v_p`` of the employee and headcount rows
  (:func:`row_duals`). The cheapest way to force one more pair ``(e, p)`` into the
  flow is the shortest cycle through it, ``ℓ(e→p) + dist(p → e)``.

Costs are integers here (scaled Lagrangian scores), so every length and distance
is an exact integer in float64.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from solver.eligibility import Problem
from solver.model.constraints import RowBlock
from solver.model.lp import LpBound, LpSeed, lagrangian_bound


@dataclass(frozen=True)
class Core:
    """The transportation network of a problem (which pairs and people take part)."""

    problem: Problem
    arc: np.ndarray  # bool per pair: an arc of the network (not cut off by a lock)
    candidate_out: np.ndarray  # bool per employee: may stay outside (candidate, no lock)
    active: np.ndarray  # bool per employee: sends one unit (has at least one arc)
    capacity: np.ndarray  # int per position: seats

    @property
    def n_nodes(self) -> int:
        return self.problem.n_employees + self.problem.n_positions + 2

    @property
    def outside(self) -> int:
        return self.problem.n_employees + self.problem.n_positions

    @property
    def sink(self) -> int:
        return self.outside + 1


def core_network(problem: Problem) -> Core | None:
    """The network, or None when the core alone shows no plan exists (an incumbent
    without pairs, two locks on one person, more locks than seats): the LP decides."""
    pairs = problem.pairs
    n_e = problem.n_employees
    arc = np.ones(len(pairs), dtype=bool)
    locked_emp = pairs.emp[pairs.lock]
    if np.unique(locked_emp).size != locked_emp.size or problem.broken_locks:
        return None
    has_lock = np.zeros(n_e, dtype=bool)
    has_lock[locked_emp] = True
    arc &= ~has_lock[pairs.emp] | pairs.lock
    active = np.zeros(n_e, dtype=bool)
    active[pairs.emp[arc]] = True
    if np.any(problem.incumbent & ~active):
        return None
    heads = problem.scenario.positions["headcount"].to_numpy(dtype=np.int64)
    capacity = np.where(problem.seats, heads, 0)
    if np.any(np.bincount(pairs.pos[pairs.lock], minlength=problem.n_positions) > capacity):
        return None
    candidate_out = active & ~problem.incumbent & ~has_lock
    return Core(problem, arc, candidate_out, active, capacity)


@dataclass(frozen=True)
class _Arcs:
    """The core's arcs as aligned arrays: the pair arcs first (``pairs``: their pair
    indices), then candidate -> outside, post -> sink and outside -> sink."""

    pairs: np.ndarray
    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray  # −cost on pair arcs, 0 elsewhere
    supplies: np.ndarray  # per node: 1 per sending employee, minus their number at the sink


def _arcs(core: Core, cost: np.ndarray) -> _Arcs:
    problem = core.problem
    pairs = problem.pairs
    n_e = problem.n_employees
    arcs = np.flatnonzero(core.arc)
    out = np.flatnonzero(core.candidate_out)
    posts = np.flatnonzero(core.capacity > 0)
    tails = np.concatenate([pairs.emp[arcs].astype(np.int64), out,
                            n_e + posts, [core.outside]])
    heads = np.concatenate([n_e + pairs.pos[arcs].astype(np.int64),
                            np.full(out.size, core.outside), np.full(posts.size, core.sink),
                            [core.sink]])
    caps = np.concatenate([np.ones(arcs.size, np.int64), np.ones(out.size, np.int64),
                           core.capacity[posts], [max(1, out.size)]])
    costs = np.concatenate([-cost[arcs].astype(np.int64), np.zeros(out.size, np.int64),
                            np.zeros(posts.size, np.int64), [0]])
    senders = np.flatnonzero(core.active)
    supplies = np.zeros(core.n_nodes, dtype=np.int64)
    supplies[senders] = 1
    supplies[core.sink] = -senders.size
    return _Arcs(arcs, tails, heads, caps, costs, supplies)


def _min_cost_flow(tails: np.ndarray, heads: np.ndarray, caps: np.ndarray,
                   costs: np.ndarray, supplies: np.ndarray) -> np.ndarray | None:
    """Flow per arc of a minimum-cost flow (OR-Tools), or None when there is none."""
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.arange(supplies.size), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    return np.asarray(flow.flows(np.arange(tails.size)))


def solve_core(core: Core, cost: np.ndarray) -> np.ndarray | None:
    """Pairs of a maximum-``cost`` plan of the core (``cost``: int64 per pair), or None
    when the core has no feasible flow."""
    net = _arcs(core, cost)
    flows = _min_cost_flow(net.tails, net.heads, net.caps, net.costs, net.supplies)
    if flows is None:
        return None
    return net.pairs[flows[:net.pairs.size] > 0]


def face_plan(core: Core, cost: np.ndarray, d: np.ndarray) -> np.ndarray | None:
    """The core's plan among its equally good optimal plans, chosen by the optimal
    face alone: pairs (sorted) of the flow that a flow solve finds on the arcs whose
    reduced length under ``d`` is 0, arcs below 0 kept full, arcs above 0 empty.

    ``d`` must be the potentials of :func:`potentials` for *some* optimal plan: they
    are the greatest node potentials <= 0 that make every residual arc's reduced
    length non-negative, and that set of potentials is the set of optimal duals, the
    same whichever optimal plan's residual network it is read from. So the network
    solved here, and the plan it gives, depend on the problem alone, not on which
    optimal plan was found first: a re-solve that reached the optimum another way
    (:mod:`solver.reuse`, a kept base plus one lock) gives the same plan as a cold
    solve. Any flow of that network meets complementary slackness with ``d``, so it
    is an optimal plan and ``d`` stays its certificate. None when the network has no
    flow (``d`` was not optimal)."""
    net = _arcs(core, cost)
    rc = net.costs + d[net.tails] - d[net.heads]
    full = rc < -0.5  # exact integers in float64
    free = np.flatnonzero(np.abs(rc) <= 0.5)
    supplies = net.supplies.copy()
    np.subtract.at(supplies, net.tails[full], net.caps[full])
    np.add.at(supplies, net.heads[full], net.caps[full])
    flows = _min_cost_flow(net.tails[free], net.heads[free], net.caps[free],
                           np.zeros(free.size, np.int64), supplies)
    if flows is None:
        return None
    x = np.where(full, net.caps, 0)
    x[free] = flows
    return net.pairs[x[:net.pairs.size] > 0]


@dataclass(frozen=True)
class Residual:
    """The residual network of a plan: a CSR matrix of arc costs (explicit zeros are
    arcs), and per pair whether it is in the plan."""

    graph: sparse.csr_matrix
    chosen: np.ndarray  # bool per pair


def residual(core: Core, cost: np.ndarray, chosen: np.ndarray) -> Residual:
    """Residual network of the plan ``chosen`` (pair indices) for ``cost`` (per pair)."""
    t, h, w, used = _residual_arcs(core, cost, chosen)
    graph = sparse.csr_matrix((w, (t, h)), shape=(core.n_nodes, core.n_nodes))
    return Residual(graph, used)


def _residual_arcs(core: Core, cost: np.ndarray, chosen: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The residual network's arcs (tails, heads, costs; no two share both ends) and
    per pair whether it is in the plan."""
    problem = core.problem
    pairs = problem.pairs
    n_e = problem.n_employees
    used = np.zeros(len(pairs), dtype=bool)
    used[chosen] = True
    fwd = np.flatnonzero(core.arc & ~used)
    back = np.flatnonzero(core.arc & used)
    placed = np.zeros(problem.n_employees, dtype=bool)
    placed[pairs.emp[back]] = True
    out_now = core.candidate_out & ~placed  # candidates outside the plan
    can_leave = core.candidate_out & placed
    load = np.bincount(pairs.pos[back], minlength=problem.n_positions)
    posts = np.flatnonzero(core.capacity > 0)
    room = posts[load[posts] < core.capacity[posts]]
    filled = posts[load[posts] > 0]
    c = cost.astype(np.float64)
    tails = [pairs.emp[fwd], n_e + pairs.pos[back], np.flatnonzero(can_leave),
             np.full(int(out_now.sum()), core.outside), n_e + room,
             np.full(filled.size, core.sink), [core.outside]]
    heads = [n_e + pairs.pos[fwd], pairs.emp[back], np.full(int(can_leave.sum()), core.outside),
             np.flatnonzero(out_now), np.full(room.size, core.sink), n_e + filled, [core.sink]]
    weights = [-c[fwd], c[back], np.zeros(int(can_leave.sum())), np.zeros(int(out_now.sum())),
               np.zeros(room.size), np.zeros(filled.size), [0.0]]
    if out_now.any():
        tails.append([core.sink])
        heads.append([core.outside])
        weights.append([0.0])
    t = np.concatenate([np.asarray(x, dtype=np.int64) for x in tails])
    h = np.concatenate([np.asarray(x, dtype=np.int64) for x in heads])
    w = np.concatenate([np.asarray(x, dtype=np.float64) for x in weights])
    return t, h, w, used


MAX_RELAXATIONS = 2000  # rounds of Bellman-Ford before giving up (a negative cycle, or too deep)


def potentials(res: Residual) -> np.ndarray | None:
    """Node potentials ``d`` with every residual arc's ``cost + d_tail − d_head >= 0``
    (checked here), or None when none were found: the residual network has a negative
    cycle (the plan is not optimal for these costs) or needs more than
    :data:`MAX_RELAXATIONS` rounds.

    Bellman-Ford from a virtual source joined to every node at cost 0, one whole
    round of arcs per numpy step; on these networks it settles in tens of rounds.

    The result is the *greatest* such ``d`` with ``d <= 0`` (shortest distances from
    the virtual source), which for an optimal plan does not depend on which optimal
    plan's residual network is given: :func:`face_plan` and the reuse of a kept base
    (:mod:`solver.reuse`) rely on that, so another algorithm here must return the
    same potentials (tests/test_reuse.py compares them).
    """
    coo = res.graph.tocoo()
    return _bellman_ford(res.graph.shape[0], coo.row, coo.col, coo.data)


def plan_potentials(core: Core, cost: np.ndarray, chosen: np.ndarray) -> np.ndarray | None:
    """``potentials(residual(core, cost, chosen))``, without building the sparse matrix
    (at city scale that took a third of the time)."""
    t, h, w, _ = _residual_arcs(core, cost, chosen)
    return _bellman_ford(core.n_nodes, t, h, w)


def _bellman_ford(n: int, tails: np.ndarray, heads: np.ndarray,
                  costs: np.ndarray) -> np.ndarray | None:
    """:func:`potentials` of the ``n``-node network with these arcs (any order)."""
    order = np.argsort(heads, kind="stable")
    tail, head, w = tails[order], heads[order], costs[order]
    d = np.zeros(n)
    if head.size:
        starts = np.flatnonzero(np.r_[True, head[1:] != head[:-1]])
        targets = head[starts]
        for _ in range(MAX_RELAXATIONS):
            best = np.minimum.reduceat(d[tail] + w, starts)
            better = best < d[targets]
            if not better.any():
                break
            d[targets[better]] = best[better]
        else:
            return None
    if np.any(w + d[tail] - d[head] < 0):
        return None
    return d


def reduced_graph(res: Residual, d: np.ndarray) -> sparse.csr_matrix:
    """The residual network with reduced lengths ``cost + d_tail − d_head`` (all >= 0)."""
    coo = res.graph.tocoo()
    lengths = np.maximum(coo.data + d[coo.row] - d[coo.col], 0.0)  # exact ints; -0.0 -> 0
    return sparse.csr_matrix((lengths, (coo.row, coo.col)), shape=res.graph.shape)


def row_duals(core: Core, d: np.ndarray, blocks: Sequence[RowBlock],
              cost: np.ndarray) -> np.ndarray:
    """Dual values for ``blocks`` (the engine's rows, in order) read off the potentials
    ``d`` of an optimal flow for ``cost``: ``u_e = d_e − d_sink`` on employee rows,
    ``v_p = d_sink − d_p`` on headcount rows (at least 0), 0 on every side row. A
    locked employee's ``u_e`` is raised to cover the pairs the lock cuts off (free:
    the lock's own pair is counted at its reduced cost). With these duals the
    Lagrangian bound of :mod:`solver.model.lp` equals the core's optimum; whatever
    they are, the bound recomputed from them is valid."""
    problem = core.problem
    pairs = problem.pairs
    n_e = problem.n_employees
    sink = d[core.sink]
    u = d[:n_e] - sink
    v = np.maximum(sink - d[n_e:n_e + problem.n_positions], 0.0)
    cut_off = np.flatnonzero(~core.arc)
    if cut_off.size:
        np.maximum.at(u, pairs.emp[cut_off], cost[cut_off] - v[pairs.pos[cut_off]])
    values = []
    for block in blocks:
        if block.family == "incumbent":
            values.append(u[block.entity])
        elif block.family == "candidate":
            values.append(np.maximum(u[block.entity], 0.0))
        elif block.family == "headcount":
            values.append(v[block.entity])
        else:
            values.append(np.zeros(len(block)))
    return np.concatenate(values) if values else np.zeros(0)


def core_bound(problem: Problem, blocks: Sequence[RowBlock],
               accept: Callable[[np.ndarray], bool] | None = None) -> LpBound | None:
    """The core's optimal plan as an :class:`LpBound` (``x`` the plan) with the
    Lagrangian bound recomputed from the potentials' row duals (side rows at 0), or
    None when the core cannot say (no feasible flow: the LP decides) or ``accept``
    rejects the core's plan (then the potentials are not computed at all)."""
    return core_attempt(problem, blocks, accept, seed=False)[0]


def core_attempt(problem: Problem, blocks: Sequence[RowBlock],
                 accept: Callable[[np.ndarray], bool] | None = None, seed: bool = True, *,
                 canonical: bool = False,
                 start: Callable[[Core], np.ndarray | None] | None = None
                 ) -> tuple[LpBound | None, LpSeed | None]:
    """``(bound, None)`` as :func:`core_bound` when the core's plan is accepted; when
    ``accept`` rejects it (side rows bind: the LP must decide) and ``seed`` is set,
    ``(None, seed)`` with the plan and its reduced costs ``score − u_e − v_p`` under the
    potentials, where the LP starts (:class:`~solver.model.lp.LpSeed`); else
    ``(None, None)``.

    ``canonical``: the plan is :func:`face_plan`'s (the same whichever optimal plan
    the flow solve found), checked by ``accept`` after the potentials. ``start``: an
    optimal plan of the core known another way (a kept base plus one lock,
    :mod:`solver.reuse`), tried before a flow solve; the potentials prove it optimal
    (a plan that is not has none, and the flow solve runs after all)."""
    started = time.perf_counter()
    core = core_network(problem)
    if core is None:
        return None, None
    cost = problem.pairs.score
    known = start(core) if start is not None else None
    chosen = known if known is not None else solve_core(core, cost)
    if chosen is None:
        return None, None
    rejected = not canonical and accept is not None and not accept(chosen)
    if rejected and not seed:
        return None, None
    d = plan_potentials(core, cost, chosen)
    if d is None and known is not None:
        chosen = solve_core(core, cost)
        if chosen is None:
            return None, None
        d = plan_potentials(core, cost, chosen)
    if d is None:
        return None, None
    if canonical:
        face = face_plan(core, cost, d)
        if face is None:
            return None, None
        chosen = face
        rejected = accept is not None and not accept(chosen)
        if rejected and not seed:
            return None, None
    if rejected:
        pairs, n_e = problem.pairs, problem.n_employees
        return None, LpSeed(chosen, cost - d[pairs.emp] + d[n_e + pairs.pos])
    duals = row_duals(core, d, blocks, cost)
    bound, rc = lagrangian_bound(problem, blocks, duals)
    x = np.zeros(len(problem.pairs))
    x[chosen] = 1.0
    return LpBound(True, bound, rc, x, time.perf_counter() - started, rounds=0,
                   columns=len(problem.pairs), duals=duals, potentials=d), None
