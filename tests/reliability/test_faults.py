"""Faults of real processes: ``penata serve``, ``penata worker``, their solver
processes, PostgreSQL, the disk.

Promise: nothing committed is lost (SQLite in WAL mode, one transaction per
change): scenarios, finished plans and committee decisions survive; the job that
was running, and the one queued behind it, run again after the restart and give
the same plans as a job that was never interrupted. Two servers on one store
never run the same job. A worker or solver process killed mid-solve costs its job
one attempt, never the API; a server killed mid-upload leaves no half scenario; a
store that is away answers 503 and the service recovers when it is back; a full
disk is a clear 507 and corrupts nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.errors import STORE_FULL, STORE_UNAVAILABLE
from api.queue import memory_error
from api.readiness import no_worker_alive
from reliability.common import (
    Server,
    Worker,
    cli,
    cli_token,
    gone,
    multipart,
    server_env,
    solver_pids,
    wait_job,
    write_tiny,
)
from solver.generate import generate_scenario
from tests.api.pg_server import PostgresServer, unavailable

# Bytes a file of the store may grow beyond its size in the disk-full test (RLIMIT_FSIZE).
WRITE_ROOM = 128 * 1024

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _upload(url: str, headers: dict[str, str], directory: Path) -> str:
    response = httpx.post(f"{url}/api/v1/scenarios", headers=headers,
                          files=multipart(directory), timeout=120)
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


# --------------------------------------------------------------------------- issue 18


def _binjai(directory: Path, employees: int = 1500) -> Path:
    """A round that solves to OPTIMAL in seconds: deterministic, long enough to kill."""
    generate_scenario("kota_binjai", 3, directory, employees=employees)
    return directory


def test_kill_9_of_a_worker_mid_solve_reruns_the_job(tmp_path: Path) -> None:
    env = server_env(tmp_path, embedded_worker="false", job_poll_seconds=0.2)
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    big = _binjai(tmp_path / "big")
    server = Server(env, tmp_path)  # queues only: PENATA_EMBEDDED_WORKER=false
    first = Worker(env, tmp_path, "worker-1")
    second = None
    try:
        big_id = _upload(server.url, headers, big)
        job = httpx.post(f"{server.url}/api/v1/scenarios/{big_id}/jobs", headers=headers,
                         json={"plans": 2, "time_limit": 600}, timeout=60).json()["id"]
        wait_job(server.url, headers, job, until=("running",))
        (solver,) = first.solver_pids()
        first.kill()
        # The worker's solver process dies with it; the API never noticed anything.
        assert gone(solver), f"solver process {solver} outlived its worker"
        assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 200
        left = httpx.get(f"{server.url}/api/v1/jobs/{job}", headers=headers, timeout=30)
        assert left.json()["status"] == "running"  # the dead worker's claim, until reaped
        second = Worker(env, tmp_path, "worker-2")
        rerun = wait_job(server.url, headers, job, timeout=600)
        assert (rerun["status"], rerun["attempts"]) == ("done", 2), rerun
        assert _plans(server.url, headers, job)
    finally:
        for process in (first, second, server):
            if process is not None:
                process.stop()
    assert f"job {job}: started" in (tmp_path / "worker-2.log").read_text()


def _readyz_until(url: str, code: int, timeout: float = 120) -> dict:
    """Poll /readyz until it answers ``code`` (generous deadline, no duration asserted)."""
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(f"{url}/readyz", timeout=30)
        if response.status_code == code:
            return response.json()
        assert time.monotonic() < deadline, (response.status_code, response.text)
        time.sleep(0.2)


def _workers_in_store(store: Path) -> list[tuple[str, int]]:
    with contextlib.closing(sqlite3.connect(store)) as connection:
        return connection.execute("SELECT id, pid FROM workers ORDER BY id").fetchall()


def test_readyz_of_a_queue_only_api_follows_its_workers(tmp_path: Path) -> None:
    stale = 3  # PENATA_WORKER_STALE_SECONDS: short, so the test is
    env = server_env(tmp_path, embedded_worker="false", worker_stale_seconds=stale)
    viewer = {"Authorization": f"Bearer {cli_token(env, tmp_path, 'viewer')}"}
    server = Server(env, tmp_path)
    workers: list[Worker] = []
    try:
        assert _readyz_until(server.url, 503) == {"detail": no_worker_alive(stale)}
        workers.append(Worker(env, tmp_path, "worker-1"))
        assert _readyz_until(server.url, 200) == {"status": "ready"}
        (row,) = _workers_in_store(tmp_path / "store.db")
        assert row[1] == workers[0].process.pid
        metrics = httpx.get(f"{server.url}/metrics", headers=viewer, timeout=30).text
        assert "penata_workers_alive 1.0" in metrics
        workers[0].kill()
        # Its row stays (nothing ran at kill -9), and goes stale after the window.
        assert _readyz_until(server.url, 503) == {"detail": no_worker_alive(stale)}
        assert _workers_in_store(tmp_path / "store.db") == [row]
        metrics = httpx.get(f"{server.url}/metrics", headers=viewer, timeout=30).text
        assert "penata_workers_alive 0.0" in metrics and "penata_ready 0.0" in metrics
        workers.append(Worker(env, tmp_path, "worker-2"))
        assert _readyz_until(server.url, 200) == {"status": "ready"}
        workers[1].stop()  # a clean stop removes its row at once
        assert workers[1].process.returncode == 0
        assert _workers_in_store(tmp_path / "store.db") == [row]
        assert _readyz_until(server.url, 503) == {"detail": no_worker_alive(stale)}
    finally:
        for process in (*workers, server):
            process.stop()


def test_kill_9_of_a_solver_process_leaves_the_api_up(tmp_path: Path) -> None:
    env = server_env(tmp_path, max_workers=1)
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    big = _binjai(tmp_path / "big")
    server = Server(env, tmp_path)
    try:
        big_id = _upload(server.url, headers, big)
        job = httpx.post(f"{server.url}/api/v1/scenarios/{big_id}/jobs", headers=headers,
                         json={"plans": 2, "time_limit": 600}, timeout=60).json()["id"]
        wait_job(server.url, headers, job, until=("running",))
        (solver,) = solver_pids(server.log())
        os.kill(solver, signal.SIGKILL)
        assert gone(solver)
        assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
        rerun = wait_job(server.url, headers, job, timeout=600)
        assert (rerun["status"], rerun["attempts"]) == ("done", 2), rerun
        assert server.process.poll() is None
        assert len(solver_pids(server.log())) == 2  # a fresh one ran the job again
        assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 200
    finally:
        server.stop()
    assert f"job {job}: solver process ended (crashed, exit code -9): requeued" \
        in server.log()


def _multipart_body(directory: Path) -> tuple[bytes, str]:
    request = httpx.Request("POST", "http://upload/", files=multipart(directory))
    return request.read(), request.headers["content-type"]


def _complete_scenarios(store: Path) -> dict[str, int]:
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return dict(db.execute(
            "SELECT s.id, COUNT(f.id) FROM scenarios s LEFT JOIN scenario_files f "
            "ON f.scenario_id = s.id GROUP BY s.id").fetchall())


def _kill_during_upload(env: dict[str, str], cwd: Path, headers: dict[str, str],
                        body: bytes, content_type: str, after: str | float) -> None:
    """Stream an upload to a fresh server and kill it: with half the body sent
    (``"half"``), or ``after`` seconds after the whole body."""
    server = Server(env, cwd)
    sent = threading.Event()
    size = len(body) // 2 if after == "half" else len(body)

    def chunks() -> Iterator[bytes]:
        for start in range(0, size, 64 * 1024):
            yield body[start:min(size, start + 64 * 1024)]
        sent.set()
        if after == "half":
            time.sleep(60)  # the rest never comes: the server dies first
            yield body[size:]

    def post() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"{server.url}/api/v1/scenarios", content=chunks(), timeout=120,
                       headers={**headers, "content-type": content_type})

    client = threading.Thread(target=post, daemon=True)
    client.start()
    assert sent.wait(120)
    time.sleep(0 if after == "half" else float(after))
    server.kill()
    client.join(5)


def test_kill_9_of_the_api_mid_upload_leaves_no_half_scenario(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    big = _binjai(tmp_path / "big", employees=3000)
    body, content_type = _multipart_body(big)
    parts = len(multipart(big))
    store = tmp_path / "store.db"
    # Killed while the body streams in, just after it is all sent, and during its
    # validation and storing; each time the store holds whole scenarios only.
    for after in ("half", 0.0, 0.3, 1.0):
        _kill_during_upload(env, tmp_path, headers, body, content_type, after)
        found = _complete_scenarios(store)
        assert all(count == parts for count in found.values()), (after, found)
    # The store still takes the same upload after the crashes.
    server = Server(env, tmp_path)
    try:
        done = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                          files=multipart(big), timeout=300)
        assert done.status_code == 201, done.text
        listed = {s["id"] for s in httpx.get(f"{server.url}/api/v1/scenarios",
                                             headers=headers, timeout=30).json()}
    finally:
        server.stop()
    assert listed == set(_complete_scenarios(store))


def _tiny_solved(server: Server, headers: dict[str, str], tmp_path: Path
                 ) -> tuple[Path, str, str, object]:
    """The tiny round written, uploaded and solved once: (folder, scenario id, job id,
    the job's plans)."""
    tiny = tmp_path / "tiny"
    write_tiny(tiny)
    tiny_id = _upload(server.url, headers, tiny)
    job = _run_job(server, headers, tiny_id, time_limit=30)
    assert job["status"] == "done", job
    return tiny, tiny_id, job["id"], _plans(server.url, headers, job["id"])


def test_a_full_disk_on_a_store_write_is_a_clear_error_and_corrupts_nothing(
        tmp_path: Path) -> None:
    """RLIMIT_FSIZE stands for the full disk, so this runs everywhere (no root): a write
    past it fails with EFBIG as a full disk fails with ENOSPC, inside SQLite's write.
    The real full disk (ENOSPC on a tmpfs of its own) is the next test, where mounting
    is permitted (root with CAP_SYS_ADMIN)."""
    env = server_env(tmp_path)
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    big = _binjai(tmp_path / "big", employees=3000)
    server = Server(env, tmp_path)
    try:
        tiny, tiny_id, job, plans = _tiny_solved(server, headers, tmp_path)
    finally:
        server.stop()
    # Room for the small writes of this store, not for the big upload.
    limit = (tmp_path / "store.db").stat().st_size + WRITE_ROOM
    upload_bytes = sum(len(part[1]) for part in multipart(big).values())
    assert upload_bytes > limit + WRITE_ROOM, (upload_bytes, limit)
    server = Server(env, tmp_path, limits={resource.RLIMIT_FSIZE: limit})
    try:
        refused = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                             files=multipart(big), timeout=300)
        assert refused.status_code == 507, refused.text
        assert refused.json() == {"detail": STORE_FULL}
        # The server goes on: what it had is intact, and a write that fits is stored.
        assert _plans(server.url, headers, job) == plans
        listed = httpx.get(f"{server.url}/api/v1/scenarios", headers=headers, timeout=30)
        assert [s["id"] for s in listed.json()] == [tiny_id]
        small = _upload(server.url, headers, tiny)
    finally:
        server.stop()
    assert "Traceback" not in server.log()
    assert _complete_scenarios(tmp_path / "store.db") == {tiny_id: 4, small: 4}
    server = Server(env, tmp_path)  # room again: the same upload is stored
    try:
        assert _upload(server.url, headers, big)
    finally:
        server.stop()


