"""compose.yaml's commands and settings are real: each service's ``command`` runs with its
``environment`` (anchors, merge keys and ``${...}`` interpolation resolved as Compose
does) as a local process against a real PostgreSQL server.

No Docker engine runs on the machine that wrote this test, so the containers and the
image (Dockerfile) are not built here. What a container adds is replaced, and only that:
the ``postgres`` service is the test fixture's PostgreSQL (``postgres:5432/penata`` in
``DATABASE_URL`` becomes its address and a fresh database), ``penata`` is this checkout's
entry point (``python -m api.cli``, the script's ``api.cli:main``), and the ports a
container would have to itself (the API's 8000, each worker's metrics port) become free
ports of this host, listening on loopback. Then: ``migrate`` upgrades the store, the
README's ``docker compose run --rm migrate penata token create`` makes a token, ``api``
and ``worker`` (its ``deploy.replicas``) start, their healthchecks pass, a round is
submitted and finishes, ``/readyz`` is ready and both workers are registered.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import yaml
from api_helpers import multipart, write_tiny
from prometheus_client.parser import text_string_to_metric_families

from tests.reliability.common import REPO, free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

COMPOSE = REPO / "compose.yaml"
# Compose's interpolation: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}.
VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
                      r"(?:(?P<op>:-|-|:\?|\?)(?P<arg>[^}]*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        found = env.get(name)
        if op in (":-", ":?") and not found:
            found = None
        if found is not None:
            return found
        if op in (":?", "?"):
            raise AssertionError(f"compose.yaml needs {name}: {arg}")
        return arg if op in (":-", "-") else ""

    return VARIABLE.sub(value, text)


def load_compose(env: dict[str, str]) -> dict[str, Any]:
    return yaml.safe_load(interpolate(COMPOSE.read_text(), env))  # merge keys: PyYAML's


def test_interpolation_follows_compose() -> None:
    env = {"A": "x", "EMPTY": ""}
    assert interpolate("${A} ${A:-d} ${EMPTY:-d} ${EMPTY-d} ${NONE-d} ${NONE} $$A",
                       env) == "x x d  d  $A"
    with pytest.raises(AssertionError, match="compose.yaml needs NONE: say so"):
        interpolate("${NONE:?say so}", env)


def _command(argv: list[str]) -> list[str]:
    """The service's command with this checkout's ``penata`` (and python)."""
    head, *rest = argv
    if head == "penata":
        return [sys.executable, "-m", "api.cli", *rest]
    if head == "python":
        return [sys.executable, *rest]
    raise AssertionError(f"compose.yaml runs {head!r}, which this test cannot map")


def _with_port(argv: list[str], option: str, value: str) -> list[str]:
    assert option in argv, argv
    at = argv.index(option)
    return [*argv[:at + 1], value, *argv[at + 2:]]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """The process environment: this host's minus any Penata setting, plus the service's."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("PENATA_") and k != "DATABASE_URL"}
    return {**base, **{k: str(v) for k, v in (service.get("environment") or {}).items()}}


class _Started:
    def __init__(self, argv: list[str], env: dict[str, str], log: Path):
        self.log_path = log
        self._log: IO[str] = log.open("w")
        self.process = subprocess.Popen(argv, env=env, cwd=log.parent, stdout=self._log,
                                        stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, grace: float) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


def _seconds(text: str) -> float:
    match = re.fullmatch(r"(\d+)s", text)
    assert match, text
    return float(match.group(1))


def _healthcheck(service: dict[str, Any], port: int, expose: int, env: dict[str, str],
                 deadline: float) -> None:
    """Run the service's healthcheck (its port mapped) until it passes."""
    kind, *argv = service["healthcheck"]["test"]
    assert kind == "CMD"
    argv = [arg.replace(f":{expose}/", f":{port}/") for arg in argv]
    while True:
        done = subprocess.run(_command(argv), env=env, capture_output=True, text=True,
                              timeout=60)
        if done.returncode == 0:
            return
        assert time.monotonic() < deadline, f"healthcheck {argv} fails: {done.stderr}"
        time.sleep(0.5)


def _samples(text: str) -> dict[str, float]:
    return {sample.name: sample.value for family in text_string_to_metric_families(text)
            for sample in family.samples if not sample.labels}


