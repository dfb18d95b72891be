"""Row locks for deciding scarce things, with lock timeouts turned into a plain "busy".

The one lock order, everywhere::

    course sessions (in id order) -> bookings (in id order) -> payments (in id order)
        -> help requests -> hardship fund -> referral

Two transactions that take locks in the same order can wait for each other but never deadlock.
Every path that changes a booking's seat or money takes them through the helpers here: first
the booking's session, then the booking, then its payments. A path that starts from a payment
(the Stripe webhook) or from a booking (staff recording an offline payment) reads the ids it
needs without locking, then locks from the top. A row read before its lock is re-read after
it (``populate_existing``), so a decision is never made on a stale copy. Every path that
touches a booking takes its session's lock first, so the session lock is what orders them;
no path may lock a booking, payment or referral and then wait for a session.

On PostgreSQL every connection gives up waiting for a lock after a few seconds (set once per
connection, booking/database.py); the helpers here turn that into BookingError("busy").
On SQLite, FOR UPDATE is left out of the SQL: the unit of work already holds SQLite's single
write lock (BEGIN IMMEDIATE), so writers run one at a time.
"""

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from booking.extensions import db
from booking.models import Booking, CourseSession, Payment
from booking.services.errors import BookingError


def _locked_rows(model, condition) -> list:
    """Lock the rows of ``model`` that meet ``condition``, in id order, and return them fresh
    (re-read, so no decision is made on a copy read before the lock). A lock that cannot be
    had in time is a plain BookingError("busy")."""
    try:
        return list(
            db.session.scalars(
                select(model)
                .where(condition)
                .order_by(model.id)
                .with_for_update(of=model)
                .execution_options(populate_existing=True)
            ).all()
        )
    except OperationalError as error:
        raise BookingError("busy") from error


def relock(row) -> None:
    """Re-read one row already in the session, FOR UPDATE of its own table only.

    A plain ``refresh(row, with_for_update=True)`` repeats the eager loads the row was first
    read with, and PostgreSQL refuses FOR UPDATE across the outer joins those add. The caller
    keeps the lock order above.
    """
    db.session.refresh(row, with_for_update={"of": type(row)})


def lock_sessions(*session_ids: int) -> list[CourseSession]:
    """Lock course sessions (in id order, so two callers never deadlock) and return them fresh.

    Raises BookingError("busy") when the lock cannot be had in time.
    """
    return _locked_rows(CourseSession, CourseSession.id.in_(sorted(set(session_ids))))


def lock_bookings(*booking_ids: int) -> list[Booking]:
    """Lock bookings in id order, after their sessions; returns them fresh.

    The sessions of every booking are locked first, so this is the one safe way to lock a
    booking. Raises BookingError("busy") when a lock cannot be had in time.
    """
    ids = sorted(set(booking_ids))
    if not ids:
        return []
    session_ids = db.session.scalars(select(Booking.session_id).where(Booking.id.in_(ids))).all()
    lock_sessions(*session_ids)
    return _locked_rows(Booking, Booking.id.in_(ids))


def lock_booking(booking_id: int) -> Booking | None:
    """Lock one booking (its session first); None when there is no such booking."""
    rows = lock_bookings(booking_id)
    return rows[0] if rows else None


def lock_existing_booking(booking_id: int) -> Booking:
    """Lock a booking that must exist (bookings are never deleted); BookingError("not_found")."""
    booking = lock_booking(booking_id)
    if booking is None:
        raise BookingError("not_found")
    return booking


def lock_payments_of(booking_id: int) -> list[Payment]:
    """Lock a booking's payments in id order. Call with the booking already locked."""
    return _locked_rows(Payment, Payment.booking_id == booking_id)
