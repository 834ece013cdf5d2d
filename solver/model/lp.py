"""LP relaxation of the model and the reduced costs that prune pairs.

For any dual vector with the right signs (μ >= 0 on upper bounds, λ >= 0 on lower
bounds, ν free on equalities), Lagrangian duality gives, for every plan x,

    objective(x) <= L − Σ_j  max(0, −rc_j) · x_j        (locks: x_j = 1 counted in L)

with ``rc = c − Aᵀ(μ − λ + ν)`` and ``L = μ·hi − λ·lo + ν·b + Σ max(rc_j, 0)``.
The duals come from HiGHS (through SciPy), but the bound ``L`` and the reduced
costs are recomputed here from whatever duals it returns, so the proof never
rests on the LP solver's accuracy: any sign-correct duals give a valid bound.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from solver.eligibility import Problem
from solver.model.constraints import INF, RowBlock


@dataclass(frozen=True)
class LpBound:
    feasible: bool
    bound: float  # L, including the problem constant
    reduced_cost: np.ndarray  # rc_j per pair (<= 0 means "costs |rc_j| to use")
    x: np.ndarray | None  # LP primal solution
    wall: float
    rounds: int = 0  # column-generation rounds
    columns: int = 0  # pairs in the final LP


# HiGHS options set after the defaults (tuning experiments and benchmarks).
HIGHS_OPTIONS: dict[str, bool | int | float | str] = {}
LATER_ROUNDS_STRATEGY: int | None = 4  # primal simplex
SEED_PER_EMPLOYEE = 6
SEED_PER_POSITION = 6
MAX_NEW_COLUMNS = 50_000
PRICE_TOLERANCE = 1e-6


def _top_k(keys: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best-scoring pairs of every key (employee or position)."""
    order = np.lexsort((-score, keys))
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    return order[rank < k]


class LpTimeout(Exception):
    """The LP relaxation did not finish within its time limit."""


