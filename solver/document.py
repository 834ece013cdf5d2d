"""The ``plans.json`` document (docs/model.md section 8), computed from a solve.

One pipeline: :func:`plans_document` turns a :class:`~solver.result.Result` (which
carries its :class:`~solver.eligibility.Problem`) into the document: plans,
provenance, per-assignment explanations and diffs (:mod:`solver.review.explain`)
and, when asked, exact shortlists (:mod:`solver.review.shortlist`). The writers
(:mod:`solver.output`, :mod:`solver.review.packet`) only serialise it; the review
command re-uses :func:`add_explanations` and :func:`add_shortlists` on a stored
document. Nothing here writes a file or changes the result.

Everything outside the top-level ``"run"`` object depends only on the inputs and
the parameters, so two runs with the same scenario, seed and workers give the same
bytes there.
"""

from __future__ import annotations

import hashlib
import json
import time
from importlib import metadata
from typing import Any

import pandas as pd

from solver.eligibility import Problem, build_problem
from solver.result import Result, SolveParams
from solver.scenario import Scenario
from solver.talent.succession import succession_plan


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def input_hash(scenario: Scenario) -> str:
    """SHA-256 over the validated scenario content (tables and settings)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(scenario.config, sort_keys=True, default=str).encode())
    for frame in (scenario.employees, scenario.positions, scenario.assessments):
        digest.update(_table_text(frame))
    # Section 9 tables only when given, so a scenario without them keeps its hash.
    for frame in (scenario.preferences, scenario.units):
        if not frame.empty:
            digest.update(_table_text(frame))
    return digest.hexdigest()


# The hashed text of the last few tables: a what-if's tables are its base's (equal
# frames, read again), and writing a city's employees as CSV takes a tenth of a second.
_TABLE_TEXTS: list[tuple[pd.DataFrame, bytes]] = []
_TABLE_TEXTS_SIZE = 8


def _table_text(frame: pd.DataFrame) -> bytes:
    for kept, text in list(_TABLE_TEXTS):
        if kept is frame or (kept.shape == frame.shape and kept.equals(frame)):
            return text
    text = frame.drop(columns=["row"]).to_csv(index=False).encode()
    _TABLE_TEXTS.insert(0, (frame, text))
    del _TABLE_TEXTS[_TABLE_TEXTS_SIZE:]
    return text


def problem_of(result: Result, scenario: Scenario) -> Problem:
    """The solve's own :class:`Problem` when the result carries it (no rebuild)."""
    if result.problem is not None and result.problem.scenario is scenario:
        return result.problem
    return build_problem(scenario)


def add_explanations(doc: dict[str, Any], scenario: Scenario, problem: Problem) -> None:
    """Every assignment's explanation and every later plan's diff against plan 1."""
    from solver.review.explain import explain_plans

    explain_plans(doc, scenario, problem)


def add_shortlists(doc: dict[str, Any], scenario: Scenario, result: Result,
                   params: SolveParams | None, time_limit: float, problem: Problem,
                   max_names: int = 3) -> float:
    """Exact shortlists (up to ``max_names`` per post filled by a move) within
    ``time_limit`` seconds; returns the seconds spent."""
    from solver.review.shortlist import attach_shortlists, shortlists

    started = time.perf_counter()
    lists = shortlists(scenario, result, params, max_names=max_names, time_limit=time_limit,
                       problem=problem)
    attach_shortlists(doc, lists)
    return round(time.perf_counter() - started, 3)


def plans_document(result: Result, scenario: Scenario | None = None,
                   params: SolveParams | None = None, *, shortlist_time: float = 0.0,
                   problem: Problem | None = None) -> dict[str, Any]:
    """The ``plans.json`` document as a dict.

    With ``scenario`` every assignment carries its explanation (jpm, band, gaps,
    training, reasons) and every later plan its diff against plan 1; with
    ``shortlist_time > 0`` each plan also gets exact shortlists (up to 3 names per
    post filled by a move), computed within that many seconds.
    """
    plans = []
    for plan in result.plans:
        plans.append({
            "rank": plan.rank,
            "objective": plan.objective,
            "bound": plan.bound,
            "optimal": plan.optimal,
            # Relative gap to the proven bound: 0 when optimal.
            "gap": round((plan.bound - plan.objective) / max(1, abs(plan.bound)), 9),
            "moves": sum(1 for a in plan.assignments if a.position != a.origin),
            "assignments": [{"nip": a.nip, "position": a.position, "from": a.origin}
                            for a in plan.assignments],
        })
    doc: dict[str, Any] = {
        "scenario": result.scenario,
        "status": result.status,
        "plans": plans,
        "infeasibility": list(result.infeasibility),
    }
    run: dict[str, Any] = {"runtime_s": result.runtime, **result.stats}
    if scenario is not None:
        params = params or SolveParams()
        doc["provenance"] = {
            "input_sha256": input_hash(scenario),
            "params": {"plans": params.plans if params.plans is not None
                       else scenario.plans.count, "seed": params.seed,
                       "workers": params.workers, "time_limit": params.time_limit},
            "penata": _version("penata"),
            "ortools": _version("ortools"),
        }
        problem = problem if problem is not None else problem_of(result, scenario)
        add_explanations(doc, scenario, problem)
        if shortlist_time > 0 and result.plans:
            run["shortlists_s"] = add_shortlists(doc, scenario, result, params,
                                                 shortlist_time, problem)
        first = [{"nip": a.nip, "position": a.position} for a in result.plans[0].assignments] \
            if result.plans else None
        doc["succession"] = succession_plan(scenario, first, problem)
    doc["run"] = run
    return doc
