"""One run at a time for each background job, across every worker process and app instance.

The lock is a row in the application's own database (job_locks), because that is the one thing
every web instance and worker shares whatever queue they use (SQLite file or Redis). Holding a
job means moving its ``held_until`` into the future with one conditional UPDATE, which both
SQLite (one writer at a time) and PostgreSQL (row lock, then the condition is checked again)
let only one caller win. A holder that crashes blocks nobody for long: its lock runs out.
The lock is taken and released on a connection of its own, so it never joins, commits or
rolls back the job's own transactions.
"""

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from uuid import uuid4

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from booking.extensions import db
from booking.models import JobLock, utcnow


def _holder() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{threading.get_ident()}:{uuid4().hex[:8]}"


def acquire(name: str, *, ttl: timedelta) -> str | None:
    """Hold ``name`` for at most ``ttl``. Returns the holder's token, or None when someone
    else holds it now."""
    holder, now = _holder(), utcnow()
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


def release(name: str, holder: str) -> None:
    """Let the next run start now (only the holder's own lock is released)."""
    with db.engine.begin() as connection:
        connection.execute(
            update(JobLock)
            .where(JobLock.name == name, JobLock.holder == holder)
            .values(held_until=utcnow())
        )


@contextmanager
def exclusive(name: str, *, ttl: timedelta) -> Iterator[bool]:
    """``with exclusive("expire-holds", ttl=...) as mine:`` -- run the job only when ``mine``."""
    holder = acquire(name, ttl=ttl)
    try:
        yield holder is not None
    finally:
        if holder is not None:
            release(name, holder)
