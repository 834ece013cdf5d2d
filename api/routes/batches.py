"""``/api/v1/what-if-batches``: a what-if batch's variants and summary table."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api import batch, errors
from api.db import WhatIfBatch
from api.deps import Reader, SessionDep
from api.jobs import utc
from api.schemas import BatchVariant, WhatIfBatchInfo

router = APIRouter(prefix="/what-if-batches", tags=["what-if batches"])


@router.get("/{batch_id}", response_model=WhatIfBatchInfo,
            responses={404: {"description": "Unknown batch"}})
def get_batch(batch_id: str, session: SessionDep, _: Reader) -> WhatIfBatchInfo:
    """The batch's status and one summary row per variant: its job's status and, once
    done, plan 1's objective, objective delta and moves added, dropped and changed
    against the base plan 1. ``status`` is ``done`` when no variant is queued or
    running."""
    found = session.get(WhatIfBatch, batch_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, errors.batch_not_found(batch_id))
    jobs = batch.batch_jobs(session, batch_id)
    return WhatIfBatchInfo(
        id=found.id, status=batch.batch_status(jobs),  # type: ignore[arg-type]
        scenario_id=found.scenario_id, base_job_id=found.base_job_id,
        created_at=utc(found.created_at),  # type: ignore[arg-type]
        variants=[BatchVariant(index=job.batch_index, job_id=job.id,  # type: ignore[arg-type]
                               scenario_id=job.scenario_id, status=job.status,  # type: ignore[arg-type]
                               error=job.error, **(job.batch_summary or {}))
                  for job in jobs])
