"""Transactions: one unit of work per use case, and SQLite's write lock taken up front.

SQLite ignores ``SELECT ... FOR UPDATE``. To make "lock, count, insert" safe there too, a unit of
work that writes starts its transaction with ``BEGIN IMMEDIATE``, which takes SQLite's single write
lock before the first read; other writers wait (``busy_timeout``) rather than fail. Read-only
requests use a plain deferred ``BEGIN`` and never block each other (WAL mode).
On PostgreSQL the services lock the rows they decide on with ``SELECT ... FOR UPDATE``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

from booking.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000
_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)


def configure_engine(engine: Engine) -> None:
    """Give SQLite connections WAL, foreign keys, a busy timeout and explicit BEGINs."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own is too late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run one use case in one transaction: commit once at the end, roll back on any error.

    Whatever read-only transaction the request had open (loading the signed-in user, say) is
    ended first, so the use case starts a fresh one that on SQLite holds the write lock.
    """
    db.session.rollback()
    token = _begin_immediate.set(True)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _begin_immediate.reset(token)
