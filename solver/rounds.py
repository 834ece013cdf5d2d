"""Many instansi's rounds at once (issue 18): each round solved and written exactly as
``penata solve`` does it, one fan-out task (:mod:`solver.fanout`) per round.

A BKD or a BKN regional office serves many instansi; their rounds are independent, so
they run side by side on local worker processes or on Ray (``PENATA_RAY_ADDRESS``).
A task gets the round's input files in memory (a Ray node need not see the caller's
disk), validates them with the loader as an upload is validated, solves, writes the
outputs into a temporary folder of its own and returns their bytes; the caller writes
them under ``OUT/<round>/``. So a round's files do not depend on where it ran, and
they are the files ``penata solve`` writes for it (``plans.json`` outside its ``run``
object, which holds the clock).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from solver.atomic import write_atomic
from solver.edits import ScenarioInput
from solver.fanout import TaskError
from solver.io import (
    TABLE_ROLES,
    InputError,
    TableLimits,
    TableSource,
    decode_yaml,
    read_config,
    read_yaml_file,
    yaml_table,
)
from solver.output import write_outputs
from solver.result import SolveParams
from solver.solve import solve
from solver.tabular import csv_text

DEFAULT_LIMITS = TableLimits()
SUMMARY_COLUMNS = ("round", "status", "plans", "objective", "bound", "runtime_s",
                   "files", "error")


@dataclass(frozen=True)
class RoundParams:
    """What every round's task shares: the solve and the outputs, as ``penata solve``'s
    options (``plans`` None: each round's own plans.count)."""

    plans: int | None = None
    time_limit: float = 120.0
    workers: int = 1
    seed: int = 0
    shortlist_time: float = 0.0
    packet: bool = True
    limits: TableLimits = DEFAULT_LIMITS


@dataclass(frozen=True)
class RoundInput:
    """One round: the name of its output folder and its input files."""

    name: str
    source: ScenarioInput


@dataclass(frozen=True)
class RoundOutput:
    """One solved round: its status, plan 1's objective and bound, and every output
    file's bytes by file name (sorted)."""

    name: str
    status: str
    plans: int
    objective: int | None
    bound: int | None
    runtime_s: float
    files: tuple[tuple[str, bytes], ...]
    infeasibility: tuple[str, ...] = ()


def round_name(path: Path) -> str:
    """``dinas/scenario.yaml`` is round ``dinas``; ``mutasi.yaml`` is round ``mutasi``.

    The folder is named after resolving the path: ``../scenario.yaml`` must not make
    the round's folder ``OUT/..``."""
    folder = path.resolve().parent.name
    return folder if path.stem == "scenario" and folder else path.stem


def read_round(path: Path, limits: TableLimits = DEFAULT_LIMITS) -> RoundInput:
    """The YAML at ``path`` and the tables it names, read as ``penata solve`` reads them.

    Raises InputError (file, key, path) for a YAML or table that cannot be read."""
    content = read_yaml_file(path)
    doc = read_config(decode_yaml(content, path.name), path.name)
    tables = {role: table for role in TABLE_ROLES
              if (table := yaml_table(path, doc, role, limits)) is not None}
    return RoundInput(round_name(path), ScenarioInput(TableSource(path.name, content), tables))


def read_rounds(paths: Sequence[Path], limits: TableLimits = DEFAULT_LIMITS
                ) -> list[RoundInput]:
    """Every round at ``paths``, each validated by the loader before any is solved.

    Raises InputError listing every problem of every round (each message names its
    file), and a round name given twice (two rounds would write one folder)."""
    errors: list[str] = []
    rounds: list[RoundInput] = []
    seen: dict[str, Path] = {}
    for path in paths:
        name = round_name(path)
        if name in seen:
            errors.append(f"{path}: round {name!r} is also {seen[name]}; each round "
                          "writes OUT/<round>/, so give rounds different folder names")
            continue
        seen[name] = path
        try:
            item = read_round(path, limits)
            item.source.load(limits)
        except InputError as exc:
            errors += [f"{path.parent.name}/{message}" if path.parent.name else message
                       for message in exc.errors]
            continue
        rounds.append(item)
    if errors:
        raise InputError(errors)
    return rounds


def solve_round(params: RoundParams, item: RoundInput) -> RoundOutput:
    """One round's task: validate, solve and write as ``penata solve`` does, in a
    temporary folder; return the files' bytes."""
    scenario = item.source.load(params.limits)
    solve_params = SolveParams(plans=params.plans, time_limit=params.time_limit,
                               workers=params.workers, seed=params.seed)
    result = solve(scenario, solve_params)
    with tempfile.TemporaryDirectory(prefix="penata-round-") as folder:
        paths = write_outputs(result, scenario, Path(folder), solve_params,
                              shortlist_time=params.shortlist_time, packet=params.packet)
        files = tuple(sorted((path.name, path.read_bytes()) for path in paths))
    best = result.plans[0] if result.plans else None
    return RoundOutput(item.name, str(result.status), len(result.plans),
                       best.objective if best else None, best.bound if best else None,
                       round(result.runtime, 3), files, tuple(result.infeasibility))


def write_round(output: RoundOutput, out_dir: Path) -> list[Path]:
    """Write one solved round's files into ``out_dir/<round>/`` (each atomically)."""
    folder = out_dir / output.name
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in output.files:
        write_atomic(folder / name, content)
        paths.append(folder / name)
    return paths


def summary_row(name: str, value: RoundOutput | TaskError) -> list[object]:
    """One row of ``summary.csv`` (:data:`SUMMARY_COLUMNS`)."""
    if isinstance(value, TaskError):
        return [name, "ERROR", 0, "", "", "", "", f"{value.kind}: {value.message}"]
    return [name, value.status, value.plans,
            "" if value.objective is None else value.objective,
            "" if value.bound is None else value.bound, value.runtime_s,
            " ".join(file for file, _ in value.files), "; ".join(value.infeasibility)]


def summary_csv(rounds: Sequence[RoundInput], results: Sequence[RoundOutput | TaskError]
                ) -> str:
    return csv_text(SUMMARY_COLUMNS, [summary_row(item.name, value)
                                      for item, value in zip(rounds, results, strict=True)])
