"""``python -m benchmarks.fanout``: a what-if batch, or many rounds, on 1 and 2 local
workers and on Ray.

``--batch whatif`` (the default) is the batch ``POST /api/v1/scenarios/{id}/what-if-batch`` runs
(:func:`solver.whatif_batch.solve_variant` through :mod:`solver.fanout`): "each of these posts
abolished", one variant per post, for the first ``--variants`` posts (by id) that
base plan 1 fills and that need not be filled (abolishing a must-fill post is
infeasible at once, which would time nothing). Every variant derives its scenario from
the base files, solves one plan cold with the base plan 1 as hint (``--time-limit``
each) and builds its plans document.

``--batch rounds`` is ``penata solve-many`` (:func:`solver.rounds.solve_round`): the
instance's round ``--variants`` times under different names (copies, so every task is
the same work), each solved for one plan and written with its packet as ``penata
solve --plans 1 --shortlist-time 0`` writes it. Compared: ``plans.json`` outside
``run``, ``plans.csv``, ``training.csv`` and ``review.html``, byte for byte.

Modes, each timed from the call to the last result (pool start-up included):
``serial`` (1 worker, in this process), ``pool-2`` (2 forkserver processes) and
``ray`` (a local Ray instance, ``ray.init(num_cpus=2)``, started before the clock;
its start-up, once, is reported apart). ``--repeat`` runs the modes in rounds,
interleaved, so a change of load hits every mode; the speed-up is against the serial
run of the same round. The documents must be the same bytes in every mode
(outside ``run``). The load average of the machine is recorded before and after each
mode: on a shared machine the speed-up is only as good as the idle cores. Results go
to ``benchmarks/results/fanout.md`` and ``fanout.csv`` (``fanout_rounds.*`` for rounds).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.batch import scenario_files
from api.whatif import scenario_input
from benchmarks.instances import instances
from benchmarks.runner import DEFAULT_OUT, DEFAULT_WORK, machine
from solver import fanout
from solver.io import TableLimits, load_scenario
from solver.result import SolveParams
from solver.rounds import RoundInput, RoundOutput, RoundParams, read_round, solve_round
from solver.solve import solve
from solver.whatif_batch import BatchBase, solve_variant

COLUMNS = ["instance", "round", "measured_at", "mode", "workers", "variants", "batch_s", "per_variant_s",
           "speedup", "startup_s", "load_before", "load_after", "statuses", "identical"]


def variants_for(path: Path, count: int, time_limit: float) -> tuple[BatchBase, list[Any]]:
    scenario = load_scenario(path)
    base = solve(scenario, SolveParams(plans=1, time_limit=time_limit))
    if not base.plans:
        raise SystemExit(f"{path}: the base round has no plan ({base.status})")
    plan = base.plans[0]
    must = set(scenario.positions.loc[scenario.positions["must_fill"], "id"].astype(str)) \
        if "must_fill" in scenario.positions.columns else set()
    filled = sorted({a.position for a in plan.assignments} - must)
    posts = filled[:count]
    shared = BatchBase(source=scenario_input(scenario_files(path)), limits=TableLimits(), plans=1, max_plans=20,
                       time_limit=time_limit, workers=1, seed=0,
                       hint=tuple((a.nip, a.position) for a in plan.assignments))
    return shared, [[{"op": "abolish_position", "position": post}] for post in posts]


@dataclass(frozen=True)
class Batch:
    """What one benchmark batch runs: ``task(shared, item)`` for every item; ``key``
    gives a result's compared bytes and ``status`` its status."""

    task: Callable[[Any, Any], Any]
    shared: Any
    items: list[Any]
    key: Callable[[Any], bytes]
    status: Callable[[Any], str]


def whatif_batch(path: Path, count: int, time_limit: float) -> Batch:
    shared, variants = variants_for(path, count, time_limit)
    return Batch(solve_variant, shared, variants,
                 lambda value: json.dumps({k: v for k, v in value["document"].items()
                                           if k != "run"}, sort_keys=True).encode(),
                 lambda value: str(value["document"]["status"]))


ROUND_FILES = ("plans.csv", "training.csv", "review.html")


def _round_key(value: RoundOutput) -> bytes:
    files = dict(value.files)
    document = json.loads(files["plans.json"])
    document.pop("run")
    return b"\0".join([json.dumps(document, sort_keys=True).encode(),
                       *(files.get(name, b"") for name in ROUND_FILES)])


def rounds_batch(path: Path, count: int, time_limit: float) -> Batch:
    source = read_round(path).source
    items = [RoundInput(f"round-{k:02d}", source) for k in range(count)]
    params = RoundParams(plans=1, time_limit=time_limit, shortlist_time=0.0, packet=True)
    return Batch(solve_round, params, items, _round_key, lambda value: value.status)


BATCHES = {"whatif": whatif_batch, "rounds": rounds_batch}


def _bytes(batch: Batch, results: list[Any]) -> list[bytes]:
    return [repr(value).encode() if isinstance(value, fanout.TaskError) else batch.key(value)
            for value in results]


