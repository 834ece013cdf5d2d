"""A real ``penata serve`` process: upload -> job -> plans, equal to ``penata solve``."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from api_helpers import NAMES, NIPS, multipart, write_tiny

from tests.reliability.common import Server
from tests.reliability.common import cli as _penata

pytestmark = pytest.mark.timeout(300)


def test_real_server_matches_the_cli(tmp_path: Path) -> None:
    scenario_dir = tmp_path / "tiny"
    yaml_path = write_tiny(scenario_dir)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
           "PENATA_MAX_WORKERS": "1"}
    env.pop("PENATA_JOB_ISOLATION", None)  # the default: the solve in a solver process
    created = _penata("token", "create", "--role", "planner", env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}

    server = Server(env, tmp_path)
    try:
        assert httpx.get(f"{server.url}/api/v1/scenarios").status_code == 401
        response = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                              files=multipart(scenario_dir), timeout=60)
        assert response.status_code == 201, response.text
        scenario_id = response.json()["id"]
        response = httpx.post(f"{server.url}/api/v1/scenarios/{scenario_id}/jobs",
                              headers=headers, json={"time_limit": 30}, timeout=30)
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        deadline = time.monotonic() + 120
        while True:
            job = httpx.get(f"{server.url}/api/v1/jobs/{job_id}", headers=headers,
                            timeout=30).json()
            if job["status"] not in ("queued", "running"):
                break
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "done", job
        response = httpx.get(f"{server.url}/api/v1/jobs/{job_id}/plans", headers=headers,
                             timeout=30)
        assert response.status_code == 200
        api_document = response.json()
        assert httpx.get(f"{server.url}/docs", timeout=30).status_code == 200
    finally:
        server.stop()

    solved = _penata("solve", str(yaml_path), "--out", str(tmp_path / "out"),
                     "--time-limit", "30", "--shortlist-time", "0", env=env,
                     cwd=tmp_path)
    assert solved.returncode == 0, solved.stderr
    cli_document = json.loads((tmp_path / "out" / "plans.json").read_text())
    assert "run" in api_document and "run" in cli_document
    api_document.pop("run"), cli_document.pop("run")
    assert api_document == cli_document

    # The store is the SQLite default, in WAL mode, and outlives the process.
    with sqlite3.connect(tmp_path / "store.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    server = Server(env, tmp_path)
    try:
        again = httpx.get(f"{server.url}/api/v1/jobs/{job_id}/plans", headers=headers,
                          timeout=30).json()
        again.pop("run")
        assert again == api_document
    finally:
        server.stop()
    logs = "".join(p.read_text() for p in tmp_path.glob("server-*.log"))
    assert f"job {job_id}: started" in logs
    for secret in (*NIPS, *NAMES):
        assert secret not in logs
