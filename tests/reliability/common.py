"""Shared helpers of the reliability suite: a tiny valid scenario, a real server."""

from __future__ import annotations

import csv
import io
import os
import re
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx

REPO = Path(__file__).resolve().parents[2]

SCENARIO_YAML = """\
name: tiny
as_of: 2027-01-02
employees: employees.csv
positions: positions.csv
assessments: assessments.csv
rules:
  min_tenure_months: 0
plans:
  count: 2
  min_difference: 1
"""

POSITIONS = [
    ["id", "title", "unit", "level", "grade_min", "grade_max", "headcount", "must_fill",
     "priority", "c.integritas", "c.komunikasi"],
    ["001", "Kepala Seksi A", "Dinas A", "3", "III/c", "III/d", "1", "true", "2", "3", "4"],
    ["002", "Kepala Seksi B", "Dinas A", "3", "III/c", "III/d", "1", "", "1", "4", "4"],
    ["003", "Kabid", "Dinas A", "4", "III/d", "IV/a", "1", "", "3", "4", "4"],
]

EMPLOYEES = [
    ["nip", "name", "grade", "current_position", "position_since", "current_level",
     "performance", "potential", "c.integritas", "c.komunikasi"],
    ["198001012005011001", "Andi Saputra", "III/d", "001", "2020-01-01", "", "sangat_baik",
     "tinggi", "4", "4"],
    ["198101012005011002", "Budi Santoso", "III/c", "002", "2024-01-01", "", "baik",
     "menengah", "3", "3"],
    ["198201012005011003", "Citra Lestari", "III/d", "", "", "3", "baik", "tinggi", "4", ""],
]

ASSESSMENTS = [
    ["nip", "position", "score"],
    ["198001012005011001", "003", "80"],
    ["198201012005011003", "003", "90"],
]

NIPS = tuple(row[0] for row in EMPLOYEES[1:])
NAMES = tuple(row[1] for row in EMPLOYEES[1:])
TABLES = {"employees.csv": EMPLOYEES, "positions.csv": POSITIONS,
          "assessments.csv": ASSESSMENTS}


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_tiny(directory: Path, *, yaml_text: str = SCENARIO_YAML,
               files: dict[str, bytes] | None = None) -> Path:
    """Write the tiny scenario (``files`` replaces some of the files' bytes)."""
    directory.mkdir(parents=True, exist_ok=True)
    contents: dict[str, bytes] = {"scenario.yaml": yaml_text.encode("utf-8")}
    contents.update({name: csv_bytes(rows) for name, rows in TABLES.items()})
    contents.update(files or {})
    for name, content in contents.items():
        (directory / name).write_bytes(content)
    return directory / "scenario.yaml"


# --------------------------------------------------------------------------- messages

TABLE_MESSAGE = re.compile(r"^(?P<file>[^:]+?)(?: row (?P<row>\d+)(?:, column (?P<column>.+?))?)?: ")


def check_messages(errors: list[str], files: set[str]) -> None:
    """Every message starts with one of ``files``; none is empty or huge."""
    assert errors, "InputError without messages"
    for message in errors:
        assert any(message.startswith(name) for name in files), message
        assert len(message) < 2000, f"message of {len(message)} characters"
        assert "Traceback" not in message


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=cwd,
                          env=env or server_env(cwd), capture_output=True, text=True,
                          timeout=timeout)


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(directory: Path, **settings: Any) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{directory / 'store.db'}"}
    env.pop("PENATA_CORS_ORIGINS", None)
    env.pop("PENATA_JOB_ISOLATION", None)  # real servers solve in solver processes
    env.update({f"PENATA_{key.upper()}": str(value) for key, value in settings.items()})
    return env


def cli_token(env: dict[str, str], cwd: Path, role: str = "planner") -> str:
    created = cli("token", "create", "--role", role, cwd=cwd, env=env)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


def _limits(limits: dict[int, int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` setting resource limits (``resource.RLIMIT_*``) in the child."""
    if not limits:
        return None

    def apply() -> None:
        for which, value in limits.items():
            resource.setrlimit(which, (value, value))

    return apply


class _Process:
    """A real Penata process whose output goes to ``log_path`` (set by the subclass with
    ``process`` and ``_log``)."""

    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[str]

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs."""
        self.process.kill()
        self.process.wait()
        self._log.close()

    def _stop(self, timeout: float) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within ``timeout`` seconds."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class Server(_Process):
    """A real ``penata serve`` process on loopback; its log goes to ``log_path``.
    ``limits``: resource limits of the process (and its solver processes)."""

    def __init__(self, env: dict[str, str], cwd: Path, log_level: str = "info",
                 limits: dict[int, int] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / f"server-{self.port}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", log_level],
            env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
            preexec_fn=_limits(limits))
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}: "
                                     + self.log_path.read_text())
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("server did not come up")
            time.sleep(0.2)

    def stop(self) -> None:
        self._stop(timeout=30)


class Worker(_Process):
    """A real ``penata worker`` process; its log goes to ``log_path``."""

    def __init__(self, env: dict[str, str], cwd: Path, name: str = "worker",
                 args: tuple[str, ...] = ()):
        self.log_path = cwd / f"{name}.log"
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker", "--log-level", "info", *args],
            env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while "solve(s) at a time" not in self.log():
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}: "
                                     + self.log())
            assert time.monotonic() < deadline, "worker did not come up: " + self.log()
            time.sleep(0.1)

    def solver_pids(self) -> list[int]:
        return solver_pids(self.log())

    def stop(self) -> None:
        self._stop(timeout=60)


def solver_pids(log: str) -> list[int]:
    """Pids of the solver processes a server or worker log says it started."""
    return [int(pid) for pid in re.findall(r"solver process (\d+) started", log)]


def gone(pid: int, timeout: float = 30) -> bool:
    """Whether process ``pid`` has exited (or does within ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie of ours counts as gone
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z"):
                return True
        except (OSError, IndexError):
            return True
        time.sleep(0.1)
    return False


def multipart(directory: Path) -> dict[str, tuple[str, bytes]]:
    return {role: (name, (directory / name).read_bytes()) for role, name in (
        ("scenario", "scenario.yaml"), ("employees", "employees.csv"),
        ("positions", "positions.csv"), ("assessments", "assessments.csv"))
        if (directory / name).exists()}


def wait_job(url: str, headers: dict[str, str], job_id: str, timeout: float = 120,
             until: tuple[str, ...] = ("done", "failed", "cancelled")) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(f"{url}/api/v1/jobs/{job_id}", headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        body = response.json()
        if body["status"] in until:
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)
