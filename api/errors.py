"""Exact ``detail`` strings of the API's errors, and lookups that raise them."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.db import Job, PlanDocument, ScenarioRecord

log = logging.getLogger("penata.api")


def scenario_not_found(scenario_id: str) -> str:
    return f"Scenario '{scenario_id}' not found"


def job_not_found(job_id: str) -> str:
    return f"Job '{job_id}' not found"


def plans_not_ready(job_id: str, job_status: str) -> str:
    if job_status in ("queued", "running"):
        return f"Job '{job_id}' is {job_status}; its plans are not ready yet"
    if job_status == "failed":
        return f"Job '{job_id}' failed; it has no plans"
    return f"Job '{job_id}' was cancelled before it produced plans"


def rank_not_found(job_id: str, rank: int) -> str:
    return f"Job '{job_id}' has no plan of rank {rank}"


def scenario_no_longer_loads(job_id: str, messages: list[str]) -> str:
    return f"The scenario of job '{job_id}' no longer loads: " + "; ".join(messages)


def already_finished(job_id: str, job_status: str) -> str:
    return f"Job '{job_id}' is already {job_status}"


def time_limit_too_long(limit: float) -> str:
    return f"time_limit must be at most {limit:g} seconds"


def too_many_plans(limit: int) -> str:
    return f"plans must be at most {limit}"


def no_base_plan(scenario_id: str) -> str:
    return (f"Scenario '{scenario_id}' has no finished plan to compare with; solve it first "
            f"(POST /api/v1/scenarios/{scenario_id}/jobs)")


def too_many_scenario_plans(yaml_name: str, count: int, limit: int) -> str:
    return (f"{yaml_name} key plans.count: {count} is more than this server allows; "
            f"the limit is {limit} (PENATA_MAX_PLANS)")


def queue_full(limit: int) -> str:
    return f"The job queue is full ({limit} jobs waiting); try again later"


def batch_does_not_fit(variants: int, limit: int) -> str:
    return (f"The job queue cannot take {variants} more jobs ({limit} may wait); "
            "try again later or send fewer variants")


def too_many_variants(limit: int) -> str:
    return f"variants: at most {limit} variants in one batch (PENATA_MAX_BATCH_VARIANTS)"


def batch_base_changed() -> str:
    return ("The base scenario changed after the batch was queued (a decision was "
            "recorded); start the batch again")


def batch_not_found(batch_id: str) -> str:
    return f"What-if batch '{batch_id}' not found"


def not_job_owner(job_id: str) -> str:
    return f"Job '{job_id}' was started by another token; only it or an admin may cancel it"


QUEUE_RETRY_SECONDS = 30

# The store is away (PostgreSQL down or unreachable): 503, try again shortly.
STORE_UNAVAILABLE = "Database unavailable; try again in a moment"
STORE_RETRY_SECONDS = 5
# The store could not write (its disk is full, or a file size limit): 507.
STORE_FULL = ("The store could not save the change: its disk is full or a write limit "
              "was reached. Nothing was saved; free disk space and try again")
# SQLite's and PostgreSQL's names for a write that found no room (an I/O error on
# write is how SQLite reports EFBIG and some ENOSPC).
_FULL_SQLITE = ("SQLITE_FULL", "SQLITE_IOERR_WRITE")
_FULL_SQLSTATE = "53100"  # disk_full


def store_is_full(exc: DBAPIError) -> bool:
    orig = exc.orig
    return (getattr(orig, "sqlite_errorname", None) in _FULL_SQLITE
            or getattr(orig, "sqlstate", None) == _FULL_SQLSTATE)


def store_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """The store failed under a request (connection lost, disk full): 503 with
    Retry-After, or 507 when it had no room; nothing of the request was committed.
    The log line names the error class only (a statement's values may be user data)."""
    assert isinstance(exc, DBAPIError)
    full = store_is_full(exc)
    # The route's template, not the path: a path may carry what a user typed.
    route = getattr(request.scope.get("route"), "path", "?")
    code = getattr(exc.orig, "sqlite_errorname", None) or getattr(exc.orig, "sqlstate", None)
    log.warning("store error on %s %s: %s%s", request.method, route,
                type(exc.orig).__name__, f" ({code})" if code else "")
    if full:
        return JSONResponse({"detail": STORE_FULL}, status_code=507)
    return JSONResponse({"detail": STORE_UNAVAILABLE}, status_code=503,
                        headers={"Retry-After": str(STORE_RETRY_SECONDS)})


MAX_MESSAGES = 50  # as the loader caps its messages per file
MAX_MESSAGE_CHARS = 1_000


def capped(messages: list[str]) -> list[str]:
    """At most :data:`MAX_MESSAGES` messages, each clipped, and a note of the rest."""
    shown = [m if len(m) <= MAX_MESSAGE_CHARS else m[: MAX_MESSAGE_CHARS - 3] + "..."
             for m in messages[:MAX_MESSAGES]]
    if len(messages) > MAX_MESSAGES:
        shown.append(f"... and {len(messages) - MAX_MESSAGES:,} more problems")
    return shown


UNSUPPORTED_MEDIA = ("Send multipart/form-data (scenario, employees, positions, optional "
                     "assessments) or application/json")


def missing_part(name: str) -> str:
    return f"Multipart field '{name}' is missing; upload it as a file"


def get_scenario(session: Session, scenario_id: str) -> ScenarioRecord:
    record = session.get(ScenarioRecord, scenario_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, scenario_not_found(scenario_id))
    return record


def get_job(session: Session, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, job_not_found(job_id))
    return job


def get_document(session: Session, job_id: str) -> dict[str, Any]:
    """The plans document of a job; 404 for an unknown job, 409 while it has none. A
    running job has one once its plans are proven and its shortlists are computing
    (marked ``shortlists_pending``)."""
    job = get_job(session, job_id)
    document = session.get(PlanDocument, job_id)
    if document is None or job.status == "queued":
        raise HTTPException(status.HTTP_409_CONFLICT, plans_not_ready(job_id, job.status))
    return document.document
