"""The worker registry: which job runners are alive, in the store (``workers`` table).

Every runner (:class:`api.jobs.JobManager` started by ``penata serve`` with its
embedded worker, or by ``penata worker``) registers when it starts
(:func:`register`), renews its row from its lease loop (:func:`beat`: last seen, busy
slots) while its solver threads run, and removes it at a clean stop
(:func:`deregister`). A runner killed with ``kill -9`` leaves its row behind; the
row counts as alive only while its last heartbeat is younger than
``PENATA_WORKER_STALE_SECONDS`` (:func:`summary`), so ``/readyz`` of an API that only
queues and the ``penata_workers_alive`` gauge see it gone after that window. Rows
not seen for :data:`FORGET_SECONDS` are deleted. The rows hold a host name, a pid and
counts: no user data. The clocks of the hosts must agree (NTP), as for job leases.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from api.db import WorkerRecord, now

# Rows of runners not seen for a day are dropped (they died without a clean stop).
FORGET_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class Workers:
    """The runners whose heartbeat is fresh: how many, their slots, their busy slots."""

    alive: int
    slots: int
    busy: int


def register(session: Session, runner: str, slots: int) -> None:
    """Add (or renew) ``runner``'s row: this process's host and pid, ``slots``, 0 busy."""
    stamp = now()
    record = session.get(WorkerRecord, runner)
    if record is None:
        session.add(WorkerRecord(id=runner, host=socket.gethostname()[:255], pid=os.getpid(),
                                 slots=slots, busy=0, started_at=stamp, last_seen=stamp))
    else:
        record.slots, record.busy, record.last_seen = slots, 0, stamp
    session.commit()


def beat(session: Session, runner: str, slots: int, busy: int) -> None:
    """Renew ``runner``'s row (registering it again if it is missing: a store restored,
    or a row forgotten while the store was away); drop rows unseen for a day."""
    stamp = now()
    renewed = session.execute(update(WorkerRecord).where(WorkerRecord.id == runner)
                              .values(last_seen=stamp, busy=busy, slots=slots))
    session.execute(delete(WorkerRecord).where(
        WorkerRecord.last_seen < stamp - dt.timedelta(seconds=FORGET_SECONDS)))
    session.commit()
    if not getattr(renewed, "rowcount", 0):
        register(session, runner, slots)
        if busy:
            beat(session, runner, slots, busy)


def deregister(session: Session, runner: str) -> None:
    session.execute(delete(WorkerRecord).where(WorkerRecord.id == runner))
    session.commit()


def summary(session: Session, stale_seconds: float) -> Workers:
    """The runners seen within ``stale_seconds``, their slots and busy slots."""
    cutoff = now() - dt.timedelta(seconds=stale_seconds)
    alive, slots, busy = session.execute(
        select(func.count(), func.coalesce(func.sum(WorkerRecord.slots), 0),
               func.coalesce(func.sum(WorkerRecord.busy), 0))
        .where(WorkerRecord.last_seen >= cutoff)).one()
    return Workers(int(alive), int(slots), int(busy))
