"""Solve jobs: a runner of the durable queue of :mod:`api.queue`.

A runner (in ``penata serve``, unless PENATA_EMBEDDED_WORKER is false, and in each
``penata worker``) has ``max_workers`` slots (each solve with ``solver_workers``
CP-SAT threads); they claim queued jobs from the store in FIFO order, so several
processes can share one database and no job runs twice. A slot runs its job's
solve in a solver process of its own (:mod:`api.worker`, the default
``job_isolation``), which enforces the job's memory and time limits and whose
crash puts the job back in the queue, or in the slot's own thread
(``job_isolation = "thread"``). A lease
thread renews the claims of this process's running jobs, hands on cancellations
asked through any process, and puts back in the queue the jobs of processes that
died (re-run from the start, at most ``job_max_attempts`` times); it also renews the
runner's row of the worker registry (:mod:`api.registry`), which the runner adds at
its start and removes at a clean stop. A stopping server puts its running jobs back
in the queue too. A job's stop event cancels it.
Log lines name jobs and scenarios by id only, never an employee.

Warm what-ifs: every solve leaves its LP relaxation (:class:`LpState`) in a small
in-memory cache keyed by scenario (``lp_cache_size`` entries, least recently used
dropped). A what-if asked with ``warm_start`` re-uses its base scenario's entry,
so a large round re-solves in seconds instead of re-running the whole LP. Other
solves always start cold and stay reproducible byte for byte.

A job whose params say ``explain`` (the workspace's) adds the explanations of
:mod:`solver.review.explain` to its document, and with ``shortlist_time`` the exact
shortlists of :mod:`solver.review.shortlist`, so the document stays readable after
decisions change the stored scenario.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from api import queue, registry, worker
from api.config import Settings
from api.db import Job, PlanDocument, ScenarioRecord, now
from api.diff import find_plan
from api.errors import capped
from api.files import StoredFile, load_files
from api.metrics import Metrics
from solver.diff import plan_diff
from solver.document import plans_document, problem_of
from solver.io import InputError
from solver.model.lp import LpState
from solver.result import Progress, Result, SolveParams
from solver.reuse import SolveCache
from solver.review.explain import explain_plans
from solver.review.shortlist import shortlists_into
from solver.scenario import Scenario
from solver.solve import solve

log = logging.getLogger("penata.api.jobs")

ACTIVE = ("queued", "running")
# Queued jobs whose scenario the request already loaded, kept for the solver thread.
PRELOADED_LIMIT = 16

SolveFn = Callable[[Scenario, SolveParams], Result]


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def stored_files(record: ScenarioRecord) -> list[StoredFile]:
    return [StoredFile(f.role, f.path, f.original_name, f.content) for f in record.files]


class JobManager:
    """Runs queued jobs of the store in solver threads and tracks their live progress."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session],
                 solve_fn: SolveFn | None = None, *, runner: str | None = None):
        self.settings = settings
        self.sessions = sessions
        # A solver process runs its jobs under its runner's id (api.worker).
        self.runner = runner or queue.runner_id()
        self.metrics = Metrics()
        self._injected_solve = solve_fn  # tests replace the solver; it gets no LP state
        self._threads: list[threading.Thread] = []
        self._lp_states: OrderedDict[str, LpState] = OrderedDict()
        # Problems, rows and core plans of recent solves: a what-if after a lock re-solves
        # from its base's (solver.reuse; the same bytes as a cold solve, in seconds less).
        self._reuse = SolveCache(settings.lp_cache_size) if settings.lp_cache_size > 0 \
            else None
        self._preloaded: OrderedDict[str, Scenario] = OrderedDict()
        self._stops: dict[str, threading.Event] = {}
        self._progress: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Condition()
        self._stopped = threading.Event()
        self._closing = False
        self._slots: list[worker.SolverProcess] = []
        # The job each slot was given (claimed under _claim_lock, so a dead solver
        # process's other claims, a batch's, are told apart from other slots' jobs).
        self._claim_lock = threading.Lock()
        self._dispatched: dict[str, str] = {}
        self._busy = 0  # slots running a job now (the registry's busy slots)
        # Set in a solver process after a job ran out of memory: it exits (api.worker).
        self.out_of_memory = False
        # Monotonic time of the lease loop's last good tick (of the start before the first).
        self.last_lease_tick: float | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._closing = False
        self.last_lease_tick = time.monotonic()
        self._stopped.clear()
        self._threads = [threading.Thread(target=self._lease_loop, name="penata-lease",
                                          daemon=True)]
        if self.settings.job_isolation == "process":
            self._slots = [worker.SolverProcess(self.settings, self.runner,
                                                self._injected_solve, f"penata-solver-{n}",
                                                type(self))
                           for n in range(self.settings.max_workers)]
        self._threads += [threading.Thread(target=self._solver_loop, daemon=True,
                                           args=(self._slots[n] if self._slots else None,),
                                           name=f"penata-solve-{n}")
                          for n in range(self.settings.max_workers)]
        for slot in self._slots:
            slot.start()  # the interpreter and solver imports before the first job
        try:
            with self.sessions() as session:
                registry.register(session, self.runner, self.settings.max_workers)
        except Exception as exc:  # the store is away: the lease loop registers it later
            log.warning("worker %s not registered (%s)", self.runner, type(exc).__name__)
        for thread in self._threads:
            thread.start()

    def shutdown(self) -> None:
        """Stop the solver threads; jobs they were running go back to the queue."""
        self._closing = True
        self._stopped.set()
        with self._lock:
            for stop in self._stops.values():
                stop.set()
        for slot in self._slots:
            slot.stop()
        with self._wake:
            self._wake.notify_all()
        for thread in self._threads:
            thread.join()
        for slot in self._slots:
            slot.close()
        if self._threads:
            try:
                with self.sessions() as session:
                    registry.deregister(session, self.runner)
            except Exception as exc:  # its row goes stale instead
                log.warning("worker %s not deregistered (%s)", self.runner,
                            type(exc).__name__)
        self._threads, self._slots = [], []

    def alive(self) -> bool:
        """Whether the solver threads run and the lease loop ticked within a lease (or
        the runner started less than a lease ago: the first tick may still be under way)."""
        tick = self.last_lease_tick
        return (bool(self._threads) and all(t.is_alive() for t in self._threads)
                and tick is not None
                and time.monotonic() - tick < self.settings.job_lease_seconds)

    # ------------------------------------------------------------------ API

    def submit(self, job_id: str, scenario: Scenario | None = None) -> None:
        """Wake a solver thread for a job just queued in the store; ``scenario``, when
        given, is the job's scenario already loaded from the stored files (the request
        validated it), so the job skips re-reading if this process runs it."""
        if not self._threads:
            if not self.settings.embedded_worker:
                return  # a `penata worker` finds it in the store
            raise RuntimeError("the job manager is not running")
        if scenario is not None:  # handed to the solver process with the job (api.worker)
            with self._lock:
                self._preloaded[job_id] = scenario
                while len(self._preloaded) > PRELOADED_LIMIT:
                    self._preloaded.popitem(last=False)
        with self._wake:
            self._wake.notify()

    def request_cancel(self, job_id: str) -> None:
        with self._lock:
            stop = self._stops.get(job_id)
        if stop is not None:
            stop.set()
        for slot in self._slots:
            slot.cancel(job_id)

    # ------------------------------------------------------------------ in a solver process

    def prepare(self, job_id: str, scenario: Scenario | None = None) -> None:
        """A job the runner sent is about to run here (its cancel may come before);
        ``scenario``: the job's scenario as the request validated it, when the runner
        had it."""
        with self._lock:
            self._stops[job_id] = threading.Event()
            if scenario is not None:
                self._preloaded[job_id] = scenario

    def run_prepared(self, job_id: str) -> None:
        self._run(job_id)

    def stop_running(self) -> None:
        """The runner stops: the running job goes back to the queue."""
        self._closing = True
        with self._lock:
            for stop in self._stops.values():
                stop.set()

    # ------------------------------------------------------------------ batches (api.batch)

    @property
    def closing(self) -> bool:
        return self._closing

    def watch(self, job_id: str) -> None:
        """Track a claimed job's cancellation (:meth:`stopping`) while it runs."""
        with self._lock:
            self._stops.setdefault(job_id, threading.Event())

    def unwatch(self, job_id: str) -> None:
        with self._lock:
            self._stops.pop(job_id, None)
            self._progress.pop(job_id, None)

    def stopping(self, job_id: str) -> bool:
        """Whether a running job should stop: its cancel was asked, or the server stops."""
        with self._lock:
            stop = self._stops.get(job_id)
        return self._closing or (stop is not None and stop.is_set())

    def finish(self, job_id: str, status: str, **fields: Any) -> None:
        self._finish(job_id, status, **fields)

    def release(self, job_id: str) -> None:
        self._release(job_id)

    def live_progress(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            progress = self._progress.get(job_id)
            return dict(progress) if progress is not None else None

    # ------------------------------------------------------------------ threads

    def _solver_loop(self, slot: worker.SolverProcess | None) -> None:
        while not self._closing:
            try:
                with self._claim_lock, self.sessions() as session:
                    job_id = queue.claim_next(session, self.runner)
                    if job_id is not None and slot is not None:
                        self._dispatched[slot.name] = job_id
            except Exception as exc:  # the store is away: try again later
                log.warning("job queue not readable (%s)", type(exc).__name__)
                job_id = None
            if job_id is None:
                with self._wake:
                    if not self._closing:
                        self._wake.wait(self.settings.job_poll_seconds)
                continue
            self._execute(job_id, slot)

    def _execute(self, job_id: str, slot: worker.SolverProcess | None) -> None:
        """Run a job this runner claimed, in ``slot``'s solver process or (without one)
        in this thread; the queue-wait and solve-seconds metrics are observed here."""
        self.metrics.claims.inc()
        with self._lock:
            self._busy += 1
        try:
            self._execute_claimed(job_id, slot)
        finally:
            with self._lock:
                self._busy -= 1

    def _execute_claimed(self, job_id: str, slot: worker.SolverProcess | None) -> None:
        try:
            self._observe(job_id, before=True)
        except Exception as exc:  # metrics are best effort
            log.warning("job %s: queue wait not observed (%s)", job_id, type(exc).__name__)
        if slot is None:
            with self._lock:
                self._stops[job_id] = threading.Event()
            self._run(job_id)
        else:
            try:
                self._run_in_process(job_id, slot)
            finally:
                with self._claim_lock:
                    self._dispatched.pop(slot.name, None)
        try:
            self._observe(job_id, before=False)
        except Exception as exc:
            log.warning("job %s: solve seconds not observed (%s)", job_id, type(exc).__name__)

    def _observe(self, job_id: str, *, before: bool) -> None:
        with self.sessions() as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            queued_at, started_at = utc(job.created_at), utc(job.started_at)
            finished_at = utc(job.finished_at)
            status = job.status
        if before and queued_at is not None and started_at is not None:
            self.metrics.queue_wait.observe(
                max(0.0, (started_at - queued_at).total_seconds()))
        elif not before and status not in ACTIVE and started_at is not None \
                and finished_at is not None:
            self.metrics.solve_seconds.labels(outcome=status).observe(
                max(0.0, (finished_at - started_at).total_seconds()))

    def _budget(self, job_id: str) -> float:
        """Seconds a job may run in its solver process before it is killed."""
        with self.sessions() as session:
            job = session.get(Job, job_id)
            params = dict(job.params or {}) if job is not None else {}
            # A what-if batch's first job brings the batch: each variant's time counts.
            jobs = 1 if job is None or job.batch_id is None else int(session.scalar(
                select(func.count()).select_from(Job).where(
                    Job.batch_id == job.batch_id, Job.status.in_(ACTIVE))) or 1)
        return (jobs * float(params.get("time_limit") or self.settings.default_time_limit)
                + float(params.get("shortlist_time") or 0) + self.settings.job_time_grace)

    def _run_in_process(self, job_id: str, slot: worker.SolverProcess) -> None:
        budget = self._budget(job_id)
        with self._lock:
            scenario = self._preloaded.pop(job_id, None)
        ended = slot.run(job_id, budget, self._stopped, scenario)
        if ended.how == "finished":
            return
        while True:  # the store may be away: the job stays ours until it is recorded
            try:
                self._record_end(job_id, ended, budget)
                return
            except Exception as exc:
                log.warning("job %s: end of its solver process not stored (%s)", job_id,
                            type(exc).__name__)
                if self._stopped.wait(self.settings.job_poll_seconds):
                    return  # the lease lapses; another runner takes the job back

    def _record_end(self, job_id: str, ended: worker.Ended, budget: float) -> None:
        """Store what a solver process's end means for its job, and for the other jobs
        it had claimed (a what-if batch's) that no other slot runs."""
        with self._claim_lock, self.sessions() as session:
            mine = self._slot_of(job_id)
            elsewhere = {other for name, other in self._dispatched.items() if name != mine}
            others = queue.running_of(session, self.runner) - {job_id} - elsewhere
        for other in sorted(others):
            self._record_one(other, ended, budget)
        self._record_one(job_id, ended, budget)

    def _slot_of(self, job_id: str) -> str | None:
        return next((name for name, job in self._dispatched.items() if job == job_id), None)

    def _record_one(self, job_id: str, ended: worker.Ended, budget: float) -> None:
        with self.sessions() as session:
            if ended.how == "timed_out":
                queue.fail_claimed(session, self.runner, job_id, queue.time_error(budget))
                outcome = "failed (time)"
            elif ended.how == "out_of_memory":
                queue.fail_claimed(session, self.runner, job_id,
                                   queue.memory_error(self.settings.job_memory_mb))
                outcome = "failed (memory)"
            elif self._closing:
                queue.release(session, self.runner, job_id)
                outcome = "back in the queue (server stopping)"
            else:
                outcome = queue.requeue_crashed(session, self.runner, job_id,
                                                self.settings.job_max_attempts) or "not ours"
        log.warning("job %s: solver process ended (%s, exit code %s): %s", job_id,
                    ended.how, ended.exitcode, outcome)
        if outcome == "requeued":
            with self._wake:
                self._wake.notify_all()

    def _lease_loop(self) -> None:
        interval = min(self.settings.job_lease_seconds,
                       self.settings.worker_stale_seconds) / 4
        while True:
            try:
                with self.sessions() as session:
                    cancelled = queue.heartbeat(session, self.runner)
                    reaped = queue.reap_stale(session, self.runner,
                                              self.settings.job_lease_seconds,
                                              self.settings.job_max_attempts)
                    if self._solvers_alive():  # else the registry sees this runner go
                        with self._lock:
                            busy = self._busy
                        registry.beat(session, self.runner, self.settings.max_workers, busy)
                self.last_lease_tick = time.monotonic()
            except Exception as exc:  # the store is away: the next tick tries again
                log.warning("job leases not renewed (%s)", type(exc).__name__)
                cancelled, reaped = set(), {}
            for job_id in cancelled:
                self.request_cancel(job_id)
            if any(reaped.values()):
                log.warning("jobs of stopped servers: %s", reaped)
                for outcome, count in reaped.items():
                    self.metrics.reaped.labels(outcome=outcome).inc(count)
                with self._wake:
                    self._wake.notify_all()
            if self._stopped.wait(interval):
                return

    def _solvers_alive(self) -> bool:
        current = threading.current_thread()
        return all(t.is_alive() for t in self._threads if t is not current)

    def _run(self, job_id: str) -> None:
        try:
            self._run_job(job_id)
        except MemoryError:
            # Over RLIMIT_AS in a solver process: the allocation failed, not the process.
            self.out_of_memory = True
            log.error("job %s: out of memory (PENATA_JOB_MEMORY_MB=%d)", job_id,
                      self.settings.job_memory_mb)
            self._finish(job_id, "failed", error=queue.memory_error(self.settings.job_memory_mb))
        except Exception as exc:  # never let a worker thread die silently
            log.error("job %s: internal error (%s)", job_id, type(exc).__name__)
            self._finish(job_id, "failed", error=f"Internal error ({type(exc).__name__})")
        finally:
            with self._lock:
                self._stops.pop(job_id, None)
                self._progress.pop(job_id, None)
                self._preloaded.pop(job_id, None)
        if self._reuse is not None and not self._closing:
            # The job is stored: what its what-ifs will need is worked out while the
            # planner reads the plans (solver.reuse).
            self._reuse.warm_up()

    def run_batch(self, batch_id: str, job_id: str) -> None:
        """Run a what-if batch's variants; :class:`api.batch.BatchJobManager`, the runner
        the app and ``penata worker`` build, does (a plain manager runs single jobs)."""
        self.finish(job_id, "failed", error="Internal error (this runner runs no batches)")

    def _run_job(self, job_id: str) -> None:
        with self._lock:
            stop = self._stops.get(job_id) or threading.Event()
        if self._closing:  # claimed while the server began to stop
            self._release(job_id)
            return
        with self.sessions() as session:
            job = session.get(Job, job_id)
            assert job is not None
            batch_id = job.batch_id
        if batch_id is not None:  # a what-if batch's variant: the batch runs together
            self.run_batch(batch_id, job_id)
            return
        with self._lock:
            preloaded = self._preloaded.pop(job_id, None)
        with self.sessions() as session:
            job = session.get(Job, job_id)
            assert job is not None
            record = session.get(ScenarioRecord, job.scenario_id)
            assert record is not None
            # The request's validated scenario, when it came with the job: the stored
            # tables (megabytes at city scale) need not be read at all.
            files = stored_files(record) if preloaded is None else []
            params: dict[str, Any] = dict(job.params)
            base_plan = None
            # The LP state to start from and to leave behind: the base scenario's
            # for a warm what-if, else this scenario's own (fresh: cold start).
            state_key = record.id
            if job.base_job_id is not None:
                base_doc = session.get(PlanDocument, job.base_job_id)
                if base_doc is not None:
                    base_plan = find_plan(base_doc.document, 1)
                base_job = session.get(Job, job.base_job_id)
                if params.get("warm_start") and base_job is not None:
                    state_key = base_job.scenario_id
        log.info("job %s: started (scenario %s, attempt %d)", job_id, record.id,
                 job.attempts)
        started = time.perf_counter()
        try:
            scenario = preloaded if preloaded is not None else load_files(
                files, self.settings.table_limits())
        except InputError as exc:
            self._finish(job_id, "failed", error="The stored scenario no longer loads: "
                         + "; ".join(capped(exc.errors)))
            log.warning("job %s: stored scenario failed validation", job_id)
            return
        last_write = [0.0]

        def on_progress(event: Progress) -> None:
            progress = {"plan": event.plan, "best_objective": event.best,
                        "bound": event.bound, "elapsed": round(event.elapsed, 3)}
            with self._lock:
                self._progress[job_id] = progress
            if time.perf_counter() - last_write[0] >= self.settings.progress_interval:
                last_write[0] = time.perf_counter()
                self._write_progress(job_id, progress)

        hint = tuple((a["nip"], a["position"]) for a in base_plan["assignments"]) \
            if base_plan is not None else ()
        # The scenario's plans.count is capped like a requested count (PENATA_MAX_PLANS):
        # uploads above it are refused, and a store from before that check stays bounded.
        plans = params.get("plans")
        if plans is None and scenario.plans.count > self.settings.max_plans:
            plans = self.settings.max_plans
        solve_params = SolveParams(
            plans=plans, time_limit=float(params["time_limit"]),
            workers=self.settings.solver_workers, seed=int(params.get("seed", 0)),
            progress=on_progress, stop=stop, hint=hint,
        )
        result = self._solve(scenario, solve_params, state_key,
                             warm=bool(params.get("warm_start")))
        document = plans_document(result, scenario, solve_params)
        if params.get("explain") and result.plans:
            self._explain(job_id, document, scenario, result, solve_params,
                          float(params.get("shortlist_time") or 0), stop, base_plan)
        else:
            diff_against(document, base_plan)
        final = self.live_progress(job_id) or {}
        last = result.plans[-1] if result.plans else None
        final.update({
            "plan": last.rank if last else final.get("plan"),
            "best_objective": last.objective if last else final.get("best_objective"),
            "bound": float(last.bound) if last else final.get("bound"),
            "elapsed": round(time.perf_counter() - started, 3),
        })
        if self._closing:
            self._release(job_id)
            return
        if stop.is_set():
            self._finish(job_id, "cancelled", document=document, progress=final)
        else:
            self._finish(job_id, "done", document=document, progress=final)
        log.info("job %s: %s, %d plan(s), %.2f s", job_id, result.status, len(result.plans),
                 result.runtime)

    def _explain(self, job_id: str, document: dict[str, Any], scenario: Scenario,
                 result: Result, params: SolveParams, shortlist_time: float,
                 stop: threading.Event, base_plan: dict[str, Any] | None) -> None:
        """Explanations (jpm, band, gaps, training, reasons) and, with a time budget,
        exact shortlists added to ``document``, as ``penata solve`` writes them. The plans
        do not wait for the shortlists: the document is stored as soon as they start
        (shortlists pending, readable by ``GET /jobs/{id}/plans``), the live progress
        counts the posts done, and the caller stores the finished document."""
        problem = problem_of(result, scenario)
        explain_plans(document, scenario, problem)
        # A what-if's plans are compared with the base plan 1, not with their own plan 1
        # as explain_plans does: set after it, before the document is first stored.
        diff_against(document, base_plan)
        if shortlist_time <= 0 or stop.is_set() or self._closing:
            return
        last_write = [0.0]

        def on_update(done: int, total: int) -> None:
            if done == 0:
                self._store_document(job_id, document)
            with self._lock:
                progress = self._progress.setdefault(job_id, {})
                progress.update({"shortlists_done": done, "shortlists_total": total})
                snapshot = dict(progress)
            if time.perf_counter() - last_write[0] >= self.settings.progress_interval:
                last_write[0] = time.perf_counter()
                self._write_progress(job_id, snapshot)

        shortlists_into(document, scenario, result, params, time_limit=shortlist_time,
                        problem=problem, on_update=on_update)

    def _store_document(self, job_id: str, document: dict[str, Any]) -> None:
        with self.sessions() as session:
            existing = session.get(PlanDocument, job_id)
            if existing is None:
                session.add(PlanDocument(job_id=job_id, document=copy.deepcopy(document)))
            else:
                existing.document = copy.deepcopy(document)
            session.commit()

    def _solve(self, scenario: Scenario, params: SolveParams, state_key: str, *,
               warm: bool) -> Result:
        if self._injected_solve is not None:
            return self._injected_solve(scenario, params)
        size = self.settings.lp_cache_size
        with self._lock:
            state = self._lp_states.get(state_key) if warm else None
        if size <= 0:
            return solve(scenario, params)
        state = state if state is not None else LpState()
        result = solve(scenario, params, warm=state, reuse=self._reuse)
        with self._lock:
            if state.warm:
                self._lp_states[state_key] = state
                self._lp_states.move_to_end(state_key)
            while len(self._lp_states) > size:
                self._lp_states.popitem(last=False)
        return result

    def _write_progress(self, job_id: str, progress: dict[str, Any]) -> None:
        try:
            with self.sessions() as session:
                session.execute(update(Job).where(Job.id == job_id, Job.status == "running")
                                .values(progress=progress))
                session.commit()
        except Exception as exc:  # progress is best effort; the solve goes on
            log.warning("job %s: progress not stored (%s)", job_id, type(exc).__name__)

    def _release(self, job_id: str) -> None:
        with self.sessions() as session:
            if queue.release(session, self.runner, job_id):
                log.info("job %s: back in the queue (server stopping)", job_id)

    def _finish(self, job_id: str, status: str, *, error: str | None = None,
                document: dict[str, Any] | None = None,
                progress: dict[str, Any] | None = None,
                batch_summary: dict[str, Any] | None = None) -> None:
        with self.sessions() as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            if job.status != "running" or job.claimed_by != self.runner:
                # Our lease lapsed and another runner took the job over: its run counts.
                log.warning("job %s: result dropped, the job is no longer ours", job_id)
                return
            job.claimed_by = None
            job.status = status
            job.error = error
            job.finished_at = now()
            if progress is not None:
                job.progress = progress
            if batch_summary is not None:
                job.batch_summary = batch_summary
            if document is not None:
                existing = session.get(PlanDocument, job_id)
                if existing is None:
                    session.add(PlanDocument(job_id=job_id, document=document))
                else:
                    existing.document = document
            session.commit()


def diff_against(document: dict[str, Any], base_plan: dict[str, Any] | None) -> None:
    """Every plan's ``diff`` against a what-if's base plan 1 (nothing without one)."""
    if base_plan is not None:
        for plan in document["plans"]:
            plan["diff"] = plan_diff(base_plan, plan)


def queued_count(session: Session) -> int:
    """Jobs waiting for a solver, all tokens together (PENATA_MAX_QUEUED)."""
    return int(session.scalar(select(func.count()).select_from(Job)
                              .where(Job.status == "queued")) or 0)


def latest_done_job(session: Session, scenario_id: str) -> Job | None:
    """The scenario's most recent finished job that has a plan 1."""
    jobs = session.scalars(
        select(Job).where(Job.scenario_id == scenario_id, Job.status == "done")
        .order_by(Job.finished_at.desc(), Job.created_at.desc())
    )
    for job in jobs:
        document = session.get(PlanDocument, job.id)
        if document is not None and find_plan(document.document, 1) is not None:
            return job
    return None
