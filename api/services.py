"""What the HTTP API and the browser workspace both do, once.

The JSON routes (:mod:`api.routes`) and the workspace pages (:mod:`api.web`) are thin
adapters over these functions: validate and store a scenario, queue a solve or a
what-if, cancel a job, record a committee decision, read the audit log. Problems are
raised as :class:`fastapi.HTTPException` with the API's exact ``detail`` (a list of
the loader's messages for invalid input), which the pages show in their own words.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi import HTTPException, status
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api import errors
from api.config import Settings
from api.db import Job, ScenarioFile, ScenarioRecord, now
from api.files import (
    TABLE_ROLES,
    StoredFile,
    Upload,
    load_files,
    place_upload,
    safe_name,
    write_files,
    yaml_loader,
)
from api.jobs import JobManager, latest_done_job, queued_count, stored_files
from api.schemas import Edit
from api.security import ADMIN_ROLES, Principal
from api.whatif import EditError, apply_edits
from solver.io import InputError
from solver.review.decisions import LOG_NAME, DecisionError, decide, log_path, verify_log
from solver.scenario import Scenario

# The stored role of a scenario's audit log (``decisions.log.jsonl`` beside the YAML).
LOG_ROLE = "decisions"
# Decisions on one server process are serialised.
_DECISION_LOCK = threading.Lock()


def invalid(messages: list[str]) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, errors.capped(messages))


def invalid_text(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)


# --------------------------------------------------------------------------- scenarios


def counts(scenario: Scenario) -> dict[str, int]:
    out = {"employees": len(scenario.employees), "positions": len(scenario.positions),
           "assessments": len(scenario.assessments)}
    for role in ("preferences", "units"):  # section 9 tables, counted when given
        if not getattr(scenario, role).empty:
            out[role] = len(getattr(scenario, role))
    return out


def validate(files: list[StoredFile], settings: Settings) -> Scenario:
    """Load ``files`` with the solver's loader (tables by role, within the server's
    limits: PENATA_MAX_ROWS, PENATA_MAX_PLANS); 422 with its messages when invalid."""
    try:
        scenario = load_files(files, settings.table_limits())
    except InputError as exc:
        raise invalid(exc.errors) from None
    if scenario.plans.count > settings.max_plans:
        yaml_name = next(f.path for f in files if f.role == "scenario")
        raise invalid([errors.too_many_scenario_plans(yaml_name, scenario.plans.count,
                                                      settings.max_plans)])
    return scenario


def store(session: Session, files: list[StoredFile], scenario: Scenario, *,
          base_id: str | None = None,
          edits: list[dict[str, Any]] | None = None) -> ScenarioRecord:
    """Keep validated files as a new scenario (a derivation of ``base_id`` with ``edits``)."""
    record = ScenarioRecord(
        name=scenario.name, counts=counts(scenario), base_id=base_id, edits=edits,
        files=[ScenarioFile(role=f.role, path=f.path, original_name=f.original_name,
                            content=f.content) for f in files],
    )
    session.add(record)
    session.commit()
    return record


def derive(session: Session, settings: Settings, base: ScenarioRecord,
           edits: list[Edit]) -> tuple[ScenarioRecord, Scenario]:
    """A new scenario: ``base`` with ``edits`` applied, validated and stored."""
    try:
        files = apply_edits(stored_files(base), list(edits), settings.table_limits())
    except (EditError, InputError) as exc:
        raise invalid(exc.errors) from None
    scenario = validate(files, settings)
    record = store(session, files, scenario, base_id=base.id,
                   edits=[edit.model_dump() for edit in edits])
    return record, scenario


# The sources of `penata import siasn`, in the order of its options.
SIASN_SOURCES = ("pegawai", "peta_jabatan", "kinerja", "talenta", "hukdis", "kompetensi",
                 "standar_kompetensi", "seleksi", "kamus_pendidikan", "map")
IMPORT_REPORT_ROLE = "import_report"


def import_siasn(uploads: dict[str, Upload], as_of: dt.date,
                 name: str | None = None) -> list[StoredFile]:
    """A scenario's files from SIASN-style exports (``solver.importer``, as ``penata
    import siasn``): the YAML and tables placed as an upload, plus the import report.
    Raises InputError with the importer's messages."""
    from solver.importer import Sources, build
    from solver.importer.scenario_files import REPORT_MD

    missing = [role for role in ("pegawai", "peta_jabatan") if role not in uploads]
    if missing:
        raise InputError([f"{role}: the export was not uploaded" for role in missing])
    with tempfile.TemporaryDirectory(prefix="penata-import-") as tmp:
        paths: dict[str, Path] = {}
        for role, upload in uploads.items():
            suffix = Path(safe_name(upload.original_name, role)).suffix.lower()
            target = Path(tmp) / safe_name(upload.original_name, f"{role}{suffix}")
            if target.exists():
                target = Path(tmp) / f"{role}-{target.name}"
            target.write_bytes(upload.content)
            paths[role] = target
        sources = Sources(pegawai=paths["pegawai"], peta_jabatan=paths["peta_jabatan"],
                          **{role: paths.get(role) for role in SIASN_SOURCES[2:]})
        imported = build(sources, as_of, name)
    files = imported.files
    tables = {role: Upload(f"{role}.csv", files[f"{role}.csv"].encode("utf-8"))
              for role in TABLE_ROLES if f"{role}.csv" in files}
    placed = place_upload(Upload("scenario.yaml", files["scenario.yaml"].encode("utf-8")),
                          tables)
    report = StoredFile(IMPORT_REPORT_ROLE, REPORT_MD, REPORT_MD,
                        files[REPORT_MD].encode("utf-8"))
    return [*placed, report]


