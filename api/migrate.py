"""Schema migrations of the store (Alembic; revisions in ``api/migrations/versions``).

:func:`upgrade` brings a store to the newest revision; ``penata db upgrade`` runs it,
and so does every start-up on SQLite (one host, one file: ``make demo`` and a single
BKPSDM need no extra step). A PostgreSQL store shared by several servers is upgraded
on purpose, by ``penata db upgrade``; a server that finds it behind refuses to start
with that advice (:func:`check_current`). Concurrent upgrades of one PostgreSQL store
wait for each other (an advisory lock). A store made before migrations existed
(tables but no ``alembic_version``, made by ``create_all``) is adopted: the tables and
columns of the models it lacks are added and it is stamped with the newest revision.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant: the key of the advisory lock PostgreSQL upgrades take.
UPGRADE_LOCK = 0x50454E41  # "PENA"


class SchemaBehind(RuntimeError):
    """The store's schema is older than this version of Penata."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, models: MetaData) -> None:
    """Bring the store to the newest revision (idempotent). ``models`` are the store's
    tables (``api.db.Base.metadata``), used only to adopt a store older than migrations;
    passed in so that this module does not import the models that import it."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": UPGRADE_LOCK})
        config = _config(connection)
        if current(connection) is None and inspect(connection).has_table("jobs"):
            _adopt(connection, models)
            command.stamp(config, "head")
        else:
            command.upgrade(config, "head")


def check_current(engine: Engine) -> None:
    """Raise :class:`SchemaBehind` unless the store is at the newest revision."""
    with engine.connect() as connection:
        found = current(connection)
    if found != head():
        raise SchemaBehind(f"The store's schema is at revision {found or 'none'}, this "
                           f"Penata needs {head()}: run `penata db upgrade` first")


def _adopt(connection: Connection, models: MetaData) -> None:
    """Add what a store made by ``create_all`` of an older version lacks: its tables
    (``create_all`` again) and the columns added to existing tables since."""
    models.create_all(connection)
    inspector = inspect(connection)
    for table in models.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            ddl = f"{column.name} {column.type.compile(dialect=connection.dialect)}"
            if column.server_default is not None and not column.nullable:
                ddl += f" NOT NULL DEFAULT {column.server_default.arg}"  # type: ignore[attr-defined]
            connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
