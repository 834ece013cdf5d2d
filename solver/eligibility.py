"""Problem data: derived values (section 3) and the pairs that exist (section 4).

Everything per pair is a numpy array; nothing loops in Python over
employees × positions. Candidate pairs are generated one career level at a
time (positions sorted by level, so each level's window is one contiguous
slice), in blocks of employees that keep each dense mask small.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from solver.derived import (
    PERFORMANCE_RANK,
    add_months,
    age_on,
    jpm_matrix,
    nine_box,
    talent_bonus,
    tenure_months,
)
from solver.scenario import Scenario

BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class Pairs:
    """The existing pairs, sorted by (employee, position). Aligned arrays."""

    emp: np.ndarray  # int32 employee index
    pos: np.ndarray  # int32 position index
    score: np.ndarray  # int64 score(e,p) of section 6
    fit: np.ndarray  # int64 fit(e,p): assessment score or jpm
    jpm: np.ndarray  # int64 jpm(e,p)
    assessed: np.ndarray  # bool: fit came from the assessments table
    edu: np.ndarray  # bool
    promo: np.ndarray  # bool
    stay: np.ndarray  # bool: p = current(e)
    over: np.ndarray  # bool: overstay stay pair
    lock: np.ndarray  # bool

    def __len__(self) -> int:
        return int(self.emp.shape[0])

    @cached_property
    def by_employee(self) -> dict[int, np.ndarray]:
        """Pair indices of each employee that has pairs (computed once, then kept)."""
        return _group(self.emp)

    @cached_property
    def by_position(self) -> dict[int, np.ndarray]:
        """Pair indices of each position that has pairs (computed once, then kept)."""
        return _group(self.pos)


def _group(keys: np.ndarray) -> dict[int, np.ndarray]:
    if keys.size == 0:
        return {}
    order = np.argsort(keys, kind="stable")
    keys_sorted = keys[order]
    uniq, starts = np.unique(keys_sorted, return_index=True)
    parts = np.split(order.astype(np.int64), starts[1:])
    return {int(k): part for k, part in zip(uniq, parts, strict=True)}


@dataclass(frozen=True)
class Problem:
    """Scenario in index form plus its pairs. Built by :func:`build_problem`."""

    scenario: Scenario
    nips: np.ndarray  # object, employee index -> NIP
    position_ids: np.ndarray  # object, position index -> id
    units: np.ndarray  # object, position index -> unit
    in_scope: np.ndarray  # bool per position
    seats: np.ndarray  # bool per position: in scope and headcount >= 1
    current: np.ndarray  # int per employee: position index or -1
    incumbent: np.ndarray  # bool per employee
    level: np.ndarray  # int per employee
    tenure: np.ndarray  # int per employee (0 for unplaced)
    box: np.ndarray  # int per employee
    pairs: Pairs
    constant: int  # − W.vacancy · Σ_{p∈S} priority(p)·headcount(p)
    turnover_units: tuple[str, ...]  # units with incumbents in S
    turnover_members: tuple[np.ndarray, ...]  # incumbent employee indices per unit
    turnover_caps: tuple[int, ...]  # max(floor(t·n_u), forced_u)
    broken_locks: tuple[str, ...]  # locks on posts where no pair can exist

    @property
    def n_employees(self) -> int:
        return int(self.nips.shape[0])

    @cached_property
    def _employee_index(self) -> dict[str, int]:
        return {str(n): i for i, n in enumerate(self.nips)}

    @cached_property
    def _position_index(self) -> dict[str, int]:
        return {str(p): i for i, p in enumerate(self.position_ids)}

    @cached_property
    def _pair_codes(self) -> np.ndarray:
        return self.pairs.emp.astype(np.int64) * self.n_positions + self.pairs.pos

    def find_pairs(self, keys: Iterable[tuple[str, str]]) -> np.ndarray:
        """Index into ``pairs`` of each (nip, position id); -1 where no such pair exists.

        Pairs are sorted by (employee, position), so each key is one binary search.
        """
        employee, position = self._employee_index, self._position_index
        n_p = self.n_positions
        wanted = np.array([employee[str(n)] * n_p + position[str(p)]
                           if str(n) in employee and str(p) in position else -1
                           for n, p in keys], dtype=np.int64)
        codes = self._pair_codes
        if codes.size == 0:
            return np.full(wanted.size, -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(codes, wanted), codes.size - 1)
        return np.where((wanted >= 0) & (codes[at] == wanted), at, -1)

    @property
    def n_positions(self) -> int:
        return int(self.position_ids.shape[0])


def _dates_to_days(values: Iterable[Any]) -> np.ndarray:
    return np.array([v.toordinal() if v is not None else 0 for v in values], dtype=np.int64)


def build_problem(scenario: Scenario) -> Problem:
    """Derive all section 3 values and the section 4 pairs of ``scenario``."""
    emp = scenario.employees
    pos = scenario.positions
    rules = scenario.rules
    weights = scenario.weights
    n_e, n_p = len(emp), len(pos)

    position_ids = pos["id"].to_numpy(dtype=object)
    index_of = {pid: i for i, pid in enumerate(position_ids)}
    p_level = pos["level"].to_numpy(dtype=np.int64)
    p_gmin = pos["grade_min"].to_numpy(dtype=np.int64)
    p_gmax = pos["grade_max"].to_numpy(dtype=np.int64)
    p_head = pos["headcount"].to_numpy(dtype=np.int64)
    p_prio = pos["priority"].to_numpy(dtype=np.int64)
    p_ret = pos["retirement_age"].to_numpy(dtype=np.int64)
    p_edu_req = pos["education_required"].to_numpy(dtype=bool)
    p_app_only = pos["applicants_only"].to_numpy(dtype=bool)
    units = pos["unit"].to_numpy(dtype=object)

    in_scope = np.ones(n_p, dtype=bool)
    if scenario.scope.units is not None:
        in_scope &= np.isin(units, np.array(scenario.scope.units, dtype=object))
    if scenario.scope.levels is not None:
        in_scope &= np.isin(p_level, np.array(scenario.scope.levels))
    seats = in_scope & (p_head >= 1)

    nips = emp["nip"].to_numpy(dtype=object)
    nip_index = {nip: i for i, nip in enumerate(nips)}
    current = np.array([index_of.get(c, -1) if c else -1 for c in emp["current_position"]],
                       dtype=np.int64)
    placed = current >= 0
    incumbent = placed & in_scope[np.where(placed, current, 0)]
    level = np.where(placed, p_level[np.where(placed, current, 0)],
                     emp["current_level"].to_numpy(dtype=np.int64))
    grade = emp["grade_rank"].to_numpy(dtype=np.int64)

    as_of = scenario.as_of
    horizon = add_months(as_of, rules.retirement_horizon_months)
    tenure = np.array([tenure_months(s, as_of) if s is not None else 0
                       for s in emp["position_since"]], dtype=np.int64)
    age_h = np.array([age_on(b, horizon) for b in emp["birth_date"]], dtype=np.int64)
    disciplined = _dates_to_days(emp["discipline_until"]) >= as_of.toordinal()
    perf_rank = np.array([PERFORMANCE_RANK[p] for p in emp["performance"]], dtype=np.int64)
    promo_ok = (perf_rank >= PERFORMANCE_RANK[rules.promotion_min_performance]) & ~disciplined
    box = np.array([nine_box(a, b) for a, b in zip(emp["performance"], emp["potential"],
                                                     strict=True)], dtype=np.int64)
    bonus = np.array([talent_bonus(b) for b in box], dtype=np.int64)
    abolished_current = placed & incumbent & (p_head[np.where(placed, current, 0)] == 0)
    can_move = ~placed | (tenure >= rules.min_tenure_months) | abolished_current

    # ---- move pairs by level window, rules 1, 2, 3, 5 (dense, blockwise)
    seat_idx = np.flatnonzero(seats)
    seat_order = seat_idx[np.argsort(p_level[seat_idx], kind="stable")]
    seat_levels = p_level[seat_order]
    emp_chunks: list[np.ndarray] = []
    pos_chunks: list[np.ndarray] = []
    movers = np.flatnonzero(can_move)
    for lvl in np.unique(level[movers]):
        group = movers[level[movers] == lvl]
        lo = np.searchsorted(seat_levels, lvl, side="left")
        hi = np.searchsorted(seat_levels, lvl + rules.max_promotion_step, side="right")
        cols = seat_order[lo:hi]
        if cols.size == 0:
            continue
        block = max(1, BLOCK_CELLS // cols.size)
        c_gmin, c_gmax, c_lvl, c_ret = p_gmin[cols], p_gmax[cols], p_level[cols], p_ret[cols]
        for start in range(0, group.size, block):
            rows = group[start:start + block]
            g = grade[rows][:, None]
            mask = (c_gmin[None, :] <= g) & (g <= c_gmax[None, :])
            mask &= (c_lvl[None, :] == lvl) | promo_ok[rows][:, None]
            mask &= age_h[rows][:, None] < c_ret[None, :]
            mask &= current[rows][:, None] != cols[None, :]
            r, c = np.nonzero(mask)
            emp_chunks.append(rows[r].astype(np.int64))
            pos_chunks.append(cols[c].astype(np.int64))
    move_e = np.concatenate(emp_chunks) if emp_chunks else np.zeros(0, np.int64)
    move_p = np.concatenate(pos_chunks) if pos_chunks else np.zeros(0, np.int64)

    # ---- assessments and education lookups, keyed e*n_p + p and p*n_f + f
    assess = scenario.assessments
    a_codes = np.array([nip_index[n] * n_p + index_of[p]
                        for n, p in zip(assess["nip"], assess["position"], strict=True)],
                       dtype=np.int64)
    a_order = np.argsort(a_codes)
    a_codes, a_scores = a_codes[a_order], assess["score"].to_numpy(dtype=np.int64)[a_order]

    fields = sorted({f for fs in pos["education_fields"] for f in fs}
                    | {f for f in emp["education_field"] if f})
    field_index = {f: i for i, f in enumerate(fields)}
    n_f = max(1, len(fields))
    e_field = np.array([field_index.get(f, -1) if f else -1 for f in emp["education_field"]],
                       dtype=np.int64)
    edu_codes = np.array(sorted(i * n_f + field_index[f]
                                for i, fs in enumerate(pos["education_fields"]) for f in fs),
                         dtype=np.int64)

    def lookup_assessment(e: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        codes = e * n_p + p
        at = np.searchsorted(a_codes, codes)
        at_clip = np.minimum(at, max(0, a_codes.size - 1))
        found = (a_codes.size > 0) & (a_codes[at_clip] == codes) if a_codes.size else \
            np.zeros(codes.shape, bool)
        return found, np.where(found, a_scores[at_clip] if a_codes.size else 0, 0)

    def education_match(e: np.ndarray, p: np.ndarray) -> np.ndarray:
        if edu_codes.size == 0:
            return np.zeros(e.shape, dtype=bool)
        return (e_field[e] >= 0) & np.isin(p * n_f + e_field[e], edu_codes)

    comps = list(scenario.competencies)
    # Levels are 0..5: int16 keeps the per-pair gathers small and fast.
    e_comp = emp[comps].to_numpy(dtype=np.int16) if comps else np.zeros((n_e, 0), np.int16)
    p_comp = pos[comps].to_numpy(dtype=np.int16) if comps else np.zeros((n_p, 0), np.int16)

    def jpm_of(e: np.ndarray, p: np.ndarray) -> np.ndarray:
        out = np.empty(e.shape[0], dtype=np.int64)
        step = 1_000_000
        for s in range(0, e.shape[0], step):
            out[s:s + step] = jpm_matrix(e_comp[e[s:s + step]], p_comp[p[s:s + step]])
        return out

    # ---- rules 6, 7, 8 on the move pairs
    keep = np.ones(move_e.shape, dtype=bool)
    edu_move = education_match(move_e, move_p)
    keep &= ~p_edu_req[move_p] | edu_move
    assessed_move, score_move = lookup_assessment(move_e, move_p)
    keep &= ~p_app_only[move_p] | assessed_move
    if rules.min_fit_for_move > 0:
        fit_move = np.where(assessed_move, score_move, jpm_of(move_e, move_p))
        keep &= fit_move >= rules.min_fit_for_move
    move_e, move_p = move_e[keep], move_p[keep]

    # ---- stay pairs, locks, forbids
    stay_e = np.flatnonzero(incumbent & seats[np.where(placed, current, 0)])
    stay_p = current[stay_e]
    lock_e, lock_p, broken = [], [], []
    for pair in scenario.locks:
        e, p = nip_index[pair.nip], index_of[pair.position]
        if not seats[p]:
            why = "is outside the scenario's scope" if not in_scope[p] else \
                "has headcount 0 (abolished)"
            broken.append(f"Lock {pair.nip} → {pair.position} cannot hold: position "
                          f"{pair.position} {why}.")
            continue
        lock_e.append(e)
        lock_p.append(p)
    all_e = np.concatenate([move_e, stay_e, np.array(lock_e, np.int64)])
    all_p = np.concatenate([move_p, stay_p, np.array(lock_p, np.int64)])
    codes = np.sort(all_e * n_p + all_p)  # sort + mask beats np.unique's hashing here
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]] if codes.size else codes
    if scenario.forbid:
        forbid_codes = np.array([nip_index[f.nip] * n_p + index_of[f.position]
                                 for f in scenario.forbid], dtype=np.int64)
        codes = codes[~np.isin(codes, forbid_codes)]
    pe, pp = codes // n_p, codes % n_p
    lock_codes = np.array([e * n_p + p for e, p in zip(lock_e, lock_p, strict=True)], np.int64)
    is_lock = np.isin(codes, lock_codes)
    is_stay = current[pe] == pp
    jpm = jpm_of(pe, pp)
    assessed, assessed_score = lookup_assessment(pe, pp)
    fit = np.where(assessed, assessed_score, jpm)
    edu = education_match(pe, pp)
    promo = p_level[pp] > level[pe]
    over = is_stay & (tenure[pe] >= rules.max_tenure_months)
    score = (weights.fit * fit + weights.education * edu.astype(np.int64)
             + weights.talent * promo.astype(np.int64) * bonus[pe]
             - weights.move * (~is_stay).astype(np.int64)
             - weights.overstay * over.astype(np.int64)
             + weights.vacancy * p_prio[pp])
    pairs = Pairs(emp=pe.astype(np.int32), pos=pp.astype(np.int32), score=score.astype(np.int64),
                  fit=fit, jpm=jpm, assessed=assessed, edu=edu, promo=promo, stay=is_stay,
                  over=over, lock=is_lock)

    constant = -weights.vacancy * int((p_prio * p_head)[in_scope].sum())

    # ---- unit turnover (section 5.5)
    has_stay = np.zeros(n_e, dtype=bool)
    has_stay[pe[is_stay]] = True
    inc_idx = np.flatnonzero(incumbent)
    inc_units = units[current[inc_idx]]
    t: Fraction = rules.max_unit_turnover
    t_units, t_members, t_caps = [], [], []
    for unit in sorted(set(inc_units)):
        members = inc_idx[inc_units == unit]
        n_u = int(members.size)
        forced = int((~has_stay[members]).sum())
        cap = max((t.numerator * n_u) // t.denominator, forced)
        t_units.append(unit)
        t_members.append(members)
        t_caps.append(cap)

    return Problem(
        scenario=scenario, nips=nips, position_ids=position_ids, units=units,
        in_scope=in_scope, seats=seats, current=current, incumbent=incumbent, level=level,
        tenure=tenure, box=box, pairs=pairs, constant=constant,
        turnover_units=tuple(t_units), turnover_members=tuple(t_members),
        turnover_caps=tuple(t_caps), broken_locks=tuple(broken),
    )
