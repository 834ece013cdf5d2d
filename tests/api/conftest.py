"""Fixtures for the API tests: a tiny scenario, an app on a temporary store.

Every test that uses the store runs twice: on SQLite (a temporary file) and on a real
PostgreSQL server (``pg_server``, a fresh database per test, migrated by
``penata db upgrade``'s function); the PostgreSQL run skips, saying why, where
PostgreSQL cannot be started."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import tokens_for, write_tiny
from fastapi.testclient import TestClient
from pg_server import PostgresServer, unavailable

from api.config import Settings
from api.db import Base, make_engine
from api.main import create_app
from api.migrate import upgrade


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """Directory holding the tiny scenario (scenario.yaml, employees.csv, positions.csv)."""
    write_tiny(tmp_path / "tiny")
    return tmp_path / "tiny"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    reason = unavailable()
    if reason is not None:
        pytest.skip(reason)
    try:
        server = PostgresServer()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        # This machine cannot run a server (a sandbox, no shared memory, ...): say so.
        pytest.skip(f"PostgreSQL could not be started here: {exc}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated store of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'penata-test.db'}"
    else:
        url = request.getfixturevalue("postgres").new_database()
    engine = make_engine(url)
    upgrade(engine, Base.metadata)
    engine.dispose()
    return url


@pytest.fixture
def settings(store_url: str) -> Settings:
    return Settings(database_url=store_url, default_time_limit=20, progress_interval=0)


@pytest.fixture
def make_client(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Start an app (optionally with other settings or a fake solve function)."""
    clients: list[TestClient] = []

    def make(solve_fn: Any = None, **changes: Any) -> TestClient:
        app = create_app(settings.model_copy(update=changes), solve_fn=solve_fn)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def auth(client: TestClient) -> dict[str, dict[str, str]]:
    return tokens_for(client)
