"""``/api/v1/jobs/{id}/succession`` and ``/training``: the talent outputs of a job's plans.

Thin adapters over :mod:`solver.talent.service` (the functions ``penata succession``
and ``penata training`` call): the job's stored scenario and plans document in, plain
data out.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, status

from api import errors
from api.deps import Reader, SessionDep
from api.files import load_files
from api.jobs import stored_files
from solver.io import InputError
from solver.scenario import Scenario
from solver.talent.service import DocumentMismatch, document_succession, document_training

router = APIRouter(prefix="/jobs", tags=["talent"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown job, or no plan of that rank"},
    409: {"description": "The job has no plans (yet), or its scenario no longer loads"},
}


def _scenario_and_document(session: SessionDep, job_id: str
                           ) -> tuple[Scenario, dict[str, Any]]:
    document = errors.get_document(session, job_id)
    job = errors.get_job(session, job_id)
    record = errors.get_scenario(session, job.scenario_id)
    try:
        return load_files(stored_files(record)), document
    except InputError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            errors.scenario_no_longer_loads(job_id, exc.errors)) from None


@router.get("/{job_id}/succession", responses=_RESPONSES)
def get_succession(job_id: str, session: SessionDep, _: Reader) -> dict[str, Any]:
    """Succession lists of the critical posts, plan 1's holders excluded (the
    document's ``succession`` key, recomputed from the stored scenario)."""
    scenario, document = _scenario_and_document(session, job_id)
    try:
        return {"job": job_id, "succession": document_succession(scenario, document)}
    except DocumentMismatch as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


@router.get("/{job_id}/training", responses=_RESPONSES)
def get_training(job_id: str, session: SessionDep, _: Reader,
                 rank: int = Query(1, ge=1, description="Which plan")) -> dict[str, Any]:
    """The training plan after placement (AKP) of plan ``rank`` (default 1)."""
    scenario, document = _scenario_and_document(session, job_id)
    if not any(p.get("rank") == rank for p in document.get("plans", [])):
        raise HTTPException(status.HTTP_404_NOT_FOUND, errors.rank_not_found(job_id, rank))
    try:
        return {"job": job_id, **document_training(scenario, document, rank)}
    except DocumentMismatch as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
