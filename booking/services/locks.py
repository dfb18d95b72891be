"""Row locks for deciding scarce things, with lock timeouts turned into a plain "busy"."""

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from booking.extensions import db
from booking.models import CourseSession
from booking.services.errors import BookingError

POSTGRES_LOCK_TIMEOUT = "5s"


def lock_sessions(*session_ids: int) -> list[CourseSession]:
    """Lock course sessions (in id order, so two callers never deadlock) and return them fresh.

    PostgreSQL takes row locks. SQLite already holds its database write lock, because the unit
    of work began with BEGIN IMMEDIATE; FOR UPDATE is left out of its SQL.
    Raises BookingError("busy") when the lock cannot be had in time.
    """
    ids = sorted(set(session_ids))
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text(f"SET LOCAL lock_timeout = '{POSTGRES_LOCK_TIMEOUT}'"))
        rows = db.session.scalars(
            select(CourseSession)
            .where(CourseSession.id.in_(ids))
            .order_by(CourseSession.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    except OperationalError as error:
        raise BookingError("busy") from error
    return list(rows)
