"""Whether a process can do its work: what ``/readyz`` (and ``penata_ready``) and the
health port of ``penata worker`` (:mod:`api.worker_port`) answer.

An API process is ready when its store answers and either its own job runner is
alive (the embedded worker) or, for an API that only queues
(PENATA_EMBEDDED_WORKER=false), some runner of the store has sent a heartbeat within
PENATA_WORKER_STALE_SECONDS (:mod:`api.registry`): jobs queued there will run.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from api import registry
from api.jobs import JobManager

DATABASE_UNAVAILABLE = "Database unavailable"
RUNNER_STOPPED = "Job runner not running"


def no_worker_alive(stale_seconds: float) -> str:
    return (f"No job worker alive: no runner has sent a heartbeat in the last "
            f"{stale_seconds:g} s (PENATA_WORKER_STALE_SECONDS); start `penata worker`")


def store_answers(session: Session) -> bool:
    try:
        session.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def unready_reason(session: Session, jobs: JobManager) -> str | None:
    """Why this API process is not ready (None: it is)."""
    if not store_answers(session):
        return DATABASE_UNAVAILABLE
    if jobs.settings.embedded_worker:
        return None if jobs.alive() else RUNNER_STOPPED
    stale = jobs.settings.worker_stale_seconds
    try:
        alive = registry.summary(session, stale).alive
    except Exception:  # the store failed between the two statements
        return DATABASE_UNAVAILABLE
    return None if alive else no_worker_alive(stale)