def test_compose_services_run_as_written(postgres, tmp_path: Path) -> None:
    compose = load_compose({"POSTGRES_PASSWORD": "not-used-trust-auth"})
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", "api", "worker", "ray-head"}
    assert services["ray-head"]["profiles"] == ["ray"]  # optional; not started here
    store = postgres.new_database()
    written = services["migrate"]["environment"]["DATABASE_URL"]
    assert re.fullmatch(r"postgresql://penata:[^@]+@postgres:5432/penata", written), written
    for service in services.values():  # the postgres service is the fixture's server
        if "DATABASE_URL" in (service.get("environment") or {}):
            assert service["environment"]["DATABASE_URL"] == written
            service["environment"]["DATABASE_URL"] = store
    for name in ("migrate", "api", "worker"):
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"

    migrate = services["migrate"]
    env = _environment(migrate)
    done = subprocess.run(_command(migrate["command"]), env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Store at schema revision 0003 (postgresql)"
    # README: docker compose run --rm migrate penata token create --role planner
    created = subprocess.run(_command(["penata", "token", "create", "--role", "planner"]),
                             env=env, cwd=tmp_path, capture_output=True, text=True,
                             timeout=180)
    assert created.returncode == 0, created.stderr
    headers = {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}

    api = services["api"]
    assert api["ports"] == ["8000:8000"]
    api_port = free_port()
    argv = _with_port(_with_port(_command(api["command"]), "--port", str(api_port)),
                      "--host", "127.0.0.1")
    api_env = _environment(api)
    assert api_env["PENATA_EMBEDDED_WORKER"] == "false"
    started = [_Started(argv, api_env, tmp_path / "api.log")]
    worker = services["worker"]
    replicas = worker["deploy"]["replicas"]
    assert replicas == 2
    worker_ports = []
    try:
        url = f"http://127.0.0.1:{api_port}"
        for n in range(replicas):
            worker_env = _environment(worker)
            worker_ports.append(free_port())
            assert worker_env["PENATA_WORKER_METRICS_PORT"] == "9100"
            worker_env["PENATA_WORKER_METRICS_PORT"] = str(worker_ports[-1])
            worker_env["PENATA_WORKER_METRICS_HOST"] = "127.0.0.1"
            started.append(_Started(_command(worker["command"]), worker_env,
                                    tmp_path / f"worker-{n + 1}.log"))
        deadline = time.monotonic() + 180
        _healthcheck(api, api_port, 8000, api_env, deadline)  # /readyz: a worker is alive
        for port in worker_ports:
            _healthcheck(worker, port, 9100, api_env, deadline)
        tiny = tmp_path / "tiny"
        write_tiny(tiny)
        response = httpx.post(f"{url}/api/v1/scenarios", headers=headers,
                              files=multipart(tiny), timeout=60)
        assert response.status_code == 201, response.text
        response = httpx.post(f"{url}/api/v1/scenarios/{response.json()['id']}/jobs",
                              headers=headers, json={"time_limit": 30}, timeout=60)
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        while True:
            job = httpx.get(f"{url}/api/v1/jobs/{job_id}", headers=headers, timeout=30).json()
            if job["status"] not in ("queued", "running"):
                break
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "done", job
        plans = httpx.get(f"{url}/api/v1/jobs/{job_id}/plans", headers=headers, timeout=30)
        assert plans.status_code == 200 and plans.json()["plans"]
        assert httpx.get(f"{url}/readyz", timeout=30).json() == {"status": "ready"}
        metrics = _samples(httpx.get(f"{url}/metrics", headers=headers, timeout=30).text)
        assert metrics["penata_workers_alive"] == replicas
        assert metrics["penata_worker_slots"] == replicas * int(
            worker["environment"]["PENATA_MAX_WORKERS"])
        assert httpx.get(f"{url}/docs", timeout=30).status_code == 404  # production
    finally:
        grace = _seconds(worker["stop_grace_period"])
        codes = [process.stop(grace) for process in reversed(started)]
    # SIGTERM: the workers exit 0; uvicorn re-raises the signal after its clean shutdown.
    assert codes == [0] * replicas + [-15], [p.log()[-2000:] for p in started]
    logs = [process.log() for process in started]
    assert '"message": "Application shutdown complete."' in logs[0]
    for log in logs:  # PENATA_LOG_FORMAT=json: every line is an object
        assert all(line.startswith("{") for line in log.splitlines() if line.strip()), log
    assert sum(f'"job_id": "{job_id}"' in log for log in logs[1:]) == 1  # one worker ran it
