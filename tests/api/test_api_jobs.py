"""Jobs: queueing, progress, cancellation, failure, restart, plans."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

from api_helpers import NAMES, NIPS, solved, tokens_for, upload, wait_job
from fastapi.testclient import TestClient

from api.db import Job, ScenarioRecord, now
from api.queue import attempts_error, reap_stale
from solver.document import plans_document
from solver.io import load_scenario
from solver.result import Progress, SolveParams
from solver.solve import solve


def _start(client: TestClient, headers: dict, scenario_id: str, body: dict | None = None) -> str:
    response = client.post(f"/api/v1/scenarios/{scenario_id}/jobs", headers=headers, json=body)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    assert response.headers["location"] == f"/api/v1/jobs/{response.json()['id']}"
    return response.json()["id"]


def test_job_runs_to_done_with_the_solver_document(client: TestClient, auth: dict,
                                                   tiny: Path) -> None:
    scenario_id = upload(client, auth["planner"], tiny)
    job_id = _start(client, auth["planner"], scenario_id, {"plans": 2, "time_limit": 10})
    job = wait_job(client, auth["viewer"], job_id)
    assert job["status"] == "done"
    assert job["params"] == {"plans": 2, "seed": 0, "time_limit": 10.0}
    assert job["progress"]["best_objective"] is not None
    assert job["progress"]["elapsed"] is not None
    document = client.get(f"/api/v1/jobs/{job_id}/plans", headers=auth["viewer"]).json()
    scenario = load_scenario(tiny / "scenario.yaml")
    params = SolveParams(plans=2, time_limit=10.0, workers=1, seed=0)
    expected = plans_document(solve(scenario, params), scenario, params)
    assert set(document) == set(expected)
    document.pop("run"), expected.pop("run")
    assert document == expected
    assert [p["rank"] for p in document["plans"]] == [1, 2]
    plan = client.get(f"/api/v1/plans/{job_id}/2", headers=auth["viewer"]).json()
    assert plan == document["plans"][1]
    response = client.get(f"/api/v1/plans/{job_id}/3", headers=auth["viewer"])
    assert response.status_code == 404
    assert response.json() == {"detail": f"Job '{job_id}' has no plan of rank 3"}
    listing = client.get(f"/api/v1/scenarios/{scenario_id}/jobs", headers=auth["viewer"])
    assert [j["id"] for j in listing.json()] == [job_id]


def test_default_params(client: TestClient, auth: dict, tiny: Path) -> None:
    _, job_id = solved(client, auth["planner"], tiny)
    job = client.get(f"/api/v1/jobs/{job_id}", headers=auth["viewer"]).json()
    assert job["params"] == {"plans": None, "seed": 0, "time_limit": 20.0}


def test_job_body_validation(client: TestClient, auth: dict, tiny: Path) -> None:
    scenario_id = upload(client, auth["planner"], tiny)
    url = f"/api/v1/scenarios/{scenario_id}/jobs"
    response = client.post(url, headers=auth["planner"], json={"time_limit": 100000})
    assert response.status_code == 422
    assert response.json() == {"detail": "time_limit must be at most 3600 seconds"}
    response = client.post(url, headers=auth["planner"], json={"plans": 21})
    assert response.status_code == 422
    assert response.json() == {"detail": "plans must be at most 20"}
    for body in ({"plans": 0}, {"time_limit": 0}, {"unknown": 1}):
        assert client.post(url, headers=auth["planner"], json=body).status_code == 422


def test_unknown_job(client: TestClient, auth: dict) -> None:
    for method, path, headers in (("GET", "/api/v1/jobs/nope", auth["viewer"]),
                                  ("GET", "/api/v1/jobs/nope/plans", auth["viewer"]),
                                  ("DELETE", "/api/v1/jobs/nope", auth["planner"]),
                                  ("GET", "/api/v1/plans/nope/1", auth["viewer"])):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 404
        assert response.json() == {"detail": "Job 'nope' not found"}


class Gate:
    """A fake solve that blocks until released or cancelled; counts concurrency."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.progressed = threading.Event()  # set once the first progress event is sent
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.calls: list[SolveParams] = []

    def __call__(self, scenario, params: SolveParams):
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.calls.append(params)
        try:
            if params.progress is not None:
                params.progress(Progress(1, 123, 456.0, 0.5))
            self.progressed.set()
            while not self.release.is_set() and not params.stop.is_set():
                self.release.wait(0.02)
            return solve(scenario, replace(params, stop=None, progress=None))
        finally:
            with self.lock:
                self.running -= 1


