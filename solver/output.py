"""Serialisers for the solve's outputs: ``plans.json`` (docs/model.md section 8),
``plans.csv`` and ``training.csv`` (the training plan of plan 1,
:mod:`solver.talent.training`); the committee packet (``plans.xlsx``, ``review.html``) is
:mod:`solver.review.packet`.

The document itself is computed by :mod:`solver.document`; here it is only written,
each file atomically (:mod:`solver.atomic`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from solver.atomic import write_atomic
from solver.document import plans_document, problem_of
from solver.jsontext import dumps_indented
from solver.result import Result, SolveParams
from solver.scenario import Scenario
from solver.tabular import csv_text
from solver.talent.tables import TRAINING_COLUMNS, training_rows
from solver.talent.training import training_plan


def plans_csv(result: Result, scenario: Scenario) -> str:
    emp, pos = scenario.employees, scenario.positions
    # Plain dicts from plain lists: a pandas lookup per cell took seconds at city scale,
    # and iterating a text column costs a call per value.
    person = dict(zip(emp["nip"].tolist(), zip(emp["name"].tolist(), emp["grade"].tolist(),
                                               strict=True), strict=True))
    post = dict(zip(pos["id"].tolist(), zip(pos["title"].tolist(), pos["unit"].tolist(),
                                            strict=True), strict=True))
    rows = [[plan.rank, a.nip, *person[a.nip], a.origin or "", a.position, *post[a.position],
             int(a.position != a.origin)]
            for plan in result.plans for a in plan.assignments]
    return csv_text(["rank", "nip", "name", "grade", "from", "to", "to_title", "to_unit", "move"],
                    rows)


# While shortlists run, plans.json is rewritten with those done at most this often (and
# at most a fifth of the time).
SHORTLIST_WRITE_S = 2.0
# Seconds of shortlists before the packet is written with them pending (quick ones then
# cost one packet, not two: at the 693-seat size a packet takes about 0.3 s, at city
# scale seconds).
PENDING_PACKET_AFTER_S = 1.0


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
    each post), and ``plans.json`` and the packet are written again when they are
    finished (``plans.csv`` and ``training.csv`` do not depend on them)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    problem = problem_of(result, scenario)
    doc = plans_document(result, scenario, params, problem=problem)
    json_path, csv_path = out_dir / "plans.json", out_dir / "plans.csv"
    pending = shortlist_time > 0 and bool(result.plans)

    def write_json() -> None:
        write_atomic(json_path, dumps_indented(doc) + "\n")

    tables: list[Path] = []  # plans.csv and training.csv once written (shortlists
    # change neither)

    def write_tables() -> list[Path]:
        if tables:
            return tables
        write_atomic(csv_path, plans_csv(result, scenario))
        tables.append(csv_path)
        if doc["plans"]:
            training_path = out_dir / "training.csv"
            write_atomic(training_path, training_csv(
                training_plan(scenario, doc["plans"][0]["assignments"], rank=1), scenario))
            tables.append(training_path)
        return tables

    def write_packet() -> list[Path]:
        from solver.review.packet import write_review_packet

        return write_review_packet(doc, scenario, out_dir, problem=problem) if packet else []

    if pending:
        from solver.review.shortlist import shortlists_into

        last = [0.0, 0.0]  # when plans.json was last written, how long that took
        started = time.perf_counter()

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

        packet_due = [True]  # the packet with shortlists pending is still to be written

        def first_write(done: int, total: int) -> None:
            if done == 0:  # before the first shortlist: the plans, shortlists pending
                tic = time.perf_counter()
                write_json()
                last[1] = time.perf_counter() - tic
                write_tables()
                last[0] = time.perf_counter()
            # The committee packet (seconds to write at city scale) waits a moment:
            # shortlists that finish by then get the packet written once, complete.
            if packet_due[0] and time.perf_counter() - started >= PENDING_PACKET_AFTER_S:
                packet_due[0] = False
                write_packet()
            on_update(done, total)

        doc["run"].pop("shortlists_s", None)
        shortlists_into(doc, scenario, result, params, time_limit=shortlist_time,
                        problem=problem, on_update=first_write)
        # The document records the time; the result is not changed.
        doc["run"] = {"runtime_s": result.runtime, **result.stats,
                      "shortlists_s": round(time.perf_counter() - started, 3)}
    write_json()
    return [json_path, *write_tables(), *write_packet()]
