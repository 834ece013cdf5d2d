"""Infeasibility in words: which people, posts, units and locks conflict.

First the certain, simple causes (an incumbent with no position left, a must-fill
post nobody may take, locks that cannot hold together). When there are none,
every hard-constraint row gets an assumption literal per (family, entity) and
CP-SAT is asked for a conflicting set of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from solver.eligibility import Problem
from solver.model.constraints import RowBlock
from solver.model.cpsat import solve_cpsat
from solver.scenario import GRADES


def _employee(problem: Problem, e: int) -> str:
    emp = problem.scenario.employees
    return f"{emp['name'].iat[e]} ({emp['nip'].iat[e]})"


def _post(problem: Problem, p: int) -> str:
    pos = problem.scenario.positions
    return f"{pos['id'].iat[p]} ({pos['title'].iat[p]}, {pos['unit'].iat[p]})"


def _sentence(problem: Problem, family: str, entity: int) -> str:
    scenario = problem.scenario
    pos = scenario.positions
    if family == "incumbent":
        e = entity
        return (f"{_employee(problem, e)}, incumbent of {_post(problem, int(problem.current[e]))}, "
                "must take exactly one position in scope")
    if family == "candidate":
        return f"{_employee(problem, entity)} may take at most one position"
    if family == "headcount":
        return f"{_post(problem, entity)} has only {pos['headcount'].iat[entity]} seat(s)"
    if family == "must_fill":
        return f"{_post(problem, entity)} must be filled (must_fill)"
    if family == "turnover":
        unit = problem.turnover_units[entity]
        n_u = problem.turnover_members[entity].size
        cap = problem.turnover_caps[entity]
        return (f"unit {unit} may move at most {cap} of its {n_u} incumbents "
                f"(max_unit_turnover {float(scenario.rules.max_unit_turnover):g})")
    if family == "lock":
        if entity < 0:
            return problem.broken_locks[-1 - entity]
        idx = np.flatnonzero(problem.pairs.lock)[entity]
        e, p = int(problem.pairs.emp[idx]), int(problem.pairs.pos[idx])
        return f"lock {_employee(problem, e)} → {_post(problem, p)}"
    return f"{family} {entity}"


def _simple_causes(problem: Problem) -> list[str]:
    pairs = problem.pairs
    pos = problem.scenario.positions
    emp = problem.scenario.employees
    reasons: list[str] = list(problem.broken_locks)
    has_pair = np.zeros(problem.n_employees, dtype=bool)
    has_pair[pairs.emp] = True
    for e in np.flatnonzero(problem.incumbent & ~has_pair):
        p = int(problem.current[e])
        why = ("their post is abolished (headcount 0)" if pos["headcount"].iat[p] == 0
               else "staying is forbidden")
        reasons.append(
            f"{_employee(problem, e)} holds {_post(problem, p)} but has no eligible position: "
            f"{why}, and no in-scope post accepts golongan {emp['grade'].iat[e]} at level "
            f"{problem.level[e]}-{problem.level[e] + problem.scenario.rules.max_promotion_step} "
            "under the rules (grade range, tenure, retirement, education, applicants). "
            "Widen a grade range, add a post, or lift a forbid.")
    filled = np.zeros(problem.n_positions, dtype=bool)
    filled[pairs.pos] = True
    for p in np.flatnonzero(pos["must_fill"].to_numpy(bool) & problem.in_scope & ~filled):
        lo, hi = GRADES[pos["grade_min"].iat[p] - 1], GRADES[pos["grade_max"].iat[p] - 1]
        extra = " and has headcount 0" if pos["headcount"].iat[p] == 0 else ""
        reasons.append(
            f"{_post(problem, p)} must be filled{extra} but nobody eligible exists for it "
            f"(golongan {lo}-{hi}, level {pos['level'].iat[p]}); widen grade_min/grade_max, "
            "relax the rules or unset must_fill.")
    lock_idx = np.flatnonzero(pairs.lock)
    for e, n in Counter(pairs.emp[lock_idx].tolist()).items():
        if n > 1:
            reasons.append(f"{_employee(problem, e)} is locked into {n} posts at once; keep one lock.")
    for p, n in Counter(pairs.pos[lock_idx].tolist()).items():
        if n > pos["headcount"].iat[p]:
            reasons.append(f"{n} people are locked into {_post(problem, p)}, which has "
                           f"{pos['headcount'].iat[p]} seat(s).")
    return reasons


def explain_infeasibility(problem: Problem, blocks: Sequence[RowBlock],
                          time_limit: float = 30.0) -> list[str]:
    """Sentences naming a set of rules that cannot hold together."""
    reasons = _simple_causes(problem)
    if reasons:
        return reasons
    outcome = solve_cpsat(problem, blocks, np.arange(len(problem.pairs)), time_limit=time_limit,
                          workers=1, seed=0, explain=True)
    if outcome.core:
        parts = [_sentence(problem, family, entity) for family, entity in outcome.core]
        return [
            "These rules cannot all hold together: " + "; ".join(parts) + ". "
            "Relax one of them: add seats or posts, raise max_unit_turnover, widen grade "
            "ranges, or remove a lock or must_fill."
        ]
    return ["The hard rules of MODEL.md section 5 cannot all hold together; no smaller "
            "conflicting set was found within the time limit."]
