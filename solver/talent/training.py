"""The training plan after placement: analisis kebutuhan pelatihan (AKP) of one plan.

For every assignment ``(e, p)`` of the plan (stays included) and every competency
``k`` the post requires (``r_pk > 0``) that the person holds below it
(``a_ek < r_pk``, blank = 0), the person needs course ``k`` from level ``a_ek`` to
the target ``r_pk``; the level gap is ``r_pk − a_ek``. A **priority** person is a
mover (``p ≠ current(e)``) into a post they meet below 80% (``jpm(e, p) < 8000``,
band MMS or KMS): the seeds' "training after placement" for people new to a field.

- ``courses``: one per competency with at least one need, ordered by priority
  people (descending), then people (descending), then total level gap
  (descending), then the scenario's competency column order. Participants in a
  course: priority first, then gap (descending), then NIP.
- ``by_unit``: per competency (course order) and unit of the post (name order): the
  number of placed people below the required level and their total level gap.
- ``people``: everyone with at least one need, priority first, then jpm
  (ascending), then NIP; each with the competencies to train and the level to reach,
  in course order.

Pure: depends only on the scenario and the plan's ``(nip, position, from)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from solver.derived import jpm_matrix
from solver.review.explain import competency_gaps, competency_label
from solver.scenario import Scenario

PRIORITY_BELOW = 8000  # band MS starts at 80%


def training_plan(scenario: Scenario, assignments: Iterable[Mapping[str, Any]],
                  rank: int | None = None) -> dict[str, Any]:
    """The AKP of one plan (module docstring) as plain data.

    ``assignments`` are the plan's ``{"nip", "position", "from"}`` (as in
    ``plans.json``); ``rank`` is only echoed back.
    """
    comps = list(scenario.competencies)
    emp, pos = scenario.employees, scenario.positions
    e_row = {str(n): i for i, n in enumerate(emp["nip"])}
    p_row = {str(p): i for i, p in enumerate(pos["id"])}
    achieved = emp[comps].to_numpy(dtype=np.int64) if comps else np.zeros((len(emp), 0))
    required = pos[comps].to_numpy(dtype=np.int64) if comps else np.zeros((len(pos), 0))
    units = pos["unit"].to_numpy(dtype=object)
    current = emp["current_position"].to_numpy(dtype=object)
    order_of = {competency_label(c): k for k, c in enumerate(comps)}

    plan = [(str(a["nip"]), str(a["position"])) for a in assignments]
    e_idx = np.array([e_row[n] for n, _ in plan], dtype=np.int64)
    p_idx = np.array([p_row[q] for _, q in plan], dtype=np.int64)
    jpm = jpm_matrix(achieved[e_idx], required[p_idx]) if plan else np.zeros(0, np.int64)

    people: list[dict[str, Any]] = []
    for j, (nip, pid) in enumerate(plan):
        e, p = int(e_idx[j]), int(p_idx[j])
        gaps = competency_gaps(comps, achieved[e], required[p])
        if not gaps:
            continue
        move = str(current[e]) != pid
        people.append({
            "nip": nip, "position": pid, "unit": str(units[p]),
            "from": str(current[e]) or None, "move": move, "jpm": int(jpm[j]),
            "priority": move and int(jpm[j]) < PRIORITY_BELOW,
            "needs": [{"competency": g["competency"], "actual": g["actual"],
                       "target": g["required"], "gap": g["required"] - g["actual"]}
                      for g in gaps],
        })

    totals: dict[str, dict[str, Any]] = {}
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for person in people:
        for need in person["needs"]:
            course = totals.setdefault(need["competency"], {
                "competency": need["competency"], "people": 0, "priority_people": 0,
                "total_gap": 0, "participants": []})
            course["people"] += 1
            course["priority_people"] += int(person["priority"])
            course["total_gap"] += need["gap"]
            course["participants"].append({
                "nip": person["nip"], "position": person["position"], "unit": person["unit"],
                "actual": need["actual"], "target": need["target"], "gap": need["gap"],
                "priority": person["priority"]})
            cell = cells.setdefault((need["competency"], person["unit"]), {
                "competency": need["competency"], "unit": person["unit"], "people": 0,
                "total_gap": 0})
            cell["people"] += 1
            cell["total_gap"] += need["gap"]

    courses = sorted(totals.values(), key=lambda c: (
        -c["priority_people"], -c["people"], -c["total_gap"], order_of[c["competency"]]))
    for course in courses:
        course["participants"].sort(key=lambda x: (not x["priority"], -x["gap"], x["nip"]))
    course_rank = {c["competency"]: i for i, c in enumerate(courses)}
    by_unit = sorted(cells.values(), key=lambda c: (course_rank[c["competency"]], c["unit"]))
    people.sort(key=lambda x: (not x["priority"], x["jpm"], x["nip"]))
    for person in people:
        person["needs"].sort(key=lambda n: course_rank[n["competency"]])
    return {"rank": rank, "courses": courses, "by_unit": by_unit, "people": people}
