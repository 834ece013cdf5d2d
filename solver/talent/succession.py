"""Succession lists for critical posts (PermenPANRB 3/2020), off the objective.

For each position ``p`` marked ``critical`` (in scope or not), in the positions
table's order:

- **holders**: employees whose ``current_position`` is ``p`` (NIP order), each with
  ``months_to_retirement`` (whole months from ``as_of`` to the day they reach
  ``retirement_age(p)``, 0 when already reached) and ``months_to_tenure_limit``
  (``max(0, max_tenure_months − tenure)``, the rotation limit of MODEL.md section 4,
  five years by default); ``leaving`` is true when they reach either within the
  retirement horizon: ``age(e, horizon) ≥ retirement_age(p)`` (the comparison of rule
  4.5) or ``months_to_tenure_limit ≤ retirement_horizon_months``.
- **names**: up to ``succession.size`` employees ``e`` who
  1. hold ``p`` neither now nor in plan 1,
  2. are in the agency succession group: ``box(e) ∈ {7, 8, 9}`` (MODEL.md section 3),
  3. satisfy section 4 rules 1, 2, 3, 5 and 6 for ``p`` as of ``as_of`` (rule 4,
     tenure, and rule 7, applicants only, do not apply: a successor is someone who
     *could* be appointed if the post fell vacant),
  4. have ``fit(e, p) ≥ succession.min_fit`` (section 6: the assessment score of the
     pair when the assessments table has one, else ``jpm(e, p)``),

  ranked by fit (descending), then box (descending), then NIP (ascending). Each name
  carries ``readiness`` — ``siap`` when ``fit ≥ 8000`` (band MS), else ``siap dengan
  pengembangan`` — the competency ``gaps`` between them and the post, and
  ``national_pool`` (box 9: the national talent pool).
- **at_risk**: no name is ``siap``, and a holder is ``leaving`` or the post is vacant
  (no holder now, and plan 1 places nobody in it).

Everything is recomputed from the scenario; no plan or objective depends on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver import rules as rule
from solver.derived import jpm_matrix
from solver.eligibility import Derived, derive
from solver.review.explain import competency_gaps
from solver.scenario import Scenario

SUCCESSION_BOXES = (7, 8, 9)
NATIONAL_POOL_BOX = 9
READY_FIT = 8000  # band MS: fit >= 80%
READY = "siap"
DEVELOPING = "siap dengan pengembangan"


@dataclass(frozen=True)
class _Roster:
    """Per-employee values the succession rules read (vectors, computed once)."""

    grade: np.ndarray
    level: np.ndarray
    promo_ok: np.ndarray  # performance at least promotion_min_performance, not disciplined
    age_h: np.ndarray  # age at the retirement horizon
    field: np.ndarray  # education_field (object)
    box: np.ndarray
    current: np.ndarray  # position index or -1
    tenure: np.ndarray
    achieved: np.ndarray  # competency levels, scenario column order


def _roster(scenario: Scenario, derived: Derived) -> _Roster:
    emp = scenario.employees
    comps = list(scenario.competencies)
    return _Roster(
        grade=derived.grade,
        level=derived.level,
        promo_ok=derived.may_be_promoted,
        age_h=derived.age_at_horizon,
        field=emp["education_field"].to_numpy(dtype=object),
        box=derived.box,
        current=derived.current,
        tenure=derived.tenure,
        achieved=emp[comps].to_numpy(dtype=np.int64) if comps
        else np.zeros((len(emp), 0), np.int64),
    )


def _appointable(scenario: Scenario, roster: _Roster, p: int) -> np.ndarray:
    """Employees who satisfy section 4 rules 1, 2, 3, 5 and 6 for post ``p``
    (the rule functions of :mod:`solver.rules`, every employee against ``p``)."""
    pos = scenario.positions
    lvl = int(pos["level"].iat[p])
    mask = rule.rule_4_1_grade_range(roster.grade, int(pos["grade_min"].iat[p]),
                                     int(pos["grade_max"].iat[p]))
    mask &= rule.rule_4_2_level_window(roster.level, lvl, scenario.rules.max_promotion_step)
    mask &= rule.rule_4_3_promotion(roster.level, lvl, roster.promo_ok)
    mask &= rule.rule_4_5_retirement(roster.age_h, int(pos["retirement_age"].iat[p]))
    if bool(pos["education_required"].iat[p]):
        fields = np.array(pos["education_fields"].iat[p], dtype=object)
        mask &= rule.rule_4_6_required_education(True, np.isin(roster.field, fields))
    return mask


def _fit_for(scenario: Scenario, roster: _Roster, p: int,
             scores: Mapping[str, int]) -> np.ndarray:
    """fit(e, p) of every employee: the assessment score where one exists, else jpm."""
    comps = list(scenario.competencies)
    n_e = roster.achieved.shape[0]
    required = scenario.positions[comps].to_numpy(dtype=np.int64)[p] if comps \
        else np.zeros(0, np.int64)
    fit = jpm_matrix(roster.achieved, np.broadcast_to(required, (n_e, required.size)))
    if scores:
        nips = scenario.employees["nip"].to_numpy(dtype=object)
        for e in np.flatnonzero(np.isin(nips, np.array(list(scores), dtype=object))):
            fit[e] = scores[str(nips[e])]
    return fit


def _retirement_day(birth: dt.date, age: int) -> dt.date:
    """The first day on which ``age_on(birth, day) >= age`` (29 Feb -> 1 Mar)."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return dt.date(birth.year + age, 3, 1)


