"""Solve functions for the solver-process tests (tests/api/test_worker.py) and a batch
task for the cancel test of tests/api/test_api_batch.py.

Module-level, so a solver process started with ``spawn`` can import them by name.
Each stands for one way a real solve can misbehave; what the runner does about it is
the code under test.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from solver import fanout
from solver.result import Progress, Result, SolveParams
from solver.scenario import Scenario
from solver.solve import solve
from solver.whatif_batch import BatchBase, solve_variant

# The file whose absence makes `crash_once` kill its process (set by the test).
MARKER_ENV = "PENATA_TEST_CRASH_MARKER"


def until_stopped(scenario: Scenario, params: SolveParams) -> Result:
    """Report progress, then wait for the job's stop event (at most a minute), then
    solve: a long solve that honours cancellation."""
    if params.progress is not None:
        params.progress(Progress(1, 123, 456.0, 0.5))
    deadline = time.monotonic() + 60
    while params.stop is not None and not params.stop.is_set() and time.monotonic() < deadline:
        time.sleep(0.02)
    return solve(scenario, replace(params, stop=None, progress=None))


def runaway(scenario: Scenario, params: SolveParams) -> Result:
    """Ignores its time limit and its stop event: only a kill ends it."""
    while True:
        time.sleep(0.05)


def memory_hog(scenario: Scenario, params: SolveParams) -> Result:
    """Asks for 4 GB at once (more than any memory limit of the tests)."""
    block = bytearray(4 * 1024**3)
    return solve(scenario, replace(params, seed=len(block) % 7))


def crash_once(scenario: Scenario, params: SolveParams) -> Result:
    """Dies by SIGKILL (as under the OOM killer or ``kill -9``) unless the marker file
    exists; creates it first, so the job's next run solves."""
    marker = Path(os.environ[MARKER_ENV])
    if not marker.exists():
        marker.write_text("crashed once")
        os.kill(os.getpid(), signal.SIGKILL)
    return solve(scenario, params)


def crash_always(scenario: Scenario, params: SolveParams) -> Result:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("not reached")


# The seed of a job picks its misbehaviour, so one server runs bad and good jobs.
BY_SEED = {1: runaway, 2: memory_hog, 3: crash_once, 4: crash_always, 5: until_stopped}


def by_seed(scenario: Scenario, params: SolveParams) -> Result:
    """The behaviour ``BY_SEED`` names for the job's seed; seed 0 (or any other) solves."""
    behaviour = BY_SEED.get(params.seed)
    if behaviour is None:
        return solve(scenario, params)
    return behaviour(scenario, replace(params, seed=0))


def slow_variant_folder(seed: int) -> Path:
    """Where :func:`slow_variant` marks its starts for a batch of seed ``seed`` (a pool
    process inherits no test settings; the batch's seed reaches it)."""
    return Path(tempfile.gettempdir(), f"penata-slow-variant-{seed}")


def variant_key(edits: Sequence[Mapping[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(list(edits), sort_keys=True).encode()).hexdigest()[:16]


def slow_variant(base: BatchBase, edits: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A what-if batch's task that writes its pid to ``started-<variant_key>`` in
    :func:`slow_variant_folder`, then waits (ten minutes at most) for a ``release``
    file there (or its stop event, in the runner's process) before it solves: a variant
    still solving when it is cancelled."""
    folder = slow_variant_folder(base.seed)
    (folder / f"started-{variant_key(edits)}").write_text(str(os.getpid()))
    stop = fanout.task_stop()  # in the runner's process (one fan-out worker)
    deadline = time.monotonic() + 600
    while not (folder / "release").exists() and time.monotonic() < deadline \
            and not (stop is not None and stop.is_set()):
        time.sleep(0.05)
    return solve_variant(base, edits)
