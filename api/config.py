"""Service settings, read from the environment (pydantic-settings).

``DATABASE_URL`` names the store (default: ``sqlite:///penata.db`` in the working
directory); every other setting is ``PENATA_<NAME>``, e.g. ``PENATA_MAX_WORKERS=2``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from solver.io import TableLimits


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PENATA_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///penata.db",
        validation_alias=AliasChoices("DATABASE_URL", "PENATA_DATABASE_URL"),
    )
    # Concurrent solves; the others wait in the queue.
    max_workers: int = Field(default=1, ge=1, le=64)
    # CP-SAT threads per solve (1, like `penata solve`: deterministic and usually fastest).
    solver_workers: int = Field(default=1, ge=1, le=64)
    default_time_limit: float = Field(default=60.0, gt=0)
    max_time_limit: float = Field(default=3600.0, gt=0)
    max_plans: int = Field(default=20, ge=1)
    # Largest request body accepted; larger ones get 413.
    max_request_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    # Browser origins allowed by CORS; empty (the default) = CORS closed.
    cors_origins: list[str] = Field(default_factory=list)
    # Per-token limit on requests that change something (POST/DELETE); reads are not
    # limited. 0 disables it. Over the limit: 429 with Retry-After.
    rate_limit_per_minute: int = Field(default=60, ge=0)
    rate_limit_burst: int = Field(default=20, ge=1)
    # Most data rows accepted in one table (employees, positions, assessments); 422 above.
    max_rows: int = Field(default=100_000, ge=1)
    # Scenarios whose LP relaxation stays in memory for warm what-ifs (least recently
    # used dropped; about 280 MB each for the Kota Medan benchmark round). 0 disables them.
    lp_cache_size: int = Field(default=2, ge=0, le=64)
    # The durable job queue (api.queue): how many times a job is started before it
    # fails (a server that dies mid-solve, e.g. killed or out of memory, costs one),
    # the seconds a running job's claim lasts without renewal before another server
    # takes the job over (renewed every quarter of it), and the seconds an idle
    # solver thread waits before it looks at the queue again (jobs queued through
    # this process wake it at once).
    job_max_attempts: int = Field(default=3, ge=1, le=100)
    job_lease_seconds: float = Field(default=60.0, ge=1)
    job_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # The worker registry (api.registry): a runner whose heartbeat (every quarter of
    # this, from its lease loop) is older than this many seconds counts as gone, for
    # /readyz of an API that only queues and for the penata_workers_alive gauge.
    worker_stale_seconds: float = Field(default=60.0, ge=1)
    # A `penata worker`'s own HTTP port with /healthz and /metrics (api.worker_port;
    # `--metrics-port` / `--metrics-host` override these); 0: none.
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    worker_metrics_host: str = "127.0.0.1"
    # Fan-out of a what-if batch (solver.fanout): the local worker processes (0: one per
    # CPU; 1: the variants one after the other in the server), or, when ray_address is
    # set (PENATA_RAY_ADDRESS: a cluster's address, or `local` for an instance started
    # by this process), tasks on Ray instead.
    fanout_workers: int = Field(default=0, ge=0, le=256)
    ray_address: str | None = None
    # Most variants in one what-if batch.
    max_batch_variants: int = Field(default=200, ge=1, le=10_000)
    # Where a job's solve runs: "process" (default), a solver process of its own per
    # concurrent solve (api.worker: a crash, an out-of-memory kill or a runaway solve
    # ends that process, not the server), or "thread", in the runner's own process (no
    # memory or time limit can be enforced there; the tests' injected solvers and the
    # load benchmark's comparison use it).
    job_isolation: Literal["process", "thread"] = "process"
    # Address-space limit of a solver process in MB (RLIMIT_AS; it holds the interpreter
    # and solver libraries, about 500 MB, besides the job); a job over it fails with the
    # reason and is not run again. 0: no limit.
    job_memory_mb: int = Field(default=0, ge=0)
    # Seconds a job may run beyond its time_limit and shortlist_time (loading, the
    # explanations, writing the plans) before its solver process is killed and the job
    # failed with the reason.
    job_time_grace: float = Field(default=300.0, ge=0)
    # Whether `penata serve` runs jobs itself (the single-host default). False when
    # separate `penata worker` processes run them; the server then only queues.
    embedded_worker: bool = True
    # "text" (default) or "json": one JSON object per log line (api.logs), with the job id
    # as a field where a line is about a job.
    log_format: Literal["text", "json"] = "text"
    # Seconds between progress writes to the store while a job runs.
    progress_interval: float = Field(default=1.0, ge=0)
    # Workspace (api.web): minutes a browser session lasts after signing in, and
    # whether its cookie is marked Secure (set it when served over HTTPS).
    web_session_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60)
    web_cookie_secure: bool = False
    # Seconds of exact shortlists (three names per post) computed after a solve
    # started from the workspace; 0 skips them.
    web_shortlist_time: float = Field(default=60.0, ge=0)
    # Most jobs waiting in the queue, all tokens together; a new job beyond it gets 503
    # with Retry-After (each job may run up to max_time_limit).
    max_queued: int = Field(default=100, ge=1)
    # Production mode: the interactive docs (/docs, /redoc, /openapi.json) are off
    # unless PENATA_DOCS=true.
    production: bool = False
    docs: bool | None = None

    @property
    def docs_enabled(self) -> bool:
        return self.docs if self.docs is not None else not self.production

    def table_limits(self) -> TableLimits:
        """What one uploaded table may hold: PENATA_MAX_ROWS data rows, and no more bytes
        (for an XLSX: uncompressed XML) than a request may carry."""
        return TableLimits(max_rows=self.max_rows, max_bytes=self.max_request_bytes)


@lru_cache
def get_settings() -> Settings:
    return Settings()
