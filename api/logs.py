"""Log lines of ``penata serve``, ``penata worker`` and their solver processes.

``PENATA_LOG_FORMAT=text`` (default): ``time level logger: message``. ``json``: one
JSON object a line (``ts``, ``level``, ``logger``, ``pid``, ``message``, and
``job_id`` for a line about a job), for a log shipper. Log lines name jobs and
scenarios by id only, never an employee (no NIP, no name); a line about a job
starts ``job <id>:`` (its id is the first argument), or passes ``extra={"job_id": ...}``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JOB_PREFIX = "job %s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record; the message as formatted text, never raw arguments."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, object] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process or os.getpid(),
            "message": record.getMessage(),
        }
        job_id = job_of(record)
        if job_id is not None:
            fields["job_id"] = job_id
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json.dumps(fields, ensure_ascii=False)


def job_of(record: logging.LogRecord) -> str | None:
    explicit = getattr(record, "job_id", None)
    if explicit is not None:
        return str(explicit)
    if isinstance(record.msg, str) and record.msg.startswith(JOB_PREFIX) \
            and isinstance(record.args, tuple) and record.args:
        return str(record.args[0])
    return None


def configure_logging(settings: Settings, level: int | str) -> None:
    """Send the root logger's records to stderr in the settings' format."""
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if isinstance(level, str) else level)


def uvicorn_log_config(settings: Settings) -> dict[str, object] | None:
    """uvicorn's own logging setup for text logs; none for JSON (its records then go to
    the root handler above, as JSON)."""
    if settings.log_format == "json":
        return None
    from uvicorn.config import LOGGING_CONFIG

    return LOGGING_CONFIG
