"""``/api/v1/jobs``: job status and progress, cancellation, the plans document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from api import errors, services
from api.deps import JobsDep, Planner, Reader, SessionDep
from api.routes.common import job_info
from api.schemas import JobInfo

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobInfo)
def get_job(job_id: str, session: SessionDep, jobs: JobsDep, _: Reader) -> JobInfo:
    """Status (queued, running, done, failed, cancelled) and progress of a job."""
    return job_info(errors.get_job(session, job_id), jobs)


@router.delete("/{job_id}", status_code=status.HTTP_202_ACCEPTED, response_model=JobInfo,
               responses={403: {"description": "Another token's job (and not an admin)"},
                          409: {"description": "The job has already finished"}})
def cancel_job(job_id: str, session: SessionDep, jobs: JobsDep, principal: Planner) -> JobInfo:
    """Cancel a job. A queued job is cancelled at once; a running one stops at the
    solver's next check and keeps the plans found so far (status ``cancelled``).
    Only the token that started the job, or an admin token, may cancel it."""
    return job_info(services.cancel(session, jobs, job_id, principal), jobs)


@router.get("/{job_id}/plans", responses={
    404: {"description": "Unknown job"},
    409: {"description": "The job has no plans (yet)"},
})
def get_plans(job_id: str, session: SessionDep, _: Reader) -> dict[str, Any]:
    """The ``plans.json`` document (docs/model.md section 8) of a finished job."""
    return errors.get_document(session, job_id)
