"""Problem data: derived values (section 3), the pairs that exist (section 4), their
scores (section 6) and the unit turnover caps (section 5.5).

:func:`build_problem` runs four steps, each one function: :func:`derive` (section 3
values per employee and per position, once), :func:`_pairs` (which pairs exist),
:func:`_pair_values` (the section 6 terms and scores of each pair) and
:func:`_turnover_caps`. The result, :class:`Problem`, is what every later stage
reads (model, LP, explanations, shortlists); none of them re-derives an input.

Everything per pair is a numpy array; nothing loops in Python over
employees × positions. Move pairs are generated one career level at a time
(positions sorted by level, so each level's window is one contiguous slice), in
blocks of employees that keep each dense mask small. The pair rules themselves are
in :mod:`solver.rules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from solver import rules as rule
from solver.derived import (
    PERFORMANCE_RANK,
    add_months,
    age_on,
    jpm_of_pairs,
    nine_box,
    talent_bonus,
    tenure_months,
)
from solver.objective import objective_constant, pair_scores
from solver.scenario import Pair, Scenario

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
class Derived:
    """The section 3 values of a scenario, per employee and per position, as arrays.

    Computed once by :func:`derive`; :class:`Problem` carries them all, so later stages
    (explanations, infeasibility, shortlists) read them instead of re-deriving.
    """

    scenario: Scenario
    # per position
    position_ids: np.ndarray  # object, position index -> id
    units: np.ndarray  # object, position index -> unit
    position_level: np.ndarray  # int
    grade_min: np.ndarray  # int rank
    grade_max: np.ndarray  # int rank
    headcount: np.ndarray  # int
    must_fill: np.ndarray  # bool
    priority: np.ndarray  # int
    retirement_age: np.ndarray  # int (default filled in)
    education_required: np.ndarray  # bool
    applicants_only: np.ndarray  # bool
    fit_multiplier: np.ndarray  # int m(p) of section 9 (1 unless the unit's IKM is low)
    in_scope: np.ndarray  # bool: the post is in S
    seats: np.ndarray  # bool: in S and headcount >= 1
    # per employee
    nips: np.ndarray  # object, employee index -> NIP
    grade: np.ndarray  # int rank 1..17
    current: np.ndarray  # int: position index or -1 (unplaced)
    placed: np.ndarray  # bool
    incumbent: np.ndarray  # bool: current post in S
    post_abolished: np.ndarray  # bool: incumbent of a post with headcount 0 (rule 4.4)
    must_move: np.ndarray  # bool: incumbent without a stay pair (abolished or forbidden; 4.9)
    level: np.ndarray  # int: level(e)
    tenure: np.ndarray  # int months (0 for unplaced)
    age_at_horizon: np.ndarray  # int years on as_of + retirement_horizon_months
    disciplined: np.ndarray  # bool
    may_be_promoted: np.ndarray  # bool: the employee side of rule 4.3
    box: np.ndarray  # int 9-box
    talent_bonus: np.ndarray  # int bonus(e)

    @property
    def n_employees(self) -> int:
        return int(self.nips.shape[0])

    @property
    def n_positions(self) -> int:
        return int(self.position_ids.shape[0])


@dataclass(frozen=True)
class Problem(Derived):
    """Scenario in index form plus its pairs. Built by :func:`build_problem`."""

    pairs: Pairs
    constant: int  # − W.vacancy · Σ_{p∈S} priority(p)·headcount(p)
    turnover_units: tuple[str, ...]  # units with incumbents in S
    turnover_members: tuple[np.ndarray, ...]  # incumbent employee indices per unit
    turnover_caps: tuple[int, ...]  # max(floor(t·n_u), forced_u)
    broken_locks: tuple[str, ...]  # locks on posts where no pair can exist

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


def fit_multipliers(scenario: Scenario) -> np.ndarray:
    """``m(p)`` of section 9 per position: ``low_ikm_fit_multiplier`` where the unit's
    IKM is below ``low_ikm_below`` (exact decimals), else 1."""
    settings = scenario.rules
    low = sorted(u for u, ikm in zip(scenario.units["unit"], scenario.units["ikm_hundredths"],
                                     strict=True)
                 if Fraction(int(ikm), 100) < settings.low_ikm_below)
    in_low = scenario.positions["unit"].isin(low).to_numpy()
    return np.where(in_low, settings.low_ikm_fit_multiplier, 1).astype(np.int64)


def _dates_to_days(values: Iterable[Any]) -> np.ndarray:
    return np.array([v.toordinal() if v is not None else 0 for v in values], dtype=np.int64)


def derive(scenario: Scenario) -> Derived:
    """Section 3: every derived value of ``scenario``, per employee and per position."""
    emp, pos, settings = scenario.employees, scenario.positions, scenario.rules
    n_p = len(pos)
    position_ids = pos["id"].to_numpy(dtype=object)
    index_of = {pid: i for i, pid in enumerate(position_ids)}
    units = pos["unit"].to_numpy(dtype=object)
    p_level = pos["level"].to_numpy(dtype=np.int64)
    headcount = pos["headcount"].to_numpy(dtype=np.int64)

    in_scope = np.ones(n_p, dtype=bool)
    if scenario.scope.units is not None:
        in_scope &= np.isin(units, np.array(scenario.scope.units, dtype=object))
    if scenario.scope.levels is not None:
        in_scope &= np.isin(p_level, np.array(scenario.scope.levels))

    current = np.array([index_of.get(c, -1) if c else -1 for c in emp["current_position"]],
                       dtype=np.int64)
    placed = current >= 0
    held = np.where(placed, current, 0)
    incumbent = placed & in_scope[held]
    level = np.where(placed, p_level[held], emp["current_level"].to_numpy(dtype=np.int64))
    as_of = scenario.as_of
    horizon = add_months(as_of, settings.retirement_horizon_months)
    disciplined = _dates_to_days(emp["discipline_until"]) >= as_of.toordinal()
    performance = np.array([PERFORMANCE_RANK[p] for p in emp["performance"]], dtype=np.int64)
    box = np.array([nine_box(a, b) for a, b in zip(emp["performance"], emp["potential"],
                                                     strict=True)], dtype=np.int64)
    seats = in_scope & (headcount >= 1)
    stay_forbidden = np.zeros(len(emp), dtype=bool)
    nip_index = {nip: i for i, nip in enumerate(emp["nip"])}
    for f in scenario.forbid:
        e = nip_index[f.nip]
        stay_forbidden[e] |= index_of[f.position] == current[e]
    return Derived(
        scenario=scenario,
        position_ids=position_ids,
        units=units,
        position_level=p_level,
        grade_min=pos["grade_min"].to_numpy(dtype=np.int64),
        grade_max=pos["grade_max"].to_numpy(dtype=np.int64),
        headcount=headcount,
        must_fill=pos["must_fill"].to_numpy(dtype=bool),
        priority=pos["priority"].to_numpy(dtype=np.int64),
        retirement_age=pos["retirement_age"].to_numpy(dtype=np.int64),
        education_required=pos["education_required"].to_numpy(dtype=bool),
        applicants_only=pos["applicants_only"].to_numpy(dtype=bool),
        fit_multiplier=fit_multipliers(scenario),
        in_scope=in_scope,
        seats=seats,
        nips=emp["nip"].to_numpy(dtype=object),
        grade=emp["grade_rank"].to_numpy(dtype=np.int64),
        current=current,
        placed=placed,
        incumbent=incumbent,
        post_abolished=incumbent & (headcount[held] == 0),
        must_move=incumbent & (~seats[held] | stay_forbidden),
        level=level,
        tenure=np.array([tenure_months(s, as_of) if s is not None else 0
                         for s in emp["position_since"]], dtype=np.int64),
        age_at_horizon=np.array([age_on(b, horizon) for b in emp["birth_date"]],
                                dtype=np.int64),
        disciplined=disciplined,
        may_be_promoted=rule.may_be_promoted(
            performance, PERFORMANCE_RANK[settings.promotion_min_performance], disciplined),
        box=box,
        talent_bonus=np.array([talent_bonus(b) for b in box], dtype=np.int64),
    )


class _Lookups:
    """Per-pair lookups keyed by index codes: assessments, education match, jpm."""

    def __init__(self, d: Derived):
        scenario = d.scenario
        emp, pos = scenario.employees, scenario.positions
        n_e, n_p = d.n_employees, d.n_positions
        self.n_p = n_p
        nip_index = {nip: i for i, nip in enumerate(d.nips)}
        index_of = {pid: i for i, pid in enumerate(d.position_ids)}
        assess = scenario.assessments
        codes = np.array([nip_index[n] * n_p + index_of[p]
                          for n, p in zip(assess["nip"], assess["position"], strict=True)],
                         dtype=np.int64)
        order = np.argsort(codes)
        self.a_codes = codes[order]
        self.a_scores = assess["score"].to_numpy(dtype=np.int64)[order]

        fields_ = sorted({f for fs in pos["education_fields"] for f in fs}
                         | {f for f in emp["education_field"] if f})
        field_index = {f: i for i, f in enumerate(fields_)}
        self.n_f = max(1, len(fields_))
        self.e_field = np.array([field_index.get(f, -1) if f else -1
                                 for f in emp["education_field"]], dtype=np.int64)
        # Section 9: listed pairs as sorted codes and, aligned, pref = 6 - rank.
        prefs = scenario.preferences
        p_codes = np.array([nip_index[n] * n_p + index_of[p]
                            for n, p in zip(prefs["nip"], prefs["position"], strict=True)],
                           dtype=np.int64)
        p_order = np.argsort(p_codes, kind="stable")
        self.pref_codes = p_codes[p_order]
        self.pref_points = (6 - prefs["rank"].to_numpy(dtype=np.int64))[p_order]
        # edu_table[p, f]: field f is one of post p's education fields.
        self.edu_table = np.zeros((n_p, self.n_f), dtype=bool)
        for i, fs in enumerate(pos["education_fields"]):
            for f in fs:
                self.edu_table[i, field_index[f]] = True
        comps = list(scenario.competencies)
        # Levels are 0..5: int16 keeps the per-pair gathers small and fast.
        self.e_comp = emp[comps].to_numpy(dtype=np.int16) if comps else \
            np.zeros((n_e, 0), np.int16)
        self.p_comp = pos[comps].to_numpy(dtype=np.int16) if comps else \
            np.zeros((n_p, 0), np.int16)

    def assessment(self, e: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(has an assessment row, its score or 0) per pair."""
        a_codes = self.a_codes
        if not a_codes.size:
            return np.zeros(e.shape, bool), np.zeros(e.shape, np.int64)
        codes = e * self.n_p + p
        at = np.minimum(np.searchsorted(a_codes, codes), a_codes.size - 1)
        found = a_codes[at] == codes
        return found, np.where(found, self.a_scores[at], 0)

    def preference(self, e: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``pref(e,p)`` of section 9: ``6 − rank`` for a listed pair, else 0."""
        if not self.pref_codes.size:
            return np.zeros(e.shape, np.int64)
        codes = e * self.n_p + p
        at = np.minimum(np.searchsorted(self.pref_codes, codes), self.pref_codes.size - 1)
        return np.where(self.pref_codes[at] == codes, self.pref_points[at], 0)

    def listed(self, e: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``(e,p)`` is in the preferences table."""
        return self.preference(e, p) > 0

    def education_match(self, e: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``education_field(e) ∈ education_fields(p)`` per pair."""
        field = self.e_field[e]
        return (field >= 0) & self.edu_table[p, np.maximum(field, 0)]

    def jpm(self, e: np.ndarray, p: np.ndarray) -> np.ndarray:
        return jpm_of_pairs(self.e_comp, self.p_comp, e, p)

    def fit(self, e: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``fit(e,p)``: the assessment score where there is one, else jpm."""
        assessed, score = self.assessment(e, p)
        return np.where(assessed, score, self.jpm(e, p))


def _move_pairs(d: Derived, look: _Lookups) -> tuple[np.ndarray, np.ndarray]:
    """(employee, position) of every move pair: rules 4.1-4.9 (:mod:`solver.rules`)."""
    settings = d.scenario.rules
    step = settings.max_promotion_step
    # Rules 4.1-4.5 on dense blocks, one career level at a time.
    movers = np.flatnonzero(rule.rule_4_4_min_tenure(
        d.placed, d.tenure, settings.min_tenure_months, d.post_abolished))
    seat_idx = np.flatnonzero(d.seats)
    seat_order = seat_idx[np.argsort(d.position_level[seat_idx], kind="stable")]
    seat_levels = d.position_level[seat_order]
    emp_chunks: list[np.ndarray] = []
    pos_chunks: list[np.ndarray] = []
    for lvl in np.unique(d.level[movers]):
        group = movers[d.level[movers] == lvl]
        # The seats of rule 4.2's window: one contiguous slice of the level-sorted seats.
        lo = np.searchsorted(seat_levels, lvl, side="left")
        hi = np.searchsorted(seat_levels, lvl + step, side="right")
        cols = seat_order[lo:hi]
        if cols.size == 0:
            continue
        block = max(1, BLOCK_CELLS // cols.size)
        c_gmin, c_gmax = d.grade_min[cols][None, :], d.grade_max[cols][None, :]
        c_lvl, c_ret = d.position_level[cols][None, :], d.retirement_age[cols][None, :]
        for start in range(0, group.size, block):
            rows = group[start:start + block]
            mask = rule.rule_4_1_grade_range(d.grade[rows][:, None], c_gmin, c_gmax)
            mask &= rule.rule_4_3_promotion(lvl, c_lvl, d.may_be_promoted[rows][:, None])
            mask &= rule.rule_4_5_retirement(d.age_at_horizon[rows][:, None], c_ret)
            mask &= d.current[rows][:, None] != cols[None, :]
            r, c = np.nonzero(mask)
            emp_chunks.append(rows[r].astype(np.int64))
            pos_chunks.append(cols[c].astype(np.int64))
    move_e = np.concatenate(emp_chunks) if emp_chunks else np.zeros(0, np.int64)
    move_p = np.concatenate(pos_chunks) if pos_chunks else np.zeros(0, np.int64)

    # Rules 4.6-4.9 on the pairs left.
    keep = rule.rule_4_6_required_education(d.education_required[move_p],
                                            look.education_match(move_e, move_p))
    assessed, _ = look.assessment(move_e, move_p)
    keep &= rule.rule_4_7_applicants_only(d.applicants_only[move_p], assessed)
    if settings.min_fit_for_move > 0:
        keep &= rule.rule_4_8_min_fit(look.fit(move_e, move_p), settings.min_fit_for_move)
    if settings.voluntary_moves:
        keep &= rule.rule_4_9_voluntary_moves(look.listed(move_e, move_p), d.must_move[move_e])
    return move_e[keep], move_p[keep]


def _pairs(d: Derived, look: _Lookups) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """Section 4: (employee, position, is lock) of every pair, sorted by (employee,
    position), and the sentences of locks that cannot hold (post outside S or abolished)."""
    scenario = d.scenario
    n_p = d.n_positions
    nip_index = {nip: i for i, nip in enumerate(d.nips)}
    index_of = {pid: i for i, pid in enumerate(d.position_ids)}
    move_e, move_p = _move_pairs(d, look)
    stay_e = np.flatnonzero(d.incumbent & d.seats[np.where(d.placed, d.current, 0)])
    stay_p = d.current[stay_e]
    lock_e, lock_p, broken = _lock_pairs(d, scenario.locks)
    all_e = np.concatenate([move_e, stay_e, np.array(lock_e, np.int64)])
    all_p = np.concatenate([move_p, stay_p, np.array(lock_p, np.int64)])
    codes = np.sort(all_e * n_p + all_p)  # sort + mask beats np.unique's hashing here
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]] if codes.size else codes
    if scenario.forbid:
        forbid_codes = np.array([nip_index[f.nip] * n_p + index_of[f.position]
                                 for f in scenario.forbid], dtype=np.int64)
        codes = codes[~np.isin(codes, forbid_codes)]
    lock_codes = np.array([e * n_p + p for e, p in zip(lock_e, lock_p, strict=True)], np.int64)
    return codes // n_p, codes % n_p, np.isin(codes, lock_codes), tuple(broken)


def _lock_pairs(d: Derived, locks: Iterable[Pair]) -> tuple[list[int], list[int], tuple[str, ...]]:
    """Section 4, locks: (employee, position) of every lock whose pair can exist, in
    the scenario's order, and the sentences of locks that cannot hold (post outside S
    or abolished)."""
    nip_index = {nip: i for i, nip in enumerate(d.nips)}
    index_of = {pid: i for i, pid in enumerate(d.position_ids)}
    lock_e, lock_p, broken = [], [], []
    for pair in locks:
        e, p = nip_index[pair.nip], index_of[pair.position]
        if not d.seats[p]:
            why = "is outside the scenario's scope" if not d.in_scope[p] else \
                "has headcount 0 (abolished)"
            broken.append(f"Lock {pair.nip} → {pair.position} cannot hold: position "
                          f"{pair.position} {why}.")
            continue
        lock_e.append(e)
        lock_p.append(p)
    return lock_e, lock_p, tuple(broken)


def _pair_values(d: Derived, look: _Lookups, pe: np.ndarray, pp: np.ndarray,
                 is_lock: np.ndarray) -> Pairs:
    """Section 6: the terms and the score of every pair."""
    is_stay = d.current[pe] == pp
    jpm = look.jpm(pe, pp)
    assessed, assessed_score = look.assessment(pe, pp)
    fit = np.where(assessed, assessed_score, jpm)
    edu = look.education_match(pe, pp)
    promo = d.position_level[pp] > d.level[pe]
    over = is_stay & (d.tenure[pe] >= d.scenario.rules.max_tenure_months)
    score = pair_scores(d.scenario.weights, fit=fit, education=edu, promotion=promo,
                        talent_bonus=d.talent_bonus[pe], stay=is_stay, overstay=over,
                        priority=d.priority[pp], fit_multiplier=d.fit_multiplier[pp],
                        preference=look.preference(pe, pp))
    return Pairs(emp=pe.astype(np.int32), pos=pp.astype(np.int32), score=score,
                 fit=fit, jpm=jpm, assessed=assessed, edu=edu, promo=promo, stay=is_stay,
                 over=over, lock=is_lock)


def _turnover_caps(d: Derived, pairs: Pairs
                   ) -> tuple[tuple[str, ...], tuple[np.ndarray, ...], tuple[int, ...]]:
    """Section 5.5: per unit with incumbents in S, its incumbents and
    ``cap_u = max(floor(t·n_u), forced_u)`` on the exact fraction ``t``."""
    has_stay = np.zeros(d.n_employees, dtype=bool)
    has_stay[pairs.emp[pairs.stay]] = True
    inc_idx = np.flatnonzero(d.incumbent)
    inc_units = d.units[d.current[inc_idx]]
    t: Fraction = d.scenario.rules.max_unit_turnover
    t_units, t_members, t_caps = [], [], []
    for unit in sorted(set(inc_units)):
        members = inc_idx[inc_units == unit]
        n_u = int(members.size)
        forced = int((~has_stay[members]).sum())
        t_units.append(unit)
        t_members.append(members)
        t_caps.append(max((t.numerator * n_u) // t.denominator, forced))
    return tuple(t_units), tuple(t_members), tuple(t_caps)


def build_problem(scenario: Scenario) -> Problem:
    """Derive the section 3 values, the section 4 pairs, their section 6 scores and the
    section 5.5 caps of ``scenario``."""
    d = derive(scenario)
    look = _Lookups(d)
    pe, pp, is_lock, broken = _pairs(d, look)
    pairs = _pair_values(d, look, pe, pp, is_lock)
    units, members, caps = _turnover_caps(d, pairs)
    return Problem(
        **{f.name: getattr(d, f.name) for f in fields(Derived)},
        pairs=pairs,
        constant=objective_constant(scenario.weights, d.priority, d.headcount, d.in_scope),
        turnover_units=units, turnover_members=members, turnover_caps=caps,
        broken_locks=broken,
    )


def with_locks(base: Problem, scenario: Scenario) -> Problem | None:
    """The problem of ``scenario`` read off ``base`` (the problem of a scenario that
    differs from ``scenario`` in its locks only; the caller knows that), or None when
    it cannot be: a lock of ``base`` is gone, or a new lock needs a pair ``base``
    lacks. Locks change no derived value and no other pair (section 4: a lock adds its
    pair and marks it), so the result equals ``build_problem(scenario)`` array for
    array, with the same pair indices; what ``base`` computed once per pair (the
    groups by employee and by position) is kept.
    """
    lock_e, lock_p, broken = _lock_pairs(base, scenario.locks)
    codes = base._pair_codes
    wanted = np.array(lock_e, dtype=np.int64) * base.n_positions + np.array(lock_p, np.int64)
    at = np.minimum(np.searchsorted(codes, wanted), max(codes.size - 1, 0))
    if codes.size == 0 or np.any(codes[at] != wanted):
        return None
    lock = np.zeros(len(base.pairs), dtype=bool)
    lock[at] = True
    if np.any(base.pairs.lock & ~lock):
        return None
    pairs = replace(base.pairs, lock=lock)
    problem = replace(base, scenario=scenario, pairs=pairs, broken_locks=broken)
    for source, target in ((base.pairs, pairs), (base, problem)):
        for name in ("by_employee", "by_position", "_employee_index", "_position_index",
                     "_pair_codes"):
            if name in source.__dict__:
                target.__dict__[name] = source.__dict__[name]
    return problem
