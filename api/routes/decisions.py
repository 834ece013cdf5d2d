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

import json
import tempfile
import threading
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from api import errors
from api.db import ScenarioFile
from api.deps import Committee, SessionDep
from api.files import write_files
from api.jobs import latest_done_job, stored_files
from solver.review.decisions import LOG_NAME, DecisionError, decide, log_path, verify_log

router = APIRouter(prefix="/scenarios", tags=["decisions"])
LOG_ROLE = "decisions"
_LOCK = threading.Lock()


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


def _log_path_in(record_files: list[ScenarioFile]) -> str:
    yaml_file = next(f for f in record_files if f.role == "scenario")
    parent = PurePosixPath(yaml_file.path).parent
    return str(parent / LOG_NAME) if str(parent) != "." else LOG_NAME


def _entries(record_files: list[ScenarioFile]) -> tuple[list[dict[str, Any]], list[str]]:
    stored = next((f for f in record_files if f.role == LOG_ROLE), None)
    if stored is None:
        return [], []
    with tempfile.TemporaryDirectory(prefix="penata-log-") as tmp:
        path = Path(tmp) / "scenario.yaml"
        log_path(path).write_bytes(stored.content)
        problems = verify_log(path)
    entries = []
    for line in stored.content.decode("utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries, problems


@router.post("/{scenario_id}/decisions", status_code=status.HTTP_201_CREATED,
             responses={404: {"description": "Unknown scenario or job"},
                        409: {"description": "No finished plan to decide on"},
                        422: {"description": "Unknown NIP or position, conflicting approval, "
                              "or the scenario would become invalid"}})
def create_decision(scenario_id: str, body: DecisionCreate, session: SessionDep,
                    principal: Committee) -> dict[str, Any]:
    """Approve (lock) or reject (forbid) a move; returns the audit log entry."""
    record = errors.get_scenario(session, scenario_id)
    if body.job_id is not None:
        job = errors.get_job(session, body.job_id)
        if job.scenario_id != scenario_id:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                f"Job '{body.job_id}' belongs to another scenario")
    else:
        found = latest_done_job(session, scenario_id)
        if found is None:
            raise HTTPException(status.HTTP_409_CONFLICT, errors.no_base_plan(scenario_id))
        job = found
    document = errors.get_document(session, job.id)
    who = f"token {principal.token_id} ({principal.role})"
    by = f"{body.by.strip()} [{who}]" if body.by and body.by.strip() else who
    with _LOCK:
        session.refresh(record)
        with tempfile.TemporaryDirectory(prefix="penata-decide-") as tmp:
            scenario_dir, plans_dir = Path(tmp) / "scenario", Path(tmp) / "plans"
            plans_dir.mkdir()
            yaml_path = write_files(stored_files(record), scenario_dir)
            plans_path = plans_dir / "plans.json"
            plans_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
            try:
                entry = decide(yaml_path, plans_path, body.action, body.nip, body.position,
                               body.reason, by)
            except DecisionError as exc:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
            new_yaml = yaml_path.read_bytes()
            new_log = log_path(yaml_path).read_bytes()
        for stored in record.files:
            if stored.role == "scenario":
                stored.content = new_yaml
        log_file = next((f for f in record.files if f.role == LOG_ROLE), None)
        if log_file is None:
            record.files.append(ScenarioFile(role=LOG_ROLE, path=_log_path_in(record.files),
                                             original_name=LOG_NAME, content=new_log))
        else:
            log_file.content = new_log
        session.commit()
    return {**entry, "job_id": job.id}


@router.get("/{scenario_id}/decisions", response_model=DecisionLog)
def list_decisions(scenario_id: str, session: SessionDep, _: Committee) -> DecisionLog:
    """The scenario's decisions, oldest first, and whether the hash chain verifies."""
    record = errors.get_scenario(session, scenario_id)
    entries, problems = _entries(record.files)
    return DecisionLog(entries=entries, verified=not problems, problems=problems)
