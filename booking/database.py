"""Transactions: one unit of work per use case, and SQLite's write lock taken up front.

SQLite ignores ``SELECT ... FOR UPDATE``. To make "lock, count, insert" safe there too, a unit of
work that writes starts its transaction with ``BEGIN IMMEDIATE``, which takes SQLite's single write
lock before the first read; other writers wait (``busy_timeout``) rather than fail. Read-only
requests use a plain deferred ``BEGIN`` and never block each other (WAL mode).
On PostgreSQL the services lock the rows they decide on with ``SELECT ... FOR UPDATE``.

The public pages strangers read most run their few statements with ``single_read``: each on its
own, in autocommit, so PostgreSQL is asked once per statement instead of also for a BEGIN and a
ROLLBACK around them.
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Executable, RowMapping, event
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


def single_read(
    statement: Executable, parameters: Mapping[str, Any] | None = None
) -> Sequence[RowMapping]:
    """The rows of one read-only statement, run on its own outside the request's transaction.

    A single statement sees one consistent snapshot by itself, so on PostgreSQL it runs in
    autocommit: one round trip instead of three (BEGIN, the statement, ROLLBACK), which is most
    of a cheap page's time with the database on a busy machine. SQLite (tests, ``make run``)
    reads through the request's session as usual. Never for writes, nor for reads that a
    decision in the same request depends on: those belong in the request's transaction.
    """
    if db.engine.dialect.name != "postgresql":
        return db.session.execute(statement, parameters).mappings().all()
    with db.engine.connect() as connection:
        # Set on the connection, not by an engine made with the option: that costs as much as
        # the read. The pool puts the connection's usual isolation back when it is returned.
        connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.execute(statement, parameters).mappings().all()
