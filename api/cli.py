"""The ``penata`` command line: the one place that assembles every command.

It sits at the top of the dependency graph, so it may import every layer: the
engine's commands (:mod:`solver.cli`: validate, solve, generate), the committee's
(:mod:`solver.review.cli`: decide, audit, review), the importer
(:mod:`solver.importer.cli`), the talent outputs (:mod:`solver.talent.cli`) and the
API's own (serve, worker, token, db, what-if-batch; defined here).
``solver`` never imports ``api``.

Importing this module (every ``penata`` command does) loads only the command line
itself and the engine's reading path; a command imports what it needs when it runs
(FastAPI, SQLAlchemy and uvicorn for ``serve``, the solver and the packet writers for
``solve``). ``tests/api/test_cli_imports.py`` holds that line.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
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
    (default sqlite:///penata.db). It runs the queued jobs itself, each solve in a solver
    process of its own, unless PENATA_EMBEDDED_WORKER=false (then `penata worker` does)."""
    import uvicorn

    from api.config import Settings
    from api.logs import configure_logging, uvicorn_log_config
    from api.main import create_app

    settings = Settings()
    configure_logging(settings, log_level)
    _engine().dispose()  # a store behind its schema ends here, with the advice
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level=log_level,
                log_config=uvicorn_log_config(settings))


def worker(
    log_level: Annotated[str, typer.Option(help="Log level")] = "info",
    metrics_port: Annotated[int | None, typer.Option(
        min=0, max=65535, help="Serve /healthz and /metrics of this worker on this TCP "
        "port (default PENATA_WORKER_METRICS_PORT; 0 = none)")] = None,
    metrics_host: Annotated[str | None, typer.Option(
        help="Interface of the metrics port (default PENATA_WORKER_METRICS_HOST, "
        "127.0.0.1)")] = None,
) -> None:
    """Run queued jobs of the store (DATABASE_URL) until SIGTERM or Ctrl-C: up to
    PENATA_MAX_WORKERS at a time, each in a solver process with PENATA_JOB_MEMORY_MB and
    its time limit enforced. Start as many workers, on as many hosts, as the store
    serves; no job runs twice. A stopping worker puts its running jobs back in the queue."""
    import logging
    import signal
    import threading

    from api.batch import BatchJobManager
    from api.config import Settings
    from api.db import session_factory
    from api.logs import configure_logging
    from api.worker_port import WorkerPort

    settings = Settings()
    configure_logging(settings, log_level)
    engine = _engine()
    jobs = BatchJobManager(settings, session_factory(engine))
    port_number = settings.worker_metrics_port if metrics_port is None else metrics_port
    host = settings.worker_metrics_host if metrics_host is None else metrics_host
    port = None
    if port_number:
        try:
            port = WorkerPort(jobs, host, port_number)
        except OSError as exc:
            typer.echo(f"--metrics-port: cannot listen on {host}:{port_number} "
                       f"({exc.strerror})", err=True)
            raise typer.Exit(2) from None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    jobs.start()
    log = logging.getLogger("penata.api.worker")
    if port is not None:
        port.start()
        log.info("worker %s: /healthz and /metrics on %s:%d", jobs.runner, host, port.port)
    log.info("worker %s: %d solve(s) at a time (%s), store %s", jobs.runner,
             settings.max_workers, settings.job_isolation, engine.url.get_backend_name())
    while not stop.wait(1.0):
        pass
    log.info("worker %s: stopping; running jobs go back to the queue", jobs.runner)
    jobs.shutdown()
    if port is not None:
        port.stop()
    engine.dispose()


SUMMARY_COLUMNS = ("variant", "status", "objective", "objective_delta", "moves_added",
                   "moves_dropped", "moves_changed", "error")


def what_if_batch(
    scenario: Annotated[Path, typer.Argument(help="Base scenario YAML file")],
    variants: Annotated[Path, typer.Option(help="JSON or YAML file: a list of variants, "
                                           "each a list of what-if edits")],
    out: Annotated[Path, typer.Option(help="Output folder")],
    time_limit: Annotated[float, typer.Option(min=0.001, help="Seconds per solve")] = 60.0,
    plans: Annotated[int, typer.Option(min=1, help="Ranked plans per variant")] = 1,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Local worker processes (default PENATA_FANOUT_WORKERS, else one per "
        "CPU; 1 = one after the other); PENATA_RAY_ADDRESS runs them on Ray")] = None,
) -> None:
    """Many what-ifs of one round at once (as POST /what-if-batch): solve the base, then
    every variant on local worker processes or Ray; writes variant-NNN/plans.json (each
    with its diff against the base plan 1) and summary.csv (objective delta and moves
    changed per variant)."""
    import yaml
    from pydantic import ValidationError

    from api.batch import VARIANTS, scenario_files, solve_local, summary_row
    from api.diff import find_plan
    from solver import fanout
    from solver.cli_common import EXIT_INVALID, console
    from solver.io import InputError, TableLimits, decode_yaml
    from solver.tabular import csv_text

    def fail(messages: list[str]) -> None:
        console.print(f"[bold red]Invalid input[/] ({len(messages)} problem(s)):")
        for message in messages:
            console.print(f"  {message}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID)

    try:
        raw = variants.read_bytes()
        parsed = yaml.safe_load(decode_yaml(raw, variants.name))
    except OSError as exc:
        fail([f"{variants.name}: cannot be read ({exc.strerror})"])
    except InputError as exc:
        fail(exc.errors)
    except yaml.YAMLError as exc:
        fail([f"{variants.name}: not valid JSON or YAML ({type(exc).__name__})"])
    if isinstance(parsed, dict) and "variants" in parsed:
        parsed = parsed["variants"]
    try:
        edits = VARIANTS.validate_python(parsed)
    except ValidationError as exc:
        fail([f"{variants.name}: variants" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                                                     for p in error["loc"])
              + f": {error['msg']}" for error in exc.errors(include_url=False)][:50])
    try:
        files = scenario_files(scenario)
        batch = solve_local(files, edits, limits=TableLimits(), time_limit=time_limit,
                            plans=plans, executor=fanout.executor(workers))
    except InputError as exc:
        fail(exc.errors)
    base_plan = find_plan(batch.base, 1)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[list[object]] = []
    for index, value in enumerate(batch.variants):
        if isinstance(value, fanout.TaskError):
            rows.append([index, "ERROR", "", "", "", "", "", value.kind])
            continue
        folder = out / f"variant-{index:03d}"
        folder.mkdir(exist_ok=True)
        (folder / "plans.json").write_text(
            json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        row = summary_row(find_plan(value, 1), base_plan) or {}
        rows.append([index, value["status"], *(row.get(k, "") for k in SUMMARY_COLUMNS[2:7]),
                     ""])
    (out / "summary.csv").write_text(csv_text(SUMMARY_COLUMNS, rows), encoding="utf-8")
    console.print(f"{len(batch.variants)} variant(s); wrote {out / 'summary.csv'}",
                  markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the API commands to the ``penata`` CLI."""
    app.command("serve")(serve)
    app.command("what-if-batch")(what_if_batch)
    app.command("worker")(worker)
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

    # The imported modules' objects live as long as the process: the cyclic garbage
    # collector need not walk them again and again (gc.freeze), nor walk everything
    # once more at exit (a command's memory goes back to the system as a whole).
    # About a tenth of a second of `penata solve` at the 693-seat size.
    gc.freeze()
    try:
        app()
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
