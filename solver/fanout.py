"""Fan-out of independent solves: one shared input, many small tasks.

A batch of what-ifs (or any set of solves over one round) is ``fn(shared, item)``
for every item: ``shared`` is the big input all tasks read (a scenario, a
:class:`~solver.eligibility.Problem`), each ``item`` is small (a list of edits).
Three executors run it, chosen by :func:`executor`:

- :class:`SerialExecutor`: in this process, one item after the other (1 worker). A
  task stopped while it runs is told through :func:`task_stop`, which it hands to
  its solve.
- :class:`PoolExecutor`: a local process pool (on the ``forkserver`` start method,
  safe in a threaded server). ``shared`` is sent once to each worker process (with
  its start), not with every task. A task stopped while it runs is ended with its
  process, which a fresh one replaces.
- :class:`RayExecutor`: a Ray cluster (``PENATA_RAY_ADDRESS``; ``local`` starts a
  local instance). ``shared`` is put in Ray's object store once (``ray.put``) and
  every task gets the reference; Ray hands the tasks of one node the same copy. A
  task stopped while it runs is force-cancelled (Ray kills its worker process).

``fn`` must be a module-level function (it is sent by name). The results come back
in item order and do not depend on the executor: a task computes the same thing
wherever it runs. A task that raises yields a :class:`TaskError` in its place (the
others go on); a task stopped through ``stop`` yields one with ``cancelled`` set.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

# Environment variables read by :func:`executor` when no value is passed.
RAY_ADDRESS_ENV = "PENATA_RAY_ADDRESS"
WORKERS_ENV = "PENATA_FANOUT_WORKERS"
# ``PENATA_RAY_ADDRESS=local`` starts a Ray instance in this machine for this process.
RAY_LOCAL = "local"
# Seconds between looks at ``stop`` while tasks run.
POLL_SECONDS = 0.25
# Seconds a pool process gets to exit after its last task before it is killed.
CLOSE_SECONDS = 5.0

Task = Callable[[Any, Any], Any]
OnResult = Callable[[int, Any], None]
Stop = Callable[[int], bool]


@dataclass(frozen=True)
class TaskError:
    """A task that did not return: the exception's type and message, or a cancellation."""

    kind: str
    message: str
    cancelled: bool = False


CANCELLED = TaskError("Cancelled", "cancelled before it finished", cancelled=True)


def _error(exc: BaseException) -> TaskError:
    return TaskError(type(exc).__name__, str(exc))


def _guarded(fn: Task, shared: Any, item: Any) -> Any:
    """``fn(shared, item)``, or the :class:`TaskError` of what it raised: made where the
    task ran, so no exception has to survive pickling on its way back."""
    try:
        return fn(shared, item)
    except Exception as exc:
        return _error(exc)


class Executor(Protocol):
    name: str

    def run(self, fn: Task, shared: Any, items: Sequence[Any], *,
            on_result: OnResult | None = None, stop: Stop | None = None) -> list[Any]:
        """``[fn(shared, item) for item in items]`` (a :class:`TaskError` for a task that
        raised or was stopped); ``on_result(index, result)`` as each one finishes;
        ``stop(index)`` is asked while item ``index`` waits or runs."""
        ...


def _report(results: list[Any], index: int, value: Any, on_result: OnResult | None) -> None:
    results[index] = value
    if on_result is not None:
        on_result(index, value)


# The stop event of the task running in this thread (SerialExecutor), see task_stop().
_running = threading.local()


def task_stop() -> threading.Event | None:
    """The running task's stop event, for a task that runs in the caller's process
    (:class:`SerialExecutor`): it is set once the task's ``stop`` turns true, and a
    task passes it on to its solve (:attr:`solver.result.SolveParams.stop`). ``None``
    in a pool process or a Ray task: those are ended from outside instead."""
    return getattr(_running, "stop", None)


