"""The durable queue (api.queue): claims by racing processes, leases, release; on
SQLite and on PostgreSQL (the ``store_url`` fixture)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from api.db import Job, ScenarioRecord, make_engine, now, session_factory
from api.queue import claim_next, heartbeat, release

JOBS = 120
RACERS = 3

# One racing process: wait for the start signal, then claim until the queue is empty.
RACER = """
import json, sys, time
from pathlib import Path
from api.db import make_engine, session_factory
from api.queue import claim_next
url, runner, go, out = sys.argv[1:]
sessions = session_factory(make_engine(url))
Path(out + ".ready").touch()
while not Path(go).exists():
    time.sleep(0.01)
claimed = []
while True:
    with sessions() as session:
        job_id = claim_next(session, runner)
    if job_id is None:
        break
    claimed.append(job_id)
Path(out).write_text(json.dumps(claimed))
"""


def _store(url: str, jobs: int) -> str:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        session.add(ScenarioRecord(id="s", name="s"))
        session.flush()
        session.add_all(Job(id=f"job-{n:03d}", scenario_id="s", params={}) for n in range(jobs))
        session.commit()
    engine.dispose()
    return url


def test_racing_processes_never_claim_the_same_job(store_url: str, tmp_path: Path) -> None:
    url = _store(store_url, JOBS)
    go = tmp_path / "go"
    outs = [tmp_path / f"racer-{n}.json" for n in range(RACERS)]
    racers = [subprocess.Popen([sys.executable, "-c", RACER, url, f"racer-{n}", str(go),
                                str(out)]) for n, out in enumerate(outs)]
    deadline = time.monotonic() + 120
    while not all(Path(f"{out}.ready").exists() for out in outs):
        assert time.monotonic() < deadline, "racers did not start"
        assert all(r.poll() is None for r in racers), "a racer died"
        time.sleep(0.05)
    go.touch()  # all racers claim at once
    for racer in racers:
        assert racer.wait(timeout=300) == 0
    claims = [json.loads(out.read_text()) for out in outs]
    every = [job_id for claimed in claims for job_id in claimed]
    assert len(every) == len(set(every)) == JOBS  # each job claimed exactly once
    engine = make_engine(url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).where(Job.status == "running")) == JOBS
        assert set(session.scalars(select(Job.attempts))) == {1}
        for n, claimed in enumerate(claims):
            owners = set(session.scalars(select(Job.claimed_by).where(Job.id.in_(claimed))))
            assert owners <= {f"racer-{n}"}
    engine.dispose()


def test_claim_takes_the_oldest_and_heartbeat_reports_cancellations(store_url: str) -> None:
    url = _store(store_url, 3)
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        assert claim_next(session, "me") == "job-000"
        assert claim_next(session, "me") == "job-001"
        session.get(Job, "job-001").cancel_requested = True
        session.commit()
        before = now()
        assert heartbeat(session, "me") == {"job-001"}
        beat = session.get(Job, "job-000").heartbeat_at
        assert beat.replace(tzinfo=before.tzinfo) >= before
        assert heartbeat(session, "someone else") == set()
        # Released (server stopping): queued again, the interrupted run not counted.
        assert release(session, "me", "job-000")
        assert not release(session, "someone else", "job-001")
        job = session.get(Job, "job-000")
        session.refresh(job)
        assert (job.status, job.attempts, job.claimed_by) == ("queued", 0, None)
        assert claim_next(session, "me") == "job-000"
        assert claim_next(session, "me") == "job-002"
        assert claim_next(session, "me") is None


def test_a_batch_is_claimed_whole_by_the_runner_of_its_first_job(store_url: str) -> None:
    from api.db import WhatIfBatch
    from api.queue import claim_batch

    engine = make_engine(_store(store_url, 0))
    sessions = session_factory(engine)
    with sessions() as session:
        session.add(Job(id="base", scenario_id="s", params={}, status="done"))
        session.add(WhatIfBatch(id="b", scenario_id="s", base_job_id="base"))
        session.flush()
        session.add_all(Job(id=f"v{n}", scenario_id="s", params={}, batch_id="b",
                            batch_index=n) for n in range(4))
        session.add(Job(id="other", scenario_id="s", params={}))
        session.commit()
    with sessions() as session:
        first = claim_next(session, "runner-a")
        taken_by_b = claim_next(session, "runner-b")  # b was quick and took one variant
        rest = claim_batch(session, "runner-a", "b")
        again = claim_batch(session, "runner-b", "b")
    assert first == "v0" and taken_by_b == "v1"
    assert sorted(rest) == ["v2", "v3"] and again == []
    with sessions() as session:
        owners = dict(session.execute(select(Job.id, Job.claimed_by)).all())
        attempts = dict(session.execute(select(Job.id, Job.attempts)).all())
    assert owners == {"base": None, "v0": "runner-a", "v1": "runner-b", "v2": "runner-a",
                      "v3": "runner-a", "other": None}
    assert [attempts[f"v{n}"] for n in range(4)] == [1, 1, 1, 1] and attempts["other"] == 0
    engine.dispose()
