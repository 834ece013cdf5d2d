"""Log lines (api.logs): opt-in JSON, one object a line, with the job id; never a NIP
or a name."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from api_helpers import NAMES, NIPS, write_tiny

from api.config import Settings
from api.logs import JsonFormatter
from tests.reliability.common import Server, cli_token, multipart, server_env, wait_job

pytestmark = pytest.mark.timeout(300)


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("penata.api.jobs", logging.INFO, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_a_json_line_carries_the_job_id_and_the_formatted_message() -> None:
    line = JsonFormatter().format(_record("job %s: OPTIMAL, %d plan(s)", "abc123", 2))
    fields = json.loads(line)
    assert fields["job_id"] == "abc123"
    assert fields["message"] == "job abc123: OPTIMAL, 2 plan(s)"
    assert (fields["level"], fields["logger"]) == ("INFO", "penata.api.jobs")
    assert "job_id" not in json.loads(JsonFormatter().format(_record("store ready (%s)", "x")))
    explicit = json.loads(JsonFormatter().format(_record("claimed", job_id="def456")))
    assert explicit["job_id"] == "def456"
    # A message with quotes, newlines and non-ASCII stays one valid line.
    odd = JsonFormatter().format(_record('job %s: "x"\nñ', "j"))
    assert "\n" not in odd and json.loads(odd)["message"] == 'job j: "x"\nñ'


def test_text_is_the_default() -> None:
    assert Settings().log_format == "text"


def test_a_real_server_and_its_solver_process_log_json(tmp_path: Path) -> None:
    env = server_env(tmp_path, log_format="json")
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    write_tiny(tmp_path / "tiny")
    server = Server(env, tmp_path)
    try:
        response = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                              files=multipart(tmp_path / "tiny"), timeout=60)
        assert response.status_code == 201, response.text
        scenario_id = response.json()["id"]
        job_id = httpx.post(f"{server.url}/api/v1/scenarios/{scenario_id}/jobs",
                            headers=headers, json={"time_limit": 30},
                            timeout=60).json()["id"]
        assert wait_job(server.url, headers, job_id)["status"] == "done"
    finally:
        server.stop()
    log = server.log()
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]
    about_job = [line for line in lines if line.get("job_id") == job_id]
    messages = [line["message"] for line in about_job]
    assert any(m.startswith(f"job {job_id}: started") for m in messages), messages
    assert any(m.startswith(f"job {job_id}: OPTIMAL") for m in messages), messages
    # The solve ran in the solver process, which logs JSON too.
    assert {line["pid"] for line in about_job} != {server.process.pid}
    assert any("GET /api/v1/jobs/" in line["message"] for line in lines)  # uvicorn's too
    for secret in (*NIPS, *NAMES):
        assert secret not in log
