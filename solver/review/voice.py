"""Employee voice and public feedback in the outputs (MODEL.md section 9).

Nothing here changes a plan; it reads a ``plans.json`` plan and says what it means
for the people who stated preferences and for the units the public rated. Every
number is recomputed from the scenario, so the committee can check it by hand.

``preference_rank`` (per assignment)
    The rank (1-5) the employee gave the post they are placed in, ``null`` when
    they did not list it.
``voice`` (per plan)
    ``movers_by_choice``: people placed in a post other than their current one
    (unplaced people included), counted by the rank they gave it;
    ``moved_without_asking``: such people whose new post they did not list, and
    of those ``had_to_move`` (an incumbent with no stay pair: abolished post or a
    forbid on it); ``stayed_by_own_wish``: stays in a post the employee listed;
    ``stayed_though_asked_to_move``: stays of people who listed other posts only.
``units`` (per plan)
    For each unit with in-scope posts: its IKM and grade (A-D, PermenPANRB
    14/2017) when the units table has it, whether the fit multiplier applies, and
    the mean JPM (basis points, floored) of its placements before (incumbents in
    their current posts) and after (the plan's holders of its in-scope posts).
``stability`` (plan 1 only; information, not part of the objective)
    Employee-post pairs that would both gain: the pair exists under section 4
    (rules 4.1-4.9, locks, forbids), the employee ranks the post above their
    placement (an unlisted placement ranks below every listed post), and the post
    has a free seat or holds someone, not locked there, whose score for it is lower
    than the employee's. Whether the swap would keep the unit turnover and
    must-fill rules is not checked: it is a pointer for the committee, not a plan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

from solver.derived import ikm_grade, jpm_matrix
from solver.eligibility import Problem
from solver.scenario import Scenario

UNLISTED = 6  # an unlisted placement ranks below every listed post (ranks are 1-5)


def has_voice(scenario: Scenario) -> bool:
    """Whether the scenario gives either section 9 table (else outputs stay as they were)."""
    return not scenario.preferences.empty or not scenario.units.empty


def preference_ranks(scenario: Scenario) -> dict[tuple[str, str], int]:
    """``(nip, position) -> rank`` from the preferences table."""
    prefs = scenario.preferences
    return {(str(n), str(p)): int(r)
            for n, p, r in zip(prefs["nip"], prefs["position"], prefs["rank"], strict=True)}


def _moves(assignment: dict[str, Any]) -> bool:
    return assignment["position"] != assignment.get("from")


def voice_summary(plan: dict[str, Any], problem: Problem,
                  ranks: dict[tuple[str, str], int]) -> dict[str, Any]:
    """The per-plan counts of the ``voice`` block (see the module docstring)."""
    listers = {nip for nip, _ in ranks}
    must_move = {str(n) for n in problem.nips[problem.must_move]}
    by_choice: Counter[int] = Counter()
    unasked = forced = own_wish = stayed_asked = 0
    for a in plan["assignments"]:
        key = (str(a["nip"]), str(a["position"]))
        rank = ranks.get(key)
        if _moves(a):
            if rank is not None:
                by_choice[rank] += 1
            else:
                unasked += 1
                forced += key[0] in must_move
        elif rank is not None:
            own_wish += 1
        elif key[0] in listers:
            stayed_asked += 1
    return {
        "movers_by_choice": {str(r): by_choice[r] for r in range(1, 6)},
        "moved_without_asking": unasked,
        "had_to_move": forced,
        "stayed_by_own_wish": own_wish,
        "stayed_though_asked_to_move": stayed_asked,
    }


def _mean(values: list[int]) -> int | None:
    return sum(values) // len(values) if values else None


def unit_report(plan: dict[str, Any], scenario: Scenario, problem: Problem) -> list[dict]:
    """Per unit with in-scope posts: IKM, grade, multiplier, mean JPM before and after."""
    pos, emp = scenario.positions, scenario.employees
    comps = list(scenario.competencies)
    e_comp = emp[comps].to_numpy(dtype=np.int64) if comps else np.zeros((len(emp), 0), np.int64)
    p_comp = pos[comps].to_numpy(dtype=np.int64) if comps else np.zeros((len(pos), 0), np.int64)
    units = problem.units
    ikm = dict(zip(scenario.units["unit"], scenario.units["ikm_hundredths"], strict=True))

    before: dict[str, list[int]] = defaultdict(list)
    inc = np.flatnonzero(problem.incumbent)
    cur = problem.current[inc]
    for e, p, value in zip(inc, cur, jpm_matrix(e_comp[inc], p_comp[cur]), strict=True):
        del e
        before[str(units[p])].append(int(value))
    after: dict[str, list[int]] = defaultdict(list)
    keys = [(str(a["nip"]), str(a["position"])) for a in plan["assignments"]]
    found = problem.find_pairs(keys)
    for j in found[found >= 0]:
        after[str(units[problem.pairs.pos[j]])].append(int(problem.pairs.jpm[j]))

    report = []
    for unit in sorted({str(u) for u in units[problem.in_scope]}):
        value = ikm.get(unit)
        report.append({
            "unit": unit,
            "ikm": None if value is None else f"{int(value) // 100}.{int(value) % 100:02d}",
            "grade": None if value is None else ikm_grade(int(value)),
            "fit_multiplier": int(problem.fit_multiplier[units == unit][0]),
            "jpm_before": _mean(before.get(unit, [])),
            "holders_before": len(before.get(unit, [])),
            "jpm_after": _mean(after.get(unit, [])),
            "holders_after": len(after.get(unit, [])),
        })
    return report


def stability(plan: dict[str, Any], scenario: Scenario, problem: Problem,
              ranks: dict[tuple[str, str], int]) -> dict[str, Any]:
    """Pairs of ``plan`` that would both gain (see the module docstring): count and list."""
    placed = {str(a["nip"]): str(a["position"]) for a in plan["assignments"]}
    holders: dict[str, list[str]] = defaultdict(list)
    for nip, pid in placed.items():
        holders[pid].append(nip)
    locks = {(lk.nip, lk.position) for lk in scenario.locks}
    locked_people = {lk.nip for lk in scenario.locks}
    headcount = dict(zip(scenario.positions["id"], scenario.positions["headcount"], strict=True))
    wanted = [(nip, pid, rank) for (nip, pid), rank in sorted(ranks.items())
              if placed.get(nip) != pid and nip not in locked_people
              and rank < ranks.get((nip, placed.get(nip, "")), UNLISTED)]
    candidates = problem.find_pairs([(n, p) for n, p, _ in wanted])
    held_keys = [(h, pid) for pid, hs in holders.items() for h in hs]
    held_score = dict(zip(held_keys, _scores(problem, held_keys), strict=True))
    out = []
    for (nip, pid, rank), j in zip(wanted, candidates, strict=True):
        if j < 0:
            continue  # no such pair under section 4: not within the hard rules
        score = int(problem.pairs.score[j])
        others = [h for h in holders.get(pid, []) if (h, pid) not in locks]
        if len(holders.get(pid, [])) < int(headcount[pid]):
            displaced, gain = None, None  # a free seat: the post gains a holder
        else:
            weaker = [(held_score[(h, pid)], h) for h in others if held_score[(h, pid)] < score]
            if not weaker:
                continue
            low, displaced = min(weaker)
            gain = score - low
        out.append({"nip": nip, "position": pid, "rank": rank,
                    "placed_in": placed.get(nip),
                    "placed_rank": ranks.get((nip, placed.get(nip, ""))),
                    "displaces": displaced, "score_gain": gain})
    return {"count": len(out), "pairs": out}


def _scores(problem: Problem, keys: list[tuple[str, str]]) -> list[int]:
    found = problem.find_pairs(keys)
    return [int(problem.pairs.score[j]) if j >= 0 else 0 for j in found]


def attach_voice(doc: dict[str, Any], scenario: Scenario, problem: Problem) -> dict[str, Any]:
    """Add the section 9 fields to a ``plans.json`` document when the scenario has them.

    Adds ``preference_rank`` to every assignment (when a preferences table is given),
    ``voice`` and ``units`` to every plan, and ``stability`` to plan 1. A scenario
    without either table is returned unchanged, byte for byte.
    """
    if not has_voice(scenario):
        return doc
    ranks = preference_ranks(scenario)
    with_prefs = not scenario.preferences.empty
    for index, plan in enumerate(doc.get("plans", [])):
        if with_prefs:
            for a in plan["assignments"]:
                a["preference_rank"] = ranks.get((str(a["nip"]), str(a["position"])))
            plan["voice"] = voice_summary(plan, problem, ranks)
        plan["units"] = unit_report(plan, scenario, problem)
        if index == 0 and with_prefs:
            plan["stability"] = stability(plan, scenario, problem, ranks)
    return doc
