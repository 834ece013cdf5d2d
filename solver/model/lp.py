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

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from solver.eligibility import Problem
from solver.model.constraints import INF, RowBlock


@dataclass(frozen=True)
class LpBound:
    feasible: bool
    bound: float  # L, including the problem constant
    reduced_cost: np.ndarray  # rc_j per pair (<= 0 means "costs |rc_j| to use")
    x: np.ndarray | None  # LP primal solution
    wall: float


def lp_bound(problem: Problem, blocks: Sequence[RowBlock]) -> LpBound:
    """Solve the LP relaxation and return a verified Lagrangian bound."""
    start = time.perf_counter()
    pairs = problem.pairs
    n = len(pairs)
    cost = pairs.score.astype(np.float64)
    rows, members, lo, hi = [], [], [], []
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
    a = sparse.csr_matrix((np.ones(row_idx.size), (row_idx, col_idx)), shape=(n_rows, n))
    eq = lo_a == hi_a
    upper = ~eq & np.isfinite(hi_a)
    lower = ~eq & (lo_a > 0)
    a_ub = sparse.vstack([a[upper], -a[lower]]).tocsr()
    b_ub = np.concatenate([hi_a[upper], -lo_a[lower]])
    lock = pairs.lock
    bounds = np.column_stack([lock.astype(np.float64), np.ones(n)])
    res = linprog(-cost, A_ub=a_ub if a_ub.shape[0] else None,
                  b_ub=b_ub if a_ub.shape[0] else None,
                  A_eq=a[eq] if eq.any() else None, b_eq=lo_a[eq] if eq.any() else None,
                  bounds=bounds, method="highs")
    if res.status == 2:
        return LpBound(False, -np.inf, np.zeros(n), None, time.perf_counter() - start)
    if res.status != 0:
        raise RuntimeError(f"LP relaxation failed: {res.message}")
    y = np.zeros(n_rows)
    n_up = int(upper.sum())
    if a_ub.shape[0]:
        marg = res.ineqlin.marginals
        y[np.flatnonzero(upper)] = np.maximum(-marg[:n_up], 0.0)
        y[np.flatnonzero(lower)] -= np.maximum(-marg[n_up:], 0.0)
    if eq.any():
        y[np.flatnonzero(eq)] = -res.eqlin.marginals
    rc = cost - a.T @ y
    mu = np.where(upper, np.maximum(y, 0), 0)
    lam = np.where(lower, np.maximum(-y, 0), 0)
    nu = np.where(eq, y, 0)
    bound = float(mu[upper] @ hi_a[upper] - lam[lower] @ lo_a[lower] + nu[eq] @ lo_a[eq])
    bound += float(np.maximum(rc[~lock], 0).sum() + rc[lock].sum())
    return LpBound(True, bound + problem.constant, rc, res.x, time.perf_counter() - start)