def _whole_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (the tenure formula), 0 if end <= start."""
    if end <= start:
        return 0
    months = 12 * (end.year - start.year) + (end.month - start.month)
    return months - 1 if end.day < start.day else months


def _holder_outlook(scenario: Scenario, roster: _Roster, e: int, p: int) -> dict[str, Any]:
    rules = scenario.rules
    birth = scenario.employees["birth_date"].iat[e]
    bup = int(scenario.positions["retirement_age"].iat[p])
    to_retirement = _whole_months(scenario.as_of, _retirement_day(birth, bup))
    to_limit = max(0, rules.max_tenure_months - int(roster.tenure[e]))
    leaving = bool(roster.age_h[e] >= bup) or to_limit <= rules.retirement_horizon_months
    return {"nip": str(scenario.employees["nip"].iat[e]),
            "months_to_retirement": to_retirement, "months_to_tenure_limit": to_limit,
            "leaving": leaving}


def succession_plan(scenario: Scenario, plan_assignments: Iterable[Mapping[str, Any]] | None
                    = None, problem: Derived | None = None) -> list[dict[str, Any]]:
    """The succession list of every critical post (module docstring), as plain data.

    Parameters
    ----------
    scenario
        The validated scenario.
    plan_assignments
        Plan 1's assignments (``{"nip", "position", ...}``); people placed in a
        critical post by plan 1 are not listed as its successors. ``None`` (no plan
        yet) excludes only the current holders.
    problem
        ``derive(scenario)`` (or the ``Problem``, which carries it) when the caller
        already has it.
    """
    pos = scenario.positions
    critical = np.flatnonzero(pos["critical"].to_numpy(dtype=bool))
    if critical.size == 0:
        return []
    roster = _roster(scenario, problem if problem is not None else derive(scenario))
    size, min_fit = scenario.succession.size, scenario.succession.min_fit
    nips = scenario.employees["nip"].to_numpy(dtype=object)
    ids = pos["id"].to_numpy(dtype=object)
    comps = list(scenario.competencies)
    required_all = pos[comps].to_numpy(dtype=np.int64) if comps else np.zeros((len(pos), 0))
    planned: dict[str, set[str]] = {}
    for a in plan_assignments or ():
        planned.setdefault(str(a["position"]), set()).add(str(a["nip"]))
    scores: dict[str, dict[str, int]] = {}
    assess = scenario.assessments
    for nip, pid, score in zip(assess["nip"], assess["position"], assess["score"], strict=True):
        scores.setdefault(str(pid), {})[str(nip)] = int(score)
    group = np.isin(roster.box, SUCCESSION_BOXES)
    out = []
    for p in (int(q) for q in critical):
        pid = str(ids[p])
        holders = sorted((int(e) for e in np.flatnonzero(roster.current == p)),
                         key=lambda e: str(nips[e]))
        fit = _fit_for(scenario, roster, p, scores.get(pid, {}))
        eligible = group & (roster.current != p) & _appointable(scenario, roster, p)
        eligible &= ~np.isin(nips, np.array(sorted(planned.get(pid, ())), dtype=object))
        eligible &= fit >= min_fit
        chosen = sorted((int(e) for e in np.flatnonzero(eligible)),
                        key=lambda e: (-int(fit[e]), -int(roster.box[e]), str(nips[e])))[:size]
        names = [{
            "nip": str(nips[e]),
            "fit": int(fit[e]),
            "box": int(roster.box[e]),
            "readiness": READY if fit[e] >= READY_FIT else DEVELOPING,
            "gaps": competency_gaps(comps, roster.achieved[e], required_all[p]),
            "national_pool": int(roster.box[e]) == NATIONAL_POOL_BOX,
        } for e in chosen]
        outlook = [_holder_outlook(scenario, roster, e, p) for e in holders]
        ready = sum(1 for n in names if n["readiness"] == READY)
        out.append({
            "position": pid,
            "holders": [str(nips[e]) for e in holders],
            "names": names,
            "holders_outlook": outlook,
            "planned_holders": sorted(planned.get(pid, ())) if plan_assignments is not None
            else None,
            "ready": ready,
            "at_risk": ready == 0 and (any(h["leaving"] for h in outlook) or (
                not holders and not planned.get(pid))),
        })
    return out
