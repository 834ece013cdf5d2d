"""Schemathesis against the OpenAPI spec of a real ``penata serve`` on loopback.

Promises: no generated request (valid or not, for every operation) gets a 5xx, and
no operation that needs a token answers without one (``ignored_auth``). The server
runs in production mode with the docs switched back on by ``PENATA_DOCS``, the
setting that exposes ``/openapi.json``. The run is seeded with a solved scenario and
a decision so that the id-taking operations reach their logic rather than 404.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from reliability.common import Server, cli_token, multipart, server_env, wait_job, write_tiny

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


def test_no_request_gets_a_server_error(tmp_path: Path) -> None:
    env = server_env(tmp_path, rate_limit_per_minute=0, default_time_limit=5,
                     max_time_limit=10, max_plans=3, production="true", docs="true")
    token = cli_token(env, tmp_path)
    headers = {"Authorization": f"Bearer {token}"}
    server = Server(env, tmp_path, log_level="warning")
    try:
        write_tiny(tmp_path / "tiny")
        scenario_id = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                                 files=multipart(tmp_path / "tiny"), timeout=60).json()["id"]
        job_id = httpx.post(f"{server.url}/api/v1/scenarios/{scenario_id}/jobs",
                            headers=headers, timeout=60).json()["id"]
        assert wait_job(server.url, headers, job_id)["status"] == "done"
        config = tmp_path / "schemathesis.toml"
        config.write_text(
            "[parameters]\n"
            + "".join(f'"path.{name}" = {json.dumps(value)}\n' for name, value in (
                ("scenario_id", scenario_id), ("job_id", job_id), ("other_job", job_id),
                ("rank", 1), ("other_rank", 2))),
            encoding="utf-8")
        report = tmp_path / "report.json"
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config),
             "--no-color", "run", f"{server.url}/openapi.json",
             "--checks", "not_a_server_error,ignored_auth", "--header", f"Authorization: Bearer {token}",
             "--max-examples", "25", "--phases", "examples,coverage,fuzzing",
             "--workers", "2", "--seed", "20270102", "--generation-database", "none",
             "--no-shrink", "--request-timeout", "60", "--report", "junit",
             "--report-junit-path", str(report)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=360)
        output = run.stdout + run.stderr
        assert run.returncode == 0, output[-6000:]
        assert "passed" in output
        assert " 500 " not in server.log() and "Traceback" not in server.log()
    finally:
        server.stop()