class SerialExecutor:
    """In this process, item after item (``PENATA_FANOUT_WORKERS=1``). A task whose
    ``stop`` turns true while it runs sees its :func:`task_stop` event set; it yields
    :data:`CANCELLED`, whatever it returns."""

    name = "serial"

    def run(self, fn: Task, shared: Any, items: Sequence[Any], *,
            on_result: OnResult | None = None, stop: Stop | None = None) -> list[Any]:
        results: list[Any] = [None] * len(items)
        for index, item in enumerate(items):
            if stop is not None and stop(index):
                value: Any = CANCELLED
            elif stop is None:
                value = _guarded(fn, shared, item)
            else:
                value = self._stoppable(fn, shared, item, functools.partial(stop, index))
            _report(results, index, value, on_result)
        return results

    @staticmethod
    def _stoppable(fn: Task, shared: Any, item: Any, stopped: Callable[[], bool]) -> Any:
        event, finished = threading.Event(), threading.Event()

        def watch() -> None:
            while not finished.wait(POLL_SECONDS):
                if stopped():
                    event.set()
                    return

        watcher = threading.Thread(target=watch, name="penata-fanout-stop", daemon=True)
        watcher.start()
        _running.stop = event
        try:
            value = _guarded(fn, shared, item)
        finally:
            _running.stop = None
            finished.set()
            watcher.join()
        return CANCELLED if event.is_set() else value


def _pool_main(conn: Connection, shared: Any) -> None:
    """A pool process: ``shared`` came with its start; run each ``(fn, item)`` sent
    until ``None`` (or the pipe closes) and send back its result."""
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        fn, item = task
        conn.send(_guarded(fn, shared, item))


class _PoolProcess:
    """One process of a :class:`PoolExecutor`: started with ``shared``, one task at a time."""

    def __init__(self, context: Any, shared: Any):
        ours, theirs = context.Pipe()
        self.process = context.Process(target=_pool_main, args=(theirs, shared), daemon=True,
                                       name="penata-fanout")
        self.process.start()
        theirs.close()
        self.conn: Connection = ours

    def send(self, fn: Task, item: Any) -> None:
        self.conn.send((fn, item))

    def result(self) -> tuple[bool, Any]:
        """``(True, value)`` once the task sent its result, else ``(False, None)``."""
        try:
            if self.conn.poll():
                return True, self.conn.recv()
        except (EOFError, OSError):  # the process died; ``alive`` says so
            pass
        return False, None

    @property
    def alive(self) -> bool:
        return bool(self.process.is_alive())

    def kill(self) -> None:
        self.process.kill()
        self.process.join()

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(CLOSE_SECONDS)
        if self.process.is_alive():
            self.kill()
        self.conn.close()


class PoolExecutor:
    """A local pool of ``workers`` processes, started for one :meth:`run`.

    A task whose ``stop`` turns true while it runs is ended with its process (killed,
    the task yields :data:`CANCELLED`), and a fresh process takes the next task; so is
    a task whose process died (its :class:`TaskError` says so): the others go on."""

    name = "pool"

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.workers = workers

    def run(self, fn: Task, shared: Any, items: Sequence[Any], *,
            on_result: OnResult | None = None, stop: Stop | None = None) -> list[Any]:
        results: list[Any] = [None] * len(items)
        if not items:
            return results
        context = multiprocessing.get_context("forkserver")
        # The fork server imports the task's module once; its processes fork from it
        # with the module loaded (only the first pool of a process sets it).
        context.set_forkserver_preload([fn.__module__])
        todo = deque(range(len(items)))
        started = [_PoolProcess(context, shared) for _ in range(min(self.workers, len(items)))]
        idle = list(started)
        running: dict[_PoolProcess, int] = {}

        def replace(process: _PoolProcess) -> None:
            process.kill()
            if todo:
                fresh = _PoolProcess(context, shared)
                started.append(fresh)
                idle.append(fresh)

        try:
            while todo or running:
                if stop is not None:
                    for index in [index for index in todo if stop(index)]:
                        todo.remove(index)
                        _report(results, index, CANCELLED, on_result)
                while todo and idle:
                    process, index = idle.pop(), todo.popleft()
                    try:
                        process.send(fn, items[index])
                    except OSError:  # it died while idle: the task goes to a fresh one
                        todo.appendleft(index)
                        replace(process)
                        continue
                    running[process] = index
                if not running:
                    continue
                wait([p.conn for p in running] + [p.process.sentinel for p in running],
                     timeout=POLL_SECONDS)
                for process, index in list(running.items()):
                    done, value = process.result()
                    if done:
                        del running[process]
                        idle.append(process)
                    elif not process.alive:
                        del running[process]
                        value = TaskError("ProcessDied", "the pool process running it ended "
                                          f"(exit code {process.process.exitcode})")
                        replace(process)
                    elif stop is not None and stop(index):
                        del running[process]
                        value = CANCELLED
                        replace(process)
                    else:
                        continue
                    _report(results, index, value, on_result)
        finally:
            for process in started:
                process.close()
        return results


