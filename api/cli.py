"""The ``penata`` command line: the one place that assembles every command.

It sits at the top of the dependency graph, so it may import every layer: the
engine's commands (:mod:`solver.cli`: validate, solve, generate), the committee's
(:mod:`solver.review.cli`: decide, audit, review), the importer
(:mod:`solver.importer.cli`), the talent outputs (:mod:`solver.talent.cli`) and the API's own (serve, token, db,
defined here).
``solver`` never imports ``api``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

token_app = typer.Typer(no_args_is_help=True, help="Create and revoke API bearer tokens.")
db_app = typer.Typer(no_args_is_help=True, help="The store's schema (DATABASE_URL).")


def _engine():  # noqa: ANN202 - Engine
    """The store's engine, ready for use; a PostgreSQL store not yet upgraded ends the
    command with the advice to run ``penata db upgrade``."""
    from api.config import Settings
    from api.db import init_db, make_engine
    from api.migrate import SchemaBehind

    engine = make_engine(Settings().database_url)
    try:
        init_db(engine)
    except SchemaBehind as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    return engine


def _sessions():  # noqa: ANN202 - sessionmaker
    from api.db import session_factory

    return session_factory(_engine())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the store's tables, or bring them to this version's schema (idempotent)."""
    from api.config import Settings
    from api.db import Base, make_engine
    from api.migrate import current, head, upgrade

    engine = make_engine(Settings().database_url)
    upgrade(engine, Base.metadata)
    with engine.connect() as connection:
        found = current(connection)
    assert found == head()
    typer.echo(f"Store at schema revision {found} ({engine.url.get_backend_name()})")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="admin, planner, committee or viewer")],
    expires_in: Annotated[str, typer.Option(
        help="Lifetime: 90d, 12h, 30m, or never")] = "90d",
) -> None:
    """Create a token; it is printed once, as the last line, and stored only hashed."""
    from api.security import ROLES, create_token, parse_lifetime

    if role not in ROLES:
        typer.echo(f"Unknown role {role!r}; choose one of: {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    try:
        lifetime = parse_lifetime(expires_in)
    except ValueError as exc:
        typer.echo(f"--expires-in: {exc}", err=True)
        raise typer.Exit(2) from None
    with _sessions()() as session:
        token_id, token = create_token(session, role, lifetime)
    until = "never expires" if lifetime is None else f"expires in {expires_in.strip().lower()}"
    typer.echo(f"Token {token_id} ({role}, {until}) created; keep it secret, it is not "
               "shown again:")
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(
    token: Annotated[str | None, typer.Argument(help="The token to revoke")] = None,
    token_id: Annotated[int | None, typer.Option("--id", help="Revoke by token id")] = None,
) -> None:
    """Revoke a token, given the token itself or its id."""
    from api.security import revoke_token

    if (token is None) == (token_id is None):
        typer.echo("Give either the token or --id", err=True)
        raise typer.Exit(2)
    with _sessions()() as session:
        done = revoke_token(session, token=token, token_id=token_id)
    if not done:
        typer.echo("No such active token", err=True)
        raise typer.Exit(1)
    typer.echo("Token revoked")


@token_app.command("list")
def token_list() -> None:
    """List tokens, one a line: id, role, created, expires (or never), revoked (``-``, or
    ``expired``). The tokens themselves are not stored."""
    from sqlalchemy import select

    from api.db import Token
    from api.security import is_expired

    with _sessions()() as session:
        for record in session.scalars(select(Token).order_by(Token.id)):
            expires = record.expires_at.isoformat() if record.expires_at else "never"
            state = record.revoked_at.isoformat() if record.revoked_at else (
                "expired" if is_expired(record) else "-")
            typer.echo(f"{record.id}\t{record.role}\t{record.created_at.isoformat()}\t"
                       f"{expires}\t{state}")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Run the HTTP API (docs at /docs unless PENATA_PRODUCTION). Store: DATABASE_URL
    (default sqlite:///penata.db)."""
    import logging

    import uvicorn

    from api.config import Settings
    from api.main import create_app

    logging.basicConfig(level=log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _engine().dispose()  # a store behind its schema ends here, with the advice
    app = create_app(Settings())
    uvicorn.run(app, host=host, port=port, log_level=log_level)


def register(app: typer.Typer) -> None:
    """Add the API commands to the ``penata`` CLI."""
    app.command("serve")(serve)
    app.add_typer(token_app, name="token")
    app.add_typer(db_app, name="db")


def build_app() -> typer.Typer:
    """The ``penata`` Typer app with every command registered."""
    from solver import cli as engine_cli
    from solver.importer import cli as import_cli
    from solver.review import cli as review_cli
    from solver.talent import cli as talent_cli

    app = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="Penata: proven-optimal ranked placement plans for ASN rotation "
                           "rounds.")
    engine_cli.register(app)
    register(app)
    review_cli.register(app)
    import_cli.register(app)
    talent_cli.register(app)
    return app


app = build_app()


def main() -> None:
    """Entry point of the ``penata`` script."""
    from solver.cli_common import console

    try:
        app()
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
