"""Hard constraints of docs/model.md section 5, one object per constraint family.

Every row of this model is a sum of pair variables with coefficient 1 between a
lower and an upper bound, so a family's rows are a :class:`RowBlock`: per row, the
pair indices it sums, its bounds and the entity (employee, post, unit, lock) it is
about. The CP-SAT, LP and flow back ends all read these blocks, so all solve the
same model.

A family object holds everything the engine knows about its rule, in one place:

- ``rows(problem)``: its rows (the rule, in maths, in the docstring);
- ``row_key(problem, entity, members)``: a name for a row that survives edits of the
  scenario (NIP, position id, unit), so the kept LP of a what-if can match rows;
- ``sentence(problem, entity)``: what a conflict involving that row means, in words,
  and what to relax (the infeasibility explanations).

:data:`CONSTRAINT_FAMILIES` lists the section 5 families once, in section order;
:data:`FAMILIES` also names the rows added per solve (ranked-plan cuts, shortlist
rows). A new hard rule is a new class here and one entry in that list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solver import describe
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


RowKey = tuple[object, ...]


class ConstraintFamily:
    """Base of the families: ``name`` is :attr:`RowBlock.family`, ``rule`` the section."""

    name = ""
    rule = ""

    def rows(self, problem: Problem) -> RowBlock:
        raise NotImplementedError

    def row_key(self, problem: Problem, entity: int, members: np.ndarray) -> RowKey | None:
        """A stable name of the row; None when it only means something within one solve."""
        return None

    def sentence(self, problem: Problem, entity: int) -> str:
        return f"{self.name} {entity}"


class IncumbentRows(ConstraintFamily):
    """5.1 Every incumbent takes exactly one position in S: ``Σ_p x[e,p] = 1``."""

    name, rule = "incumbent", "5.1"

    def rows(self, problem: Problem) -> RowBlock:
        by_emp = problem.pairs.by_employee
        empty = np.zeros(0, dtype=np.int64)
        incumbents = np.flatnonzero(problem.incumbent)
        members = [by_emp.get(int(e), empty) for e in incumbents]
        return _block(self.name, list(incumbents), members, [1] * len(members),
                      [1] * len(members))

    def row_key(self, problem: Problem, entity: int, members: np.ndarray) -> RowKey:
        return (self.name, str(problem.nips[entity]))

    def sentence(self, problem: Problem, entity: int) -> str:
        pairs = problem.pairs
        options = sorted({int(p) for p in pairs.pos[pairs.emp == entity]})
        return (f"{describe.employee(problem, entity)}, incumbent of "
                f"{describe.post(problem, int(problem.current[entity]))}, "
                f"must take exactly one in-scope position and may take only "
                f"{describe.posts(problem, options) or 'none'}. Relax: widen grade ranges or "
                "lower min_tenure_months so more posts accept them, or lift a forbid.")


class CandidateRows(ConstraintFamily):
    """5.2 A candidate takes at most one position: ``Σ_p x[e,p] <= 1`` (rows with
    more than one pair only: the others cannot bind)."""

    name, rule = "candidate", "5.2"

    def rows(self, problem: Problem) -> RowBlock:
        entity, members = [], []
        for e, idx in problem.pairs.by_employee.items():
            if not problem.incumbent[e] and idx.size > 1:
                entity.append(e)
                members.append(idx)
        return _block(self.name, entity, members, [0] * len(members), [1] * len(members))

    def row_key(self, problem: Problem, entity: int, members: np.ndarray) -> RowKey:
        return (self.name, str(problem.nips[entity]))

    def sentence(self, problem: Problem, entity: int) -> str:
        return f"{describe.employee(problem, entity)} may take at most one position."


class HeadcountRows(ConstraintFamily):
    """5.3 Headcount: ``Σ_e x[e,p] <= headcount(p)`` (rows that can bind only)."""

    name, rule = "headcount", "5.3"

    def rows(self, problem: Problem) -> RowBlock:
        heads = problem.headcount
        entity, members, hi = [], [], []
        for p, idx in problem.pairs.by_position.items():
            if idx.size > heads[p]:
                entity.append(p)
                members.append(idx)
                hi.append(int(heads[p]))
        return _block(self.name, entity, members, [0] * len(members), hi)

    def row_key(self, problem: Problem, entity: int, members: np.ndarray) -> RowKey:
        return (self.name, str(problem.position_ids[entity]))

    def sentence(self, problem: Problem, entity: int) -> str:
        pairs = problem.pairs
        wanted = sorted({int(e) for e in pairs.emp[(pairs.pos == entity) & pairs.lock]})
        locked = f" (locked in: {describe.names(problem, wanted)})" if wanted else ""
        return (f"{describe.post(problem, entity)} has only "
                f"{problem.scenario.positions['headcount'].iat[entity]} seat(s)"
                f"{locked}. Relax: raise its headcount.")


class MustFillRows(ConstraintFamily):
    """5.4 Must-fill: ``Σ_e x[e,p] >= 1`` for every ``p ∈ S`` with ``must_fill(p)``."""

    name, rule = "must_fill", "5.4"

    def rows(self, problem: Problem) -> RowBlock:
        by_pos = problem.pairs.by_position
        empty = np.zeros(0, dtype=np.int64)
        posts = np.flatnonzero(problem.must_fill & problem.in_scope)
        members = [by_pos.get(int(p), empty) for p in posts]
        return _block(self.name, list(posts), members, [1] * len(members),
                      [INF] * len(members))

    def row_key(self, problem: Problem, entity: int, members: np.ndarray) -> RowKey:
        return (self.name, str(problem.position_ids[entity]))

    def sentence(self, problem: Problem, entity: int) -> str:
        pairs = problem.pairs
        who = sorted({int(e) for e in pairs.emp[pairs.pos == entity]})
        asked = (" (voluntary_moves: only those who asked for it, or must move, may move in)"
                 if problem.scenario.rules.voluntary_moves else "")
        return (f"{describe.post(problem, entity)} must be filled (must_fill) and only "
                f"{len(who)} people may take it{asked}: {describe.names(problem, who)}. Relax: unset "
                f"must_fill or widen its grade range (now golongan "
                f"{describe.grade_range(problem, entity)}).")


class TurnoverRows(ConstraintFamily):
    """5.5 Unit turnover: incumbents of unit u not kept in their own post
    ``<= cap_u = max(floor(t·n_u), forced_u)``, written on the stay pairs as
    ``Σ_{e ∈ u} x[e,current(e)] >= n_u − cap_u`` (caps: :mod:`solver.eligibility`)."""

    name, rule = "turnover", "5.5"

    def rows(self, problem: Problem) -> RowBlock:
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
        return _block(self.name, entity, members, lo, [INF] * len(members))

    def row_key(self, problem: Problem, entity: int, members: np.ndarray) -> RowKey:
        return (self.name, str(problem.turnover_units[entity]))

    def sentence(self, problem: Problem, entity: int) -> str:
        unit = problem.turnover_units[entity]
        n_u = problem.turnover_members[entity].size
        cap = problem.turnover_caps[entity]
        t = problem.scenario.rules.max_unit_turnover
        return (f"Unit {unit} may move at most {cap} of its {n_u} incumbents "
                f"(max_unit_turnover {float(t):g}). Relax: raise "
                "max_unit_turnover, or reject moves out of this unit that other rules force.")


class LockRows(ConstraintFamily):
    """5.6 Locks hold: ``x[e,p] = 1`` for each lock; a lock whose pair cannot exist
    (post outside S or abolished) is an empty row that cannot hold (entity ``-1-k``
    for the k-th such lock)."""

    name, rule = "lock", "5.6"

    def rows(self, problem: Problem) -> RowBlock:
        idx = np.flatnonzero(problem.pairs.lock)
        members = [np.array([i]) for i in idx]
        entity = list(range(len(members)))
        members += [np.zeros(0, dtype=np.int64) for _ in problem.broken_locks]
        entity += [-1 - k for k in range(len(problem.broken_locks))]
        return _block(self.name, entity, members, [1] * len(members), [1] * len(members))

    def row_key(self, problem: Problem, entity: int, members: np.ndarray) -> RowKey | None:
        if not members.size:
            return None
        j = int(members[0])
        pairs = problem.pairs
        return (self.name, str(problem.nips[pairs.emp[j]]),
                str(problem.position_ids[pairs.pos[j]]))

    def sentence(self, problem: Problem, entity: int) -> str:
        if entity < 0:
            return problem.broken_locks[-1 - entity] + " Relax: remove the lock."
        pairs = problem.pairs
        idx = np.flatnonzero(pairs.lock)[entity]
        e, p = int(pairs.emp[idx]), int(pairs.pos[idx])
        return (f"Lock (approved decision): {describe.employee(problem, e)} → "
                f"{describe.post(problem, p)}. Relax: remove this lock from the scenario.")


class DifferenceCut(ConstraintFamily):
    """Section 7: ``Σ_{(e,p) ∈ A_i} x[e,p] <= |A_i| − min_difference`` for an earlier
    plan ``A_i`` (one row per earlier plan, added per solve)."""

    name, rule = "cut", "7"

    def sentence(self, problem: Problem, entity: int) -> str:
        return "This plan must differ from the earlier ranked plans (plans.min_difference)."


class ShortlistRow(ConstraintFamily):
    """A shortlist step's row (``someone new takes a seat of p``, :mod:`solver.review`),
    added per solve; it never takes part in an explanation."""

    name, rule = "shortlist", ""


# Section 5, in order: the rows every solve has.
CONSTRAINT_FAMILIES: tuple[ConstraintFamily, ...] = (
    IncumbentRows(), CandidateRows(), HeadcountRows(), MustFillRows(), TurnoverRows(),
    LockRows(),
)
# Every family by name, the per-solve rows included.
FAMILIES: dict[str, ConstraintFamily] = {
    f.name: f for f in (*CONSTRAINT_FAMILIES, DifferenceCut(), ShortlistRow())}


def build_rows(problem: Problem) -> list[RowBlock]:
    """All hard-constraint rows, in the order of docs/model.md section 5."""
    return [family.rows(problem) for family in CONSTRAINT_FAMILIES]


def difference_cut(plan_pairs: np.ndarray, min_difference: int) -> RowBlock:
    """Section 7 (:class:`DifferenceCut`): the cut of one earlier plan."""
    return _block(DifferenceCut.name, [0], [plan_pairs.astype(np.int64)], [0],
                  [len(plan_pairs) - min_difference])


def sentence(problem: Problem, family: str, entity: int) -> str:
    """The words for one row of a conflicting set (its family's :meth:`sentence`)."""
    known = FAMILIES.get(family)
    return known.sentence(problem, entity) if known is not None else f"{family} {entity}"


def row_keys(problem: Problem, blocks: Sequence[RowBlock]) -> list[RowKey]:
    """A name for every row of ``blocks`` (:meth:`ConstraintFamily.row_key`); rows that
    only mean something within one solve (broken locks, cuts) are named by position."""
    keys: list[RowKey] = []
    for number, block in enumerate(blocks):
        family = FAMILIES.get(block.family)
        for entity, members in zip(block.entity, block.members, strict=True):
            e = int(entity)
            key = family.row_key(problem, e, members) if family is not None else None
            keys.append(key if key is not None else ("row", block.family, number, e))
    return keys