def test_queue_cancel_and_progress(make_client, tiny: Path) -> None:
    gate = Gate()
    client = make_client(solve_fn=gate)
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    first = _start(client, auth["planner"], scenario_id)
    second = _start(client, auth["planner"], scenario_id)
    third = _start(client, auth["planner"], scenario_id)
    wait_job(client, auth["viewer"], first, until=("running",))
    # "running" is stored before the solve sends its first progress event; read after it.
    assert gate.progressed.wait(30)
    running = client.get(f"/api/v1/jobs/{first}", headers=auth["viewer"]).json()
    assert running["progress"]["best_objective"] == 123
    assert running["progress"]["bound"] == 456.0
    assert client.get(f"/api/v1/jobs/{second}", headers=auth["viewer"]).json()["status"] \
        == "queued"
    response = client.get(f"/api/v1/jobs/{second}/plans", headers=auth["viewer"])
    assert response.status_code == 409
    assert response.json() == {"detail": f"Job '{second}' is queued; its plans are not ready yet"}
    response = client.get(f"/api/v1/jobs/{first}/plans", headers=auth["viewer"])
    assert response.json() == {"detail": f"Job '{first}' is running; its plans are not ready yet"}
    # Cancel the queued job: at once.
    response = client.delete(f"/api/v1/jobs/{second}", headers=auth["planner"])
    assert response.status_code == 202
    assert response.json()["status"] == "cancelled"
    response = client.delete(f"/api/v1/jobs/{second}", headers=auth["planner"])
    assert response.status_code == 409
    assert response.json() == {"detail": f"Job '{second}' is already cancelled"}
    response = client.get(f"/api/v1/jobs/{second}/plans", headers=auth["viewer"])
    assert response.json() == {
        "detail": f"Job '{second}' was cancelled before it produced plans"}
    # Cancel the running job: it stops and keeps what it found.
    response = client.delete(f"/api/v1/jobs/{first}", headers=auth["planner"])
    assert response.status_code == 202
    assert response.json()["cancel_requested"] is True
    assert wait_job(client, auth["viewer"], first)["status"] == "cancelled"
    assert client.get(f"/api/v1/jobs/{first}/plans", headers=auth["viewer"]).status_code == 200
    # The third job was queued behind; it now runs; release it.
    wait_job(client, auth["viewer"], third, until=("running",))
    gate.release.set()
    assert wait_job(client, auth["viewer"], third)["status"] == "done"
    assert gate.peak == 1
    assert len(gate.calls) == 2  # the cancelled queued job never ran
    assert all(p.workers == 1 for p in gate.calls)


def test_pool_size_setting(make_client, tiny: Path) -> None:
    gate = Gate()
    client = make_client(solve_fn=gate, max_workers=2)
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    jobs = [_start(client, auth["planner"], scenario_id) for _ in range(3)]
    wait_job(client, auth["viewer"], jobs[0], until=("running",))
    wait_job(client, auth["viewer"], jobs[1], until=("running",))
    assert client.get(f"/api/v1/jobs/{jobs[2]}", headers=auth["viewer"]).json()["status"] \
        == "queued"
    gate.release.set()
    for job in jobs:
        assert wait_job(client, auth["viewer"], job)["status"] == "done"
    assert gate.peak == 2


