"""Operations: ``/healthz`` and ``/readyz`` (open, for load balancers and
orchestrators) and ``/metrics`` (Prometheus text format, any valid token).

``/healthz`` answers while the process serves requests; ``/readyz`` also asks the
store and the job runner, or for an API that only queues whether any worker is
alive (:mod:`api.readiness`), so a balancer sends no work to a process that cannot
do it. ``/metrics`` holds job and worker counts and timings, no user data, but it is
not for the open network either: a Prometheus scrape sends a viewer token as its
bearer token.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status

from api.deps import JobsDep, Reader, SessionDep
from api.metrics import CONTENT_TYPE
from api.readiness import store_answers, unready_reason

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and serves requests."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Store, job runner or workers "
                                                        "unavailable"}})
def readyz(session: SessionDep, jobs: JobsDep) -> dict[str, str]:
    """The store answers and this process's job runner (solver threads and lease
    loop) is alive; a server whose jobs `penata worker` processes run
    (PENATA_EMBEDDED_WORKER=false) needs a worker whose heartbeat is fresh instead."""
    reason = unready_reason(session, jobs)
    if reason is not None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, reason)
    return {"status": "ready"}


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE: {}}}})
def metrics(session: SessionDep, jobs: JobsDep, _: Reader) -> Response:
    """Jobs by state, workers alive and their busy slots, solve seconds, queue wait,
    claims (Prometheus text format)."""
    answers = store_answers(session)
    ready = answers and unready_reason(session, jobs) is None
    body = jobs.metrics.render(session if answers else None, ready,
                               jobs.settings.worker_stale_seconds)
    return Response(body, media_type=CONTENT_TYPE)
