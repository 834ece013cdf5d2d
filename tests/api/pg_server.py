"""A throw-away PostgreSQL server for the API tests: Debian's binaries
(``/usr/lib/postgresql/*/bin``), a temporary data directory, a free port on loopback.

PostgreSQL refuses to run as root; as root the server runs as the ``postgres`` user
(made by Debian's package) or ``nobody``. :func:`unavailable` says why no server can be
started here (the tests then skip with that reason).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

USER = "penata"


def bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parts[3]) if Path(path).parts[3].isdigit()
                   else 0)
    return Path(found[-1]).parent if found else None


def _run_as() -> tuple[list[str], int | None]:
    """The command prefix and uid to run PostgreSQL with (not root)."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
        if shutil.which("runuser"):
            return ["runuser", "-u", name, "--"], uid
    return [], -1


def unavailable() -> str | None:
    if bindir() is None:
        return ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                "`make test` installs Debian's postgresql package when it runs as root")
    if _run_as()[1] == -1:
        return "running as root without a postgres/nobody user or runuser to start PostgreSQL"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """``initdb`` + ``pg_ctl start`` in a temporary directory; :meth:`stop` removes it."""

    def __init__(self, *, durable: bool = False) -> None:
        # durable: commits wait for the WAL write (synchronous_commit=on), so a server
        # killed by kill() loses no committed transaction (the tests' default, off, may
        # lose the last fraction of a second; fsync stays off: the OS does not crash).
        self.synchronous_commit = "on" if durable else "off"
        binaries = bindir()
        assert binaries is not None, unavailable()
        self.prefix, uid = _run_as()
        self.bin = binaries
        self.root = Path(tempfile.mkdtemp(prefix="penata-pg-"))
        if uid is not None:
            os.chown(self.root, uid, -1)
        self.data = self.root / "data"
        self.port = _free_port()
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-locale")
        self.start()
        self.url = f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start the server on its data directory and port (again after :meth:`kill`)."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-t", "120", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off -c full_page_writes=off "
                  f"-c synchronous_commit={self.synchronous_commit} "
                  "-c max_connections=300", "start")

    def kill(self) -> None:
        """Stop the server at once (``-m immediate``: no shutdown checkpoint, every
        connection dropped, as a crash), keeping its data for :meth:`start`."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self.prefix, str(self.bin / program), *args],
                              capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr}"
                               + (log.read_text() if log.exists() else ""))

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
