"""The HTTP port of a ``penata worker`` (``--metrics-port`` or
PENATA_WORKER_METRICS_PORT): ``/healthz`` and ``/metrics`` of that worker process.

A worker serves no API, so this is a small standard-library server in a thread of
its own, not the FastAPI app. ``/healthz`` (open) answers 200 while the worker's
runner is alive (solver threads and lease loop, :meth:`api.jobs.JobManager.alive`),
else 503 ``Job runner not running``: an orchestrator restarts such a worker.
``/metrics`` (any valid bearer token, as the API's ``/metrics``) is
:class:`api.metrics.Metrics` of this worker's runner: the solve seconds, queue wait
and claims of the jobs it ran, with job and worker counts of the store. No request
line is logged (a path is text a caller chose).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from api.deps import INVALID_TOKEN, NOT_AUTHENTICATED
from api.jobs import JobManager
from api.metrics import CONTENT_TYPE
from api.readiness import DATABASE_UNAVAILABLE, RUNNER_STOPPED, store_answers
from api.security import authenticate

NOT_FOUND = "Not Found"


class WorkerPort:
    """``/healthz`` and ``/metrics`` of ``jobs`` on ``host:port`` (port 0: any free one)."""

    def __init__(self, jobs: JobManager, host: str, port: int):
        self.jobs = jobs
        handler = type("Handler", (_Handler,), {"jobs": jobs})
        self._server = ThreadingHTTPServer((host, port), handler)  # OSError: port taken
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="penata-worker-port", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    jobs: JobManager
    server_version = "penata-worker"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            if self.jobs.alive():
                self._json(200, {"status": "ok"})
            else:
                self._json(503, {"detail": RUNNER_STOPPED})
        elif path == "/metrics":
            self._metrics()
        else:
            self._json(404, {"detail": NOT_FOUND})

    def _metrics(self) -> None:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            self._json(401, {"detail": NOT_AUTHENTICATED}, {"WWW-Authenticate": "Bearer"})
            return
        jobs = self.jobs
        try:
            with jobs.sessions() as session:
                if authenticate(session, token.strip()) is None:
                    self._json(401, {"detail": INVALID_TOKEN}, {"WWW-Authenticate": "Bearer"})
                    return
                answers = store_answers(session)
                body = jobs.metrics.render(session if answers else None,
                                           answers and jobs.alive(),
                                           jobs.settings.worker_stale_seconds)
        except Exception:  # the store is away: no token can be checked
            self._json(503, {"detail": DATABASE_UNAVAILABLE})
            return
        self._send(200, body, CONTENT_TYPE)

    def _json(self, code: int, body: dict[str, Any], headers: dict[str, str] | None = None
              ) -> None:
        self._send(code, json.dumps(body).encode(), "application/json", headers)

    def _send(self, code: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Silent: the request line carries a path the caller chose."""