class RayExecutor:
    """Tasks on a Ray cluster at ``address`` (``local``: a Ray instance started here).

    The cluster's workers must import this package (install it on every node, in the
    same version); ``shared`` goes to the object store once per :meth:`run`.
    """

    name = "ray"

    def __init__(self, address: str, task_cpus: float = 1.0):
        self.address = address
        self.task_cpus = task_cpus
        self._remote: Any = None

    def connect(self) -> None:
        """Join the cluster (or start the local instance) once per process."""
        import ray

        if ray.is_initialized():
            return
        options: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False}
        if self.address == RAY_LOCAL:
            ray.init(**options)
        else:
            ray.init(address=self.address, **options)

    def _task(self) -> Any:
        import ray

        if self._remote is None:
            self._remote = ray.remote(num_cpus=self.task_cpus, max_retries=0)(_guarded)
        return self._remote

    def run(self, fn: Task, shared: Any, items: Sequence[Any], *,
            on_result: OnResult | None = None, stop: Stop | None = None) -> list[Any]:
        import ray
        from ray.exceptions import RayError, TaskCancelledError

        results: list[Any] = [None] * len(items)
        if not items:
            return results
        self.connect()
        shared_ref = ray.put(shared)
        task = self._task()
        refs = {task.remote(fn, shared_ref, item): index for index, item in enumerate(items)}
        pending = list(refs)
        cancelled: set[Any] = set()
        while pending:
            done, pending = ray.wait(pending, num_returns=1, timeout=POLL_SECONDS)
            for ref in done:
                try:
                    value: Any = ray.get(ref)
                except TaskCancelledError:
                    value = CANCELLED
                except RayError as exc:  # a cancelled task, or a worker that died
                    value = CANCELLED if ref in cancelled else _error(exc)
                _report(results, refs[ref], value, on_result)
            if stop is not None:
                for ref in pending:
                    if ref not in cancelled and stop(refs[ref]):
                        cancelled.add(ref)
                        # force: a running task is ended with its worker process (a
                        # plain cancel waits for the solve to return to Python).
                        ray.cancel(ref, force=True)
        return results


def default_workers() -> int:
    """``PENATA_FANOUT_WORKERS`` when set, else the machine's CPU count."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    return int(text) if text else (os.cpu_count() or 1)


def executor(workers: int | None = None, ray_address: str | None = None,
             task_cpus: float = 1.0) -> Executor:
    """Ray when ``ray_address`` (default ``PENATA_RAY_ADDRESS``) is set, else a local
    pool of ``workers`` processes (default :func:`default_workers`; 1 runs in this
    process). ``task_cpus``: CPUs one Ray task asks for (its CP-SAT threads)."""
    address = ray_address if ray_address is not None else os.environ.get(RAY_ADDRESS_ENV, "")
    if address.strip():
        return RayExecutor(address.strip(), task_cpus)
    count = workers if workers is not None else default_workers()
    return SerialExecutor() if count <= 1 else PoolExecutor(count)