def lp_bound(problem: Problem, blocks: Sequence[RowBlock],
             time_limit: float | None = None) -> LpBound:
    """Solve the LP relaxation by column generation; return a verified Lagrangian bound.

    The LP starts on the stays, the locks and the best few pairs of every employee
    and position; each round prices every pair with the duals and adds those with a
    positive reduced cost to the same HiGHS instance (so the simplex warm-starts),
    until none is left. Any round's duals already give a valid bound (module
    docstring); the last one gives the LP optimum.
    """
    import highspy

    start = time.perf_counter()
    pairs = problem.pairs
    n = len(pairs)
    cost = pairs.score.astype(np.float64)
    rows: list[np.ndarray] = []
    members: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    for block in blocks:
        for m, l_, h_ in zip(block.members, block.lo, block.hi, strict=True):
            rows.append(np.full(m.size, len(lo), dtype=np.int64))
            members.append(m)
            lo.append(float(l_))
            hi.append(float(min(h_, m.size)) if h_ < INF else np.inf)
    n_rows = len(lo)
    lo_a, hi_a = np.array(lo), np.array(hi)
    row_idx = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    col_idx = np.concatenate(members) if members else np.zeros(0, np.int64)
    a = sparse.csc_matrix((np.ones(row_idx.size), (row_idx, col_idx)), shape=(n_rows, n))
    a_t = a.T.tocsr()
    eq = lo_a == hi_a
    upper = ~eq & np.isfinite(hi_a)
    lower = ~eq & (lo_a > 0)
    lock = pairs.lock

    with _quiet_stdout():  # HiGHS prints a banner on construction
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("random_seed", 0)
    highs.setOptionValue("threads", 1)
    for key, value in HIGHS_OPTIONS.items():
        highs.setOptionValue(key, value)
    inf = highs.getInfinity()
    highs.addRows(n_rows, np.where(lo_a > -np.inf, lo_a, -inf),
                  np.where(np.isfinite(hi_a), hi_a, inf), 0, np.zeros(1, np.int32),
                  np.zeros(0, np.int32), np.zeros(0))
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)

    in_lp = np.zeros(n, dtype=bool)
    order: list[np.ndarray] = []  # columns in the order they were added to HiGHS

    def add(new: np.ndarray) -> None:
        new = new[~in_lp[new]]
        if new.size == 0:
            return
        in_lp[new] = True
        order.append(new)
        sub = a[:, new]
        highs.addCols(new.size, cost[new], lock[new].astype(np.float64), np.ones(new.size),
                      sub.nnz, sub.indptr[:-1].astype(np.int32), sub.indices.astype(np.int32),
                      sub.data)

    seed = np.zeros(n, dtype=bool)
    seed[pairs.stay | lock] = True
    k_emp, k_pos = SEED_PER_EMPLOYEE, SEED_PER_POSITION
    seed[_top_k(pairs.emp, cost, k_emp)] = True
    seed[_top_k(pairs.pos, cost, k_pos)] = True
    add(np.flatnonzero(seed))
    rounds = 0
    deadline = None if time_limit is None else start + time_limit
    while True:
        rounds += 1
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise LpTimeout
            highs.setOptionValue("time_limit", left)
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise LpTimeout
        if status == highspy.HighsModelStatus.kInfeasible:
            if in_lp.all():
                return LpBound(False, -np.inf, np.zeros(n), None, time.perf_counter() - start,
                               rounds=rounds, columns=n)
            k_emp, k_pos = 4 * k_emp, 4 * k_pos
            add(_top_k(pairs.emp, cost, k_emp) if k_emp <= 1000 else np.arange(n))
            add(_top_k(pairs.pos, cost, k_pos))
            continue
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"LP relaxation failed: {highs.modelStatusToString(status)}")
        solution = highs.getSolution()
        y = np.asarray(solution.row_dual, dtype=np.float64)
        rc = cost - a_t @ y
        positive = np.flatnonzero((rc > PRICE_TOLERANCE) & ~in_lp)
        if positive.size == 0:
            break
        if positive.size > MAX_NEW_COLUMNS:
            positive = positive[np.argsort(-rc[positive], kind="stable")[:MAX_NEW_COLUMNS]]
        add(positive)
        if LATER_ROUNDS_STRATEGY is not None:
            # New columns keep the basis primal feasible: primal simplex continues from it.
            highs.setOptionValue("simplex_strategy", LATER_ROUNDS_STRATEGY)
    columns = np.concatenate(order)
    x = np.zeros(n)
    x[columns] = np.asarray(solution.col_value)
    bound, rc = _lagrangian(a_t, cost, lock, y, lo_a, hi_a, eq, upper, lower)
    # HiGHS's dual sign convention under maximisation is not ours to assume: either
    # sign-corrected vector gives a valid bound, so keep the tighter one.
    other, rc_other = _lagrangian(a_t, cost, lock, -y, lo_a, hi_a, eq, upper, lower)
    if other < bound:
        bound, rc = other, rc_other
    return LpBound(True, bound + problem.constant, rc, x, time.perf_counter() - start,
                   rounds=rounds, columns=int(columns.size))


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _lagrangian(a_t: sparse.csr_matrix, cost: np.ndarray, lock: np.ndarray, y: np.ndarray,
                lo_a: np.ndarray, hi_a: np.ndarray, eq: np.ndarray, upper: np.ndarray,
                lower: np.ndarray) -> tuple[float, np.ndarray]:
    """Bound ``L`` and reduced costs for duals ``y`` after forcing the right signs."""
    y = y.copy()
    y[~eq & ~upper] = np.minimum(y[~eq & ~upper], 0)  # only a lower bound: y <= 0
    y[~eq & ~lower] = np.maximum(y[~eq & ~lower], 0)  # only an upper bound: y >= 0
    rc = cost - a_t @ y
    mu = np.maximum(y, 0)
    lam = np.maximum(-y, 0)
    bound = float(mu[upper | eq] @ hi_a[upper | eq] - lam[lower | eq] @ lo_a[lower | eq])
    bound += float(np.maximum(rc[~lock], 0).sum() + rc[lock].sum())
    return bound, rc
