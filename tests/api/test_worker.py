"""Solver processes (api.worker): each job's solve in a child process of its runner.

Real child processes throughout (``spawn``); the solve functions of
``fake_solvers`` stand for a solve that runs away, asks for too much memory or
dies, and the runner's answer is what is checked: the job fails with the reason
(memory, time) or runs again (a crash), and the next job still runs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import fake_solvers
import pytest
from api_helpers import tokens_for, upload, wait_job
from fastapi.testclient import TestClient

from api.db import Job
from api.queue import attempts_error, memory_error, time_error
from solver.io import load_scenario
from solver.output import plans_document
from solver.result import SolveParams
from solver.solve import solve

pytestmark = pytest.mark.timeout(300)

# Seconds a job may take here, solver process start-up included (a loaded CI machine).
SLOW = 180


def _process_client(make_client, **changes) -> TestClient:
    return make_client(solve_fn=changes.pop("solve_fn", None), job_isolation="process",
                       **changes)


def _start(client: TestClient, headers: dict, scenario_id: str, **body) -> str:
    response = client.post(f"/api/v1/scenarios/{scenario_id}/jobs", headers=headers,
                           json=body or None)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def _expected_plans(tiny: Path) -> list[dict]:
    scenario = load_scenario(tiny / "scenario.yaml")
    params = SolveParams(plans=2, time_limit=20.0, workers=1, seed=0)
    return plans_document(solve(scenario, params), scenario, params)["plans"]


def _plans(client: TestClient, headers: dict, job_id: str) -> list[dict]:
    response = client.get(f"/api/v1/jobs/{job_id}/plans", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["plans"]


def test_the_solve_runs_in_a_solver_process_and_gives_the_same_plans(make_client,
                                                                      tiny: Path) -> None:
    client = _process_client(make_client)
    auth = tokens_for(client)
    slot = client.app.state.jobs._slots[0]
    assert slot.pid is not None and slot.pid != os.getpid()
    scenario_id = upload(client, auth["planner"], tiny)
    job_id = _start(client, auth["planner"], scenario_id, plans=2, time_limit=20)
    job = wait_job(client, auth["viewer"], job_id, timeout=SLOW)
    assert (job["status"], job["attempts"]) == ("done", 1), job
    assert _plans(client, auth["viewer"], job_id) == _expected_plans(tiny)
    # The process is kept for the next job.
    pid = slot.pid
    again = _start(client, auth["planner"], scenario_id, plans=2, time_limit=20)
    assert wait_job(client, auth["viewer"], again, timeout=SLOW)["status"] == "done"
    assert slot.pid == pid


def test_progress_and_cancel_cross_the_process_boundary(make_client, tiny: Path) -> None:
    client = _process_client(make_client, solve_fn=fake_solvers.by_seed)
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    job_id = _start(client, auth["planner"], scenario_id, seed=5, time_limit=20)
    # The solver process stores its progress (PENATA_PROGRESS_INTERVAL=0 here).
    deadline = time.monotonic() + SLOW
    while True:
        body = client.get(f"/api/v1/jobs/{job_id}", headers=auth["viewer"]).json()
        if body["progress"]["best_objective"] is not None or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert body["status"] == "running", body
    assert (body["progress"]["best_objective"], body["progress"]["bound"]) == (123, 456.0)
    assert client.delete(f"/api/v1/jobs/{job_id}",
                         headers=auth["planner"]).status_code == 202
    done = wait_job(client, auth["viewer"], job_id, timeout=SLOW)
    assert (done["status"], done["attempts"]) == ("cancelled", 1), done
    assert _plans(client, auth["viewer"], job_id)  # the plans found until the stop


def test_a_runaway_solve_is_killed_at_its_time_and_the_next_job_runs(make_client,
                                                                     tiny: Path) -> None:
    client = _process_client(make_client, solve_fn=fake_solvers.by_seed, job_time_grace=0)
    auth = tokens_for(client)
    slot = client.app.state.jobs._slots[0]
    scenario_id = upload(client, auth["planner"], tiny)
    runaway = _start(client, auth["planner"], scenario_id, seed=1, time_limit=1)
    after = _start(client, auth["planner"], scenario_id, plans=2, time_limit=20)
    wait_job(client, auth["viewer"], runaway, timeout=SLOW, until=("running",))
    first_pid = slot.pid
    failed = wait_job(client, auth["viewer"], runaway, timeout=SLOW)
    assert (failed["status"], failed["error"]) == ("failed", time_error(1.0)), failed
    assert failed["attempts"] == 1  # not run again: it would run away again
    done = wait_job(client, auth["viewer"], after, timeout=SLOW)
    assert done["status"] == "done", done
    assert _plans(client, auth["viewer"], after) == _expected_plans(tiny)
    assert slot.pid != first_pid  # a fresh solver process


def test_a_job_over_its_memory_limit_fails_with_the_reason_and_the_next_runs(
        make_client, tiny: Path) -> None:
    client = _process_client(make_client, solve_fn=fake_solvers.by_seed, job_memory_mb=1500)
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    hog = _start(client, auth["planner"], scenario_id, seed=2, time_limit=20)
    after = _start(client, auth["planner"], scenario_id, plans=2, time_limit=20)
    failed = wait_job(client, auth["viewer"], hog, timeout=SLOW)
    assert (failed["status"], failed["error"]) == ("failed", memory_error(1500)), failed
    assert failed["attempts"] == 1
    # A real solve under the same limit: the limit leaves room for ordinary work.
    done = wait_job(client, auth["viewer"], after, timeout=SLOW)
    # ... in the fresh process, at its first attempt (not sent to the exiting one).
    assert (done["status"], done["attempts"]) == ("done", 1), done
    assert _plans(client, auth["viewer"], after) == _expected_plans(tiny)
    assert client.get("/readyz").status_code == 200


def test_a_crashed_solver_process_puts_its_job_back(make_client, tiny: Path,
                                                    tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(fake_solvers.MARKER_ENV, str(tmp_path / "crashed"))
    client = _process_client(make_client, solve_fn=fake_solvers.by_seed, job_max_attempts=2)
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    once = _start(client, auth["planner"], scenario_id, seed=3, time_limit=20)
    rerun = wait_job(client, auth["viewer"], once, timeout=SLOW)
    assert (rerun["status"], rerun["attempts"]) == ("done", 2), rerun
    assert (tmp_path / "crashed").exists()
    assert _plans(client, auth["viewer"], once) == _expected_plans(tiny)
    always = _start(client, auth["planner"], scenario_id, seed=4, time_limit=20)
    failed = wait_job(client, auth["viewer"], always, timeout=SLOW)
    assert (failed["status"], failed["error"]) == ("failed", attempts_error(2, 2)), failed


def test_a_stopping_runner_puts_the_job_of_its_solver_process_back(make_client,
                                                                   tiny: Path) -> None:
    client = _process_client(make_client, solve_fn=fake_solvers.by_seed)
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    job_id = _start(client, auth["planner"], scenario_id, seed=5, time_limit=20)
    wait_job(client, auth["viewer"], job_id, timeout=SLOW, until=("running",))
    slot = client.app.state.jobs._slots[0]
    process = slot._process
    sessions = client.app.state.sessions
    client.__exit__(None, None, None)  # graceful stop
    assert not process.is_alive()
    with sessions() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts, job.claimed_by) == ("queued", 0, None)
    again = make_client()
    assert wait_job(again, auth["viewer"], job_id, timeout=SLOW)["status"] == "done"


def test_a_what_if_batch_runs_in_the_solver_process_with_its_fan_out(
        make_client, tiny: Path, store_url: str) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("the fan-out does not depend on the store; one run is enough")
    from test_api_batch import VARIANTS, wait_batch

    plans = []
    for isolation in ("thread", "process"):
        # A pool of 2 inside the solver process: its processes are the solver process's.
        client = make_client(fanout_workers=2, job_isolation=isolation)
        auth = tokens_for(client)
        scenario_id = upload(client, auth["planner"], tiny)
        base = _start(client, auth["planner"], scenario_id, time_limit=20)
        assert wait_job(client, auth["viewer"], base, timeout=SLOW)["status"] == "done"
        response = client.post(f"/api/v1/scenarios/{scenario_id}/what-if-batch",
                               headers=auth["planner"], json={"variants": VARIANTS})
        assert response.status_code == 202, response.text
        summary = wait_batch(client, auth["viewer"], response.json()["id"], timeout=SLOW)
        assert [v["status"] for v in summary["variants"]] == ["done"] * len(VARIANTS)
        plans.append([_plans(client, auth["viewer"], job["id"])
                      for job in response.json()["jobs"]])
        client.__exit__(None, None, None)  # one runner on the store at a time
    assert plans[0] == plans[1]
