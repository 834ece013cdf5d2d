"""``/api/v1/scenarios/{id}/decisions``: the committee approves or rejects moves.

The same code as ``penata decide`` (:func:`solver.review.decisions.decide`) runs on
the stored scenario written to a temporary directory: an approval becomes a lock
and a rejection a forbid in the scenario YAML, so the next solve of this scenario
honours it, and one hash-chained entry is appended to the audit log. The updated
YAML replaces the stored one and the log is stored as the scenario's
``decisions`` file (``decisions.log.jsonl``, beside the YAML).

The entry records the decided-on plan as the SHA-256 of the job's ``plans.json``
document serialised as the CLI writes it, and who decided: the optional ``by`` name
plus the token id and role of the caller. Decisions on one server process are
serialised by a lock.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from api import errors, services
from api.body import body_openapi, json_body
from api.deps import Committee, SessionDep, SettingsDep

router = APIRouter(prefix="/scenarios", tags=["decisions"])


class DecisionCreate(BaseModel):
    """One committee decision on a move."""

    action: Literal["approve", "reject"]
    nip: str = Field(min_length=1, max_length=40)
    position: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=4000)
    by: str | None = Field(default=None, max_length=200,
                           description="Name of the decider (the token is always recorded)")
    job_id: str | None = Field(default=None, description="Job whose plans were decided on "
                               "(default: the scenario's latest finished job)")


class DecisionLog(BaseModel):
    entries: list[dict[str, Any]]
    verified: bool
    problems: list[str]


@router.post("/{scenario_id}/decisions", status_code=status.HTTP_201_CREATED,
             openapi_extra=body_openapi(DecisionCreate),
             responses={404: {"description": "Unknown scenario or job"},
                        409: {"description": "No finished plan to decide on"},
                        422: {"description": "Unknown NIP or position, conflicting approval, "
                              "or the scenario would become invalid"}})
def create_decision(scenario_id: str, session: SessionDep, settings: SettingsDep,
                    principal: Committee,
                    body: Annotated[DecisionCreate, Depends(json_body(DecisionCreate))]
                    ) -> dict[str, Any]:
    """Approve (lock) or reject (forbid) a move; returns the audit log entry."""
    return services.record_decision(session, settings, scenario_id, principal,
                                    action=body.action,
                                    nip=body.nip, position=body.position, reason=body.reason,
                                    by=body.by, job_id=body.job_id)


@router.get("/{scenario_id}/decisions", response_model=DecisionLog)
def list_decisions(scenario_id: str, session: SessionDep, _: Committee) -> DecisionLog:
    """The scenario's decisions, oldest first, and whether the hash chain verifies."""
    record = errors.get_scenario(session, scenario_id)
    entries, problems = services.audit_log(record)
    return DecisionLog(entries=entries, verified=not problems, problems=problems)