def configure(session: Session, settings: Settings, record: ScenarioRecord,
              edits: list[Edit]) -> ScenarioRecord:
    """Change a round's settings (rules, weights, scope): in place while it has no job
    yet, else as a new scenario derived from it (plans already made keep their input)."""
    has_jobs = session.scalars(select(Job.id).where(Job.scenario_id == record.id)).first()
    if has_jobs is not None:
        derived, _ = derive(session, settings, record, edits)
        return derived
    try:
        files = apply_edits(stored_files(record), list(edits), settings.table_limits())
    except (EditError, InputError) as exc:
        raise invalid(exc.errors) from None
    scenario = validate(files, settings)
    kept = {f.role: f for f in record.files}
    for stored in files:
        if stored.role in kept:
            kept[stored.role].path = stored.path
            kept[stored.role].content = stored.content
        else:
            record.files.append(ScenarioFile(role=stored.role, path=stored.path,
                                             original_name=stored.original_name,
                                             content=stored.content))
    record.name = scenario.name
    record.counts = counts(scenario)
    session.commit()
    return record


# --------------------------------------------------------------------------- jobs


def job_params(settings: Settings, plans: int | None, time_limit: float | None,
               seed: int) -> dict[str, Any]:
    """A job's stored parameters, within the server's limits (422 above them)."""
    if time_limit is not None and time_limit > settings.max_time_limit:
        raise invalid_text(errors.time_limit_too_long(settings.max_time_limit))
    if plans is not None and plans > settings.max_plans:
        raise invalid_text(errors.too_many_plans(settings.max_plans))
    return {"plans": plans, "seed": seed,
            "time_limit": time_limit if time_limit is not None else settings.default_time_limit}


def check_queue(session: Session, settings: Settings) -> None:
    """503 with Retry-After when PENATA_MAX_QUEUED jobs already wait (all tokens)."""
    if queued_count(session) >= settings.max_queued:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            errors.queue_full(settings.max_queued),
                            {"Retry-After": str(errors.QUEUE_RETRY_SECONDS)})


def start_solve(session: Session, settings: Settings, jobs: JobManager, scenario_id: str, *,
                owner: Principal, plans: int | None = None, time_limit: float | None = None,
                seed: int = 0, explain: bool = False, shortlist_time: float = 0.0) -> Job:
    """Queue a solve of a stored scenario for ``owner`` (who alone, or an admin, may
    cancel it). ``explain`` adds the explanations to its plans; ``shortlist_time`` > 0
    also the exact shortlists (three names per post), computed after the solve in that
    many seconds at most."""
    errors.get_scenario(session, scenario_id)
    params = job_params(settings, plans, time_limit, seed)
    check_queue(session, settings)
    if explain:
        params["explain"] = True
    if shortlist_time > 0:
        params["shortlist_time"] = float(shortlist_time)
    job = Job(scenario_id=scenario_id, status="queued", params=params,
              owner_token_id=owner.token_id)
    session.add(job)
    session.commit()
    jobs.submit(job.id)
    return job


@dataclass(frozen=True)
class WhatIfJob:
    job: Job
    scenario: ScenarioRecord
    base_job: Job


