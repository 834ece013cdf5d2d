"""The FastAPI application: ``create_app(settings)``.

Routers live in :mod:`api.routes`, one module per resource, all under ``/api/v1``
(see :data:`api.routes.api_router`); ``/healthz`` and ``/readyz`` are open,
``/metrics`` takes any valid token. The browser workspace
(:mod:`api.web`) is served at ``/``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.exc import InterfaceError, OperationalError

from api.batch import BatchJobManager
from api.body import validation_error_handler
from api.config import Settings, get_settings
from api.db import init_db, make_engine, session_factory
from api.errors import store_error_handler
from api.jobs import SolveFn
from api.middleware import BodySizeLimit, SecurityHeaders
from api.ratelimit import RateLimiter
from api.routes import api_router, decisions, health
from api.web import mount as mount_workspace

API_PREFIX = "/api/v1"
log = logging.getLogger("penata.api")


def create_app(settings: Settings | None = None, *, solve_fn: SolveFn | None = None) -> FastAPI:
    """Build the service. The schema is created on start-up and the job runner started
    (unless PENATA_EMBEDDED_WORKER is false: separate workers run the jobs).

    The docs (``/docs``, ``/redoc``, ``/openapi.json``) are served unless production mode
    turns them off (:attr:`Settings.docs_enabled`)."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    jobs = BatchJobManager(settings, sessions, solve_fn=solve_fn)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        init_db(engine)
        if settings.embedded_worker:
            jobs.start()
            log.info("store ready (%s); %d concurrent solve(s) (%s)",
                     engine.url.get_backend_name(), settings.max_workers,
                     settings.job_isolation)
        else:
            log.info("store ready (%s); jobs run by `penata worker` processes",
                     engine.url.get_backend_name())
        try:
            yield
        finally:
            jobs.shutdown()
            engine.dispose()

    app = FastAPI(
        title="Penata",
        summary="Ranked placement plans for ASN rotation rounds",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    # The store away or full under a request: 503 / 507, never a 500 with a traceback.
    for store_error in (OperationalError, InterfaceError):
        app.add_exception_handler(store_error, store_error_handler)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.jobs = jobs
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute,
                                         settings.rate_limit_burst)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: on every response, 413s included
    app.include_router(health.router)
    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(decisions.router, prefix=API_PREFIX)
    mount_workspace(app)
    return app
