"""One run at a time for each background job, across every worker process and app instance.

The lock is a row in the application's own database (job_locks), because that is the one thing
every web instance and worker shares whatever queue they use (SQLite file or Redis). Holding a
job means moving its ``held_until`` into the future with one conditional UPDATE, which both
SQLite (one writer at a time) and PostgreSQL (row lock, then the condition is checked again)
let only one caller win.

The lock is a short lease (LEASE, 30 seconds), renewed every RENEW_EVERY_SECONDS by a thread
while the job runs: a holder killed mid-job (``kill -9``, a lost machine) stops renewing, and
another worker takes the job over within LEASE rather than waiting out a long lock. Jobs are
safe to take over: refunds carry their row's idempotency key to Stripe, messages are claimed
one at a time (booking/jobs/notifications.py). The lease is taken, renewed and released on a
connection of its own, so it never joins, commits or rolls back the job's own transactions.
"""

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from booking.extensions import db
from booking.models import JobLock, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
RENEW_EVERY_SECONDS = 10.0


def _holder() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{threading.get_ident()}:{uuid4().hex[:8]}"


def acquire(name: str, *, ttl: timedelta = LEASE, now: datetime | None = None) -> str | None:
    """Hold ``name`` for ``ttl`` (a lease) from ``now``. Returns the holder's token, or None
    when someone else's lease is still running."""
    holder, now = _holder(), now or utcnow()
    with db.engine.begin() as connection:
        taken = connection.execute(
            update(JobLock)
            .where(JobLock.name == name, JobLock.held_until <= now)
            .values(holder=holder, held_until=now + ttl)
        ).rowcount
        if taken:
            return holder
        if connection.execute(select(JobLock.name).where(JobLock.name == name)).first():
            return None
        try:
            with connection.begin_nested():
                connection.execute(
                    insert(JobLock).values(name=name, holder=holder, held_until=now + ttl)
                )
        except IntegrityError:  # another worker created the row first, so it holds the job
            return None
    return holder


def renew(
    name: str,
    holder: str,
    *,
    ttl: timedelta = LEASE,
    now: datetime | None = None,
    engine: Engine | None = None,
) -> bool:
    """Extend the holder's lease; False when it has lost it (run out and taken over)."""
    now = now or utcnow()
    with (engine or db.engine).begin() as connection:
        return bool(
            connection.execute(
                update(JobLock)
                .where(JobLock.name == name, JobLock.holder == holder)
                .values(held_until=now + ttl)
            ).rowcount
        )


def release(name: str, holder: str) -> None:
    """Let the next run start now (only the holder's own lock is released)."""
    with db.engine.begin() as connection:
        connection.execute(
            update(JobLock)
            .where(JobLock.name == name, JobLock.holder == holder)
            .values(held_until=utcnow())
        )


class _Renewer(threading.Thread):
    """Renews a lease every RENEW_EVERY_SECONDS until stopped (the job finished)."""

    def __init__(self, engine: Engine, name: str, holder: str, ttl: timedelta) -> None:
        super().__init__(name=f"lease-{name}", daemon=True)
        self.engine, self.lease_name, self.holder, self.ttl = engine, name, holder, ttl
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(RENEW_EVERY_SECONDS):
            try:
                if not renew(self.lease_name, self.holder, ttl=self.ttl, engine=self.engine):
                    log.warning("%s: lease lost to another worker", self.lease_name)
                    return
            except Exception:  # noqa: BLE001 - a database blip: try again at the next beat
                log.warning("%s: could not renew the lease", self.lease_name, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


@contextmanager
def exclusive(name: str, *, ttl: timedelta = LEASE, now: datetime | None = None) -> Iterator[bool]:
    """``with exclusive("expire-holds") as mine:`` -- run the job only when ``mine``; the
    lease is renewed while the block runs and released at its end."""
    holder = acquire(name, ttl=ttl, now=now)
    if holder is None:
        yield False
        return
    renewer = _Renewer(db.engine, name, holder, ttl)
    renewer.start()
    try:
        yield True
    finally:
        renewer.stop()
        release(name, holder)
