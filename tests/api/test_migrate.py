"""Schema migrations (api/migrate.py, api/migrations): on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from api.db import Base, init_db, make_engine
from api.migrate import SchemaBehind, current, head, upgrade

# Columns of the durable job queue: stores made before migrations existed lack them.
QUEUE_COLUMNS = ("attempts", "claimed_by", "heartbeat_at")


def test_the_migrated_schema_is_the_models_schema(store_url: str) -> None:
    engine = make_engine(store_url)  # store_url is migrated to the newest revision
    with engine.connect() as connection:
        assert current(connection) == head()
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == [], "api/db.py changed without a migration: " + repr(differences)


def test_upgrade_is_idempotent(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine, Base.metadata)
    with engine.connect() as connection:
        assert current(connection) == head()
    engine.dispose()


def test_a_store_made_before_migrations_is_adopted(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    Base.metadata.create_all(engine)  # how stores were made before migrations
    with engine.begin() as connection:
        for column in QUEUE_COLUMNS:
            connection.execute(text(f"ALTER TABLE jobs DROP COLUMN {column}"))
        connection.execute(text("DROP TABLE web_sessions"))  # a table added later
        connection.execute(text("INSERT INTO scenarios (id, name, created_at, counts) "
                                "VALUES ('s', 'old', '2026-01-01 00:00:00', '{}')"))
        connection.execute(text(
            "INSERT INTO jobs (id, scenario_id, status, params, cancel_requested, created_at) "
            "VALUES ('j', 's', 'done', '{}', 0, '2026-01-01 00:00:00')"))
    init_db(engine)  # what a server's start-up does on SQLite
    with engine.connect() as connection:
        assert current(connection) == head()
        columns = {column["name"] for column in inspect(connection).get_columns("jobs")}
        assert set(QUEUE_COLUMNS) <= columns
        assert inspect(connection).has_table("web_sessions")
        assert connection.execute(text("SELECT status, attempts FROM jobs")).all() \
            == [("done", 0)]
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    engine.dispose()


def test_postgresql_is_upgraded_on_purpose(postgres, tmp_path: Path) -> None:
    url = postgres.new_database()
    engine = make_engine(url)
    with pytest.raises(SchemaBehind, match="run `penata db upgrade` first"):
        init_db(engine)  # a server does not migrate a shared store by itself
    env = {**os.environ, "DATABASE_URL": url}
    refused = subprocess.run([sys.executable, "-m", "api.cli", "token", "create",
                              "--role", "viewer"], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert "run `penata db upgrade` first" in refused.stderr
    assert "Traceback" not in refused.stderr
    upgraded = subprocess.run([sys.executable, "-m", "api.cli", "db", "upgrade"],
                              env=env, cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == f"Store at schema revision {head()} (postgresql)"
    init_db(engine)
    engine.dispose()
