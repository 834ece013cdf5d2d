"""Fixtures for the API tests: a tiny scenario, an app on a temporary SQLite store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import tokens_for, write_tiny
from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """Directory holding the tiny scenario (scenario.yaml, employees.csv, positions.csv)."""
    write_tiny(tmp_path / "tiny")
    return tmp_path / "tiny"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'penata-test.db'}",
                    default_time_limit=20, progress_interval=0)


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
