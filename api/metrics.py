"""Prometheus metrics of one API process (``GET /metrics``, text format).

Jobs by state and the workers alive (:mod:`api.registry`) are counted in the store
when scraped, so every process of a shared store reports the same numbers; solve
seconds, queue wait and claims are what this process's runner did. No label carries user text (states and outcomes are
fixed words), so nothing a user typed reaches the scrape.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import registry
from api.db import Job

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
# Seconds: tiny rounds finish in under a second, a Kota Medan round in minutes.
SOLVE_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
WAIT_BUCKETS = (0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600)


class Metrics:
    """The metrics of one app; a registry of its own, so several apps (tests) coexist."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.jobs = Gauge("penata_jobs", "Jobs in the store by state", ["state"],
                          registry=self.registry)
        self.solve_seconds = Histogram(
            "penata_solve_seconds", "Seconds from a job's start to its end in this process, "
            "by outcome", ["outcome"], buckets=SOLVE_BUCKETS, registry=self.registry)
        self.queue_wait = Histogram(
            "penata_queue_wait_seconds", "Seconds a job waited in the queue before this "
            "process started it", buckets=WAIT_BUCKETS, registry=self.registry)
        self.claims = Counter("penata_job_claims", "Jobs this process claimed from the queue",
                              registry=self.registry)
        self.reaped = Counter("penata_jobs_reaped", "Jobs of stopped servers this process "
                              "put back in the queue, failed or cancelled, by outcome",
                              ["outcome"], registry=self.registry)
        self.ready = Gauge("penata_ready", "1 while the store answers and the job runner "
                           "is alive (an API that only queues: a worker is alive)",
                           registry=self.registry)
        self.workers_alive = Gauge(
            "penata_workers_alive", "Job runners of the store whose heartbeat is fresh "
            "(PENATA_WORKER_STALE_SECONDS)", registry=self.registry)
        self.worker_slots = Gauge(
            "penata_worker_slots", "Concurrent solves of the runners alive, together",
            registry=self.registry)
        self.worker_busy = Gauge(
            "penata_worker_busy_slots", "Slots of the runners alive running a job at "
            "their last heartbeat", registry=self.registry)

    def render(self, session: Session | None, ready: bool, stale_seconds: float) -> bytes:
        """The text exposition; job and worker counts from ``session`` (none: the store
        is away, the last counts stay)."""
        if session is not None:
            counts = dict(session.execute(
                select(Job.status, func.count()).group_by(Job.status)).all())
            for state in JOB_STATES:
                self.jobs.labels(state=state).set(counts.get(state, 0))
            workers = registry.summary(session, stale_seconds)
            self.workers_alive.set(workers.alive)
            self.worker_slots.set(workers.slots)
            self.worker_busy.set(workers.busy)
        self.ready.set(1 if ready else 0)
        return generate_latest(self.registry)
