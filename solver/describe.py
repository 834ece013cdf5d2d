"""How people, posts and grade ranges are named in sentences (explanations, conflicts).

One home for the wording, so a conflict sentence written by a constraint family
(:mod:`solver.model.constraints`) and one written by the infeasibility funnel
(:mod:`solver.infeasibility`) name a person or a post the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solver.eligibility import Problem
from solver.scenario import GRADES

MAX_NAMES = 5


def employee(problem: Problem, e: int) -> str:
    """'Name (NIP)'."""
    emp = problem.scenario.employees
    return f"{emp['name'].iat[e]} ({emp['nip'].iat[e]})"


def post(problem: Problem, p: int) -> str:
    """'id (title, unit)'."""
    pos = problem.scenario.positions
    return f"{pos['id'].iat[p]} ({pos['title'].iat[p]}, {pos['unit'].iat[p]})"


def grade_range(problem: Problem, p: int) -> str:
    """'III/a–III/d', or one golongan when the range is a single grade."""
    pos = problem.scenario.positions
    lo, hi = GRADES[pos["grade_min"].iat[p] - 1], GRADES[pos["grade_max"].iat[p] - 1]
    return lo if lo == hi else f"{lo}–{hi}"


def names(problem: Problem, emps: Sequence[int]) -> str:
    """Up to MAX_NAMES people, then 'and N more'."""
    shown = [employee(problem, int(e)) for e in list(emps)[:MAX_NAMES]]
    more = len(emps) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def posts(problem: Problem, ids: Sequence[int] | np.ndarray) -> str:
    """Up to MAX_NAMES position ids, then 'and N more'."""
    column = problem.scenario.positions["id"]
    shown = [str(column.iat[int(p)]) for p in list(ids)[:MAX_NAMES]]
    more = len(ids) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
