"""A batch of what-ifs as fan-out tasks (:mod:`solver.fanout`): one base round shared by
every task, each task one variant (a list of :mod:`solver.edits` edits).

A task derives its round from the base's input files exactly as a single what-if does
(:func:`solver.edits.apply_edits`, then the loader), solves it cold with the base plan
1 as hint, and returns the plans document. So a variant's plans do not depend on where
it ran (this process, a pool worker, a Ray task) and equal a single what-if's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from solver import fanout
from solver.document import plans_document
from solver.edits import ScenarioInput, apply_edits
from solver.io import TableLimits
from solver.result import SolveParams
from solver.solve import solve


@dataclass(frozen=True)
class BatchBase:
    """What every variant's task shares: the base round's input files and the solve
    (``plans`` None: the round's plans.count, at most ``max_plans``)."""

    source: ScenarioInput
    limits: TableLimits
    plans: int | None
    max_plans: int
    time_limit: float
    workers: int
    seed: int
    hint: tuple[tuple[str, str], ...]


def input_sha256(source: ScenarioInput) -> str:
    """A digest of a round's input files (role, name and bytes of the YAML and each
    table): equal digests, equal derived rounds."""
    digest = hashlib.sha256()
    parts = [("scenario", source.yaml), *sorted(source.tables.items())]
    for role, table in parts:
        for text in (role, table.label):
            digest.update(text.encode("utf-8") + b"\0")
        digest.update(len(table.content).to_bytes(8, "big") + table.content)
    return digest.hexdigest()


def solve_variant(base: BatchBase, edits: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One variant: ``document`` is its plans document, ``input_sha256`` the digest of
    its derived input (a caller that stored the derived round checks it is that one).
    Raises EditError / InputError as a single what-if would."""
    derived = apply_edits(base.source, list(edits), base.limits)
    scenario = derived.load(base.limits)
    plans = base.plans
    if plans is None and scenario.plans.count > base.max_plans:
        plans = base.max_plans
    # In the caller's process a cancel reaches the solve through its stop event (a pool
    # process or a Ray task is ended instead).
    params = SolveParams(plans=plans, time_limit=base.time_limit, workers=base.workers,
                         seed=base.seed, hint=base.hint, stop=fanout.task_stop())
    result = solve(scenario, params)
    return {"input_sha256": input_sha256(derived),
            "document": plans_document(result, scenario, params)}
