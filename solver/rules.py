"""The move-pair rules of docs/model.md section 4, one function per rule.

A move pair ``(e, p)``, ``p ≠ current(e)``, exists when every rule 4.1-4.8 holds
(locks, forbids and stays are added on top, in :mod:`solver.eligibility`). Each
function takes the per-employee and per-position values its rule reads and returns
a boolean array; arguments broadcast like numpy operands, so one function serves
every caller:

- the pair generation (:mod:`solver.eligibility`): employee column against position
  row, a dense block of pairs at a time;
- the infeasibility funnel (:mod:`solver.infeasibility`): every employee against one
  post, rule by rule, to name the rule that removes the last candidate;
- the scenario generator (:mod:`solver.generate.engine`): every employee against one
  post, and one employee against one post (numpy scalars);
- the succession lists (:mod:`solver.talent.succession`): every employee against one
  critical post, rules 4.1, 4.2, 4.3, 4.5 and 4.6 only (off the objective).

The values come from section 3 (:mod:`solver.derived`); nothing here reads a
scenario. A new rule gets the next number (4.10 onwards), a function here, and a call in each of the three callers;
``tests/test_rules.py`` checks that the callers agree. The independent checker
(:mod:`solver.check`) and the HiGHS reference (``tests/reference.py``) implement the
rules again on purpose and must not import this module.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Array = Any  # a numpy array or scalar; the functions broadcast


def rule_4_1_grade_range(grade: Array, grade_min: Array, grade_max: Array) -> Array:
    """4.1 Grade range: ``grade_min(p) ≤ grade(e) ≤ grade_max(p)`` (golongan ranks 1-17)."""
    return (grade_min <= grade) & (grade <= grade_max)


def rule_4_2_level_window(level_e: Array, level_p: Array, max_promotion_step: int) -> Array:
    """4.2 Level window: ``level(e) ≤ level(p) ≤ level(e) + max_promotion_step``
    (no demotion, at most the allowed step up)."""
    return (level_e <= level_p) & (level_p <= level_e + max_promotion_step)


def may_be_promoted(performance_rank: Array, min_performance_rank: int,
                    disciplined: Array) -> Array:
    """The employee side of rule 4.3: performance at least ``promotion_min_performance``
    (ranks of ``sangat_kurang < … < sangat_baik``) and not ``disciplined(e)``."""
    return (performance_rank >= min_performance_rank) & ~np.asarray(disciplined, dtype=bool)


def rule_4_3_promotion(level_e: Array, level_p: Array, promotable: Array) -> Array:
    """4.3 Promotion: if ``level(p) > level(e)``, the employee may be promoted
    (:func:`may_be_promoted`: performance at least ``promotion_min_performance``, and
    not ``disciplined(e)``)."""
    return (level_p <= level_e) | promotable


def rule_4_4_min_tenure(placed: Array, tenure: Array, min_tenure_months: int,
                        post_abolished: Array) -> Array:
    """4.4 Minimum tenure: a placed employee has ``tenure(e) ≥ min_tenure_months``,
    unless their current position is in S with headcount 0 (abolished)."""
    return ~np.asarray(placed, dtype=bool) | (tenure >= min_tenure_months) | post_abolished


def rule_4_5_retirement(age_at_horizon: Array, retirement_age: Array) -> Array:
    """4.5 Retirement: ``age(e, horizon) < retirement_age(p)``."""
    return age_at_horizon < retirement_age


def rule_4_6_required_education(education_required: Array, studied_a_listed_field: Array,
                                ) -> Array:
    """4.6 Required education: if ``education_required(p)``,
    ``education_field(e) ∈ education_fields(p)``. Callers may skip computing the
    membership where the post does not require it: the rule then holds."""
    return ~np.asarray(education_required, dtype=bool) | studied_a_listed_field


def rule_4_7_applicants_only(applicants_only: Array, assessed: Array) -> Array:
    """4.7 Applicants only: if ``applicants_only(p)``, the assessments table has a row
    for ``(e, p)``."""
    return ~np.asarray(applicants_only, dtype=bool) | assessed


def rule_4_8_min_fit(fit: Array, min_fit_for_move: int) -> Array:
    """4.8 Minimum fit: ``fit(e,p) ≥ min_fit_for_move`` (fit of section 6). The default
    0 switches it off (every fit is at least 0), so callers compute fit only when
    ``min_fit_for_move > 0``."""
    return fit >= min_fit_for_move


def rule_4_9_voluntary_moves(listed: Array, must_move: Array) -> Array:
    """4.9 Voluntary moves (only with ``rules.voluntary_moves``, docs/model.md section 9):
    a move pair ``(e,p)`` exists only if ``(e,p)`` is in the preferences table (``listed``),
    unless ``e`` is an incumbent without a stay pair (``must_move``: abolished post, or a
    forbid on it). Nobody is moved against their will; whoever must move may go anywhere
    rules 4.1-4.8 allow."""
    return np.asarray(listed, dtype=bool) | must_move