def test_failed_job(make_client, tiny: Path) -> None:
    def broken(scenario, params):
        raise RuntimeError(f"secret {NIPS[0]}")

    client = make_client(solve_fn=broken)
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    job_id = _start(client, auth["planner"], scenario_id)
    job = wait_job(client, auth["viewer"], job_id)
    assert job["status"] == "failed"
    assert job["error"] == "Internal error (RuntimeError)"
    response = client.get(f"/api/v1/jobs/{job_id}/plans", headers=auth["viewer"])
    assert response.status_code == 409
    assert response.json() == {"detail": f"Job '{job_id}' failed; it has no plans"}
    response = client.delete(f"/api/v1/jobs/{job_id}", headers=auth["planner"])
    assert response.status_code == 409
    assert response.json() == {"detail": f"Job '{job_id}' is already failed"}


def test_restart_reruns_unfinished_jobs_and_keeps_the_rest(make_client, tiny: Path) -> None:
    client = make_client()
    auth = tokens_for(client)
    scenario_id, done_job = solved(client, auth["planner"], tiny)
    document = client.get(f"/api/v1/jobs/{done_job}/plans", headers=auth["viewer"]).json()
    sessions = client.app.state.sessions
    client.__exit__(None, None, None)  # the first server goes away ...
    # ... leaving jobs behind as killed processes would: one queued, one running on a
    # process of this host that is gone, one running on another host whose lease
    # lapsed, one out of attempts, one whose cancellation was asked.
    gone = f"{socket.gethostname()}:{_dead_pid()}:0"
    long_ago = now() - dt.timedelta(hours=1)
    params = {"plans": None, "seed": 0, "time_limit": 20.0}  # what `solved` asked
    with sessions() as session:
        session.add_all([
            Job(id="stale-queued", scenario_id=scenario_id, status="queued", params=params),
            Job(id="stale-running", scenario_id=scenario_id, status="running", params=params,
                attempts=1, claimed_by=gone, heartbeat_at=now()),
            Job(id="lapsed", scenario_id=scenario_id, status="running", params=params,
                attempts=2, claimed_by="elsewhere:1:0", heartbeat_at=long_ago),
            Job(id="exhausted", scenario_id=scenario_id, status="running", params=params,
                attempts=3, claimed_by=gone, heartbeat_at=long_ago),
            Job(id="cancel-asked", scenario_id=scenario_id, status="running", params=params,
                attempts=1, claimed_by=gone, heartbeat_at=long_ago, cancel_requested=True),
        ])
        session.commit()
    again = make_client()
    for job_id, attempts in (("stale-queued", 1), ("stale-running", 2), ("lapsed", 3)):
        job = wait_job(again, auth["viewer"], job_id)
        assert job["status"] == "done", job
        assert job["attempts"] == attempts
        rerun = again.get(f"/api/v1/jobs/{job_id}/plans", headers=auth["viewer"]).json()
        assert rerun["plans"] == document["plans"]  # deterministic: the same plans
    exhausted = wait_job(again, auth["viewer"], "exhausted")
    assert exhausted["status"] == "failed"
    assert exhausted["error"] == attempts_error(3, 3)
    assert wait_job(again, auth["viewer"], "cancel-asked")["status"] == "cancelled"
    assert again.get(f"/api/v1/jobs/{done_job}/plans", headers=auth["viewer"]).json() \
        == document
    with again.app.state.sessions() as session:
        assert session.get(ScenarioRecord, scenario_id) is not None


def test_a_live_claim_of_another_server_is_left_alone(make_client, tiny: Path) -> None:
    client = make_client()
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    with client.app.state.sessions() as session:
        session.add(Job(id="theirs", scenario_id=scenario_id, status="running",
                        params={"time_limit": 5}, attempts=1, claimed_by="elsewhere:1:0",
                        heartbeat_at=now()))
        session.commit()
        # What the lease thread does on each tick, here on demand.
        assert reap_stale(session, client.app.state.jobs.runner, 60, 3) \
            == {"requeued": 0, "failed": 0, "cancelled": 0}
    job = client.get("/api/v1/jobs/theirs", headers=auth["viewer"]).json()
    assert (job["status"], job["attempts"]) == ("running", 1)


