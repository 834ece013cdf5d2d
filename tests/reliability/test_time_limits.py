"""Time limits: a solve stopped by its limit returns the best plans found so far.

Promise: when the limit (or a stop request) cuts a solve short after a plan was
found, the result has status FEASIBLE and every plan carries its objective and a
bound valid for the whole model (bound >= objective; gap = (bound - objective) /
bound), never nothing.
"""

from __future__ import annotations

import threading
import time

import pytest

from reliability.common import REPO
from solver.document import plans_document
from solver.generate import generate_scenario
from solver.io import load_scenario
from solver.result import Progress, SolveParams
from solver.scenario import Scenario
from solver.solve import solve


def gap(objective: int, bound: int) -> float:
    return (bound - objective) / max(1, abs(bound))


def _check_plans(document: dict, statuses: tuple[str, ...] = ("FEASIBLE",)) -> None:
    assert document["status"] in statuses, document["infeasibility"]
    assert document["plans"], "a time-limited solve returned no plan"
    for plan in document["plans"]:
        assert plan["bound"] >= plan["objective"], plan["rank"]
        assert 0 <= gap(plan["objective"], plan["bound"]) < 1
        assert plan["assignments"]


@pytest.fixture(scope="module")
def binjai(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """Kota Binjai, seed 3: 3,500 employees, 1,123 posts, ~250,000 eligible pairs."""
    directory = tmp_path_factory.mktemp("binjai3")
    return load_scenario(generate_scenario("kota_binjai", 3, directory))


@pytest.mark.slow
def test_a_limit_after_the_first_plan_returns_feasible_plans(
        binjai: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    # The limit is set from plan 1's own time on this machine, now: three times that
    # leaves room for plan 1 on a loaded machine, while 50 ranked plans (about a second
    # each) still cannot fit. A fixed limit was either too short under load or, once the
    # engine got faster, long enough for every plan. Ranked plans found by tied cycles
    # (from 250,000 pairs, this round's size) take milliseconds each: here every ranked
    # plan is searched by CP-SAT, so the limit is what stops the solve.
    import solver.solve as engine

    monkeypatch.setattr(engine, "TIED_PLANS_MIN_PAIRS", 10**12)
    started = time.perf_counter()
    solve(binjai, SolveParams(plans=1, time_limit=120.0, workers=1, seed=0))
    first_plan = time.perf_counter() - started
    params = SolveParams(plans=50, time_limit=max(6.0, 3 * first_plan), workers=1, seed=0)
    started = time.perf_counter()
    result = solve(binjai, params)
    wall = time.perf_counter() - started
    document = plans_document(result, binjai, params)
    _check_plans(document)
    assert len(document["plans"]) < 50
    # The limit is honoured: the solve stops within a plan's time of it.
    assert wall < params.time_limit + max(10.0, first_plan), \
        f"{wall:.1f} s for a {params.time_limit:.1f} s limit"


def test_a_stop_request_returns_the_plans_found_so_far() -> None:
    scenario = load_scenario(REPO / "scenarios" / "demo" / "scenario.yaml")
    stop = threading.Event()
    seen: list[Progress] = []

    def on_progress(event: Progress) -> None:
        seen.append(event)
        if event.plan == 2 and event.best is not None:
            stop.set()

    params = SolveParams(plans=3, time_limit=60, progress=on_progress, stop=stop)
    result = solve(scenario, params)
    document = plans_document(result, scenario, params)
    if not stop.is_set():
        pytest.skip("the demo solved without reporting an incumbent of plan 2")
    _check_plans(document)
    assert 1 <= len(document["plans"]) <= 2


@pytest.mark.slow
def test_even_a_very_short_limit_returns_a_plan(binjai: Scenario) -> None:
    # The LP relaxation cannot finish in 0.5 s; the engine then spends up to
    # FIRST_PLAN_GRACE_S more on a first feasible plan instead of returning nothing.
    params = SolveParams(plans=1, time_limit=0.5, workers=1)
    result = solve(binjai, params)
    # OPTIMAL when the late first plan is the LP vertex proven by duality.
    _check_plans(plans_document(result, binjai, params), ("FEASIBLE", "OPTIMAL"))
