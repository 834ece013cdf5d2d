"""Solver processes: each running job's solve in a process of its own.

A :class:`api.jobs.JobManager` (in ``penata serve`` or ``penata worker``) claims jobs,
renews their leases and hands on cancellations; with ``job_isolation = "process"``
each of its ``max_workers`` slots owns one :class:`SolverProcess`, a child started
with ``spawn`` that loads the job from the store, solves it, writes its progress and
its plans, exactly as a solver thread would (it runs the manager's own job code,
under the runner's id). The child is started with the runner and kept for the next
job, so a job pays no interpreter start-up and the LP cache still makes warm
what-ifs fast (when the same slot runs them); it is started again after it died.

What the child cannot take down is the point: the runner watches it and

- enforces the job's time: past ``time_limit + shortlist_time + PENATA_JOB_TIME_GRACE``
  seconds the child is killed and the job failed (:func:`api.queue.time_error`);
- enforces its memory: the child runs under ``RLIMIT_AS = PENATA_JOB_MEMORY_MB``; an
  allocation over it raises ``MemoryError`` there and the child fails the job with
  :func:`api.queue.memory_error`, then exits (the next job gets a fresh process); a
  child that dies outright with its address space near the limit counts the same;
- a child that dies otherwise (``kill -9``, a crash) puts its job back in the queue
  (:func:`api.queue.requeue_crashed`, at most ``PENATA_JOB_MAX_ATTEMPTS`` starts).

A child never outlives its runner: it asks the kernel for SIGKILL when its parent
dies (``PR_SET_PDEATHSIG``) and exits when the pipe to it closes.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import importlib
import logging
import multiprocessing
import os
import queue as stdlib_queue
import resource
import signal
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.config import Settings

# A job's solve function (api.jobs.SolveFn) and the runner's class (api.jobs.JobManager),
# handed in by the runner: this module does not import api.jobs, which imports it.
SolveFn = Callable[..., Any]

log = logging.getLogger("penata.api.worker")

PR_SET_PDEATHSIG = 1
# The child's address space sampled this often; near the limit at death = out of memory.
POLL_SECONDS = 0.2
NEAR_LIMIT = 0.85
# Seconds a stopping runner waits for a child to put its job back before killing it.
STOP_SECONDS = 30.0


@dataclass(frozen=True)
class Ended:
    """How a job's run in a solver process ended, as the runner saw it.

    ``how``: ``finished`` (the child stored the job's outcome itself), ``timed_out``
    (killed past its time), ``out_of_memory`` (died near its memory limit) or
    ``crashed`` (died otherwise); ``exitcode`` as :class:`multiprocessing.Process`."""

    how: str
    exitcode: int | None = None


class SolverProcess:
    """One slot's solver child: started on first use, run one job at a time."""

    def __init__(self, settings: Settings, runner: str, solve_fn: SolveFn | None,
                 name: str, manager_class: type):
        self.settings = settings
        self.manager_class = manager_class
        self.runner = runner
        self.solve_fn = solve_fn
        self.name = name
        self._process: Any = None
        self._conn: Connection | None = None
        self._send_lock = threading.Lock()
        self.job_id: str | None = None

    # ------------------------------------------------------------------ runner side

    def run(self, job_id: str, budget: float, closing: threading.Event,
            scenario: Any = None) -> Ended:
        """Run ``job_id`` (claimed by the runner) in the child and wait until it ends:
        stored by the child, or the child died or ran past ``budget`` seconds.
        ``scenario``: the job's scenario as the request validated it, when this process
        has it (the child then need not read and validate the stored files again)."""
        self._ensure_started()
        assert self._process is not None and self._conn is not None
        self.job_id = job_id
        try:
            self._send(("run", job_id, scenario))
            deadline = time.monotonic() + budget
            stop_deadline: float | None = None
            peak = 0
            while True:
                peak = max(peak, _address_space(self._process.pid))
                if self._poll_finished(job_id):
                    return Ended("finished")
                if not self._process.is_alive():
                    return self._died(peak)
                if closing.is_set() and stop_deadline is None:
                    stop_deadline = time.monotonic() + STOP_SECONDS
                if stop_deadline is not None and time.monotonic() > stop_deadline:
                    self._kill()
                    return Ended("crashed", self._process.exitcode)
                if time.monotonic() > deadline:
                    log.warning("job %s: over its %.0f s, solver process killed", job_id,
                                budget)
                    self._kill()
                    return Ended("timed_out", self._process.exitcode)
        finally:
            self.job_id = None

    def cancel(self, job_id: str) -> None:
        """Hand a cancel on to the child (a batch's child runs more jobs than the one
        it was sent; it ignores ids it does not run)."""
        if self.job_id is not None:
            self._send(("cancel", job_id))

    def stop(self) -> None:
        """Ask the child to put its running job back and exit (server stopping)."""
        if self._process is not None and self._process.is_alive():
            self._send(("stop",))

    def close(self) -> None:
        """Wait for the child to exit after :meth:`stop`; kill it if it does not."""
        if self._process is None:
            return
        self._process.join(STOP_SECONDS)
        if self._process.is_alive():
            self._kill()
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        self._ensure_started()

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        if self._conn is not None:
            self._conn.close()
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        # Not a daemon: a what-if batch's fan-out starts processes of its own in it.
        process = context.Process(
            target=child_main, name=self.name, daemon=False,
            args=(theirs, self.settings, self.runner, self.solve_fn, self.manager_class,
                  os.getpid(), logging.getLogger().getEffectiveLevel()))
        process.start()
        _children.add(process)
        theirs.close()
        self._process, self._conn = process, ours
        log.info("solver process %d started (%s)", process.pid, self.name)

    def _send(self, message: tuple[Any, ...]) -> None:
        with self._send_lock:
            if self._conn is None:
                return
            with contextlib.suppress(OSError, ValueError):  # the child is gone: seen later
                self._conn.send(message)

    def _poll_finished(self, job_id: str) -> bool:
        assert self._conn is not None
        try:
            if not self._conn.poll(POLL_SECONDS):
                return False
            message = self._conn.recv()
        except (EOFError, OSError):
            # The pipe closed: the child is exiting; is_alive() tells soon.
            self._process.join(POLL_SECONDS)
            return False
        if message[0] != "finished" or message[1] != job_id:
            return False
        if message[2]:  # out of memory: its job is stored and it exits
            self._wait_exit()
        return True

    def _wait_exit(self) -> None:
        """Wait for a child that said it exits, so the next job starts a fresh one
        instead of being sent to it (and counted as crashed when it is gone)."""
        self._process.join(STOP_SECONDS)
        if self._process.is_alive():
            self._kill()

    def _died(self, peak: int) -> Ended:
        self._process.join()
        code = self._process.exitcode
        limit = self.settings.job_memory_mb * 1024 * 1024
        if limit and peak >= NEAR_LIMIT * limit:
            return Ended("out_of_memory", code)
        return Ended("crashed", code)

    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()
        self._process.join()


# Solver processes still running when the runner's interpreter exits without a
# shutdown (an error in the runner): killed, so exit does not wait for them.
_children: weakref.WeakSet[Any] = weakref.WeakSet()


@atexit.register
def _kill_children() -> None:
    for process in list(_children):
        with contextlib.suppress(Exception):
            if process.is_alive():
                process.kill()


def _address_space(pid: int) -> int:
    """Bytes of the process's address space now (VmSize), 0 when unreadable."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


# ---------------------------------------------------------------------- child side


def _die_with_parent(parent: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


# What a solve imports when it first needs it (the command line keeps them lazy for its
# start-up). A solver process loads them before its memory limit: an import that
# reaches the limit raises ImportError, and the job would read as an internal error
# instead of "over its memory limit".
SOLVE_MODULES = ("ortools.sat.python.cp_model", "ortools.graph.python.min_cost_flow",
                 "highspy", "scipy.sparse.csgraph", "python_calamine", "solver.solve",
                 "solver.document", "solver.review.explain", "solver.review.shortlist",
                 "solver.whatif_batch")


def _import_solve_modules() -> None:
    for name in SOLVE_MODULES:
        with contextlib.suppress(ImportError):  # an optional reader not installed
            importlib.import_module(name)


def child_main(conn: Connection, settings: Settings, runner: str, solve_fn: SolveFn | None,
               manager_class: type, parent: int, log_level: int) -> None:
    """The solver process: run the jobs the runner sends, one at a time."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the runner, which stops us
    from api.db import make_engine, session_factory
    from api.logs import configure_logging

    configure_logging(settings, log_level)
    _import_solve_modules()
    if settings.job_memory_mb:
        limit = settings.job_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    engine = make_engine(settings.database_url)
    manager = manager_class(settings, session_factory(engine), solve_fn=solve_fn,
                            runner=runner)
    todo: stdlib_queue.Queue[str | None] = stdlib_queue.Queue()

    def listen() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):  # the runner is gone
                os._exit(0)
            if message[0] == "run":
                manager.prepare(message[1], message[2])
                todo.put(message[1])
            elif message[0] == "cancel":
                manager.request_cancel(message[1])
            elif message[0] == "stop":
                manager.stop_running()
                todo.put(None)

    threading.Thread(target=listen, name="penata-solver-pipe", daemon=True).start()
    while (job_id := todo.get()) is not None:
        try:
            manager.run_prepared(job_id)
        except Exception as exc:  # the store failed under the job's end: the runner
            log.error("job %s: solver process stopped (%s)", job_id,  # requeues it
                      type(exc).__name__)
            os._exit(70)
        with contextlib.suppress(OSError):  # out of memory: a fresh process next
            conn.send(("finished", job_id, manager.out_of_memory))
        if manager.out_of_memory:
            break
    engine.dispose()
