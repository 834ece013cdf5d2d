"""solver/fanout.py: the same results, byte for byte, in this process, in a local
process pool and on a local Ray instance (one per test session: it takes seconds)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from solver import fanout
from solver.edits import ScenarioInput
from solver.io import TableLimits, TableSource
from solver.whatif_batch import BatchBase, solve_variant
from tests.reliability.common import gone

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo"
# Posts of the demo round (levels 3-4), each abolished in one variant; then a post
# that must be filled (infeasible once abolished), two edits at once, and a post the
# round lacks (that task raises).
ABOLISHED = ("001004", "001005", "001007", "001008")
VARIANTS: list[list[dict[str, Any]]] = [
    [{"op": "abolish_position", "position": post}] for post in ABOLISHED
] + [[{"op": "abolish_position", "position": "001006"}],
     [{"op": "set_rules", "rules": {"max_unit_turnover": 0.25}},
      {"op": "abolish_position", "position": "001004"}],
     [{"op": "abolish_position", "position": "no-such-post"}]]


def _base() -> BatchBase:
    def source(name: str) -> TableSource:
        return TableSource(name, (DEMO / name).read_bytes())

    demo = ScenarioInput(source("scenario.yaml"), {"employees": source("employees.csv"),
                                                   "positions": source("positions.csv")})
    return BatchBase(source=demo, limits=TableLimits(), plans=2, max_plans=20,
                     time_limit=60.0, workers=1, seed=0, hint=())


def _bytes(results: list[Any]) -> list[bytes]:
    """Each result as JSON bytes, without the document's ``run`` block (timings)."""
    out = []
    for value in results:
        if isinstance(value, fanout.TaskError):
            out.append(repr(value).encode())
            continue
        document = {k: v for k, v in value["document"].items() if k != "run"}
        out.append(json.dumps({**value, "document": document}, sort_keys=True).encode())
    return out


@pytest.fixture(scope="module")
def serial() -> list[bytes]:
    return _bytes(fanout.SerialExecutor().run(solve_variant, _base(), VARIANTS))


def test_serial_results_are_in_item_order_and_a_failing_task_is_isolated(
        serial: list[bytes]) -> None:
    results = fanout.SerialExecutor().run(solve_variant, _base(), VARIANTS)
    for value, post in zip(results, ABOLISHED, strict=False):
        plans = value["document"]["plans"]
        assert plans and all(a["position"] != post for p in plans for a in p["assignments"])
    # Abolishing different posts gives different plans.
    assert len({json.dumps(r["document"]["plans"]) for r in results[:4]}) == 4
    infeasible = results[4]["document"]
    assert infeasible["status"] == "INFEASIBLE" and not infeasible["plans"]
    assert "001006" in infeasible["infeasibility"][0]
    assert results[5]["document"]["plans"][0]["objective"] \
        < results[0]["document"]["plans"][0]["objective"]
    error = results[-1]
    assert isinstance(error, fanout.TaskError) and error.kind == "EditError"
    assert "position 'no-such-post' is not in the positions table" in error.message


def test_the_pool_gives_the_same_bytes_as_serial(serial: list[bytes]) -> None:
    seen: list[int] = []
    results = fanout.PoolExecutor(2).run(solve_variant, _base(), VARIANTS,
                                         on_result=lambda index, _: seen.append(index))
    assert _bytes(results) == serial
    assert sorted(seen) == list(range(len(VARIANTS)))


