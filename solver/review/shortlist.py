"""Exact shortlists: three names per post, priced by re-solving.

For a plan of rank ``j`` with objective ``z_j`` and a post ``p`` filled by a move,
the names are the chosen holder(s) (``objective_loss`` 0) and then the next best
other people ``e`` by ``objective_loss(e) = z_j − opt_j(e)``, where ``opt_j(e)`` is
the optimum of the same model (MODEL.md sections 5-6, plus the difference cuts of
plans 1..j−1 that define plan ``j``, section 7) with ``e`` locked into ``p``.

How the ranking is computed exactly, without guessing candidates by score.
Let ``H`` be the holders of ``p`` in the plan and ``X`` the names already found.
Solve the model with one extra row ``Σ_{e ∉ H ∪ X} x[e,p] >= 1`` ("someone new
takes a seat of p"). Its optimum ``z`` equals ``max_{e ∉ H ∪ X} opt_j(e)``: every
plan with some such ``e`` in ``p`` is feasible for the row, and each plan feasible
for the row has such an ``e`` in ``p``. Every new person ``e`` seated in ``p`` by
the optimal solution therefore has ``opt_j(e) = z`` exactly. Those are the next
names; repeat with ``X`` grown until enough names are found or the row makes the
model infeasible (nobody else can take the post). So the names are the globally
best alternatives, each with its exact loss, in at most ``max_names − 1`` solves per
post. Each solve is warm-started from the plan.

Each solve uses the engine's pruning argument (:mod:`solver.solve`): the LP
relaxation of the model with the extra row gives a Lagrangian bound ``L`` and reduced
costs ``rc``; CP-SAT solves the pairs with ``rc >= −T`` and the optimum ``z`` found is
optimal for all pairs when ``z >= L − T`` (else ``T`` grows and it solves again). An
infeasible LP proves that nobody else can take the post.

Fast path, also exact. On large scenarios the LP is highly degenerate, so the pruned
model stays big. Each step therefore first solves a small neighbourhood: everyone
outside a few dozen people around the post (the cheapest candidates by reduced cost,
the holders, and the holders of the posts they could take) keeps their plan seat.
That gives a feasible value ``z_N <= z``. The plan's own LP (with its cuts) bounds
``z`` from above: every plan that seats a member ``e`` of the row scores at most
``L − max(0, −rc_e)``, so ``z <= floor(L − min_e max(0, −rc_e))``. When ``z_N``
reaches that bound it is the exact optimum and no global solve is needed; otherwise
the global solve above decides.

Priced route (the default, :mod:`solver.review.pricing`). Before any of that, each
plan's candidates are priced on the transportation core: one shortest-path tree per
post gives an upper bound on ``opt_j(e)`` for every candidate at once, and the cycle
that prices a candidate is a plan with it in the post; where that plan meets every
row and reaches the bound the loss is exact with no solve; where it breaks a turnover
row, a cycle searched without the arcs that break it often is (the repaired
certificate of :mod:`solver.review.pricing`). Candidates are taken by
bound, highest first, until the next bound cannot beat the second name found; only
those the certificate leaves open are solved: a lock that breaks a side row by bounds
alone is infeasible (:meth:`~solver.review.pricing.PlanPricer.lock_breaks_side_row`);
else the neighbourhood, the core with the lock, the plan's LP with the lock, warm (an
integral vertex that meets every row and reaches its own bound is the exact optimum),
then :func:`exact_optimum` with the lock. The steps above remain the route when the
core cannot price a plan (``fast_path=False`` forces them).

Exactness needs proofs: a shortlist is computed only for plans proven optimal,
and a post whose solve stops at the time limit (or when the total budget runs
out) is marked ``complete: false`` with no number for the missing names.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from solver.eligibility import Problem, build_problem
from solver.model.constraints import INF, RowBlock, build_rows, difference_cut
from solver.model.cpsat import CpOutcome, solve_cpsat
from solver.model.lp import LpBound, LpState, LpTimeout, lp_bound
from solver.model.mip import highs_plan
from solver.model.proof import INITIAL_THRESHOLD, integer_bound, solve_pruned
from solver.model.proof import margin as proof_margin
from solver.objective import plan_objective
from solver.result import Result, SolveParams, SolveStatus
from solver.review.explain import pair_index
from solver.review.pricing import Candidate, PlanPricer, core_optimum, lock_bound, rank_post
from solver.scenario import Scenario
from solver.solve import integral_plan, rows_hold


def _row(family: str, members: np.ndarray, lo: int, hi: int) -> RowBlock:
    return RowBlock(family, np.array([0], dtype=np.int64), [members.astype(np.int64)],
                    np.array([lo], dtype=np.int64), np.array([hi], dtype=np.int64))


# Counts of the last call (for benchmarks): steps certified by the fast path / solved globally.
SHORTLIST_STATS: dict[str, float] = {"certified": 0, "global": 0, "near_s": 0.0}


def exact_optimum(problem: Problem, rows: list[RowBlock], hint: np.ndarray | None,
                  time_limit: float, workers: int, seed: int,
                  lp: LpBound | None = None, value_only: bool = False) -> CpOutcome:
    """Proven optimum of the model ``rows`` over all pairs, solved on an LP-pruned subset.

    Status ``OPTIMAL`` (proven for all pairs), ``INFEASIBLE`` (proven), or anything
    else when the time ran out (no number may then be used as exact). ``lp``: a
    Lagrangian bound of ``rows`` already at hand (else the LP relaxation is solved).
    ``value_only``: the caller uses the objective only (not which plan reaches it), so
    HiGHS's MIP may find the plan first (below).
    """
    start = time.perf_counter()
    if lp is None:
        try:
            lp = lp_bound(problem, rows, time_limit=time_limit)
        except LpTimeout:
            return CpOutcome.empty(SolveStatus.UNKNOWN, time.perf_counter() - start)
    if not lp.feasible:
        return CpOutcome.empty(SolveStatus.INFEASIBLE, time.perf_counter() - start)

    if value_only:
        # Only the value is wanted: a plan reaching floor(L) is optimal whoever found it,
        # and HiGHS's MIP finds one far sooner than CP-SAT's proof loop at city scale
        # (solver.model.mip; its plan is checked there, its own claims never used).
        target = integer_bound(lp.bound)
        first = np.flatnonzero((lp.reduced_cost >= -INITIAL_THRESHOLD - proof_margin(lp.bound))
                               | problem.pairs.lock)
        found = highs_plan(problem, rows, first, min(time_limit - (time.perf_counter() - start),
                                                     MIP_SECONDS))
        if found is not None:
            objective = plan_objective(problem.pairs.score, problem.constant, found)
            if objective >= target:
                return CpOutcome.found(SolveStatus.OPTIMAL, found, objective, float(target),
                                       time.perf_counter() - start)

    def left() -> float:
        return time_limit - (time.perf_counter() - start)

    def solve_subset(active: np.ndarray) -> CpOutcome:
        return solve_cpsat(problem, rows, active, time_limit=left(), workers=workers,
                           seed=seed, hint=hint)

    # The engine's proof loop (solver.model.proof), with its one margin.
    return solve_pruned(lp, problem.pairs.lock, solve_subset, time_left=left).outcome


# Seconds HiGHS's MIP may look for a plan at the bound before the proof loop runs (XL:
# 2-4 s where CP-SAT took 11-29 s).
MIP_SECONDS = 10.0
NEIGHBOURHOOD_SEEDS = 8  # cheapest candidates (by reduced cost) that start a neighbourhood
NEIGHBOURHOOD_OPTIONS = 4  # cheapest other posts followed per person
NEIGHBOURHOOD_PEOPLE = 60  # soft cap on the people freed
NEIGHBOURHOOD_SECONDS = 0.3


class _Neighbourhood:
    """Small restricted models around one post, for the certified fast path."""

    def __init__(self, problem: Problem, chosen: np.ndarray, lp: LpBound):
        self.problem = problem
        self.chosen = chosen
        self.lp = lp
        pairs = problem.pairs
        self.seat_of = {int(pairs.emp[j]): int(j) for j in chosen}
        self.holders: dict[int, list[int]] = {}
        for j in chosen:
            self.holders.setdefault(int(pairs.pos[j]), []).append(int(pairs.emp[j]))
        order = np.lexsort((-lp.reduced_cost, pairs.emp))  # per employee, cheapest first
        emps = pairs.emp[order]
        starts = np.searchsorted(emps, np.arange(problem.n_employees + 1))
        self.options = {e: order[starts[e]:starts[e + 1]]
                        for e in np.unique(pairs.emp).tolist()}
        self.margin = proof_margin(lp.bound)

    def bound(self, members: np.ndarray) -> int:
        """Upper bound on the optimum when some member of ``members`` is seated."""
        cost = float(np.maximum(0.0, -self.lp.reduced_cost[members]).min())
        return int(np.floor(self.lp.bound - cost + self.margin))

    def reach(self, rows: list[RowBlock], members: np.ndarray, post: int, target: int,
              time_limit: float, seed: int) -> np.ndarray | None:
        """Pairs of a plan of the neighbourhood model scoring at least ``target``, or None.

        A feasibility question (objective >= target, no objective to prove), so CP-SAT
        answers fast either way; None also when it does not answer in time.
        """
        from ortools.sat.python import cp_model  # not imported for certified posts

        problem, pairs = self.problem, self.problem.pairs
        rc = self.lp.reduced_cost
        cheapest = members[np.argsort(-rc[members], kind="stable")][:NEIGHBOURHOOD_SEEDS]
        free = {int(pairs.emp[j]) for j in cheapest} | set(self.holders.get(post, []))
        for _ in range(2):
            posts = {post}
            for e in free:
                if e in self.seat_of:
                    posts.add(int(pairs.pos[self.seat_of[e]]))
                posts.update(int(q) for q in pairs.pos[self.options.get(e, [])[
                    :NEIGHBOURHOOD_OPTIONS]])
            for q in sorted(posts):
                free.update(self.holders.get(q, []))
            if len(free) >= NEIGHBOURHOOD_PEOPLE:
                break
        free_mask = np.zeros(problem.n_employees, dtype=bool)
        free_mask[sorted(free)] = True
        fixed = self.chosen[~free_mask[pairs.emp[self.chosen]]]
        active = np.union1d(np.flatnonzero(free_mask[pairs.emp]), fixed)
        local = np.full(len(pairs), -1, dtype=np.int64)
        local[active] = np.arange(active.size)
        model = cp_model.CpModel()
        xs = [model.new_bool_var(f"x{j}") for j in active]
        for j in fixed:
            model.add(xs[int(local[j])] == 1)
        for block in rows:
            for members_row, lo, hi in zip(block.members, block.lo, block.hi, strict=True):
                loc = local[members_row]
                terms = [xs[int(i)] for i in loc[loc >= 0]]
                upper = int(min(hi, len(terms)))
                if int(lo) > upper:
                    return None
                if int(lo) > 0 or upper < len(terms):
                    model.add_linear_constraint(cp_model.LinearExpr.sum(terms), int(lo), upper)
        scores = [int(v) for v in pairs.score[active]]
        model.add(cp_model.LinearExpr.weighted_sum(xs, scores) >= target - problem.constant)
        hinted = set(self.chosen.tolist())
        for j, var in zip(active.tolist(), xs, strict=True):
            model.add_hint(var, j in hinted)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.01, time_limit)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        code = solver.solve(model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        values = np.array([solver.boolean_value(x) for x in xs], dtype=bool)
        return active[values]


NOTES = {
    "nobody": "nobody else is eligible for this post",
    "infeasible": "no other eligible person can take this post while the hard rules hold",
    "budget": "time budget for shortlists ran out",
    "unproven": "plan not proven optimal; losses cannot be exact",
}


def moved_posts(result: Result) -> int:
    """Posts filled by a move, summed over the plans: the shortlists to compute."""
    return sum(len({a.position for a in plan.assignments if a.position != a.origin})
               for plan in result.plans)


def shortlists(scenario: Scenario, result: Result, params: SolveParams | None = None,
               max_names: int = 3, time_limit: float = 60.0,
               problem: Problem | None = None, fast_path: bool = True,
               on_post: Callable[[int, dict[str, Any]], None] | None = None,
               ) -> dict[int, list[dict[str, Any]]]:
    """Exact shortlists for every post filled by a move, per plan rank.

    Returns ``{rank: [post entry, ...]}``; a post entry is::

        {"position": id, "holders": [nip, ...], "complete": bool, "note": str,
         "names": [{"nip", "objective_loss", "chosen": bool, "objective": int}, ...]}

    ``names`` lists the holders first (loss 0), then up to ``max_names − 1`` other
    people by exact ``objective_loss`` (ties by NIP). ``complete`` is false when the
    time budget ``time_limit`` (seconds, for all plans together) ran out before the
    post's alternatives were proven, or when the plan itself is not proven optimal.
    Plans are processed by rank and posts by id, so a short budget fills plan 1 first.
    ``on_post(rank, entry)`` is called as each post's entry is final.

    Each plan's candidates are priced on the transportation core first
    (:mod:`solver.review.pricing`): one shortest-path computation per post bounds
    every candidate and certifies most; only the others are solved with the lock.
    ``fast_path=False`` skips pricing and the neighbourhood certificate (every step
    solved globally by the "someone new" row of the module docstring).
    """
    params = params or SolveParams()
    start = time.perf_counter()
    problem = problem if problem is not None else build_problem(scenario)
    blocks = build_rows(problem)
    index = pair_index(problem)
    pos_of = {str(p): i for i, p in enumerate(problem.position_ids)}
    min_difference = scenario.plans.min_difference
    out: dict[int, list[dict[str, Any]]] = {}
    cuts: list[RowBlock] = []
    stats = SHORTLIST_STATS
    stats.clear()
    stats.update({"certified": 0, "global": 0, "near_s": 0.0, "priced_posts": 0,
                  "near_certified": 0, "core_certified": 0, "lp_certified": 0,
                  "rows_infeasible": 0, "repaired": 0})

    known: list[int | None] = []
    # One LP kept warm for every plan's model and every re-solve with a lock, starting
    # from the engine's own LP when it solved one (then plan 1's LP costs no pivots).
    state = result.lp_state if isinstance(result.lp_state, LpState) else LpState()

    def plain_core_optimum() -> int | None:  # once for all plans
        if not known:
            known.append(core_optimum(problem))
        return known[0]

    def left() -> float:
        if params.stop is not None and params.stop.is_set():
            return 0.0  # stopped: what is missing is marked as for a spent budget
        return time_limit - (time.perf_counter() - start)

    for plan in result.plans:
        chosen = np.array(sorted(index[(a.nip, a.position)] for a in plan.assignments),
                          dtype=np.int64)
        holders: dict[str, list[str]] = {}
        for a in plan.assignments:
            if a.position != a.origin:
                holders.setdefault(a.position, []).append(a.nip)
        rows = [*blocks, *cuts]
        entries: list[dict[str, Any]] = []
        pricer: PlanPricer | None = None
        plan_lp: list[LpBound] = []

        def lp_of_plan(rows: list[RowBlock] = rows, plan_lp: list[LpBound] = plan_lp,
                       state: LpState = state) -> LpBound:
            if not plan_lp:
                plan_lp.append(lp_bound(problem, rows, state=state))
            return plan_lp[0]

        if fast_path and plan.optimal and holders and left() > 0.05:
            pricer = PlanPricer(problem, rows, chosen, plan.objective,
                                duals=lambda: lp_of_plan().duals,
                                core_optimum=plain_core_optimum)
            if not pricer.ready:
                pricer = None
            else:
                pricer.lp_state = state
        local: _Neighbourhood | None = None
        if pricer is None and fast_path and plan.optimal and holders and left() > 0.05:
            if lp_of_plan().feasible:
                local = _Neighbourhood(problem, chosen, lp_of_plan())
        for post in sorted(holders):
            names = [{"nip": nip, "objective_loss": 0, "chosen": True,
                      "objective": plan.objective}
                     for nip in sorted(holders[post])]
            entry: dict[str, Any] = {"position": post, "holders": sorted(holders[post]),
                                     "names": names, "complete": True, "note": ""}
            entries.append(entry)
            if not plan.optimal:
                entry["complete"] = False
                entry["note"] = NOTES["unproven"]
            elif pricer is not None:
                _priced_post(pricer, problem, rows, chosen, entry, pos_of[post], plan.objective,
                             max_names - 1, left, params)
            else:
                _stepwise_post(problem, rows, chosen, entry, pos_of[post], plan.objective,
                               max_names, local, left, params)
            if on_post is not None:
                on_post(plan.rank, entry)
        out[plan.rank] = entries
        cuts.append(difference_cut(chosen, min_difference))
    return out


def near(pricer: PlanPricer) -> _Neighbourhood:
    """The neighbourhood searcher of a priced plan (built once, on first use)."""
    if pricer.neighbourhood is None:
        rc = pricer.reduced_costs()
        lp = LpBound(True, float(pricer.objective), rc, None, 0.0)
        pricer.neighbourhood = _Neighbourhood(pricer.problem, pricer.plan, lp)
    assert isinstance(pricer.neighbourhood, _Neighbourhood)
    return pricer.neighbourhood


def _priced_post(pricer: PlanPricer, problem: Problem, rows: list[RowBlock],
                 chosen: np.ndarray, entry: dict[str, Any], p: int, objective: int,
                 wanted: int, left: Callable[[], float], params: SolveParams) -> None:
    """Fill ``entry`` from the core pricing; a candidate it cannot certify gets a
    neighbourhood search for a plan at its bound, then an exact solve with the lock
    (:func:`exact_optimum`) within the budget left."""
    pairs = problem.pairs
    stats = SHORTLIST_STATS
    holder = np.zeros(problem.n_employees, dtype=bool)
    holder[pricer.employees(entry["holders"])] = True
    into_p = pairs.by_position.get(p, np.zeros(0, dtype=np.int64))
    members = into_p[~holder[pairs.emp[into_p]]]

    def nip_of(e: int) -> str:
        return str(problem.nips[e])

    def resolve(candidate: Candidate) -> tuple[str, int | None]:
        budget = left()
        if budget <= 0.05:
            return "UNKNOWN", None
        if pricer.lock_breaks_side_row(candidate.pair):
            stats["rows_infeasible"] += 1
            return "INFEASIBLE", None
        row = _row("shortlist", np.array([candidate.pair]), 1, INF)
        # First a plan reaching the bound near the post (a feasible plan at an upper
        # bound is optimal), then the global solve.
        tic = time.perf_counter()
        found = near(pricer).reach([*rows, row], np.array([candidate.pair]), p,
                                   candidate.upper, min(budget, NEIGHBOURHOOD_SECONDS),
                                   params.seed) if not pricer.multipliers.any() else None
        stats["near_s"] += time.perf_counter() - tic
        if found is not None and int(pairs.score[found].sum()) + problem.constant \
                == candidate.upper:
            stats["near_certified"] += 1
            return "OPTIMAL", candidate.upper
        # Where no side row is priced in, the core with the lock: its own optimum may
        # already meet every row; else its bound prunes the exact solve when it is as
        # tight as the pricing's. Otherwise the plan's LP, warm, with the lock row: at
        # city scale its vertex is usually integral (XL plan 1: 36 of 53 candidates),
        # and then exact without HiGHS's MIP (about 1 s each there).
        core = lock_bound(problem, [*rows, row], candidate.pair) \
            if not pricer.multipliers.any() else None
        if core is not None and core.x is not None:
            plan = np.flatnonzero(core.x > 0.5)
            value = int(pairs.score[plan].sum()) + problem.constant
            if value >= np.floor(core.bound + 1e-6) and rows_hold([*rows, row], plan,
                                                                  len(pairs)):
                stats["core_certified"] += 1
                return "OPTIMAL", value
            if core.bound > candidate.upper + 1:
                core = None
        budget = left()
        if budget <= 0.05:
            return "UNKNOWN", None
        if core is None:
            try:
                core = lp_bound(problem, [*rows, row], time_limit=budget,
                                state=pricer.lp_state)
            except LpTimeout:
                return "UNKNOWN", None
            vertex = None if not core.feasible or core.x is None else \
                integral_plan(core.x, [*rows, row], len(pairs))
            if vertex is not None:
                value = int(pairs.score[vertex].sum()) + problem.constant
                if value >= np.floor(core.bound + 1e-6):
                    stats["lp_certified"] += 1
                    return "OPTIMAL", value
            budget = left()
        outcome = exact_optimum(problem, [*rows, row], chosen, budget, params.workers,
                                params.seed, lp=core, value_only=True)
        stats["global"] += 1
        return outcome.status, outcome.plan.objective if outcome.plan is not None else None

    if left() <= 0.05:
        entry["complete"] = False
        entry["note"] = NOTES["budget"]
        return
    ranked = rank_post(pricer, p, members, wanted, nip_of, resolve)
    stats["priced_posts"] += 1
    stats["certified"] += ranked.certified
    stats["repaired"] += ranked.repaired
    for e, value in ranked.names:
        entry["names"].append({"nip": nip_of(e), "objective_loss": objective - value,
                               "chosen": False, "objective": value})
    entry["complete"] = ranked.complete
    entry["note"] = NOTES.get(ranked.reason, "")


def _stepwise_post(problem: Problem, rows: list[RowBlock], chosen: np.ndarray,
                   entry: dict[str, Any], p: int, objective: int, max_names: int,
                   local: _Neighbourhood | None, left: Callable[[], float],
                   params: SolveParams) -> None:
    """Fill ``entry`` by the "someone new" row, one exact solve per step (module
    docstring): the route when the core cannot price the plan."""
    pairs = problem.pairs
    stats = SHORTLIST_STATS
    names = entry["names"]
    holders = entry["holders"]
    into_p = np.flatnonzero(pairs.pos == p)
    excluded = {str(n) for n in holders}
    while len(names) < len(holders) + max_names - 1:
        budget = left()
        if budget <= 0.05:
            entry["complete"] = False
            entry["note"] = NOTES["budget"]
            break
        keep = np.array([str(problem.nips[pairs.emp[j]]) not in excluded
                         for j in into_p], dtype=bool)
        members = into_p[keep] if into_p.size else into_p
        if members.size == 0:
            entry["note"] = NOTES["nobody"]
            break
        row = _row("shortlist", members, 1, INF)
        outcome = None
        if local is not None:
            tic = time.perf_counter()
            target = local.bound(members)
            found = local.reach([*rows, row], members, p, target,
                                min(budget, NEIGHBOURHOOD_SECONDS), params.seed)
            stats["near_s"] += time.perf_counter() - tic
            value = None if found is None else \
                int(pairs.score[found].sum()) + problem.constant
            if found is not None and value == target:
                # Certified: a feasible plan scoring exactly an upper bound. (A value
                # above the bound would mean float trouble in L: not certified.)
                outcome = CpOutcome.found(SolveStatus.OPTIMAL, found, value, float(value))
                stats["certified"] += 1
        if outcome is None:
            outcome = exact_optimum(problem, [*rows, row], chosen, left(), params.workers,
                                    params.seed)
            stats["global"] += 1
        if outcome.status == "INFEASIBLE":
            if len(names) == len(holders):
                entry["note"] = NOTES["infeasible"]
            break
        if outcome.status != "OPTIMAL" or outcome.plan is None:
            entry["complete"] = False
            entry["note"] = NOTES["budget"]
            break
        best = outcome.plan
        seated = sorted(str(problem.nips[pairs.emp[j]]) for j in best.chosen
                        if pairs.pos[j] == p)
        for nip in (n for n in seated if n not in excluded):
            names.append({"nip": nip, "objective_loss": objective - best.objective,
                          "chosen": False, "objective": best.objective})
            excluded.add(nip)
    del names[len(holders) + max_names - 1:]


def shortlists_into(doc: dict[str, Any], scenario: Scenario, result: Result,
                    params: SolveParams | None = None, *, time_limit: float = 60.0,
                    problem: Problem | None = None, max_names: int = 3,
                    on_update: Callable[[int, int], None] | None = None) -> None:
    """Compute the shortlists into a ``plans.json`` document as they complete.

    While they run, every plan carries ``"shortlists_pending": true`` with the entries
    done so far and the document ``"shortlists_progress": {"done", "total"}`` (posts);
    ``on_update(done, total)`` is called once before the first post and after each, so
    a caller can write the plans out at once and then show the count. At the end both marks are gone and the document is
    what :func:`attach_shortlists` gives (posts the budget did not reach are marked
    ``complete: false``).
    """
    total = moved_posts(result)
    progress = {"done": 0, "total": total}
    by_rank = {plan["rank"]: plan for plan in doc.get("plans", [])}
    for plan in by_rank.values():
        plan["shortlists"] = []
        plan["shortlists_complete"] = False
        plan["shortlists_pending"] = True
    doc["shortlists_progress"] = progress
    if on_update is not None:
        on_update(0, total)  # the plans, every shortlist pending

    def on_post(rank: int, entry: dict[str, Any]) -> None:
        if rank in by_rank:
            by_rank[rank]["shortlists"].append(entry)
        progress["done"] += 1
        if on_update is not None:
            on_update(progress["done"], total)

    try:
        lists = shortlists(scenario, result, params, max_names=max_names,
                           time_limit=time_limit, problem=problem, on_post=on_post)
    finally:
        doc.pop("shortlists_progress", None)
        for plan in by_rank.values():
            plan.pop("shortlists_pending", None)
    attach_shortlists(doc, lists)


def attach_shortlists(doc: dict[str, Any], lists: dict[int, list[dict[str, Any]]]) -> None:
    """Put ``lists`` into a ``plans.json`` document: ``plan["shortlists"]`` and
    ``plan["shortlists_complete"]`` for every plan rank present in ``lists``."""
    for plan in doc.get("plans", []):
        entries = lists.get(plan["rank"])
        if entries is None:
            plan["shortlists"] = []
            plan["shortlists_complete"] = False
            continue
        plan["shortlists"] = entries
        plan["shortlists_complete"] = all(e["complete"] for e in entries)
