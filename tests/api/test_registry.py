"""The worker registry (api.registry) and what reads it: /readyz of an API that only
queues (api.readiness) and the workers gauges of /metrics. SQLite and PostgreSQL.

The real processes (a queue-only ``penata serve``, a ``penata worker`` killed with
``kill -9``) are in tests/reliability/test_faults.py."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from pathlib import Path

import fake_solvers
import pytest
from api_helpers import tokens_for, upload, wait_job
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from test_api_health import _samples

from api import registry
from api.db import WorkerRecord, make_engine, now, session_factory
from api.readiness import no_worker_alive

# Generous deadline for a heartbeat to show (they come every quarter of the window).
DEADLINE = 60


@pytest.fixture
def sessions(store_url: str):
    engine = make_engine(store_url)
    yield session_factory(engine)
    engine.dispose()


def _age(sessions, runner: str, seconds: float) -> None:
    """Pretend ``runner`` was last seen ``seconds`` ago."""
    with sessions() as session:
        session.execute(update(WorkerRecord).where(WorkerRecord.id == runner)
                        .values(last_seen=now() - dt.timedelta(seconds=seconds)))
        session.commit()


def _rows(sessions) -> list[WorkerRecord]:
    with sessions() as session:
        return list(session.scalars(select(WorkerRecord).order_by(WorkerRecord.id)))


def test_register_beat_and_deregister(sessions) -> None:
    with sessions() as session:
        registry.register(session, "h:1:a", 2)
        registry.register(session, "h:2:b", 3)
        assert registry.summary(session, 60) == registry.Workers(alive=2, slots=5, busy=0)
        registry.beat(session, "h:1:a", 2, 1)
        assert registry.summary(session, 60) == registry.Workers(2, 5, 1)
    (first, _) = _rows(sessions)
    assert (first.host, first.pid, first.slots, first.busy) == (
        socket.gethostname(), os.getpid(), 2, 1)
    _age(sessions, "h:2:b", 120)
    with sessions() as session:
        assert registry.summary(session, 60) == registry.Workers(1, 2, 1)  # b is stale
        assert registry.summary(session, 600) == registry.Workers(2, 5, 1)
        registry.deregister(session, "h:1:a")
        assert registry.summary(session, 60) == registry.Workers(0, 0, 0)
        registry.beat(session, "h:1:a", 2, 2)  # a missing row is registered again
        assert registry.summary(session, 60) == registry.Workers(1, 2, 2)
    _age(sessions, "h:2:b", registry.FORGET_SECONDS + 60)
    with sessions() as session:
        registry.beat(session, "h:1:a", 2, 0)  # a day unseen: forgotten
    assert [row.id for row in _rows(sessions)] == ["h:1:a"]


def test_a_runner_registers_reports_busy_slots_and_deregisters(make_client, sessions,
                                                               tiny: Path) -> None:
    client = make_client(solve_fn=fake_solvers.until_stopped, max_workers=2,
                         worker_stale_seconds=4)
    runner = client.app.state.jobs.runner
    (row,) = _rows(sessions)
    assert (row.id, row.pid, row.slots, row.busy) == (runner, os.getpid(), 2, 0)
    auth = tokens_for(client)
    scenario_id = upload(client, auth["planner"], tiny)
    response = client.post(f"/api/v1/scenarios/{scenario_id}/jobs", headers=auth["planner"])
    job_id = response.json()["id"]
    deadline = time.monotonic() + DEADLINE
    while _rows(sessions)[0].busy != 1:
        assert time.monotonic() < deadline, "the busy slot never reached the registry"
        time.sleep(0.1)
    metrics = _samples(client.get("/metrics", headers=auth["viewer"]).text)
    assert metrics[("penata_workers_alive", ())] == 1
    assert metrics[("penata_worker_slots", ())] == 2
    assert metrics[("penata_worker_busy_slots", ())] == 1
    assert client.delete(f"/api/v1/jobs/{job_id}",
                         headers=auth["planner"]).status_code == 202
    assert wait_job(client, auth["viewer"], job_id)["status"] == "cancelled"
    client.__exit__(None, None, None)  # a clean stop
    assert _rows(sessions) == []


def test_readyz_of_a_queue_only_api_needs_a_fresh_worker(make_client, sessions) -> None:
    client = make_client(embedded_worker=False, worker_stale_seconds=30)
    assert _rows(sessions) == []  # an API that only queues is no runner
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"detail": no_worker_alive(30)}
    assert response.json()["detail"] == (
        "No job worker alive: no runner has sent a heartbeat in the last 30 s "
        "(PENATA_WORKER_STALE_SECONDS); start `penata worker`")
    auth = tokens_for(client)
    metrics = _samples(client.get("/metrics", headers=auth["viewer"]).text)
    assert (metrics[("penata_workers_alive", ())], metrics[("penata_ready", ())]) == (0, 0)
    with sessions() as session:
        registry.register(session, "elsewhere:42:w", 4)
    assert client.get("/readyz").json() == {"status": "ready"}
    metrics = _samples(client.get("/metrics", headers=auth["viewer"]).text)
    assert (metrics[("penata_workers_alive", ())], metrics[("penata_worker_slots", ())],
            metrics[("penata_ready", ())]) == (1, 4, 1)
    _age(sessions, "elsewhere:42:w", 31)
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_a_runner_whose_solver_threads_died_stops_its_heartbeat(make_client, sessions,
                                                                 monkeypatch) -> None:
    client: TestClient = make_client(worker_stale_seconds=4)
    jobs = client.app.state.jobs
    monkeypatch.setattr(jobs, "_solvers_alive", lambda: False)
    _age(sessions, jobs.runner, 10)
    time.sleep(2)  # two ticks of the lease loop (every second) that must not renew it
    assert (now() - _aware(_rows(sessions)[0].last_seen)).total_seconds() >= 10
    monkeypatch.undo()
    deadline = time.monotonic() + DEADLINE
    while (now() - _aware(_rows(sessions)[0].last_seen)).total_seconds() >= 10:
        assert time.monotonic() < deadline, "the heartbeat did not come back"
        time.sleep(0.1)


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
