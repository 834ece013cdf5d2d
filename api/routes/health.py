"""Operations: ``/healthz`` and ``/readyz`` (open, for load balancers and
orchestrators) and ``/metrics`` (Prometheus text format, any valid token).

``/healthz`` answers while the process serves requests; ``/readyz`` also asks the
store and the job runner, so a balancer sends no work to a process that cannot do
it. ``/metrics`` holds job counts and timings, no user data, but it is not for the
open network either: a Prometheus scrape sends a viewer token as its bearer token.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy import text

from api.deps import JobsDep, Reader, SessionDep
from api.metrics import CONTENT_TYPE

router = APIRouter(tags=["health"])

DATABASE_UNAVAILABLE = "Database unavailable"
RUNNER_STOPPED = "Job runner not running"


def _store_answers(session: SessionDep) -> bool:
    try:
        session.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and serves requests."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Store or job runner unavailable"}})
def readyz(session: SessionDep, jobs: JobsDep) -> dict[str, str]:
    """The store answers and this process's job runner (solver threads and lease
    loop) is alive; a server whose jobs `penata worker` processes run
    (PENATA_EMBEDDED_WORKER=false) needs only the store."""
    if not _store_answers(session):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE)
    if not jobs.ready():
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, RUNNER_STOPPED)
    return {"status": "ready"}


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE: {}}}})
def metrics(session: SessionDep, jobs: JobsDep, _: Reader) -> Response:
    """Jobs by state, solve seconds, queue wait, claims (Prometheus text format)."""
    answers = _store_answers(session)
    body = jobs.metrics.render(session if answers else None, answers and jobs.ready())
    return Response(body, media_type=CONTENT_TYPE)
