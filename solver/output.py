"""Writers for ``plans.json`` (MODEL.md section 8), ``plans.csv`` and ``training.csv``
(the training plan of plan 1, :mod:`solver.talent.training`).

Everything outside the top-level ``"run"`` object depends only on the inputs and
the parameters, so two runs with the same scenario, seed and workers write the
same bytes there.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from solver.eligibility import Problem, build_problem
from solver.result import Result, SolveParams
from solver.scenario import Scenario
from solver.tabular import csv_text
from solver.talent.succession import succession_plan
from solver.talent.tables import TRAINING_COLUMNS, training_rows
from solver.talent.training import training_plan


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
        digest.update(frame.drop(columns=["row"]).to_csv(index=False).encode())
    # Section 9 tables only when given, so a scenario without them keeps its hash.
    for frame in (scenario.preferences, scenario.units):
        if not frame.empty:
            digest.update(frame.drop(columns=["row"]).to_csv(index=False).encode())
    return digest.hexdigest()


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
    if scenario is not None:
        from solver.review.explain import explain_plans

        problem = problem if problem is not None else build_problem(scenario)
        explain_plans(doc, scenario, problem)
        if shortlist_time > 0 and result.plans:
            from solver.review.shortlist import attach_shortlists, shortlists

            started = time.perf_counter()
            lists = shortlists(scenario, result, params, max_names=3,
                               time_limit=shortlist_time, problem=problem)
            attach_shortlists(doc, lists)
            result.stats["shortlists_s"] = round(time.perf_counter() - started, 3)
        first = [{"nip": a.nip, "position": a.position} for a in result.plans[0].assignments] \
            if result.plans else None
        doc["succession"] = succession_plan(scenario, first, problem)
    doc["run"] = {"runtime_s": result.runtime, **result.stats}
    return doc


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def plans_csv(result: Result, scenario: Scenario) -> str:
    emp = scenario.employees.set_index("nip")
    pos = scenario.positions.set_index("id")
    rows = [[plan.rank, a.nip, emp.at[a.nip, "name"], emp.at[a.nip, "grade"], a.origin or "",
             a.position, pos.at[a.position, "title"], pos.at[a.position, "unit"],
             int(a.position != a.origin)]
            for plan in result.plans for a in plan.assignments]
    return csv_text(["rank", "nip", "name", "grade", "from", "to", "to_title", "to_unit", "move"],
                    rows)


# While shortlists run, plans.json is rewritten with those done at most this often (and
# at most a fifth of the time).
SHORTLIST_WRITE_S = 2.0


def training_csv(training: dict[str, Any], scenario: Scenario) -> str:
    """``training.csv``: one row per (course, participant) of a training plan."""
    return csv_text(TRAINING_COLUMNS, training_rows(training, scenario))


def write_outputs(result: Result, scenario: Scenario, out_dir: Path,
                  params: SolveParams | None = None, *, shortlist_time: float = 0.0,
                  packet: bool = False,
                  on_shortlist: Callable[[int, int], None] | None = None) -> list[Path]:
    """Write ``plans.json``, ``plans.csv`` and (when there is a plan) ``training.csv``
    into ``out_dir`` (created if needed); with ``packet``, also the committee's
    ``plans.xlsx`` and ``review.html``.

    The plans do not wait for their shortlists: everything is written as soon as the
    plans are explained (shortlists marked pending), ``plans.json`` is rewritten with
    the shortlists done so far while they run (``on_shortlist(done, total)`` after
    each post), and everything is written again when they are finished."""
    out_dir.mkdir(parents=True, exist_ok=True)
    problem = build_problem(scenario)
    doc = plans_document(result, scenario, params, problem=problem)
    json_path, csv_path = out_dir / "plans.json", out_dir / "plans.csv"
    pending = shortlist_time > 0 and bool(result.plans)

    def write_json() -> None:
        _atomic_write(json_path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

    def write_tables() -> list[Path]:
        _atomic_write(csv_path, plans_csv(result, scenario))
        if not doc["plans"]:
            return [csv_path]
        training_path = out_dir / "training.csv"
        _atomic_write(training_path, training_csv(
            training_plan(scenario, doc["plans"][0]["assignments"], rank=1), scenario))
        return [csv_path, training_path]

    def write_packet() -> list[Path]:
        from solver.review.packet import write_review_packet

        return write_review_packet(doc, scenario, out_dir, problem=problem) if packet else []

    if pending:
        from solver.review.shortlist import shortlists_into

        last = [0.0, 0.0]  # when plans.json was last written, how long that took

        def on_update(done: int, total: int) -> None:
            if on_shortlist is not None:
                on_shortlist(done, total)
            # A big document (city scale) takes seconds to write: at most a fifth of the
            # time goes to rewriting it.
            if time.perf_counter() - last[0] >= max(SHORTLIST_WRITE_S, 4 * last[1]):
                tic = time.perf_counter()
                write_json()
                last[0] = time.perf_counter()
                last[1] = last[0] - tic

        def first_write(done: int, total: int) -> None:
            if done == 0:  # before the first shortlist: the plans, shortlists pending
                tic = time.perf_counter()
                write_json()
                last[1] = time.perf_counter() - tic
                write_tables()
                write_packet()
                last[0] = time.perf_counter()
            on_update(done, total)

        started = time.perf_counter()
        doc["run"].pop("shortlists_s", None)
        shortlists_into(doc, scenario, result, params, time_limit=shortlist_time,
                        problem=problem, on_update=first_write)
        result.stats["shortlists_s"] = round(time.perf_counter() - started, 3)
        doc["run"] = {"runtime_s": result.runtime, **result.stats}
    write_json()
    return [json_path, *write_tables(), *write_packet()]