# Head count of the round whose real solve goes over the memory limit, and the least
# gap (MB) between its solver process's peak address space and a tiny round's for
# a limit between them to be a fair test (measured: tiny 475 MB, this 852 MB).
HUNGRY_EMPLOYEES = 20_000
MEMORY_GAP_MB = 150


def _vm_peak_mb(pid: int) -> int:
    """Peak address space of process ``pid`` (VmPeak, what RLIMIT_AS bounds), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmPeak:"):
            return int(line.split()[1]) // 1024
    raise AssertionError(f"no VmPeak for {pid}")


def _run_job(server: Server, headers: dict[str, str], scenario_id: str,
             **body: object) -> dict:
    started = httpx.post(f"{server.url}/api/v1/scenarios/{scenario_id}/jobs",
                         headers=headers, json={"time_limit": 120, **body}, timeout=60)
    assert started.status_code == 202, started.text
    return wait_job(server.url, headers, started.json()["id"], timeout=300)


def test_a_real_solve_over_its_memory_limit_fails_clearly_and_the_next_job_runs(
        tmp_path: Path) -> None:
    """A real round's solve, not an allocation standing in for one. The limit is set
    between the peaks measured here first (a tiny round, then the big one, in one
    solver process), so it holds on any machine; MALLOC_ARENA_MAX=1 keeps glibc's
    per-thread arenas (64 MB of address space each, more with more cores) from
    blurring the address space, which then follows what the solve holds."""
    env = {**server_env(tmp_path, max_workers=1), "MALLOC_ARENA_MAX": "1"}
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    tiny = tmp_path / "tiny"
    write_tiny(tiny)
    hungry = _binjai(tmp_path / "hungry", employees=HUNGRY_EMPLOYEES)
    server = Server(env, tmp_path)
    try:
        tiny_id, hungry_id = _upload(server.url, headers, tiny), _upload(
            server.url, headers, hungry)
        first = _run_job(server, headers, tiny_id)
        assert first["status"] == "done", first
        plans = _plans(server.url, headers, first["id"])
        [pid] = solver_pids(server.log())
        tiny_peak = _vm_peak_mb(pid)
        assert _run_job(server, headers, hungry_id, plans=2)["status"] == "done"
        hungry_peak = _vm_peak_mb(pid)
    finally:
        server.stop()
    if hungry_peak - tiny_peak < MEMORY_GAP_MB:
        pytest.skip(f"the solves' peaks are too close here for a fair limit: tiny "
                    f"{tiny_peak} MB, {HUNGRY_EMPLOYEES} employees {hungry_peak} MB")
    limit = (tiny_peak + hungry_peak) // 2
    server = Server({**env, "PENATA_JOB_MEMORY_MB": str(limit)}, tmp_path)
    try:
        over = _run_job(server, headers, hungry_id, plans=2)
        assert (over["status"], over["error"], over["attempts"]) == (
            "failed", memory_error(limit), 1), (over, tiny_peak, hungry_peak)
        after = _run_job(server, headers, tiny_id)
        assert (after["status"], after["attempts"]) == ("done", 1), after
        assert _plans(server.url, headers, after["id"]) == plans
        assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 200
    finally:
        server.stop()
    assert len(solver_pids(server.log())) == 2  # a fresh solver process for the next job
    assert "Traceback" not in server.log()


# Size of the tmpfs the real-full-disk test mounts for its store.
SMALL_DISK = "8m"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of SMALL_DISK mounted for this test only; always unmounted afterwards
    (lazily if something still holds it). Skipped where mounting is not permitted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a tmpfs of its own needs root (mount); the RLIMIT_FSIZE test "
                    "stands in for the full disk here")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SMALL_DISK}", "tmpfs",
                              str(disk)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here (no CAP_SYS_ADMIN?): "
                    f"{mounted.stderr.strip().splitlines()[0]}")
    try:
        yield disk
    finally:
        if subprocess.run(["umount", str(disk)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(disk)], check=True)


def _fill(disk: Path) -> Path:
    """Write a file until the disk has no block left (ENOSPC); return it."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (1024 * 1024, 4096):  # big blocks, then the last pages
            with contextlib.suppress(OSError):
                while True:
                    try:
                        out.write(b"\0" * size)
                    except OSError as exc:
                        assert exc.errno == errno.ENOSPC, exc
                        raise
    assert os.statvfs(disk).f_bavail == 0
    return filler


