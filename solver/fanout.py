"""Fan-out of independent solves: one shared input, many small tasks.

A batch of what-ifs (or any set of solves over one round) is ``fn(shared, item)``
for every item: ``shared`` is the big input all tasks read (a scenario, a
:class:`~solver.eligibility.Problem`), each ``item`` is small (a list of edits).
Three executors run it, chosen by :func:`executor`:

- :class:`SerialExecutor`: in this process, one item after the other (1 worker).
- :class:`PoolExecutor`: a local process pool (``concurrent.futures`` on the
  ``forkserver`` start method, safe in a threaded server). ``shared`` is sent once
  to each worker process (its initializer), not with every task.
- :class:`RayExecutor`: a Ray cluster (``PENATA_RAY_ADDRESS``; ``local`` starts a
  local instance). ``shared`` is put in Ray's object store once (``ray.put``) and
  every task gets the reference; Ray hands the tasks of one node the same copy.

``fn`` must be a module-level function (it is sent by name). The results come back
in item order and do not depend on the executor: a task computes the same thing
wherever it runs. A task that raises yields a :class:`TaskError` in its place (the
others go on); a task stopped through ``stop`` yields one with ``cancelled`` set.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# Environment variables read by :func:`executor` when no value is passed.
RAY_ADDRESS_ENV = "PENATA_RAY_ADDRESS"
WORKERS_ENV = "PENATA_FANOUT_WORKERS"
# ``PENATA_RAY_ADDRESS=local`` starts a Ray instance in this machine for this process.
RAY_LOCAL = "local"
# Seconds between looks at ``stop`` while tasks run.
POLL_SECONDS = 0.25

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


class SerialExecutor:
    """In this process, item after item (``PENATA_FANOUT_WORKERS=1``)."""

    name = "serial"

    def run(self, fn: Task, shared: Any, items: Sequence[Any], *,
            on_result: OnResult | None = None, stop: Stop | None = None) -> list[Any]:
        results: list[Any] = [None] * len(items)
        for index, item in enumerate(items):
            value = CANCELLED if stop is not None and stop(index) else _guarded(fn, shared, item)
            _report(results, index, value, on_result)
        return results


# The shared input of a pool worker process, set once by its initializer.
_SHARED: Any = None


def _receive(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _call_with_shared(fn: Task, item: Any) -> Any:
    return _guarded(fn, _SHARED, item)


class PoolExecutor:
    """A local process pool of ``workers`` processes, started for one :meth:`run`."""

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
        # The fork server imports the task's module once; its workers fork from it
        # with the module loaded (only the first pool of a process sets it).
        context.set_forkserver_preload([fn.__module__])
        with cf.ProcessPoolExecutor(max_workers=min(self.workers, len(items)),
                                    mp_context=context, initializer=_receive,
                                    initargs=(shared,)) as pool:
            futures = {pool.submit(_call_with_shared, fn, item): index
                       for index, item in enumerate(items)}
            pending = set(futures)
            while pending:
                done, pending = cf.wait(pending, timeout=POLL_SECONDS,
                                        return_when=cf.FIRST_COMPLETED)
                for future in sorted(done, key=futures.__getitem__):
                    if future.cancelled():
                        value: Any = CANCELLED
                    elif future.exception() is not None:
                        value = _error(future.exception())  # type: ignore[arg-type]
                    else:
                        value = future.result()
                    _report(results, futures[future], value, on_result)
                if stop is not None:
                    for future in pending:
                        if stop(futures[future]):
                            future.cancel()  # only one not started yet stops
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
                        ray.cancel(ref)
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