def test_a_stopping_server_puts_its_running_job_back(make_client, tiny: Path) -> None:
    gate = Gate()
    client = make_client(solve_fn=gate)
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    job_id = _start(client, auth["planner"], scenario_id)
    assert gate.progressed.wait(30)
    sessions = client.app.state.sessions
    client.__exit__(None, None, None)  # graceful stop: the solve is stopped, not failed
    with sessions() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts, job.claimed_by) == ("queued", 0, None)
    again = make_client()
    assert wait_job(again, auth["viewer"], job_id)["status"] == "done"


def _dead_pid() -> int:
    """The pid of a process that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_no_nip_or_name_in_logs(client: TestClient, auth: dict, tiny: Path, caplog,
                                tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    scenario_id, job_id = solved(client, auth["planner"], tiny)
    client.post(f"/api/v1/scenarios/{scenario_id}/what-if", headers=auth["planner"],
                json={"edits": [{"op": "remove_employee", "nip": NIPS[1]}]})
    bad = (tiny / "employees.csv").read_text().replace("III/c", "III/x")
    client.post("/api/v1/scenarios", headers=auth["planner"], files={
        "scenario": ("scenario.yaml", (tiny / "scenario.yaml").read_bytes()),
        "employees": ("employees.csv", bad.encode()),
        "positions": ("positions.csv", (tiny / "positions.csv").read_bytes())})
    text = caplog.text
    assert job_id in text  # the job log lines are captured
    for secret in (*NIPS, *NAMES):
        assert secret not in text


def test_plans_are_readable_while_shortlists_compute(client: TestClient, auth: dict,
                                                     tiny: Path, monkeypatch) -> None:
    """With shortlist_time the document is stored as soon as the plans are proven
    (shortlists pending), the job's progress counts the posts, and the finished job
    has every shortlist."""
    import api.jobs

    reached, gate = threading.Event(), threading.Event()
    real = api.jobs.shortlists_into

    def held(document, *args, on_update, **kwargs):
        def hook(done, total):
            on_update(done, total)
            if done == 0:
                reached.set()
                gate.wait(30)

        real(document, *args, on_update=hook, **kwargs)

    monkeypatch.setattr(api.jobs, "shortlists_into", held)
    scenario_id = upload(client, auth["planner"], tiny)
    job_id = _start(client, auth["planner"], scenario_id,
                    {"plans": 1, "time_limit": 10, "shortlist_time": 30})
    try:
        assert reached.wait(30)
        job = client.get(f"/api/v1/jobs/{job_id}", headers=auth["viewer"]).json()
        assert job["status"] == "running"
        assert job["progress"]["shortlists_done"] == 0
        total = job["progress"]["shortlists_total"]
        assert total > 0
        early = client.get(f"/api/v1/jobs/{job_id}/plans", headers=auth["viewer"])
        assert early.status_code == 200
        assert early.json()["plans"][0]["shortlists_pending"] is True
        assert early.json()["shortlists_progress"] == {"done": 0, "total": total}
    finally:
        gate.set()
    job = wait_job(client, auth["viewer"], job_id)
    assert job["status"] == "done"
    assert job["params"]["shortlist_time"] == 30
    assert job["progress"]["shortlists_done"] == job["progress"]["shortlists_total"] == total
    document = client.get(f"/api/v1/jobs/{job_id}/plans", headers=auth["viewer"]).json()
    plan = document["plans"][0]
    assert "shortlists_pending" not in plan and plan["shortlists_complete"]
    assert len(plan["shortlists"]) == total