def test_a_real_full_disk_under_a_running_server_is_a_clear_507_and_it_recovers(
        tmp_path: Path, small_disk: Path) -> None:
    """The store on a small tmpfs that fills up while the server runs: the writes that
    find no room (an upload, a new job) are 507 STORE_FULL, what was stored stays
    readable and intact, and once space is freed the same server stores them again
    without a restart."""
    env = {**server_env(tmp_path), "DATABASE_URL": f"sqlite:///{small_disk / 'store.db'}"}
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    big = _binjai(tmp_path / "big", employees=3000)
    server = Server(env, tmp_path)
    try:
        tiny, tiny_id, job, plans = _tiny_solved(server, headers, tmp_path)
        filler = _fill(small_disk)
        refused = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                             files=multipart(big), timeout=300)
        assert refused.status_code == 507, refused.text
        assert refused.json() == {"detail": STORE_FULL}
        no_job = httpx.post(f"{server.url}/api/v1/scenarios/{tiny_id}/jobs",
                            headers=headers, json={"time_limit": 30}, timeout=60)
        assert no_job.status_code == 507, no_job.text
        assert no_job.json() == {"detail": STORE_FULL}
        # Full, the server goes on: what it had is readable and the store intact.
        assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
        assert _plans(server.url, headers, job) == plans
        listed = httpx.get(f"{server.url}/api/v1/scenarios", headers=headers, timeout=30)
        assert [s["id"] for s in listed.json()] == [tiny_id]
        assert _complete_scenarios(small_disk / "store.db") == {tiny_id: 4}
        # Room again, the same server (no restart) stores the upload and runs a job.
        filler.unlink()
        big_id = _upload(server.url, headers, big)
        again = httpx.post(f"{server.url}/api/v1/scenarios/{tiny_id}/jobs", headers=headers,
                           json={"time_limit": 30}, timeout=60)
        assert again.status_code == 202, again.text
        assert wait_job(server.url, headers, again.json()["id"])["status"] == "done"
        assert _plans(server.url, headers, again.json()["id"]) == plans
    finally:
        server.stop()
    assert "Traceback" not in server.log()
    assert "store error on POST /scenarios: OperationalError (SQLITE_FULL)" \
        in server.log()
    assert _complete_scenarios(small_disk / "store.db") == {
        tiny_id: len(multipart(tiny)), big_id: len(multipart(big))}


