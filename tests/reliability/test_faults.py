"""kill -9 of a real ``penata serve`` during a solve.

Promise: nothing committed is lost (SQLite in WAL mode, one transaction per
change): scenarios, finished plans and committee decisions survive; the job that
was running is marked failed on restart and the scenario can be solved again.
"""

from __future__ import annotations

import sqlite3
import time
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
    generate_scenario("kota_binjai", 3, big, employees=1500)

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
                             json={"time_limit": 300}, timeout=60).json()["id"]
        wait_job(server.url, headers, running, until=("running",))
        time.sleep(1.0)  # well inside the solve
    finally:
        server.kill()  # SIGKILL: no shutdown handler marks anything

    with sqlite3.connect(tmp_path / "store.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        status = db.execute("SELECT status FROM jobs WHERE id = ?", (running,)).fetchone()[0]
    assert status == "running"  # what the dead process left behind

    server = Server(env, tmp_path)
    try:
        job = httpx.get(f"{server.url}/api/v1/jobs/{running}", headers=headers,
                        timeout=30).json()
        assert job["status"] == "failed"
        assert "restarted" in job["error"]
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
        # The failed job can be run again (shorter limit to keep the test quick).
        rerun = httpx.post(f"{server.url}/api/v1/scenarios/{big_id}/jobs", headers=headers,
                           json={"time_limit": 20}, timeout=60)
        assert rerun.status_code == 202, rerun.text
        finished = wait_job(server.url, headers, rerun.json()["id"], timeout=120)
        assert finished["status"] == "done", finished
    finally:
        server.stop()
