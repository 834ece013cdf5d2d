"""HiGHS's MIP as a plan finder on a subset of pairs; never as a proof.

An exact shortlist value is the optimum with one person locked in. The proof loop
(an LP-pruned subset solved by CP-SAT) is exact but, at ministry scale, CP-SAT
spends 10-30 s per lock finding a plan that HiGHS's MIP finds in 2-4 s on the same
subset (measured on XL: the plan reaches the Lagrangian bound in every case seen).
A plan whose objective reaches ``floor(L)`` for a valid Lagrangian bound ``L`` of the
model is optimal however it was found, so HiGHS here only *finds* plans: its
solution is rounded, checked against every row in integers and scored exactly
here, and its own optimality claim and bound are never used. When the plan falls
short of the bound (or none is found in time) the caller runs the exact proof loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solver.eligibility import Problem
from solver.model.constraints import RowBlock
from solver.model.lp import _quiet_stdout, row_matrix


def highs_plan(problem: Problem, rows: Sequence[RowBlock], active: np.ndarray,
               time_limit: float) -> np.ndarray | None:
    """A plan (sorted pair indices, all in ``active``) that meets every row of ``rows``
    in integers, found by HiGHS's MIP on the pairs ``active`` within ``time_limit``
    seconds; None when HiGHS found none or its answer fails the checks."""
    import highspy

    if time_limit <= 0.01:
        return None
    active = np.asarray(active, dtype=np.int64)
    a, lo, hi = row_matrix(problem, rows)
    sub = a[:, active].tocsc()
    with _quiet_stdout():  # HiGHS prints a banner on construction
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 0.0)
    highs.setOptionValue("time_limit", float(time_limit))
    inf = highspy.kHighsInf
    model = highspy.HighsLp()
    n = int(active.size)
    model.num_col_ = n
    model.num_row_ = int(sub.shape[0])
    model.col_cost_ = problem.pairs.score[active].astype(np.float64)
    model.col_lower_ = problem.pairs.lock[active].astype(np.float64)
    model.col_upper_ = np.ones(n)
    model.row_lower_ = np.where(lo > -np.inf, lo, -inf)
    model.row_upper_ = np.where(np.isfinite(hi), hi, inf)
    model.sense_ = highspy.ObjSense.kMaximize
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_ = n
    model.a_matrix_.num_row_ = int(sub.shape[0])
    model.a_matrix_.start_ = sub.indptr.astype(np.int32)
    model.a_matrix_.index_ = sub.indices.astype(np.int32)
    model.a_matrix_.value_ = sub.data.astype(np.float64)
    model.integrality_ = [highspy.HighsVarType.kInteger] * n
    highs.passModel(model)
    highs.run()
    if highs.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
        return None
    x = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    if x.size != n or np.any(np.abs(x - np.round(x)) > 1e-6):
        return None
    chosen = active[np.round(x) == 1]
    locked = np.flatnonzero(problem.pairs.lock)
    if not np.isin(locked, chosen).all():
        return None
    picked = np.zeros(a.shape[1])
    picked[chosen] = 1.0
    activity = np.rint(a @ picked)
    if np.any(activity < lo) or np.any(activity > hi):
        return None
    return chosen
