"""Hard constraints of MODEL.md section 5, one family per function.

Every row of this model is a sum of pair variables with coefficient 1 between a
lower and an upper bound, so a family is a :class:`RowBlock`: per row, the pair
indices it sums, its bounds and a label naming the entity (employee, post,
unit, lock) for explanations. The CP-SAT and LP back ends both read these blocks,
so both solve the same model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver.eligibility import Problem

INF = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class RowBlock:
    """Rows ``lo[i] <= Σ_{j in members[i]} x[j] <= hi[i]`` of one constraint family."""

    family: str
    entity: np.ndarray  # int per row: employee, position, unit or lock index
    members: list[np.ndarray]
    lo: np.ndarray
    hi: np.ndarray

    def __len__(self) -> int:
        return len(self.members)


def _block(family: str, entity: list[int], members: list[np.ndarray], lo: list[int],
           hi: list[int]) -> RowBlock:
    return RowBlock(family, np.array(entity, dtype=np.int64), members,
                    np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64))


def incumbent_assignment(problem: Problem) -> RowBlock:
    """5.1 Every incumbent takes exactly one position in S: ``Σ_p x[e,p] = 1``."""
    by_emp = problem.pairs.by_employee
    empty = np.zeros(0, dtype=np.int64)
    incumbents = np.flatnonzero(problem.incumbent)
    members = [by_emp.get(int(e), empty) for e in incumbents]
    return _block("incumbent", list(incumbents), members, [1] * len(members), [1] * len(members))


def candidate_at_most_one(problem: Problem) -> RowBlock:
    """5.2 A candidate takes at most one position: ``Σ_p x[e,p] <= 1``."""
    by_emp = problem.pairs.by_employee
    entity, members = [], []
    for e, idx in by_emp.items():
        if not problem.incumbent[e] and idx.size > 1:
            entity.append(e)
            members.append(idx)
    return _block("candidate", entity, members, [0] * len(members), [1] * len(members))


def headcount(problem: Problem) -> RowBlock:
    """5.3 Headcount: ``Σ_e x[e,p] <= headcount(p)`` (rows that can bind only)."""
    heads = problem.headcount
    by_pos = problem.pairs.by_position
    entity, members, hi = [], [], []
    for p, idx in by_pos.items():
        if idx.size > heads[p]:
            entity.append(p)
            members.append(idx)
            hi.append(int(heads[p]))
    return _block("headcount", entity, members, [0] * len(members), hi)


def must_fill(problem: Problem) -> RowBlock:
    """5.4 Must-fill: ``Σ_e x[e,p] >= 1`` for every ``p ∈ S`` with ``must_fill(p)``."""
    by_pos = problem.pairs.by_position
    empty = np.zeros(0, dtype=np.int64)
    posts = np.flatnonzero(problem.must_fill & problem.in_scope)
    members = [by_pos.get(int(p), empty) for p in posts]
    return _block("must_fill", list(posts), members, [1] * len(members), [INF] * len(members))


def unit_turnover(problem: Problem) -> RowBlock:
    """5.5 Unit turnover: incumbents of unit u not kept in their own post
    ``<= cap_u = max(floor(t·n_u), forced_u)``, written on the stay pairs as
    ``Σ_{e ∈ u} x[e,current(e)] >= n_u − cap_u``."""
    pairs = problem.pairs
    stay_idx = np.flatnonzero(pairs.stay)
    stay_of = np.full(problem.n_employees, -1, dtype=np.int64)
    stay_of[pairs.emp[stay_idx]] = stay_idx
    entity, members, lo = [], [], []
    for u, (emps, cap) in enumerate(zip(problem.turnover_members, problem.turnover_caps,
                                        strict=True)):
        need = int(emps.size) - cap
        if need <= 0:
            continue
        stays = stay_of[emps]
        entity.append(u)
        members.append(stays[stays >= 0])
        lo.append(need)
    return _block("turnover", entity, members, lo, [INF] * len(members))


def locks(problem: Problem) -> RowBlock:
    """5.6 Locks hold: ``x[e,p] = 1`` for each lock; a lock whose pair cannot exist
    (post outside S or abolished) is an empty row that cannot hold."""
    idx = np.flatnonzero(problem.pairs.lock)
    members = [np.array([i]) for i in idx]
    entity = list(range(len(members)))
    members += [np.zeros(0, dtype=np.int64) for _ in problem.broken_locks]
    entity += [-1 - k for k in range(len(problem.broken_locks))]
    return _block("lock", entity, members, [1] * len(members), [1] * len(members))


CONSTRAINT_FAMILIES: tuple[Callable[[Problem], RowBlock], ...] = (
    incumbent_assignment,
    candidate_at_most_one,
    headcount,
    must_fill,
    unit_turnover,
    locks,
)


def build_rows(problem: Problem) -> list[RowBlock]:
    """All hard-constraint rows, in the order of MODEL.md section 5."""
    return [family(problem) for family in CONSTRAINT_FAMILIES]


def difference_cut(plan_pairs: np.ndarray, min_difference: int) -> RowBlock:
    """Section 7: ``Σ_{(e,p) ∈ A_i} x[e,p] <= |A_i| − min_difference``."""
    return _block("cut", [0], [plan_pairs.astype(np.int64)], [0],
                  [len(plan_pairs) - min_difference])
