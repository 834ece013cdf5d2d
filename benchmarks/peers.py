"""Peer solvers on the engine's own model, run as separate processes by the runner.

``python -m benchmarks.peers highs SCENARIO --time-limit T --json OUT``
    HiGHS MIP (highspy) on exactly the rows of :func:`solver.model.constraints.build_rows`
    over the pairs of :func:`solver.eligibility.build_problem`, built vectorised
    (CSR from the row members), objective ``pairs.score`` + ``problem.constant``,
    locks as lower bound 1, maximise.

``python -m benchmarks.peers core SCENARIO --json OUT``
    ``scipy.optimize.linear_sum_assignment`` on the pure assignment core: the
    employee × seat matrix of the eligible pair scores, seats expanded by
    headcount, ineligible cells very negative, maximise. It ignores the
    must-fill, turnover, lock and "incumbents must be placed" rows, so its
    objective is only a reference (usually an upper bound), not the model's optimum.
    Skipped when the dense matrix would exceed ``MAX_DENSE_CELLS``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

MAX_DENSE_CELLS = 200_000_000
INELIGIBLE = -1e9


def _load(path: Path):  # noqa: ANN202 - returns (scenario, problem, blocks, timings)
    from solver.eligibility import build_problem
    from solver.io import load_scenario
    from solver.model.constraints import build_rows

    t = time.perf_counter()
    scenario = load_scenario(path)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    problem = build_problem(scenario)
    elig_s = time.perf_counter() - t
    t = time.perf_counter()
    blocks = build_rows(problem)
    rows_s = time.perf_counter() - t
    heads = scenario.positions["headcount"].to_numpy(dtype=np.int64)
    return scenario, problem, blocks, {"load_s": round(load_s, 3),
                                       "eligibility_s": round(elig_s, 3),
                                       "rows_s": round(rows_s, 3),
                                       "employees": problem.n_employees,
                                       "positions": problem.n_positions,
                                       "seat_posts": int(problem.seats.sum()),
                                       "seats": int(heads[problem.seats].sum()),
                                       "pairs": len(problem.pairs)}


def highs_model(problem, blocks):  # noqa: ANN001, ANN201
    """The MIP as a ``highspy.HighsLp`` (with integrality), built from numpy arrays."""
    import highspy

    from solver.model.constraints import INF

    n = len(problem.pairs)
    lo_rows, hi_rows, lengths, members = [], [], [], []
    for block in blocks:
        lo_rows.append(block.lo.astype(np.float64))
        hi = block.hi.astype(np.float64)
        hi[block.hi >= INF] = highspy.kHighsInf
        hi_rows.append(hi)
        lengths.append(np.array([m.size for m in block.members], dtype=np.int64))
        members.extend(block.members)
    lo = np.concatenate(lo_rows) if lo_rows else np.zeros(0)
    hi = np.concatenate(hi_rows) if hi_rows else np.zeros(0)
    length = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    start = np.zeros(length.size + 1, dtype=np.int32)
    np.cumsum(length, out=start[1:])
    index = (np.concatenate(members) if members else np.zeros(0)).astype(np.int32)

    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = int(length.size)
    lp.col_cost_ = problem.pairs.score.astype(np.float64)
    lp.col_lower_ = problem.pairs.lock.astype(np.float64)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = lo
    lp.row_upper_ = hi
    lp.offset_ = float(problem.constant)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = int(length.size)
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = np.ones(index.size)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    return lp


def run_highs(path: Path, time_limit: float, threads: int | None = None) -> dict:
    import highspy

    scenario, problem, blocks, timings = _load(path)
    t = time.perf_counter()
    lp = highs_model(problem, blocks)
    print(f"model built: {len(problem.pairs)} columns, {lp.num_row_} rows "
          f"({time.perf_counter() - t:.1f} s); HiGHS log follows", flush=True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", True)  # the runner sends it to the instance's highs.log
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    if threads:
        h.setOptionValue("threads", int(threads))
    h.passModel(lp)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = int(round(info.objective_function_value)) if has_solution else None
    bound = info.mip_dual_bound
    return {
        "status": status,
        "objective": objective,
        "bound": None if not np.isfinite(bound) else float(bound),
        "gap": float(info.mip_gap) if has_solution and np.isfinite(info.mip_gap) else None,
        "solve_s": round(solve_s, 3),
        "build_s": round(build_s, 3),
        "highs_run_time_s": round(h.getRunTime(), 3),
        "mip_nodes": int(info.mip_node_count),
        "pairs": len(problem.pairs),
        "rows": int(lp.num_row_),
        "version": h.version(),
        **timings,
    }


def run_core(path: Path) -> dict:
    from scipy.optimize import linear_sum_assignment

    scenario, problem, blocks, timings = _load(path)
    pairs = problem.pairs
    heads = scenario.positions["headcount"].to_numpy(dtype=np.int64)
    emps = np.unique(pairs.emp)
    posts = np.flatnonzero(problem.seats)
    n_rows, n_cols = int(emps.size), int(heads[posts].sum())
    cells = n_rows * n_cols
    result: dict = {"rows": n_rows, "cols": n_cols, "cells": cells, **timings}
    if cells > MAX_DENSE_CELLS:
        result.update(status="SKIPPED", note=f"dense matrix {n_rows}x{n_cols} = {cells:,} "
                      f"cells > {MAX_DENSE_CELLS:,}")
        return result
    t = time.perf_counter()
    row_of = np.full(problem.n_employees, -1, dtype=np.int64)
    row_of[emps] = np.arange(n_rows)
    col_start = np.full(problem.n_positions, -1, dtype=np.int64)
    col_start[posts] = np.concatenate([[0], np.cumsum(heads[posts])[:-1]])
    h = heads[pairs.pos]
    rep = np.repeat(np.arange(len(pairs)), h)
    offset = np.arange(rep.size) - np.repeat(np.cumsum(h) - h, h)
    matrix = np.full((n_rows, n_cols), INELIGIBLE)
    matrix[row_of[pairs.emp[rep]], col_start[pairs.pos[rep]] + offset] = pairs.score[rep]
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    r, c = linear_sum_assignment(matrix, maximize=True)
    solve_s = time.perf_counter() - t
    chosen = matrix[r, c]
    chosen = chosen[chosen > INELIGIBLE / 2]
    result.update(status="OPTIMAL", objective=int(chosen.sum()) + int(problem.constant),
                  assigned=int(chosen.size), build_s=round(build_s, 4),
                  solve_s=round(solve_s, 4),
                  note="pure assignment core: no turnover/must-fill/lock rows, "
                       "incumbents may be left out; reference only")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers")
    parser.add_argument("mode", choices=["highs", "core"])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.mode == "highs":
        out = run_highs(args.scenario, args.time_limit, args.threads)
    else:
        out = run_core(args.scenario)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
