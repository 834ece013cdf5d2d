"""``/api/v1/scenarios``: upload and list scenarios, start solve and what-if jobs
(one, or a batch)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from starlette.datastructures import UploadFile

from api import batch, errors, services
from api.body import body_openapi, inline_defs, json_body, parse_json, validate_body
from api.db import Job, ScenarioRecord
from api.deps import JobsDep, Planner, Reader, SessionDep, SettingsDep
from api.files import (
    DEFAULT_YAML_NAME,
    REQUIRED_TABLES,
    TABLE_ROLES,
    Upload,
    place_upload,
    rows_to_csv,
    safe_name,
)
from api.jobs import utc
from api.routes.common import job_info
from api.schemas import (
    BatchJob,
    FileContent,
    FileInfo,
    JobAccepted,
    JobCreate,
    JobInfo,
    ScenarioCreated,
    ScenarioInfo,
    ScenarioJson,
    ScenarioSummary,
    WhatIf,
    WhatIfAccepted,
    WhatIfBatchAccepted,
    WhatIfBatchCreate,
)
from solver.io import InputError

router = APIRouter(prefix="/scenarios", tags=["scenarios"])

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["scenario", *REQUIRED_TABLES],
                    "properties": {
                        role: {"type": "string", "format": "binary"}
                        for role in ("scenario", *TABLE_ROLES)
                    },
                }
            },
            "application/json": {"schema": inline_defs(ScenarioJson.model_json_schema())},
        },
    }
}


_invalid = services.invalid


async def _read_part(value: Any) -> Upload | None:
    if isinstance(value, UploadFile):
        return Upload(value.filename or "", await value.read())
    if isinstance(value, str):
        return Upload("", value.encode("utf-8"))
    return None


async def _multipart(request: Request, limit: int) -> tuple[Upload, dict[str, Upload]]:
    form = await request.form(max_files=10, max_fields=50, max_part_size=limit)
    parts: dict[str, Upload] = {}
    for name in ("scenario", *TABLE_ROLES):
        upload = await _read_part(form.get(name))
        if upload is not None:
            parts[name] = upload
    missing = [errors.missing_part(n) for n in ("scenario", *REQUIRED_TABLES)
               if n not in parts]
    if missing:
        raise _invalid(missing)
    if not parts["scenario"].original_name:
        parts["scenario"] = Upload(DEFAULT_YAML_NAME, parts["scenario"].content)
    yaml_upload = parts.pop("scenario")
    return yaml_upload, parts


def _json_table(role: str, value: Any) -> Upload:
    """A JSON table as an upload named by its role (place_upload stores it where the
    YAML names it, or under this name)."""
    name = f"{role}.csv"
    if isinstance(value, str):
        return Upload(name, value.encode("utf-8"))
    if isinstance(value, list):
        try:
            return Upload(name, rows_to_csv(value, name))
        except InputError as exc:
            raise _invalid(exc.errors) from None
    assert isinstance(value, FileContent)
    try:
        content = base64.b64decode(value.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid([f"{role}: content_base64 is not valid base64"]) from None
    return Upload(safe_name(value.filename, name), content)


async def _json_body(request: Request) -> tuple[Upload, dict[str, Upload]]:
    """The JSON upload, read (after the token check) with the bounded decoder; the YAML
    is parsed once, later, by place_upload."""
    body = validate_body(ScenarioJson, parse_json(await request.body()), loc=())
    if isinstance(body.scenario, str):
        text = body.scenario
    else:
        text = yaml.safe_dump(body.scenario, sort_keys=False, allow_unicode=True)
    tables = {role: _json_table(role, getattr(body, role))
              for role in TABLE_ROLES if getattr(body, role) is not None}
    return Upload(DEFAULT_YAML_NAME, text.encode("utf-8")), tables


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ScenarioCreated,
             openapi_extra=_UPLOAD_BODY,
             responses={413: {"description": "Request body too large"},
                        415: {"description": "Neither multipart nor JSON"},
                        422: {"description": "Invalid input: one message per problem, "
                              "naming file, row and column"}})
async def create_scenario(request: Request, session: SessionDep, settings: SettingsDep,
                          _: Planner) -> ScenarioCreated:
    """Upload a scenario: multipart files (``scenario`` YAML, ``employees``, ``positions``,
    optional ``assessments``, ``preferences``, ``units``; CSV or XLSX) or one JSON body
    with the same content."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        yaml_upload, tables = await _multipart(request, settings.max_request_bytes)
    elif content_type == "application/json":
        yaml_upload, tables = await _json_body(request)
    else:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, errors.UNSUPPORTED_MEDIA)
    try:
        files = place_upload(yaml_upload, tables)
    except InputError as exc:
        raise _invalid(exc.errors) from None
    scenario = await run_in_threadpool(services.validate, files, settings)
    record = await run_in_threadpool(services.store, session, files, scenario)
    return ScenarioCreated(id=record.id, name=record.name, counts=record.counts)


@router.get("", response_model=list[ScenarioSummary])
def list_scenarios(session: SessionDep, _: Reader) -> list[ScenarioSummary]:
    """Stored scenarios, newest first."""
    records = session.scalars(select(ScenarioRecord).order_by(ScenarioRecord.created_at.desc()))
    return [ScenarioSummary(id=r.id, name=r.name, created_at=utc(r.created_at),  # type: ignore[arg-type]
                            base_id=r.base_id) for r in records]


