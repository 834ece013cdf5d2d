"""The durable job queue: rows of the ``jobs`` table, claimed atomically by runners.

A runner is one API process's :class:`api.jobs.JobManager`, named by
:func:`runner_id`. It claims the oldest queued job with one conditional ``UPDATE``
(``... WHERE id = (oldest queued) AND status = 'queued'``): on PostgreSQL the
subquery takes the row with ``FOR UPDATE SKIP LOCKED``, so concurrent runners take
different rows; on SQLite the statement holds the database's write lock and a runner
that lost the race updates no row. Either way two runners never run the same job.

While a job runs its runner renews ``heartbeat_at`` (:func:`heartbeat`). A running
job whose runner stopped renewing for a lease, or whose runner was a process of
this host that no longer exists, is stale (:func:`reap_stale`): it goes back to the
queue, and is run again from the start (a solve is deterministic, so a re-run gives
the same plans), unless it has already been started ``max_attempts`` times; then it
fails with the reason. A stale job whose cancellation was asked is cancelled.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api.db import Job, now


def attempts_error(attempts: int, limit: int) -> str:
    return (f"The server running this job stopped before it finished, {attempts} time(s); "
            f"it is not started again (PENATA_JOB_MAX_ATTEMPTS={limit})")


def memory_error(limit_mb: int) -> str:
    return (f"The job needed more memory than its limit of {limit_mb} MB "
            "(PENATA_JOB_MEMORY_MB) and was stopped; the other jobs go on. Solve a smaller "
            "round or raise the limit")


def time_error(budget: float) -> str:
    return (f"The job ran longer than its {budget:.0f} s (time_limit, shortlist_time and "
            "PENATA_JOB_TIME_GRACE together) and its solver process was stopped")


def runner_id() -> str:
    """``host:pid:random``: unique per process, and tells a restarted process of the
    same host which claims belonged to a process that is gone."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim_next(session: Session, runner: str) -> str | None:
    """Claim the oldest queued job for ``runner`` (status ``running``, one more
    attempt) and return its id; ``None`` when the queue is empty or another runner
    took the row first."""
    oldest = (select(Job.id).where(Job.status == "queued")
              .order_by(Job.created_at, Job.id).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    stamp = now()
    claimed = session.execute(
        update(Job).where(Job.id == oldest.scalar_subquery(), Job.status == "queued")
        .values(status="running", claimed_by=runner, attempts=Job.attempts + 1,
                started_at=stamp, heartbeat_at=stamp, progress=None)
        .returning(Job.id)
    ).scalars().all()
    session.commit()
    return claimed[0] if len(claimed) == 1 else None


def claim_batch(session: Session, runner: str, batch_id: str) -> list[str]:
    """Claim every job of what-if batch ``batch_id`` still queued, for ``runner`` (whose
    fan-out then solves them together); the ids claimed. Each row is claimed by one
    conditional update, so a job another runner took first is not among them."""
    stamp = now()
    claimed = session.execute(
        update(Job).where(Job.batch_id == batch_id, Job.status == "queued")
        .values(status="running", claimed_by=runner, attempts=Job.attempts + 1,
                started_at=stamp, heartbeat_at=stamp, progress=None)
        .returning(Job.id)
    ).scalars().all()
    session.commit()
    return list(claimed)


def heartbeat(session: Session, runner: str) -> set[str]:
    """Renew the lease of ``runner``'s running jobs; return those whose cancellation
    was asked (possibly through another API process)."""
    mine = (Job.claimed_by == runner, Job.status == "running")
    session.execute(update(Job).where(*mine).values(heartbeat_at=now()))
    cancelled = set(session.scalars(select(Job.id).where(*mine, Job.cancel_requested)))
    session.commit()
    return cancelled


def running_of(session: Session, runner: str) -> set[str]:
    """Ids of the jobs ``runner`` has claimed and not finished."""
    return set(session.scalars(select(Job.id).where(Job.claimed_by == runner,
                                                    Job.status == "running")))


def release(session: Session, runner: str, job_id: str) -> bool:
    """Put a job ``runner`` stopped on purpose (server shutdown) back in the queue;
    the interrupted run does not count as an attempt."""
    result = session.execute(
        update(Job).where(Job.id == job_id, Job.claimed_by == runner,
                          Job.status == "running")
        .values(status="queued", claimed_by=None, heartbeat_at=None, started_at=None,
                attempts=Job.attempts - 1)
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def requeue_crashed(session: Session, runner: str, job_id: str, max_attempts: int) -> str:
    """A job of ``runner`` whose solver process died under it (killed, crashed): back in
    the queue to be run again, or failed once it has been started ``max_attempts``
    times, or cancelled when its cancellation was asked. Returns the outcome (``""``:
    the job was no longer ``runner``'s)."""
    job = session.get(Job, job_id)
    if job is None or job.status != "running" or job.claimed_by != runner:
        return ""
    outcome, values = _after_death(job, max_attempts)
    result = session.execute(
        update(Job).where(Job.id == job_id, Job.claimed_by == runner,
                          Job.status == "running")
        .values(claimed_by=None, heartbeat_at=None, **values))
    session.commit()
    return outcome if getattr(result, "rowcount", 0) else ""


def _after_death(job: Job, max_attempts: int) -> tuple[str, dict[str, object]]:
    """What becomes of a running job whose process died: cancelled if that was asked,
    failed once out of attempts, else queued again; the outcome and the new values."""
    if job.cancel_requested:
        return "cancelled", {"status": "cancelled", "finished_at": now()}
    if job.attempts >= max_attempts:
        return "failed", {"status": "failed", "finished_at": now(),
                          "error": attempts_error(job.attempts, max_attempts)}
    return "requeued", {"status": "queued", "started_at": None}


def fail_claimed(session: Session, runner: str, job_id: str, error: str) -> bool:
    """Fail a running job of ``runner`` that must not run again (over its memory or
    time limit: a re-run would end the same way)."""
    result = session.execute(
        update(Job).where(Job.id == job_id, Job.claimed_by == runner,
                          Job.status == "running")
        .values(status="failed", error=error, finished_at=now(), claimed_by=None,
                heartbeat_at=None))
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def _gone(claimer: str | None, runner: str) -> bool:
    """Whether ``claimer`` was a process of this host that no longer runs (a process
    with its pid but another runner id is a successor that reused the pid)."""
    if not claimer:
        return True
    host, _, rest = claimer.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return claimer != runner
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, owned by someone else
    return False


def reap_stale(session: Session, runner: str, lease_seconds: float,
               max_attempts: int) -> dict[str, int]:
    """Requeue (or fail, or cancel) the running jobs of dead runners; counts by outcome."""
    cutoff = now() - dt.timedelta(seconds=lease_seconds)
    candidates = session.execute(
        select(Job.id, Job.claimed_by, Job.heartbeat_at).where(
            Job.status == "running",
            or_(Job.claimed_by.is_(None), Job.claimed_by != runner))
    ).all()
    stale = [(job_id, claimer) for job_id, claimer, beat in candidates
             if beat is None or _aware(beat) < cutoff or _gone(claimer, runner)]
    counts = {"requeued": 0, "failed": 0, "cancelled": 0}
    for job_id, claimer in stale:
        job = session.get(Job, job_id)
        # Re-checked on the row: another runner may have reaped it or renewed it.
        if job is None or job.status != "running" or job.claimed_by != claimer:
            continue
        same = (Job.id == job_id, Job.status == "running",
                Job.claimed_by.is_(None) if claimer is None else Job.claimed_by == claimer)
        outcome, values = _after_death(job, max_attempts)
        result = session.execute(update(Job).where(*same)
                                 .values(claimed_by=None, heartbeat_at=None, **values))
        if getattr(result, "rowcount", 0):
            counts[outcome] += 1
    session.commit()
    return counts


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; they are UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
