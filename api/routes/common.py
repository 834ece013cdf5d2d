"""Helpers shared by the routers."""

from __future__ import annotations

from typing import Any

from api.db import Job, now
from api.jobs import JobManager, utc
from api.schemas import JobInfo, JobProgress


def job_info(job: Job, manager: JobManager) -> JobInfo:
    """A job as the API shows it; a running job's progress is live."""
    progress: dict[str, Any] = dict(job.progress or {})
    if job.status == "running":
        progress.update(manager.live_progress(job.id) or {})
        started = utc(job.started_at)
        if started is not None:
            progress["elapsed"] = round((now() - started).total_seconds(), 3)
    return JobInfo(
        id=job.id,
        scenario_id=job.scenario_id,
        status=job.status,  # type: ignore[arg-type]
        progress=JobProgress(**{k: progress.get(k) for k in JobProgress.model_fields}),
        params=dict(job.params or {}),
        error=job.error,
        base_job_id=job.base_job_id,
        cancel_requested=job.cancel_requested,
        attempts=job.attempts or 0,
        created_at=utc(job.created_at),  # type: ignore[arg-type]
        started_at=utc(job.started_at),
        finished_at=utc(job.finished_at),
    )
