"""What-if batches: many variants of one solved scenario, solved by one fan-out.

``POST /api/v1/scenarios/{id}/what-if-batch`` (:func:`start_batch`) validates every
variant (a list of what-if edits), stores one derived scenario and one queued job
per variant and a :class:`~api.db.WhatIfBatch`. The runner that claims the first of
those jobs claims the rest of the batch (:func:`api.queue.claim_batch`) and solves
them with :mod:`solver.fanout` (:func:`run_batch`): the base scenario's files go to
the executor once (Ray's object store, or each pool worker once), and every task
gets only its variant's edits. Each task (:func:`solver.whatif_batch.solve_variant`)
derives its scenario from the base as the request did (:mod:`solver.edits`), solves it
cold (reproducible byte for byte, on any executor) with the base plan 1 as hint, and
returns the plans document; the runner stores it with its
diff against the base plan 1 and the variant's summary row
(:func:`summary_row`), shown by ``GET /api/v1/what-if-batches/{id}``.

A cancel of a variant stops it before it starts, or while it solves in a pool
process or a Ray task: that process is ended (:mod:`solver.fanout`) and the job is
stored as cancelled, without plans or summary row. With one fan-out worker (the
variants one after the other in the runner's process) the variant's solve is stopped
through its stop event (:func:`solver.fanout.task_stop`) and stored the same way. A
stopping server ends its running variants the same way and puts them back in the
queue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import HTTPException, status
from pydantic import Field, TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import errors, queue
from api.config import Settings
from api.db import Job, PlanDocument, ScenarioFile, ScenarioRecord, WhatIfBatch
from api.diff import find_plan
from api.files import TABLE_ROLES, StoredFile, load_files
from api.jobs import JobManager, diff_against, latest_done_job, queued_count, stored_files
from api.schemas import Edit
from api.security import Principal
from api.services import counts, invalid, job_params, validate
from api.whatif import EditError, apply_edits, scenario_input
from solver import fanout
from solver.diff import plan_diff
from solver.document import plans_document
from solver.io import InputError, TableLimits, decode_yaml, read_config
from solver.result import SolveParams
from solver.scenario import Scenario
from solver.solve import solve
from solver.whatif_batch import BatchBase, input_sha256, solve_variant

log = logging.getLogger("penata.api.batch")

# A batch's variants as a file (``penata what-if-batch``): one non-empty edit list each.
VARIANTS = TypeAdapter(list[Annotated[list[Edit], Field(min_length=1)]])


# --------------------------------------------------------------------------- files


def stored_sha256(files: list[StoredFile]) -> str:
    """The digest :func:`solver.whatif_batch.input_sha256` gives these stored files."""
    return input_sha256(scenario_input(files))


def scenario_files(path: Path) -> tuple[StoredFile, ...]:
    """A scenario folder's YAML and the tables it names, as the API stores them.

    Raises InputError for a YAML that does not read or a table file that is missing."""
    label = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([f"{label}: cannot be read ({exc.strerror})"]) from None
    config = read_config(decode_yaml(raw, label), label).config
    files = [StoredFile("scenario", label, label, raw)]
    for role in TABLE_ROLES:
        name = config.get(role)
        if isinstance(name, str):
            table = path.parent / name
            try:
                files.append(StoredFile(role, name, table.name, table.read_bytes()))
            except OSError as exc:
                raise InputError([f"{label} key {role}: {name} cannot be read "
                                  f"({exc.strerror})"]) from None
    return tuple(files)


def derive_files(base: list[StoredFile], edits: list[Edit], limits: TableLimits
                 ) -> list[StoredFile]:
    return apply_edits(base, edits, limits)


# --------------------------------------------------------------------------- queueing


@dataclass(frozen=True)
class StartedBatch:
    batch: WhatIfBatch
    jobs: list[Job]


def variant_errors(index: int, messages: list[str]) -> list[str]:
    return [f"variants[{index}]: {message}" for message in messages]


def derive_variants(base: list[StoredFile], variants: list[list[Edit]], limits: TableLimits,
                    check: Callable[[list[StoredFile]], Scenario]
                    ) -> list[tuple[list[StoredFile], Scenario]]:
    """Each variant's files and scenario (``check`` loads and validates them), or
    InputError with every variant's problems, each message starting ``variants[i]: ``."""
    derived = []
    problems: list[str] = []
    for index, edits in enumerate(variants):
        try:
            files = derive_files(base, list(edits), limits)
            derived.append((files, check(files)))
        except (EditError, InputError) as exc:
            problems += variant_errors(index, exc.errors)
    if problems:
        raise InputError(problems)
    return derived


