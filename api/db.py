"""The store: SQLAlchemy 2 models and engine (SQLite by default, PostgreSQL by URL).

A change of these models needs a migration in ``api/migrations/versions``
(``tests/api/test_migrate.py`` fails until the migrated schema matches them).

Tables: ``tokens`` (hashed bearer tokens), ``scenarios`` and ``scenario_files``
(the uploaded files' bytes, as uploaded), ``jobs`` (status, progress, params)
``whatif_batches`` (batches of what-ifs, one job per variant), ``plan_documents``
(the ``plans.json`` document of a finished job),
``web_sessions`` (signed-in browsers of the workspace, :mod:`api.web`) and ``workers``
(the job runners alive, :mod:`api.registry`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker

from api import migrate


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # None: valid until revoked (tokens created before expiry existed).
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ScenarioRecord(Base):
    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    # What-if derivations: the scenario this one was derived from, and the edits.
    base_id: Mapped[str | None] = mapped_column(ForeignKey("scenarios.id"), index=True)
    edits: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    files: Mapped[list[ScenarioFile]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", order_by="ScenarioFile.id"
    )


class ScenarioFile(Base):
    __tablename__ = "scenario_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), index=True)
    # scenario | employees | positions | assessments
    role: Mapped[str] = mapped_column(String(16))
    # Path relative to the scenario directory, as the YAML names it.
    path: Mapped[str] = mapped_column(String(500))
    # The file name the user uploaded.
    original_name: Mapped[str] = mapped_column(String(500))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    scenario: Mapped[ScenarioRecord] = relationship(back_populates="files")


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), index=True)
    # queued | running | done | failed | cancelled
    status: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    # What-if jobs: the job whose plan 1 is the warm start and the diff's base.
    base_job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"))
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    # The token that started the job: only it (or an admin) may cancel the job.
    owner_token_id: Mapped[int | None] = mapped_column(Integer)
    # The durable queue (api.queue): how often the job was started, by which runner
    # it is running, and that runner's last renewal of its lease.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # A variant of a what-if batch (api.batch): the batch and the variant's place in it.
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("whatif_batches.id"), index=True)
    batch_index: Mapped[int | None] = mapped_column(Integer)
    # A done variant's row of its batch's summary: plan 1 against the base plan 1
    # (objective, objective_delta, moves_added, moves_dropped, moves_changed).
    batch_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WhatIfBatch(Base):
    """A batch of what-ifs of one solved scenario: one job per variant (``Job.batch_id``),
    all compared with the base job's plan 1 and solved together by a fan-out
    (:mod:`solver.fanout`)."""

    __tablename__ = "whatif_batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), index=True)
    # The job whose plan 1 every variant is compared with (no foreign key: jobs already
    # point here, and a cycle of keys would leave the tables without a creation order).
    base_job_id: Mapped[str] = mapped_column(String(32))
    owner_token_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class WorkerRecord(Base):
    """A runner of the job queue (the embedded one of ``penata serve``, or a ``penata
    worker``) while it runs: registered at its start, renewed by its lease loop,
    removed at a clean stop (:mod:`api.registry`). No personal data: host, pid, counts."""

    __tablename__ = "workers"

    # The runner id (api.queue.runner_id), as jobs' claimed_by names it.
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    # Concurrent solves it runs (PENATA_MAX_WORKERS) and those busy at its last heartbeat.
    slots: Mapped[int] = mapped_column(Integer)
    busy: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now,
                                                   index=True)


class PlanDocument(Base):
    __tablename__ = "plan_documents"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


def make_engine(url: str) -> Engine:
    """Engine for ``url``; SQLite gets WAL mode, a busy timeout and cross-thread use.
    ``postgresql://`` (and ``postgres://``) URLs use the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def init_db(engine: Engine) -> None:
    """Make the store ready: SQLite is migrated to the newest schema (created when
    new); PostgreSQL must have been upgraded by ``penata db upgrade``
    (:mod:`api.migrate`), else :class:`api.migrate.SchemaBehind`."""
    if engine.dialect.name == "sqlite":
        migrate.upgrade(engine, Base.metadata)
    else:
        migrate.check_current(engine)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


class WebSession(Base):
    """A browser session of the workspace (``api.web``): made by signing in with a token.

    Only the SHA-256 of the cookie value is stored; the token itself never is."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    # Per-session CSRF token: every form of the workspace posts it back.
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