def _load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def run_mode(mode: str, batch: Batch) -> tuple[list[Any], float, float]:
    """(results, batch seconds, start-up seconds outside the batch)."""
    startup = 0.0
    executor: fanout.Executor
    if mode == "serial":
        executor = fanout.SerialExecutor()
    elif mode == "pool-2":
        executor = fanout.PoolExecutor(2)
    else:
        import ray

        if not ray.is_initialized():  # once per run of the benchmark
            started = time.perf_counter()
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
            startup = time.perf_counter() - started
        executor = fanout.RayExecutor(fanout.RAY_LOCAL)
    started = time.perf_counter()
    results = executor.run(batch.task, batch.shared, batch.items)
    return results, time.perf_counter() - started, startup


def measure(name: str, path: Path, count: int, args: argparse.Namespace
            ) -> list[dict[str, Any]]:
    batch = BATCHES[args.batch](path, count, args.time_limit)
    variants = batch.items
    print(f"{name}: {len(variants)} tasks ({args.batch})", flush=True)
    rows: list[dict[str, Any]] = []
    reference: list[bytes] | None = None
    serial_s: float | None = None
    for round_number, mode in [(r + 1, m) for r in range(args.repeat)
                               for m in args.modes.split(",")]:
        before = _load()
        results, seconds, startup = run_mode(mode, batch)
        after = _load()
        got = _bytes(batch, results)
        reference = reference if reference is not None else got
        serial_s = seconds if mode == "serial" else serial_s
        statuses: dict[str, int] = {}
        for value in results:
            key = value.kind if isinstance(value, fanout.TaskError) else batch.status(value)
            statuses[key] = statuses.get(key, 0) + 1
        row = {"instance": name, "round": round_number,
               "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
               "mode": mode, "workers": 1 if mode == "serial" else 2,
               "variants": len(variants), "batch_s": round(seconds, 2),
               "per_variant_s": round(seconds / max(1, len(variants)), 2),
               "speedup": round(serial_s / seconds, 2) if serial_s else "",
               "startup_s": round(startup, 2), "load_before": before, "load_after": after,
               "statuses": " ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
               "identical": got == reference}
        print(row, flush=True)
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="693", help="Instances, e.g. 693,M")
    parser.add_argument("--variants", default="20",
                        help="Variants per instance (one number, or one per size: 20,6)")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--modes", default="serial,pool-2,ray")
    parser.add_argument("--batch", choices=sorted(BATCHES), default="whatif",
                        help="whatif: each of N posts abolished; rounds: N rounds at once")
    parser.add_argument("--repeat", type=int, default=1,
                        help="Rounds of all modes (interleaved, so load changes hit all)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    sizes = args.sizes.split(",")
    counts = [int(n) for n in args.variants.split(",")]
    counts = counts * len(sizes) if len(counts) == 1 else counts
    rows: list[dict[str, Any]] = []
    for instance, count in zip(instances(sizes, args.work), counts, strict=True):
        rows += measure(instance.name, instance.scenario, count, args)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "fanout" if args.batch == "whatif" else f"fanout_{args.batch}"
    with (args.out / f"{stem}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    write_markdown(args.out / f"{stem}.md", rows, "python -m benchmarks.fanout "
                   + " ".join(argv if argv is not None else sys.argv[1:]), args.batch)
    return 0


def write_markdown(path: Path, rows: list[dict[str, Any]], command: str,
                   batch: str = "whatif") -> None:
    info = machine()
    title = "What-if batch fan-out" if batch == "whatif" else "Many rounds at once (solve-many)"
    lines = [
        f"# {title} (issue 18)", "",
        f"Written by `{command.strip()}` (module docstring of `benchmarks/fanout.py` says "
        f"what is timed). Machine: {info['nproc']} cores, {info['cpu']}, {info['ram']}; "
        f"OR-Tools {info['ortools']}, highspy {info['highspy']}. Load average (1/5/15 min) "
        "before and after each mode: the machine is shared, so the speed-up is what the "
        "idle cores allowed.", "",
        "| instance | round | mode | workers | variants | batch s | s per variant | speed-up vs "
        "serial | Ray start s | load before | load after | statuses | same bytes |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['instance']} | {r['round']} | {r['mode']} | {r['workers']} | {r['variants']} | "
                     f"{r['batch_s']} | {r['per_variant_s']} | {r['speedup']} | "
                     f"{r['startup_s'] if r['mode'] == 'ray' else '—'} | {r['load_before']} | "
                     f"{r['load_after']} | {r['statuses']} | {r['identical']} |")
    lines += ["", "The first pool-2 row of a run also starts the process's fork server, which "
              "imports the task's module once (later pools, as in a running server, fork "
              "from it). Ray's start-up is outside its rows. On 2 cores, two workers can "
              "only beat one while a core is idle: a load average above 2 means there was "
              "none, and the other sessions' processes took the second core."]
    path.write_text("\n".join([*lines, ""]))


if __name__ == "__main__":
    raise SystemExit(main())
