"""``/api/v1/plans``: one ranked plan of a job, and the difference between two plans."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from api import errors
from api.deps import Reader, SessionDep
from api.diff import find_plan
from api.schemas import PlanDiff
from solver.diff import plan_diff

router = APIRouter(prefix="/plans", tags=["plans"])


def _plan(session: SessionDep, job_id: str, rank: int) -> dict[str, Any]:
    plan = find_plan(errors.get_document(session, job_id), rank)
    if plan is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, errors.rank_not_found(job_id, rank))
    return plan


@router.get("/{job_id}/{rank}")
def get_plan(job_id: str, rank: int, session: SessionDep, _: Reader) -> dict[str, Any]:
    """Plan ``rank`` of a job's plans document."""
    return _plan(session, job_id, rank)


@router.get("/{job_id}/{rank}/diff/{other_job}/{other_rank}", response_model=PlanDiff)
def diff(job_id: str, rank: int, other_job: str, other_rank: int, session: SessionDep,
         _: Reader) -> PlanDiff:
    """Moves of plan (job, rank) not in plan (other_job, other_rank), moves of the other
    plan not in this one, and this plan's objective minus the other's."""
    plan = _plan(session, job_id, rank)
    other = _plan(session, other_job, other_rank)
    return PlanDiff(job=job_id, rank=rank, other_job=other_job, other_rank=other_rank,
                    **plan_diff(other, plan))