def start_batch(session: Session, settings: Settings, jobs: JobManager, scenario_id: str,
                variants: list[list[Edit]], *, owner: Principal, plans: int | None = None,
                time_limit: float | None = None, seed: int = 0) -> StartedBatch:
    """Validate every variant of ``scenario_id`` (422 naming the variant, edit and
    field), then store one derived scenario and queued job per variant and the batch,
    all at once (nothing is stored when one variant is invalid). 409 without a solved
    base, 503 when the batch does not fit in the queue (PENATA_MAX_QUEUED)."""
    base = errors.get_scenario(session, scenario_id)
    if len(variants) > settings.max_batch_variants:
        raise invalid([errors.too_many_variants(settings.max_batch_variants)])
    params = job_params(settings, plans, time_limit, seed)
    base_job = latest_done_job(session, scenario_id)
    if base_job is None:
        raise HTTPException(status.HTTP_409_CONFLICT, errors.no_base_plan(scenario_id))
    if queued_count(session) + len(variants) > settings.max_queued:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            errors.batch_does_not_fit(len(variants), settings.max_queued),
                            {"Retry-After": str(errors.QUEUE_RETRY_SECONDS)})

    def check(files: list[StoredFile]) -> Scenario:
        try:
            return validate(files, settings)
        except HTTPException as exc:  # validate's 422: the loader's messages
            raise InputError(exc.detail if isinstance(exc.detail, list)
                             else [str(exc.detail)]) from None

    try:
        derived = derive_variants(stored_files(base), variants, settings.table_limits(), check)
    except InputError as exc:
        raise invalid(exc.errors) from None
    batch = WhatIfBatch(scenario_id=scenario_id, base_job_id=base_job.id,
                        owner_token_id=owner.token_id)
    session.add(batch)
    session.flush()
    queued = []
    for index, ((files, scenario), edits) in enumerate(zip(derived, variants, strict=True)):
        record = ScenarioRecord(
            name=scenario.name, counts=counts(scenario), base_id=scenario_id,
            edits=[edit.model_dump() for edit in edits],
            files=[ScenarioFile(role=f.role, path=f.path, original_name=f.original_name,
                                content=f.content) for f in files])
        session.add(record)
        session.flush()
        job = Job(scenario_id=record.id, status="queued", params=dict(params),
                  base_job_id=base_job.id, owner_token_id=owner.token_id,
                  batch_id=batch.id, batch_index=index)
        session.add(job)
        queued.append(job)
    session.commit()
    jobs.submit(queued[0].id)
    return StartedBatch(batch, queued)


# --------------------------------------------------------------------------- running


def summary_row(plan: dict[str, Any] | None, base_plan: dict[str, Any] | None
                ) -> dict[str, Any] | None:
    """Plan 1 of a variant against the base plan 1: its objective, the objective delta,
    the moves added and dropped, and ``moves_changed``: the employees whose move
    differs (an added or a dropped move, or both)."""
    if plan is None or base_plan is None:
        return None
    diff = plan_diff(base_plan, plan)
    changed = {m["nip"] for m in diff["moves_added"]} | {m["nip"] for m in diff["moves_dropped"]}
    return {"objective": int(plan["objective"]), "objective_delta": diff["objective_delta"],
            "moves_added": len(diff["moves_added"]), "moves_dropped": len(diff["moves_dropped"]),
            "moves_changed": len(changed)}


@dataclass
class _Variant:
    job_id: str
    index: int
    edits: list[dict[str, Any]]
    input_sha256: str


def run_batch(manager: JobManager, batch_id: str, first_job_id: str) -> None:
    """Solve the jobs of batch ``batch_id`` this runner claims (``first_job_id`` and
    the rest still queued) with the configured fan-out, storing each as it ends; a
    job the fan-out did not return fails."""
    with manager.sessions() as session:
        ids = [first_job_id, *queue.claim_batch(session, manager.runner, batch_id)]
    finished: set[str] = set()
    try:
        _run_claimed(manager, batch_id, ids, finished)
    finally:
        for job_id in ids:
            if job_id in finished:
                pass
            elif manager.closing:
                manager.release(job_id)
            else:
                manager.finish(job_id, "failed",
                               error="Internal error (the batch's fan-out stopped)")
            manager.unwatch(job_id)


def _run_claimed(manager: JobManager, batch_id: str, ids: list[str], finished: set[str]
                 ) -> None:
    settings = manager.settings
    with manager.sessions() as session:
        batch = session.get(WhatIfBatch, batch_id)
        assert batch is not None
        base_record = session.get(ScenarioRecord, batch.scenario_id)
        assert base_record is not None
        base_document = session.get(PlanDocument, batch.base_job_id)
        base_plan = find_plan(base_document.document, 1) if base_document else None
        variants = []
        params: dict[str, Any] = {}
        for job_id in ids:
            job = session.get(Job, job_id)
            assert job is not None and job.batch_index is not None
            record = session.get(ScenarioRecord, job.scenario_id)
            assert record is not None
            params = dict(job.params)
            variants.append(_Variant(job_id, job.batch_index, list(record.edits or []),
                                     stored_sha256(stored_files(record))))
        base_files = tuple(stored_files(base_record))
    variants.sort(key=lambda v: v.index)
    for variant in variants:
        manager.watch(variant.job_id)
    hint = tuple((a["nip"], a["position"]) for a in base_plan["assignments"]) \
        if base_plan is not None else ()
    shared = BatchBase(source=scenario_input(base_files), limits=settings.table_limits(),
                       plans=params.get("plans"), max_plans=settings.max_plans,
                       time_limit=float(params["time_limit"]),
                       workers=settings.solver_workers, seed=int(params.get("seed", 0)),
                       hint=hint)
    executor = fanout.executor(settings.fanout_workers or None, settings.ray_address or "",
                               task_cpus=settings.solver_workers)
    log.info("batch %s: %d variant(s) on %s (jobs %s)", batch_id, len(variants),
             executor.name, ", ".join(v.job_id for v in variants))
    started = time.perf_counter()

    def on_result(position: int, value: Any) -> None:
        variant = variants[position]
        finished.add(variant.job_id)
        _store_variant(manager, variant, value, base_plan, time.perf_counter() - started)

    executor.run(solve_variant, shared, [v.edits for v in variants], on_result=on_result,
                 stop=lambda position: manager.stopping(variants[position].job_id))
    log.info("batch %s: finished in %.2f s", batch_id, time.perf_counter() - started)