def test_ray_gives_the_same_bytes_as_serial(serial: list[bytes],
                                            ray_executor: fanout.RayExecutor,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import ray

    puts: list[Any] = []
    shared_args: list[Any] = []
    real_put, real_task = ray.put, ray_executor._task

    def counting_put(value: Any, **kwargs: Any) -> Any:
        puts.append(value)
        return real_put(value, **kwargs)

    class Spy:
        def __init__(self, task: Any):
            self.task = task

        def remote(self, fn: Any, shared: Any, item: Any) -> Any:
            shared_args.append(shared)
            return self.task.remote(fn, shared, item)

    monkeypatch.setattr(ray, "put", counting_put)
    monkeypatch.setattr(ray_executor, "_task", lambda: Spy(real_task()))
    results = ray_executor.run(solve_variant, _base(), VARIANTS)
    assert _bytes(results) == serial
    # The base went to the object store once; every task got the reference to it.
    assert len(puts) == 1 and isinstance(puts[0], BatchBase)
    assert len(shared_args) == len(VARIANTS)
    assert all(isinstance(arg, ray.ObjectRef) for arg in shared_args)
    assert len({arg.hex() for arg in shared_args}) == 1


def test_stop_cancels_tasks_not_yet_started() -> None:
    results = fanout.SerialExecutor().run(solve_variant, _base(), VARIANTS[:3],
                                          stop=lambda index: index >= 1)
    assert not isinstance(results[0], fanout.TaskError)
    assert results[1:] == [fanout.CANCELLED, fanout.CANCELLED]


def blocking_task(shared: Any, item: tuple[str, int, bool]) -> tuple[str, int]:
    """Writes its pid to ``started-<index>`` in the folder, then (``block``) waits ten
    minutes: only its :func:`fanout.task_stop` event (in this process) or ending its
    process (pool, Ray) stops it sooner."""
    folder, index, block = item
    Path(folder, f"started-{index}").write_text(str(os.getpid()))
    stop = fanout.task_stop()
    deadline = time.monotonic() + 600
    while block and time.monotonic() < deadline and not (stop and stop.is_set()):
        time.sleep(0.05)
    return ("done", index)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", ["serial", "pool", "ray"])
def test_stop_ends_a_running_task_and_the_others_go_on(kind: str, tmp_path: Path,
                                                       request: pytest.FixtureRequest) -> None:
    executor: fanout.Executor = fanout.PoolExecutor(2)
    if kind == "serial":
        executor = fanout.SerialExecutor()
    elif kind == "ray":
        from ray import cloudpickle

        executor = request.getfixturevalue("ray_executor")
        # Ray's workers cannot import this test module: blocking_task goes by value.
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
        request.addfinalizer(
            lambda: cloudpickle.unregister_pickle_by_value(sys.modules[__name__]))
    items = [(str(tmp_path), 0, True), (str(tmp_path), 1, False), (str(tmp_path), 2, False)]
    started = tmp_path / "started-0"
    seen: list[tuple[int, Any]] = []
    # Task 0 never ends by itself: it is stopped once it runs (its pid file exists).
    results = executor.run(blocking_task, None, items,
                           on_result=lambda index, value: seen.append((index, value)),
                           stop=lambda index: index == 0 and started.exists())
    assert results == [fanout.CANCELLED, ("done", 1), ("done", 2)]
    assert sorted(seen) == sorted(enumerate(results))
    pid = int(started.read_text())
    if kind == "serial":  # told through task_stop(): it returned, in this process
        assert pid == os.getpid()
    else:
        assert pid != os.getpid()
        assert gone(pid, timeout=120), f"the process that ran the stopped task ({pid}) still runs"


def test_a_variant_hands_its_stop_event_to_its_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    import solver.whatif_batch as whatif_batch

    seen: list[Any] = []
    real = whatif_batch.solve

    def spy(scenario: Any, params: Any, **kwargs: Any) -> Any:
        seen.append(params.stop)
        return real(scenario, params, **kwargs)

    monkeypatch.setattr(whatif_batch, "solve", spy)
    fanout.SerialExecutor().run(solve_variant, _base(), VARIANTS[:1], stop=lambda _: False)
    solve_variant(_base(), VARIANTS[0])  # outside an executor: no stop event
    assert isinstance(seen[0], threading.Event) and not seen[0].is_set()
    assert seen[1] is None


def test_the_executor_follows_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fanout.RAY_ADDRESS_ENV, raising=False)
    assert isinstance(fanout.executor(1), fanout.SerialExecutor)
    pool = fanout.executor(3)
    assert isinstance(pool, fanout.PoolExecutor) and pool.workers == 3
    monkeypatch.setenv(fanout.WORKERS_ENV, "2")
    assert isinstance(fanout.executor(), fanout.PoolExecutor)
    monkeypatch.setenv(fanout.RAY_ADDRESS_ENV, "local")
    ray_executor = fanout.executor(1)
    assert isinstance(ray_executor, fanout.RayExecutor)
    assert ray_executor.address == "local"
    assert isinstance(fanout.executor(1, ray_address=""), fanout.SerialExecutor)
