"""Staff writing to everyone booked on a session.

The words go inside a neutral message kind (messages.session_message), so the subject and the
opening lines never say what the course is about, and each person is reached only on a channel
they said is safe: for anyone else the message is withheld and recorded, and staff see how many.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Booking, BookingStatus, CourseSession, SessionStatus, User
from booking.services import audit
from booking.services.errors import ScheduleError
from booking.services.notify import messages

# People who still expect to come: a place held, waiting to pay or for help, or confirmed.
MESSAGED_STATES = (
    BookingStatus.HELD,
    BookingStatus.AWAITING_PAYMENT,
    BookingStatus.AWAITING_WAIVER,
    BookingStatus.CONFIRMED,
)


@dataclass(frozen=True)
class Sent:
    sent: int
    withheld: int


def people_to_message(session_id: int) -> int:
    """How many people booked on the session a message to everyone booked would go to."""
    return (
        db.session.scalar(
            select(func.count(Booking.id)).where(
                Booking.session_id == session_id, Booking.status.in_(MESSAGED_STATES)
            )
        )
        or 0
    )


def message_attendees(session_id: int, text: str, *, by: User, now: datetime) -> Sent:
    """Queue ``text`` to everyone booked on a session that has not been cancelled. Raises
    ScheduleError("session_not_found"), ("session_cancelled") or ("message_empty")."""
    course_session = db.session.get(CourseSession, session_id)
    if course_session is None:
        raise ScheduleError("session_not_found")
    if course_session.status == SessionStatus.CANCELLED:
        raise ScheduleError("session_cancelled")
    text = (text or "").strip()
    if not text:
        raise ScheduleError("message_empty")
    booked = db.session.scalars(
        select(Booking)
        .options(joinedload(Booking.user), joinedload(Booking.session))
        .where(Booking.session_id == session_id, Booking.status.in_(MESSAGED_STATES))
        .order_by(Booking.id)
    ).all()
    sent = sum(1 for booking in booked if messages.session_message(booking, text=text, now=now))
    audit.record(
        "session.messaged",
        "session",
        session_id,
        actor=by,
        now=now,
        sent=sent,
        withheld=len(booked) - sent,
    )
    return Sent(sent=sent, withheld=len(booked) - sent)