@router.get("/{scenario_id}", response_model=ScenarioInfo)
def get_scenario(scenario_id: str, session: SessionDep, _: Reader) -> ScenarioInfo:
    """A scenario: its files, counts and, for a what-if, its base and edits."""
    record = errors.get_scenario(session, scenario_id)
    return ScenarioInfo(
        id=record.id, name=record.name, created_at=utc(record.created_at),  # type: ignore[arg-type]
        base_id=record.base_id, edits=record.edits, counts=record.counts,
        files=[FileInfo(role=f.role, path=f.path, original_name=f.original_name,
                        bytes=len(f.content)) for f in record.files],
    )


@router.get("/{scenario_id}/jobs", response_model=list[JobInfo])
def list_jobs(scenario_id: str, session: SessionDep, jobs: JobsDep, _: Reader) -> list[JobInfo]:
    """The scenario's jobs, newest first."""
    errors.get_scenario(session, scenario_id)
    found = session.scalars(select(Job).where(Job.scenario_id == scenario_id)
                            .order_by(Job.created_at.desc()))
    return [job_info(job, jobs) for job in found]


def _accepted(response: Response, job: Job) -> None:
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"


@router.post("/{scenario_id}/jobs", status_code=status.HTTP_202_ACCEPTED,
             response_model=JobAccepted, openapi_extra=body_openapi(JobCreate, required=False),
             responses={503: {"description": "The job queue is full (Retry-After)"}})
def create_job(scenario_id: str, session: SessionDep, settings: SettingsDep, jobs: JobsDep,
               response: Response, principal: Planner,
               body: Annotated[JobCreate, Depends(json_body(JobCreate, optional=True))]
               ) -> JobAccepted:
    """Queue a solve of the scenario; poll ``GET /api/v1/jobs/{id}``."""
    job = services.start_solve(session, settings, jobs, scenario_id, owner=principal,
                               plans=body.plans, time_limit=body.time_limit, seed=body.seed,
                               explain=body.shortlist_time > 0,
                               shortlist_time=body.shortlist_time)
    _accepted(response, job)
    return JobAccepted(id=job.id, status="queued", scenario_id=scenario_id)


@router.post("/{scenario_id}/what-if", status_code=status.HTTP_202_ACCEPTED,
             response_model=WhatIfAccepted, openapi_extra=body_openapi(WhatIf),
             responses={409: {"description": "The base scenario has no finished plan"},
                        422: {"description": "An edit names an unknown position or NIP, "
                              "or the derived scenario is invalid"},
                        503: {"description": "The job queue is full (Retry-After)"}})
def what_if(scenario_id: str, session: SessionDep, settings: SettingsDep, jobs: JobsDep,
            response: Response, principal: Planner,
            body: Annotated[WhatIf, Depends(json_body(WhatIf))]) -> WhatIfAccepted:
    """Apply edits to a scenario and solve the derived scenario, warm-started from the
    base scenario's latest plan 1. Each plan of the result carries a ``diff`` against
    that plan 1 (moves added, moves dropped, objective delta). With ``warm_start``
    the LP relaxation restarts from the base scenario's solve when the server still
    holds it (much faster on large rounds; same objectives and proofs, but among
    equally scored plans another may be chosen)."""
    started = services.start_what_if(session, settings, jobs, scenario_id, list(body.edits),
                                     owner=principal, plans=body.plans,
                                     time_limit=body.time_limit,
                                     seed=body.seed, warm_start=body.warm_start,
                                     explain=body.shortlist_time > 0,
                                     shortlist_time=body.shortlist_time)
    _accepted(response, started.job)
    return WhatIfAccepted(id=started.job.id, status="queued", scenario_id=started.scenario.id,
                          base_scenario_id=scenario_id, base_job_id=started.base_job.id)


@router.post("/{scenario_id}/what-if-batch", status_code=status.HTTP_202_ACCEPTED,
             response_model=WhatIfBatchAccepted, openapi_extra=body_openapi(WhatIfBatchCreate),
             responses={409: {"description": "The base scenario has no finished plan"},
                        422: {"description": "A variant's edit names an unknown position "
                              "or NIP, or its derived scenario is invalid (each message "
                              "starts with variants[i])"},
                        503: {"description": "The batch does not fit in the job queue "
                              "(Retry-After)"}})
def what_if_batch(scenario_id: str, session: SessionDep, settings: SettingsDep, jobs: JobsDep,
                  response: Response, principal: Planner,
                  body: Annotated[WhatIfBatchCreate, Depends(json_body(WhatIfBatchCreate))]
                  ) -> WhatIfBatchAccepted:
    """Many what-ifs of one solved scenario at once: one derived scenario and one job per
    variant (a list of the edits of ``POST /what-if``), solved together by a fan-out
    (local worker processes, or Ray when ``PENATA_RAY_ADDRESS`` is set), each compared
    with the base scenario's latest plan 1. Poll ``GET /api/v1/what-if-batches/{id}``
    for the summary (objective delta and moves changed per variant)."""
    started = batch.start_batch(session, settings, jobs, scenario_id,
                                [list(v) for v in body.variants], owner=principal,
                                plans=body.plans, time_limit=body.time_limit, seed=body.seed)
    response.headers["Location"] = f"/api/v1/what-if-batches/{started.batch.id}"
    return WhatIfBatchAccepted(
        id=started.batch.id, status="queued", scenario_id=scenario_id,
        base_job_id=started.batch.base_job_id,
        jobs=[BatchJob(index=j.batch_index, id=j.id, scenario_id=j.scenario_id)  # type: ignore[arg-type]
              for j in started.jobs])