def test_postgresql_stopped_during_a_job_answers_503_and_recovers(tmp_path: Path) -> None:
    reason = unavailable()
    if reason is not None:
        pytest.skip(reason)
    postgres = PostgresServer(durable=True)  # a crash loses no commit
    try:
        env = {**server_env(tmp_path), "DATABASE_URL": postgres.new_database()}
        upgraded = cli("db", "upgrade", cwd=tmp_path, env=env)
        assert upgraded.returncode == 0, upgraded.stderr
        headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
        big = _binjai(tmp_path / "big")
        server = Server(env, tmp_path)
        try:
            big_id = _upload(server.url, headers, big)
            job = httpx.post(f"{server.url}/api/v1/scenarios/{big_id}/jobs",
                             headers=headers, json={"plans": 2, "time_limit": 600},
                             timeout=60).json()["id"]
            wait_job(server.url, headers, job, until=("running",))
            postgres.kill()
            ready = httpx.get(f"{server.url}/readyz", timeout=60)
            assert (ready.status_code, ready.json()) == (
                503, {"detail": "Database unavailable"})
            answer = httpx.get(f"{server.url}/api/v1/jobs/{job}", headers=headers,
                               timeout=60)
            assert answer.status_code == 503, answer.text
            assert answer.json() == {"detail": STORE_UNAVAILABLE}
            assert answer.headers["retry-after"]
            assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
            postgres.start()
            deadline = time.monotonic() + 120
            while httpx.get(f"{server.url}/readyz", timeout=60).status_code != 200:
                assert time.monotonic() < deadline, "not ready after PostgreSQL came back"
                time.sleep(0.2)
            finished = wait_job(server.url, headers, job, timeout=600)
            assert finished["status"] == "done", finished
            assert _plans(server.url, headers, job)
            assert _upload(server.url, headers, big)  # writes work again
        finally:
            server.stop()
        assert "Traceback" not in server.log()
    finally:
        postgres.stop()