def _store_variant(manager: JobManager, variant: _Variant, value: Any,
                   base_plan: dict[str, Any] | None, elapsed: float) -> None:
    job_id = variant.job_id
    if isinstance(value, fanout.TaskError):
        if value.cancelled and manager.closing:
            manager.release(job_id)
        elif value.cancelled or manager.stopping(job_id):
            manager.finish(job_id, "cancelled")
        elif value.kind == "InputError":
            manager.finish(job_id, "failed", error="The stored scenario no longer loads: "
                           + value.message.replace("\n", "; "))
        else:
            log.error("job %s: internal error (%s)", job_id, value.kind)
            manager.finish(job_id, "failed", error=f"Internal error ({value.kind})")
        return
    if value["input_sha256"] != variant.input_sha256:
        manager.finish(job_id, "failed", error=errors.batch_base_changed())
        return
    document = value["document"]
    diff_against(document, base_plan)
    first = find_plan(document, 1)
    last = document["plans"][-1] if document["plans"] else None
    progress = {"plan": last["rank"] if last else None,
                "best_objective": last["objective"] if last else None,
                "bound": float(last["bound"]) if last else None,
                "elapsed": round(elapsed, 3)}
    if manager.stopping(job_id) and not manager.closing:  # cancelled as it ended
        manager.finish(job_id, "cancelled")
        return
    manager.finish(job_id, "done", document=document, progress=progress,
                   batch_summary=summary_row(first, base_plan))
    log.info("job %s: %s (batch variant %d), %d plan(s)", job_id, document["status"],
             variant.index, len(document["plans"]))


# --------------------------------------------------------------------------- locally


@dataclass(frozen=True)
class LocalBatch:
    """``penata what-if-batch``: the base plans document and, per variant, its plans
    document (with the diff against the base plan 1) or the TaskError of its task."""

    base: dict[str, Any]
    variants: list[dict[str, Any] | fanout.TaskError]


def solve_local(files: tuple[StoredFile, ...], variants: list[list[Edit]], *,
                limits: TableLimits, time_limit: float, plans: int | None = 1, seed: int = 0,
                workers: int = 1, executor: fanout.Executor | None = None) -> LocalBatch:
    """Solve the base (plan 1) and every variant as the API's batch does; InputError for
    a base or a variant that does not load (messages naming ``variants[i]``)."""
    scenario = load_files(files, limits)
    derive_variants(list(files), variants, limits, lambda f: load_files(f, limits))
    params = SolveParams(plans=1, time_limit=time_limit, workers=workers, seed=seed)
    base_document = plans_document(solve(scenario, params), scenario, params)
    base_plan = find_plan(base_document, 1)
    hint = tuple((a["nip"], a["position"]) for a in base_plan["assignments"]) \
        if base_plan is not None else ()
    shared = BatchBase(source=scenario_input(files), limits=limits, plans=plans, max_plans=plans or 20,
                       time_limit=time_limit, workers=workers, seed=seed, hint=hint)
    chosen = executor or fanout.executor(task_cpus=workers)
    results = chosen.run(solve_variant, shared,
                         [[edit.model_dump() for edit in edits] for edits in variants])
    out: list[dict[str, Any] | fanout.TaskError] = []
    for value in results:
        if isinstance(value, fanout.TaskError):
            out.append(value)
        else:
            diff_against(value["document"], base_plan)
            out.append(value["document"])
    return LocalBatch(base_document, out)


# --------------------------------------------------------------------------- reading


def batch_jobs(session: Session, batch_id: str) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.batch_id == batch_id)
                                .order_by(Job.batch_index)))


def batch_status(jobs: list[Job]) -> str:
    """``queued`` while no variant started, ``done`` once none is queued or running,
    else ``running``."""
    if all(job.status == "queued" for job in jobs):
        return "queued"
    if any(job.status in ("queued", "running") for job in jobs):
        return "running"
    return "done"


class BatchJobManager(JobManager):
    """The job runner that also runs what-if batches (:func:`run_batch`): built by the
    app and by ``penata worker``; its solver processes get the same class. A subclass
    rather than an import inside api.jobs, so the runner does not depend on this module."""

    def run_batch(self, batch_id: str, job_id: str) -> None:
        run_batch(self, batch_id, job_id)
