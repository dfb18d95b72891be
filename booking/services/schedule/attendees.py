"""Staff writing to everyone booked on a session.

The words go inside a neutral message kind (messages.session_message), so the subject and the
opening lines never say what the course is about, and each person is reached only on a channel
they said is safe: for anyone else the message is withheld and recorded, and staff see how many.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    Channel,
    CourseSession,
    SessionStatus,
    User,
)
from booking.services import audit
from booking.services.errors import ScheduleError
from booking.services.notify import channels as contact
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
    # How many went by each channel (a call is a task on the calls to make list).
    by_channel: dict[Channel, int] = field(default_factory=dict)


def channel_words(by_channel: dict[Channel, int]) -> str:
    """'2 by email, 1 by text message and 1 as a phone call (on Calls to make)', for staff."""
    parts = []
    for channel in (Channel.EMAIL, Channel.TEXT, Channel.LETTER, Channel.CALL):
        count = by_channel.get(channel, 0)
        if not count:
            continue
        if channel == Channel.CALL:
            parts.append(f"{count} as a phone call for the team to make (on Calls to make)")
        else:
            parts.append(f"{count} by {contact.CHANNEL_NAMES[channel]}")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def how_each_is_reached(session_id: int) -> tuple[dict[Channel, int], int]:
    """Before sending: how many of the people booked a message would reach on each channel
    (the first safe one each said), and how many cannot be reached at all. Three queries."""
    booked = db.session.scalars(
        select(Booking)
        .options(joinedload(Booking.user))
        .where(Booking.session_id == session_id, Booking.status.in_(MESSAGED_STATES))
    ).all()
    ids = {booking.user_id for booking in booked}
    profiles = {
        profile.user_id: profile
        for profile in db.session.scalars(
            select(AttendeeProfile).where(AttendeeProfile.user_id.in_(ids))
        )
    }
    counts: Counter[Channel] = Counter()
    unreachable = 0
    for booking in booked:
        reach = contact.safe_channels(booking.user, profiles.get(booking.user_id))
        if reach:
            counts[reach[0][0]] += 1
        else:
            unreachable += 1
    return dict(counts), unreachable


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
    queued = [messages.session_message(booking, text=text, now=now) for booking in booked]
    by_channel = Counter(row.channel for row in queued if row is not None)
    sent = sum(by_channel.values())
    audit.record(
        "session.messaged",
        "session",
        session_id,
        actor=by,
        now=now,
        sent=sent,
        withheld=len(booked) - sent,
    )
    return Sent(sent=sent, withheld=len(booked) - sent, by_channel=dict(by_channel))