def start_what_if(session: Session, settings: Settings, jobs: JobManager, scenario_id: str,
                  edits: list[Edit], *, owner: Principal, plans: int | None = None,
                  time_limit: float | None = None, seed: int = 0,
                  warm_start: bool = False, explain: bool = False,
                  shortlist_time: float = 0.0) -> WhatIfJob:
    """Derive a scenario from ``scenario_id`` with ``edits`` and queue its solve, compared
    with (and warm-started from) the base scenario's latest plan 1 (409 without one);
    ``explain`` and ``shortlist_time`` as for :func:`start_solve`."""
    base = errors.get_scenario(session, scenario_id)
    params = job_params(settings, plans, time_limit, seed)
    base_job = latest_done_job(session, scenario_id)
    if base_job is None:
        raise HTTPException(status.HTTP_409_CONFLICT, errors.no_base_plan(scenario_id))
    check_queue(session, settings)
    record, scenario = derive(session, settings, base, edits)
    if warm_start:
        params["warm_start"] = True
    if explain:
        params["explain"] = True
    if shortlist_time > 0:
        params["shortlist_time"] = float(shortlist_time)
    job = Job(scenario_id=record.id, status="queued", params=params, base_job_id=base_job.id,
              owner_token_id=owner.token_id)
    session.add(job)
    session.commit()
    jobs.submit(job.id, scenario)
    return WhatIfJob(job, record, base_job)


def cancel(session: Session, jobs: JobManager, job_id: str, by: Principal) -> Job:
    """Cancel a job: a queued one at once, a running one at the solver's next check
    (it keeps the plans found so far). 403 unless ``by`` started it or is an admin;
    409 when it has already finished."""
    job = errors.get_job(session, job_id)
    if by.role not in ADMIN_ROLES and job.owner_token_id != by.token_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, errors.not_job_owner(job_id))
    if job.status not in ("queued", "running"):
        raise HTTPException(status.HTTP_409_CONFLICT,
                            errors.already_finished(job_id, job.status))
    session.execute(update(Job).where(Job.id == job_id, Job.status == "queued")
                    .values(status="cancelled", finished_at=now(), cancel_requested=True))
    session.execute(update(Job).where(Job.id == job_id, Job.status == "running")
                    .values(cancel_requested=True))
    session.commit()
    jobs.request_cancel(job_id)
    session.refresh(job)
    return job


# --------------------------------------------------------------------------- decisions


def _log_path_in(record_files: list[ScenarioFile]) -> str:
    yaml_file = next(f for f in record_files if f.role == "scenario")
    parent = PurePosixPath(yaml_file.path).parent
    return str(parent / LOG_NAME) if str(parent) != "." else LOG_NAME


def audit_log(record: ScenarioRecord) -> tuple[list[dict[str, Any]], list[str]]:
    """The scenario's audit log entries (oldest first) and the hash chain's problems
    (empty: it verifies)."""
    stored = next((f for f in record.files if f.role == LOG_ROLE), None)
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


def audit_log_bytes(record: ScenarioRecord) -> bytes:
    stored = next((f for f in record.files if f.role == LOG_ROLE), None)
    return b"" if stored is None else stored.content


def decided_on(session: Session, scenario_id: str, job_id: str | None) -> Job:
    """The job whose plans a decision is about: ``job_id`` (of this scenario) or the
    scenario's latest finished job (409 without one)."""
    if job_id is not None:
        job = errors.get_job(session, job_id)
        if job.scenario_id != scenario_id:
            raise invalid_text(f"Job '{job_id}' belongs to another scenario")
        return job
    found = latest_done_job(session, scenario_id)
    if found is None:
        raise HTTPException(status.HTTP_409_CONFLICT, errors.no_base_plan(scenario_id))
    return found


def record_decision(session: Session, settings: Settings, scenario_id: str,
                    principal: Principal, *, action: str, nip: str, position: str,
                    reason: str, by: str | None = None,
                    job_id: str | None = None) -> dict[str, Any]:
    """Approve (lock) or reject (forbid) a move with :func:`solver.review.decisions.decide`
    on the stored scenario; the updated YAML and audit log replace the stored ones.
    Returns the log entry (plus ``job_id``); 422 with the reason when it cannot be
    recorded."""
    record = errors.get_scenario(session, scenario_id)
    job = decided_on(session, scenario_id, job_id)
    document = errors.get_document(session, job.id)
    who = f"token {principal.token_id} ({principal.role})"
    by = f"{by.strip()} [{who}]" if by and by.strip() else who
    with _DECISION_LOCK:
        session.refresh(record)
        with tempfile.TemporaryDirectory(prefix="penata-decide-") as tmp:
            scenario_dir, plans_dir = Path(tmp) / "scenario", Path(tmp) / "plans"
            plans_dir.mkdir()
            files = stored_files(record)
            # Only the YAML and the log go to disk (decide() edits them); the tables are
            # handed over by role, so no path the YAML names is ever opened.
            yaml_path = write_files([f for f in files if f.role not in TABLE_ROLES],
                                    scenario_dir)
            plans_path = plans_dir / "plans.json"
            plans_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
            try:
                entry = decide(yaml_path, plans_path, action, nip, position, reason, by,
                               load=yaml_loader(files, settings.table_limits()))
            except DecisionError as exc:
                raise invalid_text(str(exc)) from None
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
