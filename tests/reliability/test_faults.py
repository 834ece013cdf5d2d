"""kill -9 of a real ``penata serve`` during a solve.

Promise: nothing committed is lost (SQLite in WAL mode, one transaction per
change): scenarios, finished plans and committee decisions survive; the job that
was running, and the one queued behind it, run again after the restart and give
the same plans as a job that was never interrupted. Two servers on one store
never run the same job.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from reliability.common import Server, cli_token, multipart, server_env, wait_job, write_tiny
from solver.generate import generate_scenario

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _upload(url: str, headers: dict[str, str], directory: Path) -> str:
    files = {role: (name, (directory / name).read_bytes()) for role, name in (
        ("scenario", "scenario.yaml"), ("employees", "employees.csv"),
        ("positions", "positions.csv"))}
    response = httpx.post(f"{url}/api/v1/scenarios", headers=headers, files=files, timeout=120)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_kill_9_during_a_solve_loses_nothing(tmp_path: Path) -> None:
    env = server_env(tmp_path, max_workers=1)
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    tiny = tmp_path / "tiny"
    write_tiny(tiny)
    big = tmp_path / "big"
    # Solves to optimality in seconds (so it is deterministic), long enough to be
    # killed in the middle.
    generate_scenario("kota_binjai", 3, big, employees=1500)
    big_job = {"plans": 2, "time_limit": 600}

    server = Server(env, tmp_path)
    try:
        # Committed before the crash: a solved scenario with a decision, and a big one.
        response = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                              files=multipart(tiny), timeout=60)
        tiny_id = response.json()["id"]
        done = httpx.post(f"{server.url}/api/v1/scenarios/{tiny_id}/jobs", headers=headers,
                          json={"time_limit": 30}, timeout=60).json()["id"]
        assert wait_job(server.url, headers, done)["status"] == "done"
        plans = httpx.get(f"{server.url}/api/v1/jobs/{done}/plans", headers=headers,
                          timeout=30).json()
        move = next(a for a in plans["plans"][0]["assignments"])
        decision = httpx.post(f"{server.url}/api/v1/scenarios/{tiny_id}/decisions",
                              headers=headers, timeout=60, json={
                                  "action": "approve", "nip": move["nip"],
                                  "position": move["position"], "reason": "sesuai"})
        assert decision.status_code == 201, decision.text
        big_id = _upload(server.url, headers, big)
        running = httpx.post(f"{server.url}/api/v1/scenarios/{big_id}/jobs", headers=headers,
                             json=big_job, timeout=60).json()["id"]
        queued = httpx.post(f"{server.url}/api/v1/scenarios/{tiny_id}/jobs", headers=headers,
                            json={"time_limit": 30}, timeout=60).json()["id"]
        wait_job(server.url, headers, running, until=("running",))
    finally:
        server.kill()  # SIGKILL: no shutdown handler marks anything

    with sqlite3.connect(tmp_path / "store.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        left = dict(db.execute("SELECT id, status FROM jobs WHERE id IN (?, ?)",
                               (running, queued)).fetchall())
    assert left == {running: "running", queued: "queued"}  # what the dead process left


    server = Server(env, tmp_path)
    try:
        rerun = wait_job(server.url, headers, running, timeout=600)
        assert (rerun["status"], rerun["attempts"]) == ("done", 2), rerun
        assert wait_job(server.url, headers, queued, timeout=120)["status"] == "done"
        scenarios = {s["id"] for s in httpx.get(f"{server.url}/api/v1/scenarios",
                                                headers=headers, timeout=30).json()}
        assert {tiny_id, big_id} <= scenarios
        again = httpx.get(f"{server.url}/api/v1/jobs/{done}/plans", headers=headers,
                          timeout=30).json()
        assert again == plans
        log = httpx.get(f"{server.url}/api/v1/scenarios/{tiny_id}/decisions",
                        headers=headers, timeout=30).json()
        assert log["verified"] and len(log["entries"]) == 1
        assert log["entries"][0]["nip"] == move["nip"]
        # The re-run gives the plans of a job that was never interrupted.
        fresh = httpx.post(f"{server.url}/api/v1/scenarios/{big_id}/jobs", headers=headers,
                           json=big_job, timeout=60)
        assert fresh.status_code == 202, fresh.text
        finished = wait_job(server.url, headers, fresh.json()["id"], timeout=600)
        assert (finished["status"], finished["attempts"]) == ("done", 1), finished
        assert _plans(server.url, headers, running) \
            == _plans(server.url, headers, fresh.json()["id"])
    finally:
        server.stop()


def _plans(url: str, headers: dict[str, str], job_id: str) -> list[dict]:
    document = httpx.get(f"{url}/api/v1/jobs/{job_id}/plans", headers=headers, timeout=60)
    assert document.status_code == 200, document.text
    plans = document.json()["plans"]
    assert plans
    return plans


def test_two_servers_on_one_store_never_run_a_job_twice(tmp_path: Path) -> None:
    env = server_env(tmp_path, max_workers=2, job_poll_seconds=0.05)
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    tiny = tmp_path / "tiny"
    write_tiny(tiny)
    servers = [Server(env, tmp_path), Server(env, tmp_path)]
    try:
        response = httpx.post(f"{servers[0].url}/api/v1/scenarios", headers=headers,
                              files=multipart(tiny), timeout=60)
        scenario_id = response.json()["id"]
        jobs = []
        for n in range(16):  # both servers queue, both claim
            url = servers[n % 2].url
            started = httpx.post(f"{url}/api/v1/scenarios/{scenario_id}/jobs",
                                 headers=headers, json={"time_limit": 30}, timeout=60)
            assert started.status_code == 202, started.text
            jobs.append(started.json()["id"])
        for n, job_id in enumerate(jobs):
            job = wait_job(servers[(n + 1) % 2].url, headers, job_id, timeout=300)
            assert (job["status"], job["attempts"]) == ("done", 1), job
    finally:
        for server in servers:
            server.stop()
    # Claims counted in the servers' logs: each job started exactly once, anywhere.
    starts = [line for server in servers for line in server.log().splitlines()
              if ": started (scenario" in line]
    started = [job_id for job_id in jobs for line in starts if f"job {job_id}:" in line]
    assert sorted(started) == sorted(jobs), starts
