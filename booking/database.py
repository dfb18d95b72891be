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

from sqlalchemy import Executable, RowMapping, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from booking.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long a PostgreSQL statement waits for a row lock before giving up; the lock helpers
# (booking/services/locks.py) turn that into a plain "busy, try again".
POSTGRES_LOCK_TIMEOUT = "5s"
_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)
_SIGNED_IN = "signed_in_user"


def configure_engine(engine: Engine) -> None:
    """Give SQLite connections WAL, foreign keys, a busy timeout and explicit BEGINs, and
    PostgreSQL connections a lock timeout."""
    if engine.dialect.name == "postgresql":
        _give_up_waiting_for_locks(engine)
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


def remember_signed_in_user(person: object) -> None:
    """Note the user the request was signed in as, so a unit of work keeps them loaded."""
    db.session.info[_SIGNED_IN] = person


def _end_read_only_transaction() -> None:
    """Roll back what the request read so far, so the use case starts a fresh transaction.

    The rollback expires every loaded row, so each is read again, inside the use case, when
    next used. The signed-in user is the exception: loaded by this very request to decide
    whether it may run, re-reading them would cost a statement on every write for nothing.
    A user with unsaved changes is not kept: those changes are rolled back as before.
    """
    session = db.session()
    person = session.info.get(_SIGNED_IN)
    keep = person is not None and person in session and not inspect(person).modified
    if keep:
        session.expunge(person)
    session.rollback()
    if keep:
        # Attached again as it was: loaded, not expired.
        session.add(person)


def _give_up_waiting_for_locks(engine: Engine) -> None:
    """Set the lock timeout once for each new connection, rather than with a statement in
    every transaction that takes a lock (that was one more round trip per booking). It
    covers every lock wait on the connection: no request should queue for a row for longer."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = '{POSTGRES_LOCK_TIMEOUT}'")
        cursor.close()
        # Without autocommit the SET opened a transaction; committing keeps the setting (a
        # rollback would undo it).
        dbapi_connection.commit()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run one use case in one transaction: commit once at the end, roll back on any error.

    Whatever read-only transaction the request had open (loading the signed-in user, say) is
    ended first, so the use case starts a fresh one that on SQLite holds the write lock.
    """
    _end_read_only_transaction()
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


def database_answers() -> bool:
    """Whether the database answers a trivial query now (the health check's question)."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        return False
    return True
