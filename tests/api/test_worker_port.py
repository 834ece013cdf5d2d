"""The HTTP port of ``penata worker`` (api/worker_port.py): a real worker process with
``--metrics-port`` (or PENATA_WORKER_METRICS_PORT) next to a real API that only queues."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.deps import INVALID_TOKEN, NOT_AUTHENTICATED
from tests.reliability.common import (
    Server,
    Worker,
    cli,
    cli_token,
    free_port,
    multipart,
    server_env,
    wait_job,
    write_tiny,
)

pytestmark = pytest.mark.timeout(300)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_a_worker_serves_its_health_and_metrics(tmp_path: Path) -> None:
    port = free_port()
    env = server_env(tmp_path, embedded_worker="false", worker_metrics_port=port)
    viewer = {"Authorization": f"Bearer {cli_token(env, tmp_path, 'viewer')}"}
    planner = {"Authorization": f"Bearer {cli_token(env, tmp_path, 'planner')}"}
    server = Server(env, tmp_path)
    worker = Worker(env, tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        assert f"/healthz and /metrics on 127.0.0.1:{port}" in worker.log()
        health = httpx.get(f"{url}/healthz", timeout=30)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert httpx.get(f"{url}/nope", timeout=30).json() == {"detail": "Not Found"}
        bare = httpx.get(f"{url}/metrics", timeout=30)
        assert (bare.status_code, bare.json()) == (401, {"detail": NOT_AUTHENTICATED})
        wrong = httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer nope"},
                          timeout=30)
        assert (wrong.status_code, wrong.json()) == (401, {"detail": INVALID_TOKEN})
        tiny = tmp_path / "tiny"
        write_tiny(tiny)
        scenario = httpx.post(f"{server.url}/api/v1/scenarios", headers=planner,
                              files=multipart(tiny), timeout=60).json()["id"]
        job = httpx.post(f"{server.url}/api/v1/scenarios/{scenario}/jobs", headers=planner,
                         json={"time_limit": 30}, timeout=60).json()["id"]
        assert wait_job(server.url, viewer, job, timeout=240)["status"] == "done"
        response = httpx.get(f"{url}/metrics", headers=viewer, timeout=30)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
        metrics = _samples(response.text)
        # The worker's own runner ran the job: its timings are here, not on the API.
        assert metrics[("penata_job_claims_total", ())] == 1
        assert metrics[("penata_solve_seconds_count", (("outcome", "done"),))] == 1
        assert metrics[("penata_queue_wait_seconds_count", ())] == 1
        assert metrics[("penata_jobs", (("state", "done"),))] == 1
        assert metrics[("penata_workers_alive", ())] == 1
        assert metrics[("penata_ready", ())] == 1
        api_metrics = _samples(httpx.get(f"{server.url}/metrics", headers=viewer,
                                         timeout=30).text)
        assert api_metrics[("penata_job_claims_total", ())] == 0
    finally:
        worker.stop()
        server.stop()
    assert worker.process.returncode == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/healthz", timeout=5)


def test_a_metrics_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = server_env(tmp_path)
        cli("db", "upgrade", cwd=tmp_path, env=env)
        done = cli("worker", "--metrics-port", str(port), cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(
        f"--metrics-port: cannot listen on 127.0.0.1:{port} (")
    assert "Traceback" not in done.stderr
